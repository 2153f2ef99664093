"""Exposure and modifiers per stratum: establishments, volume, grades, complaints."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from riskplan.risk.pooling import KEY
from riskplan.risk.recency import DAYS_PER_YEAR


def strata_present(exploded: pd.DataFrame) -> pd.DataFrame:
    """One row per stratum present, with its establishments' counts.

    Parameters
    ----------
    exploded
        One row per (establishment, category): ``establishment_id``, key columns, optional
        ``risk_grade`` and ``daily_customers`` [persons/day].

    Returns
    -------
    pandas.DataFrame
        Key columns, ``n_establishments``, ``n_grade_cd``, ``share_grade_cd``,
        ``mean_daily_customers`` (NaN when unknown).
    """
    e = exploded
    grade = e["risk_grade"].astype(str).str.upper() if "risk_grade" in e else pd.Series("", index=e.index)
    cust = (
        pd.to_numeric(e["daily_customers"], errors="coerce")
        if "daily_customers" in e
        else pd.Series(np.nan, index=e.index)
    )
    tmp = e[KEY].assign(_cd=grade.isin(["C", "D"]).astype(float), _cust=cust.astype(float))
    g = tmp.groupby(KEY, sort=True, observed=True)
    out = g.size().rename("n_establishments").to_frame()
    out["n_grade_cd"] = g["_cd"].sum().astype(int)
    out["share_grade_cd"] = out["n_grade_cd"] / out["n_establishments"]
    out["mean_daily_customers"] = g["_cust"].mean()
    return out.reset_index()


def volume_index(strata: pd.DataFrame, establishments: pd.DataFrame) -> np.ndarray:
    """Mean daily customers of a stratum's establishments over the district mean (1 where unknown)."""
    if "daily_customers" not in establishments:
        return np.ones(len(strata))
    # float first: an all-missing nullable Int64 column would give pd.NA, not NaN
    overall = float(pd.to_numeric(establishments["daily_customers"], errors="coerce").astype(float).mean())
    if not np.isfinite(overall) or overall <= 0:
        return np.ones(len(strata))
    v = strata["mean_daily_customers"].to_numpy(dtype=float) / overall
    return np.where(np.isfinite(v) & (v > 0), v, 1.0)


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | (s.astype(str).str.strip() == "")


def complaints_per_stratum(
    complaints: pd.DataFrame | None,
    strata: pd.DataFrame,
    exploded: pd.DataFrame,
    establishments: pd.DataFrame,
    reference_date: dt.date | pd.Timestamp,
    window_years: float,
) -> np.ndarray:
    """Complaints attributed to each stratum within the window before the reference date.

    A complaint naming an establishment and a category goes to that stratum; naming only an
    establishment, it is split evenly over the establishment's categories; naming only a township
    (and maybe a category), it is split over that township's (category's) strata in proportion to
    their establishments. Complaints naming none of these carry no stratum information.

    Returns
    -------
    numpy.ndarray
        Complaint count per row of ``strata`` (fractional where split).
    """
    counts = pd.Series(0.0, index=pd.MultiIndex.from_frame(strata[KEY]))
    if complaints is None or len(complaints) == 0:
        return counts.to_numpy()
    c = complaints.copy()
    ref = pd.Timestamp(reference_date)
    if "date" in c:
        d = pd.to_datetime(c["date"], errors="coerce")
        c = c[(d <= ref) & (d > ref - pd.Timedelta(days=window_years * DAYS_PER_YEAR))]
    for col in ("establishment_id", "township_code", "category_code"):
        if col not in c:
            c[col] = ""
    c["establishment_id"] = c["establishment_id"].astype("string").fillna("").str.strip()
    c["category_code"] = c["category_code"].astype("string").fillna("").str.strip()
    c["township_code"] = c["township_code"].astype("string").fillna("").str.strip()
    est = establishments.set_index("establishment_id")
    known_est = c["establishment_id"].isin(est.index)
    parts: list[pd.DataFrame] = []

    # (a) establishment + category, and the category is one it handles
    a = c[known_est & (c["category_code"] != "")]
    if len(a):
        a = a.assign(
            township_code=est.loc[a["establishment_id"], "township_code"].to_numpy(),
            business_type=est.loc[a["establishment_id"], "business_type"].to_numpy(),
        )
        a_key = pd.MultiIndex.from_frame(a[KEY])
        hit = a_key.isin(counts.index)
        parts.append(a.loc[hit, KEY].assign(w=1.0))
        rest_a = a.loc[~hit, ["establishment_id"]]
    else:
        rest_a = c.iloc[:0][["establishment_id"]]
    # (b) establishment only (or a category it does not list): spread over its categories
    b = pd.concat([c.loc[known_est & (c["category_code"] == ""), ["establishment_id"]], rest_a])
    if len(b):
        ex = exploded[["establishment_id", *KEY]]
        k = ex.groupby("establishment_id").size().rename("k")
        bb = b.merge(ex, on="establishment_id").join(k, on="establishment_id")
        parts.append(bb[KEY].assign(w=1.0 / bb["k"].to_numpy(dtype=float)))
    # (c)/(d) township (and category) only: spread by establishments
    rest = c[~known_est & (c["township_code"] != "")]
    s = strata[[*KEY, "n_establishments"]]
    for with_cat in (True, False):
        sub = rest[(rest["category_code"] != "") == with_cat]
        if not len(sub):
            continue
        on = ["township_code", "category_code"] if with_cat else ["township_code"]
        tot = s.groupby(on)["n_establishments"].transform("sum")
        share = s.assign(share=s["n_establishments"] / tot)
        m = sub[on].merge(share, on=on)
        parts.append(m[KEY].assign(w=m["share"].to_numpy(dtype=float)))
    if parts:
        allp = pd.concat(parts, ignore_index=True)
        add = allp.groupby(KEY)["w"].sum()
        counts = counts.add(add, fill_value=0.0).reindex(counts.index)
    return counts.fillna(0.0).to_numpy(dtype=float)
