"""Leaving townships, business types, categories or establishments out of a dataset, consistently.

:func:`exclude` returns a copy of a :class:`~riskplan.dataset.Dataset` without them in which every
table that refers to them is handled: their establishments leave the register, an excluded
category leaves every establishment's list (an establishment left with none leaves too), history
and results rows of the establishments or categories left out go, so do the inspections of those
establishments and the complaints about them,
stations stop covering excluded townships, and actual values scoped to an excluded township go.
What was dropped is recorded in ``dataset.metadata["excluded"]``. The pipeline applies
``allocation.exclude`` this way; a notebook can call it directly to filter a dataset.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import pandas as pd

from riskplan.dataset import TABLE_NAMES, Dataset
from riskplan.errors import RiskplanError
from riskplan.tables import split_list

__all__ = ["exclude", "excluded_summary"]


def _codes(values: Iterable[str], known: pd.Series, what: str) -> set[str]:
    got = {str(v) for v in values}
    unknown = sorted(got - set(known.astype(str)))
    if unknown:
        raise RiskplanError(f"cannot exclude unknown {what} {', '.join(unknown)}: not in the dataset")
    return got


def exclude(dataset: Dataset, *, townships: Iterable[str] = (), business_types: Iterable[str] = (),
            categories: Iterable[str] = (), establishments: Iterable[str] = ()) -> Dataset:
    """A copy of ``dataset`` without the townships, business types, categories, establishments given.

    Parameters
    ----------
    dataset
        The district.
    townships, business_types, categories
        Codes to leave out (business types and categories by code; roles are resolved to codes
        by the configuration layer).
    establishments
        Establishment IDs to leave out.

    Returns
    -------
    Dataset
        A shallow copy with filtered tables; ``metadata["excluded"]`` holds what was asked and
        the rows dropped per table.

    Raises
    ------
    RiskplanError
        For a code or ID the dataset does not have, or when nothing would be left to plan.
    """
    towns = _codes(townships, dataset.townships["township_code"], "township code(s)")
    types = _codes(business_types, dataset.business_types["business_type"], "business type code(s)")
    cats = _codes(categories, dataset.categories["category_code"], "category code(s)")
    ests = _codes(establishments, dataset.establishments["establishment_id"], "establishment ID(s)")
    if not (towns or types or cats or ests):
        return dataset
    t: dict[str, Any] = {name: getattr(dataset, name) for name in TABLE_NAMES}
    t["townships"] = t["townships"][~t["townships"]["township_code"].astype(str).isin(towns)]
    t["business_types"] = t["business_types"][~t["business_types"]["business_type"].astype(str)
                                              .isin(types)]
    t["categories"] = t["categories"][~t["categories"]["category_code"].astype(str).isin(cats)]
    est = t["establishments"]
    keep = ~(est["establishment_id"].astype(str).isin(ests) | est["township_code"].astype(str)
             .isin(towns) | est["business_type"].astype(str).isin(types))
    est = est[keep].copy()
    if cats:
        lists = split_list(est["categories"]).map(lambda xs: [c for c in xs if c not in cats])
        est["categories"] = lists.map(";".join).astype("str")
        est = est[lists.map(len) > 0]
    t["establishments"] = est
    kept = set(est["establishment_id"].astype(str))
    for name in ("history", "results"):
        df = t[name]
        t[name] = df[df["establishment_id"].astype(str).isin(kept)
                     & ~df["category_code"].astype(str).isin(cats)]
    insp = t["inspections"]
    if len(insp):
        t["inspections"] = insp[insp["establishment_id"].astype(str).isin(kept)]
    comp = t["complaints"]
    if len(comp):
        named = comp["establishment_id"].notna() & (comp["establishment_id"].astype(str) != "")
        t["complaints"] = comp[~comp["township_code"].astype(str).isin(towns)
                               & ~(named & ~comp["establishment_id"].astype(str).isin(kept))
                               & ~comp["category_code"].astype(str).isin(cats)]
    if towns:
        st = t["stations"].copy()
        st["township_codes"] = split_list(st["township_codes"]).map(
            lambda xs: ";".join(c for c in xs if c not in towns)).astype("str")
        t["stations"] = st
        # district-wide figures no longer describe what is left: the quota falls back to
        # the remaining townships' populations
        t["population"] = t["population"].iloc[0:0]
        ta = t["target_actuals"]
        if len(ta):
            t["target_actuals"] = ta[~ta["scope"].astype(str).isin(towns)]
    if len(t["establishments"]) == 0:
        raise RiskplanError("nothing left to plan: every establishment is excluded")
    dropped = {name: len(getattr(dataset, name)) - len(t[name]) for name in TABLE_NAMES
               if len(getattr(dataset, name)) != len(t[name])}
    meta = dict(dataset.metadata)
    before = meta.get("excluded", {})
    meta["excluded"] = {
        "townships": sorted(towns | set(before.get("townships", []))),
        "business_types": sorted(types | set(before.get("business_types", []))),
        "categories": sorted(cats | set(before.get("categories", []))),
        "establishments": sorted(ests | set(before.get("establishments", []))),
        "rows_dropped": {k: v + before.get("rows_dropped", {}).get(k, 0) for k, v in dropped.items()},
    }
    for name in TABLE_NAMES:
        t[name] = t[name].reset_index(drop=True) if name != "townships" else t[name]
    return dataclasses.replace(dataset, **t, metadata=meta)


def excluded_summary(dataset: Dataset) -> str:
    """One line saying what :func:`exclude` left out of ``dataset`` ('' when nothing)."""
    ex = (getattr(dataset, "metadata", None) or {}).get("excluded")
    if not ex:
        return ""
    parts = [f"{k.replace('_', ' ')} {', '.join(v)}" for k, v in ex.items()
             if k != "rows_dropped" and v]
    rows = ", ".join(f"{n} {k}" for k, n in ex.get("rows_dropped", {}).items())
    return "excluded 不纳入: " + "; ".join(parts) + (f" ({rows} rows left out)" if rows else "")
