"""Leaving townships, business types, categories out of a dataset or a plan, every table handled."""

from __future__ import annotations

import dataclasses

import pytest

import riskplan as rp
from riskplan.allocation import allocate
from riskplan.config import Config
from riskplan.configure import prepare
from riskplan.errors import InfeasibleError, RiskplanError
from riskplan.risk import score
from riskplan.tables import split_list

SONGLIN = "530999203000"


def test_exclude_a_township_handles_every_table(yunling) -> None:
    ds = rp.exclude(yunling, townships=[SONGLIN])
    gone = set(yunling.establishments.loc[yunling.establishments["township_code"] == SONGLIN, "establishment_id"])
    assert len(gone) == 18
    assert SONGLIN not in set(ds.townships["township_code"])
    assert not gone & set(ds.establishments["establishment_id"])
    assert not gone & set(ds.history["establishment_id"]) and not gone & set(ds.results["establishment_id"])
    assert SONGLIN not in set(ds.complaints["township_code"])
    assert all(SONGLIN not in codes for codes in split_list(ds.stations["township_codes"]))
    assert ds.residents == yunling.residents - 25_654
    dropped = ds.metadata["excluded"]["rows_dropped"]
    assert dropped["establishments"] == 18 and dropped["townships"] == 1
    assert dropped["history"] == len(yunling.history) - len(ds.history) > 0
    assert rp.validate(ds).query("level == 'error'").empty  # a consistent dataset
    assert len(yunling.establishments) == 149  # the original is untouched


def test_exclude_a_category_and_a_business_type(yunling) -> None:
    ds = rp.exclude(yunling, business_types=["VD-STREET"], categories=["F07"])
    assert "VD-STREET" not in set(ds.establishments["business_type"])
    assert not any("F07" in c for c in split_list(ds.establishments["categories"]))
    assert "F07" not in set(ds.history["category_code"]) and "F07" not in set(ds.categories["category_code"])
    assert rp.validate(ds).query("level == 'error'").empty
    assert len(rp.exclude(ds, establishments=["YL2026-0001"]).establishments) == len(ds.establishments) - 1


def test_filtering_by_hand_is_caught_with_a_pointer(yunling) -> None:
    """Dropping establishments without their history rows: a clear error naming the way to do it."""
    ds = dataclasses.replace(yunling, establishments=yunling.establishments.iloc[10:])
    with pytest.raises(RiskplanError, match=r"table 'history'.*riskplan.exclude"):
        score(ds)
    score(rp.exclude(yunling, establishments=list(yunling.establishments["establishment_id"].iloc[:10])))


def test_unknown_codes_are_refused(yunling) -> None:
    with pytest.raises(RiskplanError, match="unknown township code"):
        rp.exclude(yunling, townships=["330304108"])


def test_allocation_exclude_in_the_configuration(yunling) -> None:
    cfg = Config(allocation=dataclasses.replace(Config().allocation, exclude={
        "townships": [SONGLIN], "business_types": ["street vendor"], "categories": ["野生菌"]}))
    ready = prepare(yunling, cfg)
    assert ready.config.allocation.exclude == {"townships": (SONGLIN,), "business_types": ("VD-STREET",),
                                               "categories": ("F07",)}
    assert SONGLIN not in set(ready.dataset.townships["township_code"])
    assert any("excluded" in w and SONGLIN in w for w in ready.warnings)
    s = score(ready.dataset, config=ready.config.risk)
    a = allocate(s, 150, ready.config.allocation, categories=ready.dataset.categories)
    t = a.table
    assert SONGLIN not in set(t["township_code"]) and "VD-STREET" not in set(t["business_type"])
    assert "F07" not in set(t["category_code"]) and a.total == 150


def test_allocation_fixed_numbers(yunling) -> None:
    cfg = Config(allocation=dataclasses.replace(Config().allocation, fixed={
        "townships": {SONGLIN: 4}, "business_types": {"online seller": 6}, "categories": {"F11": 2}}))
    ready = prepare(yunling, cfg)
    assert ready.config.allocation.fixed["business_types"] == {"WEB-SHOP": 6}
    s = score(ready.dataset, config=ready.config.risk)
    a = allocate(s, 217, ready.config.allocation, categories=yunling.categories,
                 business_types=yunling.business_types)
    t = a.table
    assert a.total == 217 == int(t["samples"].sum())
    assert int(t.loc[t["township_code"] == SONGLIN, "samples"].sum()) == 4
    assert int(t.loc[t["business_type"] == "WEB-SHOP", "samples"].sum()) == 6
    assert int(t.loc[t["category_code"] == "F11", "samples"].sum()) == 2
    fixed = a.requirements[a.requirements["rule"] == "fixed"]
    assert list(fixed["key"]) == [f"townships:{SONGLIN}", "business_types:WEB-SHOP", "categories:F11"]
    # every other township still gets its floor
    others = t[t["township_code"] != SONGLIN].groupby("township_code")["samples"].sum()
    assert (others >= 2).all()


def test_fixed_zero_leaves_a_township_out_of_the_allocation(yunling) -> None:
    """What township_min_overrides = 0 could not do: no sample at all in the township."""
    rules = dataclasses.replace(Config().resolve(yunling).allocation, fixed={"townships": {SONGLIN: 0}})
    a = allocate(score(yunling), 217, rules, categories=yunling.categories)
    assert int(a.table.loc[a.table["township_code"] == SONGLIN, "samples"].sum()) == 0 and a.total == 217


def test_fixed_numbers_that_cannot_hold_are_explained(yunling) -> None:
    rules = Config().resolve(yunling).allocation
    s = score(yunling)
    # the township carved first puts samples in its online sellers: the type cannot then have 0
    web_in_town = s[(s["township_code"] == "530999101000") & (s["business_type"] == "WEB-SHOP")]
    assert len(web_in_town)
    with pytest.raises(InfeasibleError, match="allocation.fixed.business_types.WEB-SHOP"):
        allocate(s, 217, dataclasses.replace(rules, fixed={"townships": {"530999101000": 120},
                                                           "business_types": {"WEB-SHOP": 0}}),
                 categories=yunling.categories)
    with pytest.raises(InfeasibleError, match="more than the quota"):
        allocate(s, 217, dataclasses.replace(rules, fixed={"townships": {"530999101000": 300}}),
                 categories=yunling.categories)
