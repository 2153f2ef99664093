"""The risk score of every stratum (township x business type x food category)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd

from riskplan.dataset import Dataset
from riskplan.risk.errors import RiskInputError
from riskplan.risk.exposure import complaints_per_stratum, strata_present, volume_index
from riskplan.risk.inputs import (
    check_codes,
    explode_categories,
    require_columns,
)
from riskplan.risk.pooling import KEY, partial_pool
from riskplan.risk.recency import half_life_weights
from riskplan.roles import match_business_types
from riskplan.settings.risk import RiskRules

EST_COLUMNS = ("establishment_id", "township_code", "business_type", "categories")
HIST_COLUMNS = ("establishment_id", "category_code", "result", "sample_date")
CAT_COLUMNS = ("category_code", "hazard_severity")
BT_COLUMNS = ("business_type", "stage")


def history_counts(
    history: pd.DataFrame,
    establishments: pd.DataFrame,
    reference_date: dt.date | pd.Timestamp,
    half_life_years: float,
) -> pd.DataFrame:
    """Raw and recency-weighted sample and failure counts per stratum (vectorised).

    Returns
    -------
    pandas.DataFrame
        Key columns, ``n_samples``, ``n_fail`` (raw counts), ``n_samples_w``, ``n_fail_w``
        (effective counts after half-life weighting) [samples].
    """
    est = establishments.drop_duplicates("establishment_id").set_index("establishment_id")
    pos = est.index.get_indexer(history["establishment_id"].astype(str))
    fail = _is_fail(history["result"])
    w = half_life_weights(history["sample_date"], reference_date, half_life_years)
    # integer codes for each key part, combined into one int64 and factorised: no Python loop
    # over rows or strata and no hashing of string tuples
    t_code, t_uni = pd.factorize(est["township_code"].astype(str).to_numpy())
    b_code, b_uni = pd.factorize(est["business_type"].astype(str).to_numpy())
    c_code, c_uni = pd.factorize(history["category_code"].astype(str).to_numpy())
    nb, nc = max(len(b_uni), 1), max(len(c_uni), 1)
    combined = (t_code[pos].astype(np.int64) * nb + b_code[pos]) * nc + c_code
    codes, uniq = pd.factorize(combined)
    k = len(uniq)
    out = pd.DataFrame({
        "township_code": np.asarray(t_uni, dtype=object)[uniq // (nb * nc)],
        "business_type": np.asarray(b_uni, dtype=object)[(uniq // nc) % nb],
        "category_code": np.asarray(c_uni, dtype=object)[uniq % nc],
    }).astype("str")
    out["n_samples"] = np.bincount(codes, minlength=k).astype(int)
    out["n_fail"] = np.bincount(codes, weights=fail, minlength=k).round().astype(int)
    out["n_samples_w"] = np.bincount(codes, weights=w, minlength=k)
    out["n_fail_w"] = np.bincount(codes, weights=w * fail, minlength=k)
    return out


def _result_words(results: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of ``results`` and their distinct values, stripped and lower-cased (done on uniques)."""
    codes, uni = pd.factorize(results.astype("string").fillna(""))
    words = pd.Index(uni).astype(str).str.strip().str.lower().to_numpy()
    return codes, words


def _is_fail(results: pd.Series) -> np.ndarray:
    codes, words = _result_words(results)
    return (words == "fail")[codes].astype(float) if len(words) else np.zeros(len(results))


def _validate(
    establishments: pd.DataFrame,
    history: pd.DataFrame,
    categories: pd.DataFrame,
    business_types: pd.DataFrame,
) -> None:
    require_columns(establishments, EST_COLUMNS, "establishments")
    require_columns(history, HIST_COLUMNS, "history")
    require_columns(categories, CAT_COLUMNS, "categories")
    require_columns(business_types, BT_COLUMNS, "business_types")
    check_codes(establishments["business_type"], business_types["business_type"], "establishments",
                "business_type", "business_types")
    check_codes(history["category_code"], categories["category_code"], "history", "category_code", "categories")
    check_codes(history["establishment_id"], establishments["establishment_id"], "history",
                "establishment_id", "establishments",
                hint="; to leave establishments, townships, business types or categories out of a "
                "dataset, use riskplan.exclude(dataset, ...), which drops their history rows too")
    _, words = _result_words(history["result"])
    bad = [x for x in words if x not in ("pass", "fail")]
    if bad:
        raise RiskInputError(f"table 'history', column 'result': values must be 'pass' or 'fail', got {list(bad[:5])}")
    sev = pd.to_numeric(categories["hazard_severity"], errors="coerce")
    if sev.isna().any() or (sev < 0).any():
        raise RiskInputError("table 'categories', column 'hazard_severity': must be a number >= 0 in every row")


