"""Apportionment methods checked against published results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskplan.allocation import apportion
from riskplan.errors import InfeasibleError

# 1790 census apportionment populations (3,615,920 in all), e.g. Tannenbaum, Excursions in Modern
# Mathematics, ch. 14, Example 6 "The vetoed apportionment bill by Hamilton's method".
CENSUS_1790 = pd.Series(
    {
        "CT": 236_841, "DE": 55_540, "GA": 70_835, "KY": 68_705, "MD": 278_514,
        "MA": 475_327, "NH": 141_822, "NJ": 179_570, "NY": 331_589, "NC": 353_523,
        "PA": 432_879, "RI": 68_446, "SC": 206_236, "VT": 85_533, "VA": 630_560,
    }
)
# The House actually apportioned by the Apportionment Act of 1792 (Jefferson's method, 105 seats);
# e.g. constitution.org Tucker's Blackstone, note D, table "according to the first census".
ACT_1792 = {"CT": 7, "DE": 1, "GA": 2, "KY": 2, "MD": 8, "MA": 14, "NH": 4, "NJ": 5, "NY": 10,
            "NC": 10, "PA": 13, "RI": 2, "SC": 6, "VT": 2, "VA": 19}
# Hamilton's vetoed 120-seat bill (Tannenbaum, Table 14.5).
HAMILTON_120 = {"CT": 8, "DE": 2, "GA": 2, "KY": 2, "MD": 9, "MA": 16, "NH": 5, "NJ": 6, "NY": 11,
                "NC": 12, "PA": 14, "RI": 2, "SC": 7, "VT": 3, "VA": 21}


def test_jefferson_gives_the_1792_house():
    got = apportion(CENSUS_1790, 105, "jefferson")
    assert isinstance(got, pd.Series) and list(got.index) == list(CENSUS_1790.index)
    assert got.to_dict() == ACT_1792


def test_hamilton_120_is_the_vetoed_bill():
    assert apportion(CENSUS_1790, 120, "hamilton").to_dict() == HAMILTON_120


def test_hamilton_105_moves_one_seat_from_virginia_to_delaware():
    # MAA Convergence, "Apportioning Representatives in the United States Congress - Jefferson's
    # method": under Hamilton at 105 seats 13 of 15 states get the same as under Jefferson;
    # Delaware would have gained the seat that Virginia got.
    got = apportion(CENSUS_1790, 105, "hamilton").to_dict()
    assert got == {**ACT_1792, "DE": 2, "VA": 18}


def test_webster_and_dhondt_textbook_example():
    # Wikipedia, "Sainte-Laguë method" / "D'Hondt method": 100,000 / 80,000 / 30,000 / 20,000
    # votes, 8 seats.
    votes = [100_000, 80_000, 30_000, 20_000]
    assert apportion(votes, 8, "webster").tolist() == [3, 3, 1, 1]
    assert apportion(votes, 8, "jefferson").tolist() == [4, 3, 1, 0]


def test_huntington_hill_2010_priority_order():
    # Wikipedia, "Huntington-Hill method": after the 2010 census, seats 51-54 went to California,
    # Texas, California, New York. Restricted to the four largest states (2010 apportionment
    # populations), seats 5-8 follow the same order: CA 3, TX 2, NY 2, FL 1.
    pop = [37_341_989, 25_268_418, 19_421_055, 18_900_773]  # CA, TX, NY, FL
    assert apportion(pop, 5, "huntington_hill").tolist() == [2, 1, 1, 1]
    assert apportion(pop, 6, "huntington_hill").tolist() == [2, 2, 1, 1]
    assert apportion(pop, 7, "huntington_hill").tolist() == [3, 2, 1, 1]
    assert apportion(pop, 8, "huntington_hill").tolist() == [3, 2, 2, 1]
    # every item with positive weight gets one seat first
    assert apportion([1000, 1, 1], 3, "huntington_hill").tolist() == [1, 1, 1]


@pytest.mark.parametrize("method", ["hamilton", "webster", "jefferson", "huntington_hill"])
def test_ties_go_to_the_lower_index(method):
    assert apportion([1, 1, 1], 2, method).tolist() == [1, 1, 0]
    assert apportion([2, 1, 1, 2], 1, method).tolist() == [1, 0, 0, 0]


@pytest.mark.parametrize("method", ["hamilton", "webster", "jefferson", "huntington_hill"])
def test_bounds(method):
    got = apportion([10, 1, 1], 9, method, minimum=[0, 2, 2], maximum=[4, 9, 9])
    assert got.sum() == 9 and got[0] == 4 and got[1] >= 2 and got[2] >= 2
    assert apportion([0, 0, 5], 4, method, minimum=1).tolist() == [1, 1, 2]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(weights=[1, 1], total=5, maximum=2), "at most 4"),
        (dict(weights=[1, 1], total=1, minimum=1), "minimums need 2"),
        (dict(weights=[1, 1], total=2, minimum=[3, 0], maximum=[2, 5]), "minimum 3 is above maximum 2"),
        (dict(weights=[0, 0], total=1), "at most 0"),
    ],
)
def test_impossible_bounds(kwargs, match):
    with pytest.raises(InfeasibleError, match=match):
        apportion(**kwargs)


@pytest.mark.parametrize(
    "kwargs", [dict(weights=[-1, 2], total=1), dict(weights=[1, 2], total=1, method="adams"),
               dict(weights=[1, 2], total=1.5), dict(weights=[np.nan], total=1)]
)
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        apportion(**kwargs)


@settings(max_examples=150, deadline=None)
@given(
    w=st.lists(st.integers(0, 50), min_size=1, max_size=12),
    total=st.integers(0, 60),
    method=st.sampled_from(["hamilton", "webster", "jefferson", "huntington_hill"]),
    lo=st.integers(0, 2),
)
def test_properties(w, total, method, lo):
    w = np.array(w, dtype=float)
    cap = np.where(w > 0, 10**9, lo)
    if lo * len(w) > total or cap.sum() < total:
        with pytest.raises(InfeasibleError):
            apportion(w, total, method, minimum=lo)
        return
    got = apportion(w, total, method, minimum=lo)
    assert got.dtype == np.int64 and got.sum() == total and np.all(got >= lo)
    assert np.all(got[w == 0] == lo)
    if method == "hamilton" and lo == 0 and w.sum() > 0:  # quota property
        q = w / w.sum() * total
        assert np.all(got >= np.floor(q - 1e-9)) and np.all(got <= np.ceil(q + 1e-9))
    assert np.array_equal(got, apportion(w, total, method, minimum=lo))  # deterministic
