"""Complaints (投诉举报) of a synthetic district."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from riskplan.synthetic._common import stream
from riskplan.synthetic.spec import DistrictSpec

KINDS: tuple[tuple[str, int], ...] = (
    ("食品变质", 5), ("异物", 4), ("卫生条件差", 6), ("过期食品", 4), ("疑似食物中毒", 1),
    ("标签标识不符", 2), ("无证经营", 2), ("虚假宣传", 1))
"""(kind of complaint, weight)."""

TYPE_WEIGHT: Mapping[str, float] = MappingProxyType({
    "C-SMALL": 3.0, "C-RESTAURANT": 2.5, "C-TAKEAWAY": 4.0, "C-VENDOR": 2.0, "D-GROCERY": 1.0,
    "D-SUPERMARKET": 2.0, "D-WETMARKET": 4.0, "D-ONLINE": 3.0, "P-WORKSHOP": 1.5,
    "C-SCHOOL": 1.0,
})
"""Relative chance that a complaint names an establishment of a type (others 0.5)."""

GRADE_WEIGHT: Mapping[str, float] = MappingProxyType({"A": 1.0, "B": 1.4, "C": 2.2, "D": 3.5})
"""Relative chance that a complaint names an establishment of a risk grade."""

NAMED_SHARE = 0.88
"""Share of complaints naming an establishment [-]."""
CATEGORY_SHARE = 0.75
"""Share of those naming one of its categories [-]."""


def build_complaints(spec: DistrictSpec, est: pd.DataFrame, towns: pd.DataFrame) -> pd.DataFrame:
    """``complaints.csv``: from January 1 of the first history year to the reference date.

    Parameters
    ----------
    spec
        The district (``volumes.complaints``; stream 30).
    est
        The register (weights by type and grade).
    towns
        Townships table (complaints naming no establishment fall on a township by population).

    Returns
    -------
    pandas.DataFrame
        ``complaint_id, date, establishment_id, township_code, category_code, kind``, by date.
    """
    rng = stream(spec.seed, 30)
    n = spec.volumes.complaints
    start = dt.date(min(spec.history_years), 1, 1)
    days = [start + dt.timedelta(days=i) for i in range((spec.reference_date - start).days + 1)]
    dates = sorted(days[int(i)] for i in rng.integers(0, len(days), n))
    w = (est["business_type"].map(TYPE_WEIGHT).fillna(0.5)
         * est["risk_grade"].map(GRADE_WEIGHT)).to_numpy(float)
    kinds = np.array([k for k, _ in KINDS])
    kw = np.array([x for _, x in KINDS], float)
    pop = towns["population"].to_numpy(float)
    rows = []
    for i, d in enumerate(dates):
        cid = f"{spec.id_prefix}-C{i + 1:05d}"
        if rng.random() < NAMED_SHARE:
            e = est.iloc[int(rng.choice(len(est), p=w / w.sum()))]
            cats = e["categories"].split(";")
            cat = cats[int(rng.integers(0, len(cats)))] if rng.random() < CATEGORY_SHARE else ""
            rows.append((cid, d.isoformat(), e["establishment_id"], e["township_code"], cat,
                         kinds[rng.choice(len(kinds), p=kw / kw.sum())]))
        else:
            t = towns["township_code"].iloc[int(rng.choice(len(towns), p=pop / pop.sum()))]
            rows.append((cid, d.isoformat(), "", t, "",
                         kinds[rng.choice(len(kinds), p=kw / kw.sum())]))
    return pd.DataFrame(rows, columns=["complaint_id", "date", "establishment_id",
                                       "township_code", "category_code", "kind"])