def score(
    data: Dataset | SimpleNamespace | None = None,
    *,
    establishments: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
    categories: pd.DataFrame | None = None,
    business_types: pd.DataFrame | None = None,
    complaints: pd.DataFrame | None = None,
    townships: pd.DataFrame | None = None,
    reference_date: dt.date | pd.Timestamp | None = None,
    config: RiskRules | None = None,
    category_priors: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Risk weight of every stratum present, with every component visible.

    Parameters
    ----------
    data
        A :class:`riskplan.dataset.Dataset` (or the namespace of
        :func:`riskplan.synthetic.make_synthetic`, or anything with the same table attributes);
        tables passed as keywords override its tables.
    establishments, history, categories, business_types, complaints, townships
        The tables of ``docs/contracts.md``. ``complaints`` and ``townships`` (for names) are
        optional.
    reference_date
        Date the recency weights and complaint window count back from; defaults to the
        dataset's ``reference_date``, else to the last sample date (never to today's date).
    config
        Weights and parameters; defaults to ``RiskRules()``.
    category_priors
        Province-level category priors (:mod:`riskplan.risk.priors`) the category rates are
        shrunk towards instead of the district mean; None: district-only priors.

    Returns
    -------
    pandas.DataFrame
        One row per stratum present (at least one establishment of that business type handling
        that category in that township), sorted by ``weight`` descending, with: the key columns,
        ``stage``, ``stratum_id``, names, ``n_establishments``; counts ``n_samples``, ``n_fail``
        (raw) and ``n_samples_w``, ``n_fail_w`` (recency-weighted) [samples]; ``raw_rate``;
        the pooling levels ``district_mean``, ``category_mean``, ``business_type_rr``,
        ``cell_mean``, ``township_rr``, ``prior_mean``; the prior
        ``prior_alpha``, ``prior_beta`` and posterior ``rate_mean``, ``rate_lo``, ``rate_hi``;
        ``no_history``; components ``rate_term``, ``volume_index``, ``exposure``,
        ``hazard_severity``, ``hazard_term``, ``complaints``, ``complaints_per_establishment``,
        ``complaint_index``, ``complaint_factor``, ``share_grade_cd``, ``grade_factor``,
        ``vulnerable``, ``vulnerable_factor``; ``weight`` (>= 0), ``weight_share`` and ``rank``.
        ``attrs["risk"]`` holds the configuration, reference date and pooling summary.

    Raises
    ------
    RiskInputError
        Missing tables or columns, unknown codes, results other than pass/fail.
    """
    cfg = config or RiskRules()
    if not isinstance(cfg, RiskRules):
        raise RiskInputError(f"config must be a RiskRules, got {type(cfg).__name__}")

    def pick(given: pd.DataFrame | None, name: str) -> pd.DataFrame | None:
        if given is not None:
            return given
        return getattr(data, name, None) if data is not None else None

    def need(given: pd.DataFrame | None, name: str) -> pd.DataFrame:
        table = pick(given, name)
        if table is None:
            raise RiskInputError(f"table '{name}' is missing: pass a dataset or {name}=...")
        return table

    establishments = need(establishments, "establishments")
    history = need(history, "history")
    categories = need(categories, "categories")
    business_types = need(business_types, "business_types")
    complaints = pick(complaints, "complaints")
    townships = pick(townships, "townships")
    _validate(establishments, history, categories, business_types)
    if reference_date is None:
        reference_date = getattr(data, "reference_date", None) if data is not None else None
    if reference_date is None:
        last = pd.to_datetime(history["sample_date"], errors="coerce").max()
        if pd.isna(last):
            raise RiskInputError("no reference_date given and history has no sample dates")
        reference_date = last
    ref = pd.Timestamp(reference_date)

    exploded = explode_categories(establishments)
    check_codes(exploded["category_code"], categories["category_code"], "establishments", "categories",
                "categories")
    present = strata_present(exploded)
    counts = history_counts(history, establishments, ref, cfg.half_life_years)

    # pool over every stratum with history or establishments; report only the present ones
    allstrata = present[KEY].merge(counts, on=KEY, how="outer")
    for c in ("n_samples", "n_fail"):
        allstrata[c] = allstrata[c].fillna(0).astype(int)
    for c in ("n_samples_w", "n_fail_w"):
        allstrata[c] = allstrata[c].fillna(0.0)
    pooled, summary = partial_pool(
        allstrata, credible_level=cfg.credible_level, min_prior_size=cfg.min_prior_size,
        max_prior_size=cfg.max_prior_size, main_effects=cfg.main_effects,
        effect_prior_failures=cfg.effect_prior_failures, category_prior=category_priors,
    )
    out = present.merge(pooled, on=KEY, how="left")
    summary["history_strata_not_present"] = int(len(allstrata) - len(out))

    bt = business_types.drop_duplicates("business_type").set_index("business_type")
    cat = categories.drop_duplicates("category_code").set_index("category_code")
    out["stage"] = bt["stage"].reindex(out["business_type"]).astype(str).to_numpy()
    out["stratum_id"] = out["township_code"] + "|" + out["business_type"] + "|" + out["category_code"]
    for col, src, key in (("category_name_zh", cat, "category_code"),
                          ("category_name_en", cat, "category_code"),
                          ("business_type_name_zh", bt, "business_type"),
                          ("business_type_name_en", bt, "business_type")):
        field = col.rsplit("_", 2)[-2] + "_" + col.rsplit("_", 1)[-1]  # name_zh / name_en
        out[col] = src[field].reindex(out[key]).to_numpy() if field in src else pd.NA
    if townships is not None and "township_code" in townships:
        tw = pd.DataFrame(townships).drop_duplicates("township_code").set_index("township_code")
        for lang in ("zh", "en"):
            f = f"name_{lang}"
            out[f"township_name_{lang}"] = tw[f].reindex(out["township_code"]).to_numpy() if f in tw else pd.NA

    sampled = out["n_samples"] > 0
    out["raw_rate"] = np.where(sampled, out["n_fail"] / out["n_samples"].where(sampled), np.nan)
    out["no_history"] = out["n_samples"].to_numpy() == 0

    # components
    rate = out["rate_hi"] if cfg.rate_basis == "upper" else out["rate_mean"]
    out["rate_term"] = rate.to_numpy(dtype=float) ** cfg.rate_exponent
    out["volume_index"] = volume_index(out, establishments)
    out["exposure"] = out["n_establishments"].to_numpy(dtype=float) ** cfg.exposure_exponent * (
        out["volume_index"].to_numpy() ** cfg.volume_exponent
    )
    out["hazard_severity"] = pd.to_numeric(cat["hazard_severity"].reindex(out["category_code"])).to_numpy(dtype=float)
    out["hazard_term"] = out["hazard_severity"].to_numpy() ** cfg.hazard_exponent
    out["complaints"] = complaints_per_stratum(complaints, out, exploded, establishments, ref,
                                               cfg.complaint_window_years)
    out["complaints_per_establishment"] = out["complaints"] / out["n_establishments"]
    district_cpe = out["complaints"].sum() / max(out["n_establishments"].sum(), 1)
    idx = out["complaints_per_establishment"] / district_cpe if district_cpe > 0 else 0.0 * out["complaints"]
    out["complaint_index"] = np.minimum(idx, cfg.complaint_index_cap)
    out["complaint_factor"] = 1.0 + cfg.complaint_weight * out["complaint_index"]
    out["grade_factor"] = 1.0 + cfg.grade_weight * out["share_grade_cd"]
    # roles or codes (riskplan.roles): `vulnerable = true` is the role "vulnerable consumers"
    vulnerable_types = set(match_business_types(cfg.vulnerable_types, business_types).codes)
    vul = out["business_type"].astype(str).isin(vulnerable_types).to_numpy()
    out["vulnerable"] = vul
    out["vulnerable_factor"] = 1.0 + cfg.vulnerable_weight * vul.astype(float)
    out["weight"] = (
        out["rate_term"] * out["exposure"] * out["hazard_term"]
        * out["complaint_factor"] * out["grade_factor"] * out["vulnerable_factor"]
    )
    total = out["weight"].sum()
    out["weight_share"] = out["weight"] / total if total > 0 else 0.0
    out = out.sort_values(["weight", *KEY], ascending=[False, True, True, True], kind="stable").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    front = ["township_code", "business_type", "category_code", "stage", "stratum_id", "n_establishments",
             "n_samples", "n_fail", "n_samples_w", "n_fail_w", "raw_rate", "rate_mean", "rate_lo", "rate_hi",
             "no_history", "weight", "weight_share", "rank"]
    out = out[front + [c for c in out.columns if c not in front]]
    out.attrs["risk"] = {
        "config": dataclasses.asdict(cfg),
        "reference_date": ref.date().isoformat(),
        "pooling": summary,
    }
    return out
