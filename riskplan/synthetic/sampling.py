"""Sampling history and the plan year's results so far, drawn from the hidden truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from riskplan.synthetic._common import stream, workdays
from riskplan.synthetic.catalogue import AGRICULTURAL, CATERING
from riskplan.synthetic.spec import DistrictSpec
from riskplan.synthetic.truth import truth_lookup

HAZARDS: Mapping[str, tuple[tuple[str, int], ...]] = MappingProxyType({
    "C33": (("兽药残留", 8), ("微生物污染", 1), ("非法添加", 1)),
    "C34": (("农药残留", 8), ("重金属", 2)),
    "C35": (("兽药残留", 7), ("重金属", 2), ("微生物污染", 1)),
    "C36": (("农药残留", 8), ("食品添加剂超范围", 1)),
    "C37": (("兽药残留", 9), ("微生物污染", 1)),
    "C38": (("重金属", 5), ("真菌毒素", 4)),
    "C39": (("真菌毒素", 6), ("质量指标", 3)),
    "C31": (("微生物污染", 6), ("食品添加剂超范围", 2), ("质量指标", 1), ("非法添加", 1)),
    "C02": (("真菌毒素", 4), ("质量指标", 5), ("重金属", 1)),
    "C04": (("微生物污染", 4), ("食品添加剂超范围", 4), ("兽药残留", 1)),
    "C05": (("微生物污染", 5), ("质量指标", 5)),
    "C22": (("重金属", 3), ("食品添加剂超范围", 4), ("微生物污染", 3)),
    "C23": (("食品添加剂超范围", 8), ("重金属", 2)),
    "C27": (("非法添加", 5), ("质量指标", 5)),
    "C16": (("食品添加剂超范围", 8), ("微生物污染", 2)),
    "C17": (("食品添加剂超范围", 8), ("微生物污染", 2)),
    "C24": (("食品添加剂超范围", 5), ("微生物污染", 4), ("质量指标", 1)),
})
"""(hazard class, weight) found in a failed sample, per category."""
HAZARD_DEFAULT: tuple[tuple[str, int], ...] = (("微生物污染", 4), ("食品添加剂超范围", 3),
                                               ("质量指标", 3))
"""Hazard weights of the categories not in :data:`HAZARDS`."""

TYPE_SAMPLING: Mapping[str, float] = MappingProxyType({
    "P-FACTORY": 1.6, "P-WORKSHOP": 1.6, "D-WHOLESALE": 12.0, "D-WETMARKET": 3.0,
    "D-SUPERMARKET": 0.45, "D-GROCERY": 0.55, "D-ONLINE": 1.2, "C-RESTAURANT": 0.9,
    "C-SMALL": 0.8, "C-SCHOOL": 2.2, "C-CANTEEN": 1.0, "C-SITE": 1.0, "C-ELDERLY": 1.8,
    "C-CENTRAL": 4.0, "C-TAKEAWAY": 0.9, "C-VENDOR": 0.8,
})
"""Relative sampling effort per establishment-category pair, by business type."""
GRADE_SAMPLING: Mapping[str, float] = MappingProxyType({"A": 1.0, "B": 1.3, "C": 1.8, "D": 2.5})
"""Relative sampling effort by risk grade."""
MONTH_WEIGHT: tuple[float, ...] = (0.6, 0.5, 1.0, 1.1, 1.1, 1.1, 1.0, 1.0, 1.1, 1.1, 1.1, 0.6)
"""Relative sampling per working day by month in history years (Spring Festival, December
lighter)."""
PLAN_MONTH_WEIGHT: tuple[float, ...] = (0.75, 0.45, 1.0, 1.05, 1.1, 1.15,
                                        1.0, 1.0, 1.1, 1.1, 1.1, 0.6)
"""Relative sampling per working day by month in the plan year (only months up to the
reference date are used)."""
PROGRAMMES: tuple[tuple[str, float], ...] = (("supervision", 0.62), ("risk_monitoring", 0.22),
                                             ("national", 0.10), ("special", 0.06))
"""Programmes of history samples and their shares."""


def sampling_pairs(est: pd.DataFrame) -> pd.DataFrame:
    """One row per (establishment, category) handled, with its sampling weight ``w``.

    ``w = effort[business type] x effort[grade] x (1.5 agricultural, 1.2 catering, else 1)
    / sqrt(categories handled)``: weighted towards riskier places, not exclusively.
    """
    p = est[["establishment_id", "township_code", "business_type", "risk_grade",
             "categories"]].copy()
    p["category_code"] = p["categories"].str.split(";")
    n_cat = p["category_code"].map(len)
    p = p.assign(n_cat=n_cat).explode("category_code", ignore_index=True)
    cat_w = p["category_code"].map(
        lambda c: 1.5 if c in AGRICULTURAL else (1.2 if c == CATERING else 1.0))
    p["w"] = (p["business_type"].map(TYPE_SAMPLING) * p["risk_grade"].map(GRADE_SAMPLING)
              * cat_w / np.sqrt(p["n_cat"].astype(float)))
    return p.drop(columns=["categories", "n_cat"])


def draw_dates(days: list[dt.date], n: int, rng: np.random.Generator,
               month_weight: tuple[float, ...]) -> list[dt.date]:
    """``n`` sorted dates drawn from ``days`` with a weight per month."""
    w = np.array([month_weight[d.month - 1] for d in days])
    idx = np.sort(rng.choice(len(days), size=n, p=w / w.sum()))
    return [days[i] for i in idx]


def _hazard(cat: str, rng: np.random.Generator) -> str:
    opts = HAZARDS.get(cat, HAZARD_DEFAULT)
    w = np.array([o[1] for o in opts], float)
    return opts[int(rng.choice(len(opts), p=w / w.sum()))][0]


def results_table(picked: pd.DataFrame, dates: list[dt.date], rates: np.ndarray,
                  rng: np.random.Generator, prefix: str, programmes: np.ndarray,
                  overdue_share: float, reference_date: dt.date) -> pd.DataFrame:
    """Draw pass/fail, hazard and follow-up for the picked samples.

    Parameters
    ----------
    picked
        One row per sample: ``establishment_id``, ``category_code``.
    dates
        Sample dates, same order.
    rates
        True unqualified rate of each sample [-].
    rng
        Random stream.
    prefix
        Sample ID prefix (numbered from 1 with 5 digits).
    programmes
        Programme of each sample.
    overdue_share
        Share of fails older than 60 days whose follow-up is still pending [-].
    reference_date
        Follow-ups are done by this date or pending.

    Returns
    -------
    pandas.DataFrame
        The ``history.csv`` / ``results.csv`` columns, all text.
    """
    fail = rng.random(len(picked)) < rates
    hazard, status, fdate = [], [], []
    for d, c, f in zip(dates, picked["category_code"], fail, strict=True):
        if not f:
            hazard.append("")
            status.append("not_required")
            fdate.append("")
            continue
        hazard.append(_hazard(c, rng))
        age = (reference_date - d).days
        lag = int(rng.integers(5, 31)) if rng.random() < 0.85 else int(rng.integers(31, 60))
        if age > 60 and rng.random() >= overdue_share:
            status.append("done")
            fdate.append((d + dt.timedelta(days=lag)).isoformat())
        elif age <= 60 and d + dt.timedelta(days=lag) <= reference_date and rng.random() < 0.55:
            status.append("done")
            fdate.append((d + dt.timedelta(days=lag)).isoformat())
        else:
            status.append("pending")
            fdate.append("")
    return pd.DataFrame({
        "sample_id": [f"{prefix}{i + 1:05d}" for i in range(len(picked))],
        "sample_date": [d.isoformat() for d in dates],
        "establishment_id": picked["establishment_id"].to_numpy(),
        "category_code": picked["category_code"].to_numpy(),
        "result": np.where(fail, "fail", "pass"),
        "hazard": hazard,
        "followup_status": status,
        "followup_date": fdate,
        "programme": programmes,
    })


def build_history(spec: DistrictSpec, est: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """``history.csv``: the history years' samples (stream ``(10, year)`` each).

    Pairs are drawn with probability proportional to their weight (:func:`sampling_pairs`),
    dates on working days, results from the year's true rates; in the last history year 1 % of
    old fails still await follow-up.
    """
    pairs = sampling_pairs(est)
    vol = spec.volumes
    names = [p for p, _ in PROGRAMMES]
    shares = [s for _, s in PROGRAMMES]
    frames = []
    for k, year in enumerate(spec.history_years):
        rng = stream(spec.seed, 10, year)
        n = int(vol.history_base + vol.history_growth * k
                + rng.integers(-vol.history_jitter, vol.history_jitter))
        idx = rng.choice(len(pairs), size=n, p=pairs["w"] / pairs["w"].sum())
        days = workdays(dt.date(year, 1, 1), dt.date(year, 12, 31))
        dates = draw_dates(days, n, rng, MONTH_WEIGHT)
        picked = pairs.iloc[idx].reset_index(drop=True)
        rates = truth_lookup(truth, picked, year)
        prog = rng.choice(names, size=n, p=shares)
        last = year == max(spec.history_years)
        frames.append(results_table(picked, dates, rates, rng, f"{spec.id_prefix}-H{year}-", prog,
                                    overdue_share=0.01 if last else 0.0,
                                    reference_date=spec.reference_date))
    return pd.concat(frames, ignore_index=True)


def build_results(spec: DistrictSpec, est: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """``results.csv``: risk-monitoring results of the plan year up to the reference date.

    ``results_share`` of the annual plan drawn like the history (stream ``(20, plan year)``),
    plus ``hot_spot_samples`` targeted samples per hot spot after ``hot_spot_from``, where the
    true rate is raised to the hot spot's; a quarter of old fails still await follow-up.
    """
    rng = stream(spec.seed, 20, spec.plan_year)
    pairs = sampling_pairs(est)
    n = int(round(spec.volumes.results_share * spec.annual_plan_samples))
    days = workdays(dt.date(spec.plan_year, 1, 1), spec.reference_date)
    idx = rng.choice(len(pairs), size=n, p=pairs["w"] / pairs["w"].sum())
    picked = pairs.iloc[idx].reset_index(drop=True)
    dates = draw_dates(days, n, rng, PLAN_MONTH_WEIGHT)
    # targeted extra samples (加密抽检) in the hot spots after the first signals
    extra = []
    for hs in spec.hot_spots:
        sub = pairs[(pairs["township_code"] == hs.township_code)
                    & (pairs["category_code"] == hs.category_code)]
        if sub.empty:
            raise ValueError(f"hot spot {hs.township_code} x {hs.category_code}: no "
                             "establishment there handles that category")
        extra.append(sub.iloc[rng.choice(len(sub), size=spec.volumes.hot_spot_samples)])
    if extra:
        assert spec.hot_spot_from is not None  # checked by DistrictSpec
        extra_df = pd.concat(extra, ignore_index=True)
        late = [d for d in days if d >= spec.hot_spot_from]
        extra_dates = [late[i] for i in np.sort(rng.choice(len(late), size=len(extra_df)))]
        picked = pd.concat([picked, extra_df], ignore_index=True)
        dates = dates + extra_dates
    order = np.argsort(np.array([d.toordinal() for d in dates]), kind="stable")
    picked = picked.iloc[order].reset_index(drop=True)
    dates = [dates[i] for i in order]
    rates = truth_lookup(truth, picked, spec.plan_year)
    if spec.hot_spots:
        assert spec.hot_spot_from is not None  # checked by DistrictSpec
        after = np.array([d >= spec.hot_spot_from for d in dates])
        for hs in spec.hot_spots:
            hit = np.array((picked["township_code"] == hs.township_code)
                           & (picked["category_code"] == hs.category_code))
            hit &= after
            rates[hit] = np.maximum(rates[hit], hs.rate)
    prog = np.full(len(picked), "risk_monitoring", dtype=object)
    return results_table(picked, dates, rates, rng, f"{spec.id_prefix}-R{spec.plan_year}-", prog,
                         overdue_share=0.25, reference_date=spec.reference_date)
