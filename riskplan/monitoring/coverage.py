"""Coverage of every stage, business type, township and food category by this year's results.

The universe is what the plan contains: every stratum present in the register (the allocation has a
row for each, even those given no sample); a unit is *covered* once at least one sample of it is done. The
demonstration-city rules want every stage and business type covered (target T24).
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from riskplan.tables import STRATUM_KEY

KEY = list(STRATUM_KEY)
DIMENSIONS = ("stage", "business_type", "township_code", "category_code")


@dataclasses.dataclass
class Coverage:
    """Coverage tables.

    Attributes
    ----------
    summary
        One row per dimension: ``dimension``, ``present``, ``covered``, ``rate`` [fraction].
    detail
        One row per (dimension, code): ``planned``, ``done`` [samples], ``covered`` (bool).
    uncovered
        The rows of ``detail`` not yet covered.
    matrix
        Samples done, township (rows) x business type (columns); NaN where the register has no
        such cell, 0 where it has one but nothing is done yet.
    planned_matrix
        Planned samples in the same layout.
    """

    summary: pd.DataFrame
    detail: pd.DataFrame
    uncovered: pd.DataFrame
    matrix: pd.DataFrame
    planned_matrix: pd.DataFrame

    def rate(self, dimension: str) -> float:
        """Coverage rate of one dimension [fraction]."""
        return float(self.summary.set_index("dimension").loc[dimension, "rate"])


def coverage(allocation: pd.DataFrame, results: pd.DataFrame) -> Coverage:
    """Coverage of the plan's stages, business types, townships and categories.

    Parameters
    ----------
    allocation
        The plan's allocation (key columns, ``stage``, ``samples``).
    results
        Validated results that count against the plan (key columns and ``stage``).
    """
    alloc = allocation
    rows = []
    for dim in DIMENSIONS:
        planned = alloc.groupby(dim)["samples"].sum().rename("planned")
        done = results.groupby(dim).size().rename("done")
        d = pd.concat([planned, done], axis=1).fillna(0).astype(int)
        d = d.loc[d.index.isin(alloc[dim].unique())]
        d.index.name = "code"
        d = d.reset_index()
        d.insert(0, "dimension", dim)
        d["covered"] = d["done"] > 0
        rows.append(d)
    detail = pd.concat(rows, ignore_index=True)
    summary = detail.groupby("dimension", sort=False).agg(
        present=("code", "size"), covered=("covered", "sum")).reset_index()
    summary["rate"] = summary["covered"] / summary["present"]
    uncovered = detail[~detail["covered"]].reset_index(drop=True)
    planned_m = alloc.pivot_table(index="township_code", columns="business_type",
                                  values="samples", aggfunc="sum")
    done_m = results.pivot_table(index="township_code", columns="business_type",
                                 values="category_code", aggfunc="size")
    done_m = done_m.reindex(index=planned_m.index, columns=planned_m.columns)
    done_m = done_m.fillna(0).where(planned_m.notna())
    return Coverage(summary, detail, uncovered, done_m, planned_m)
