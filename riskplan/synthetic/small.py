"""A small random district with a known true rate per stratum, for tests and benchmarks.

Much smaller and simpler than a :class:`~riskplan.synthetic.spec.DistrictSpec` build: no
geography, stations or routes; just the tables the risk scores need, generated in milliseconds.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd


def make_synthetic(
    n_townships: int = 5,
    n_categories: int = 6,
    n_establishments: int = 300,
    n_history: int = 3000,
    years: tuple[int, ...] = (2023, 2024, 2025),
    n_extra_business_types: int = 0,
    seed: int = 0,
) -> SimpleNamespace:
    """A small random district with a known true unqualified rate per stratum.

    Parameters
    ----------
    n_townships, n_categories, n_establishments, n_history
        Sizes of the tables.
    years
        Calendar years the history is spread over (uniformly).
    n_extra_business_types
        Business types added to the four standard ones (for large benchmarks).
    seed
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    types.SimpleNamespace
        ``establishments``, ``history``, ``categories``, ``business_types``, ``complaints``,
        ``townships``, ``reference_date`` and ``truth`` (key columns + ``true_rate``).
    """
    rng = np.random.default_rng(seed)
    twn = [f"330304{i:03d}" for i in range(1, n_townships + 1)]
    cats = [f"C{i:02d}" for i in range(1, n_categories + 1)]
    categories = pd.DataFrame({
        "category_code": cats,
        "name_zh": [f"类别{i}" for i in range(1, n_categories + 1)],
        "name_en": [f"Category {i}" for i in range(1, n_categories + 1)],
        "hazard_severity": rng.integers(1, 6, n_categories).astype(float),
    })
    business_types = pd.DataFrame({
        "business_type": ["P-FACTORY", "D-MARKET", "C-RESTAURANT", "C-SCHOOL"],
        "stage": ["production", "distribution", "catering", "catering"],
        "name_zh": ["生产企业", "农贸市场", "餐馆", "学校食堂"],
        "name_en": ["Factory", "Market", "Restaurant", "School canteen"],
        "vulnerable": [False, False, False, True],
        "roles": ["", "wet market", "restaurant", "school canteen"],
    })
    if n_extra_business_types:
        extra = pd.DataFrame({
            "business_type": [f"C-TYPE{i:02d}" for i in range(n_extra_business_types)],
            "stage": "catering",
            "name_zh": [f"类型{i}" for i in range(n_extra_business_types)],
            "name_en": [f"Type {i}" for i in range(n_extra_business_types)],
            "vulnerable": False,
            "roles": "",
        })
        business_types = pd.concat([business_types, extra], ignore_index=True)
    bts = business_types["business_type"].to_numpy()
    prob = np.r_[[0.2, 0.3, 0.4, 0.1], np.full(n_extra_business_types, 0.2)]
    est_bt = rng.choice(bts, n_establishments, p=prob / prob.sum())
    ncat = rng.integers(1, min(4, n_categories) + 1, n_establishments)
    est_cats = [";".join(sorted(rng.choice(cats, k, replace=False))) for k in ncat]
    establishments = pd.DataFrame({
        "establishment_id": [f"OH-E{i:05d}" for i in range(n_establishments)],
        "township_code": rng.choice(twn, n_establishments),
        "business_type": est_bt,
        "stage": business_types.set_index("business_type")["stage"].reindex(est_bt).to_numpy(),
        "categories": est_cats,
        "risk_grade": rng.choice(list("ABCD"), n_establishments, p=[0.4, 0.3, 0.2, 0.1]),
        "daily_customers": rng.integers(20, 500, n_establishments),
    })
    # true rates: category effect x business type effect x stratum noise
    cat_eff = dict(zip(cats, rng.normal(-3.0, 0.6, n_categories)))
    bt_eff = dict(zip(bts, rng.normal(0.0, 0.3, len(bts))))
    ex = establishments.assign(category_code=establishments["categories"].str.split(";")).explode("category_code")
    keys = ex[["township_code", "business_type", "category_code"]].drop_duplicates().reset_index(drop=True)
    logit = (keys["category_code"].map(cat_eff) + keys["business_type"].map(bt_eff)
             + rng.normal(0, 0.4, len(keys)))
    truth = keys.assign(true_rate=1 / (1 + np.exp(-logit.to_numpy(dtype=float))))
    pick = rng.integers(0, len(ex), n_history)
    hx = ex.iloc[pick].reset_index(drop=True)
    p = hx.merge(truth, on=["township_code", "business_type", "category_code"], how="left")["true_rate"].to_numpy()
    year = rng.choice(np.asarray(years), n_history)
    doy = rng.integers(0, 365, n_history)
    dates = pd.to_datetime(year.astype(str) + "-01-01") + pd.to_timedelta(doy, unit="D")
    fail = rng.random(n_history) < p
    history = pd.DataFrame({
        "sample_id": [f"S{i:07d}" for i in range(n_history)],
        "sample_date": dates,
        "establishment_id": hx["establishment_id"].to_numpy(),
        "category_code": hx["category_code"].to_numpy(),
        "result": np.where(fail, "fail", "pass"),
    })
    nc = max(n_establishments // 5, 1)
    ce = rng.choice(establishments["establishment_id"].to_numpy(), nc)
    complaints = pd.DataFrame({
        "complaint_id": [f"K{i:05d}" for i in range(nc)],
        "date": pd.to_datetime(f"{years[-1]}-01-01") + pd.to_timedelta(rng.integers(0, 365, nc), unit="D"),
        "establishment_id": ce,
        "township_code": establishments.set_index("establishment_id")["township_code"].reindex(ce).to_numpy(),
        "category_code": "",
        "kind": "hygiene",
    })
    townships = pd.DataFrame({"township_code": twn, "name_zh": [f"镇{i}" for i in range(len(twn))],
                              "name_en": [f"Town {i}" for i in range(len(twn))]})
    return SimpleNamespace(
        establishments=establishments, history=history, categories=categories, business_types=business_types,
        complaints=complaints, townships=townships, reference_date=dt.date(years[-1], 12, 31), truth=truth,
    )
