"""Selection on the embedded Ouhai dataset: accounting, contract columns, speed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskplan.selection import VISIT_COLUMNS, SelectionRules, select_dataset, select_year
from riskplan.tables import explode_categories

KEY = ["township_code", "business_type", "category_code"]


@pytest.fixture(scope="module")
def schedule(ouhai) -> pd.DataFrame:
    """A year's schedule over strata of the register (~100 samples a month) plus an empty stratum."""
    rng = np.random.default_rng(0)
    strata = explode_categories(ouhai.establishments)[KEY].drop_duplicates().reset_index(drop=True)
    rows = []
    for m in range(1, 13):
        pick = strata.sample(90, random_state=m)
        rows.append(pick.assign(month=m, samples=rng.integers(1, 3, len(pick))))
    rows.append(pd.DataFrame([("330304001", "C-SCHOOL", "C99", 7, 2)], columns=KEY + ["month", "samples"]))
    out = pd.concat(rows, ignore_index=True)
    out.attrs["plan_year"] = ouhai.plan_year
    return out


def test_ouhai_month(ouhai, schedule):
    sel = select_dataset(ouhai, schedule, 7, SelectionRules(), seed=0)
    v = sel.visits
    assert tuple(v.columns) == VISIT_COLUMNS
    req = schedule[schedule["month"] == 7].groupby(KEY)["samples"].sum()
    got = sel.samples.groupby(KEY)["samples"].sum().add(
        sel.shortfall.set_index(KEY)["missing"], fill_value=0)
    assert (got.reindex(req.index, fill_value=0) == req).all()
    assert v["samples"].sum() + sel.shortfall["missing"].sum() == req.sum()
    assert sel.shortfall.set_index("category_code").loc["C99", "reason"] == "no establishment in stratum"
    # contract: every visit has a station, online sellers are purchases, ids unique
    assert v["station_id"].notna().all() and v["visit_id"].is_unique
    assert (v.loc[v["business_type"] == "D-ONLINE", "mode"] == "purchase").all()
    perishable = ouhai.categories.set_index("category_code")["perishable"].astype(bool)
    exp = v["categories_to_sample"].str.split(";").map(lambda cs: bool(perishable[cs].any()))
    assert (v["perishable"] == exp).all()
    # reproducible
    again = select_dataset(ouhai, schedule, 7, SelectionRules(), seed=0)
    pd.testing.assert_frame_equal(v, again.visits)


def test_ouhai_year(ouhai, schedule):
    history = pd.concat([ouhai.history, ouhai.results], ignore_index=True)
    out = select_year(schedule, ouhai.establishments, history, ouhai.plan_year, SelectionRules(), 0,
                      categories=ouhai.categories, stations=ouhai.stations)
    assert sum(s.requested for s in out.values()) == int(schedule["samples"].sum())
    # rotation across the year: no establishment is visited twice within its window
    visits = pd.concat([s.visits for s in out.values()], ignore_index=True)
    windows = SelectionRules().window_months(visits["risk_grade"], visits["business_type"])
    visits = visits.assign(window=windows).sort_values(["establishment_id", "month"])
    gap = visits.groupby("establishment_id")["month"].diff()
    assert (gap.dropna() >= visits.loc[gap.notna(), "window"]).all()
