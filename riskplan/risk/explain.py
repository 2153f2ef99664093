"""Explain in words and numbers why a stratum scores as it does."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from riskplan.risk.errors import RiskInputError

Stratum = str | Iterable[str] | Mapping[str, str]
"""A stratum as ``"township|business_type|category"``, the three codes, or a mapping of the key columns."""


def _name(row: pd.Series, prefix: str, code: str) -> str:
    zh = row.get(f"{prefix}_name_zh")
    en = row.get(f"{prefix}_name_en")
    parts = [str(x) for x in (en, zh) if isinstance(x, str) and x]
    return f"{code} ({' / '.join(parts)})" if parts else str(code)


def _tw(r: pd.Series) -> str:
    rr = r.get("township_rr", 1.0)
    if rr is None or abs(float(rr) - 1.0) < 1e-9:
        return ""
    return f" x township relative risk {float(rr):.2f}"


def find_stratum(scores: pd.DataFrame, stratum: Stratum) -> pd.Series:
    """The row of ``scores`` for a stratum given as ``"twn|type|cat"``, a 3-tuple or a mapping."""
    parts: list[object]
    if isinstance(stratum, str):
        parts = list(stratum.split("|"))
    elif isinstance(stratum, Mapping):
        parts = [stratum.get(k) for k in ("township_code", "business_type", "category_code")]
    else:
        parts = list(stratum)
    if len(parts) != 3:
        raise RiskInputError(f"stratum must be 'township|business_type|category' or a 3-tuple, got {stratum!r}")
    t, b, c = (str(p) for p in parts)
    hit = scores[(scores["township_code"] == t) & (scores["business_type"] == b) & (scores["category_code"] == c)]
    if hit.empty:
        raise RiskInputError(f"stratum {t}|{b}|{c} is not in the scores (no establishment of that type "
                             "handles that category in that township)")
    return hit.iloc[0]


def explain(scores: pd.DataFrame, stratum: Stratum) -> str:
    """Why a stratum scores as it does, in words and numbers (English, with Chinese names).

    Parameters
    ----------
    scores
        Output of :func:`riskplan.risk.score`.
    stratum
        ``"township|business_type|category"``, a tuple of those three codes, or a mapping.

    Returns
    -------
    str
        A few lines: the estimated unqualified rate and how it was pooled, the interval, and each
        factor of the weight, ending with the rank.
    """
    r = find_stratum(scores, stratum)
    n = len(scores)
    vol_exp = scores.attrs.get("risk", {}).get("config", {}).get("volume_exponent", 1.0)
    level = scores.attrs.get("risk", {}).get("pooling", {}).get("credible_level", 0.90)
    twn = _name(r, "township", r["township_code"])
    bt = _name(r, "business_type", r["business_type"])
    cat = _name(r, "category", r["category_code"])
    prior_n = r["prior_alpha"] + r["prior_beta"]
    lines = [f"Stratum {r['stratum_id']}: {bt} handling {cat} in township {twn} (stage {r['stage']})."]
    if r["no_history"]:
        lines.append(
            f"- No sampling history: the unqualified rate {r['rate_mean']:.1%} is its groups' prior "
            f"(category x business type rate {r['cell_mean']:.1%}{_tw(r)}; category {r['category_mean']:.1%}, "
            f"district {r['district_mean']:.1%}), worth {prior_n:.0f} samples."
        )
    else:
        share = r["n_samples_w"] / (r["n_samples_w"] + prior_n)
        lines.append(
            f"- History: {int(r['n_fail'])} unqualified of {int(r['n_samples'])} samples (raw {r['raw_rate']:.1%}); "
            f"after recency weighting {r['n_fail_w']:.1f} of {r['n_samples_w']:.1f} effective samples."
        )
        lines.append(
            f"- Shrunk towards the category x business type rate {r['cell_mean']:.1%}{_tw(r)} (prior mean "
            f"{r['prior_mean']:.1%}, worth "
            f"{prior_n:.0f} samples; own data carry {share:.0%} of the estimate): rate {r['rate_mean']:.1%}."
        )
    lines.append(f"- {level:.0%} credible interval {r['rate_lo']:.1%} .. {r['rate_hi']:.1%}.")
    lines.append(
        f"- Exposure: {int(r['n_establishments'])} establishment(s)"
        + (f", volume index {r['volume_index']:.2f}"
           if vol_exp > 0 and abs(r["volume_index"] - 1) > 1e-9 else "")
        + f" -> exposure factor {r['exposure']:.2f}."
    )
    lines.append(
        f"- Hazard severity of the category {r['hazard_severity']:g} (of 5) -> factor {r['hazard_term']:.2f}."
    )
    lines.append(
        f"- Complaints: {r['complaints']:.2f} in the window ({r['complaints_per_establishment']:.2f} per "
        f"establishment, {r['complaint_index']:.2f} times the district's rate) -> x{r['complaint_factor']:.2f}."
    )
    lines.append(f"- Grade C/D share {r['share_grade_cd']:.0%} -> x{r['grade_factor']:.2f}.")
    if r["vulnerable"]:
        lines.append("- Serves vulnerable consumers (school / kindergarten / elderly care) "
                     f"-> x{r['vulnerable_factor']:.2f}.")
    lines.append(
        f"Weight {r['weight']:.4g} = rate {r['rate_term']:.4g} x exposure {r['exposure']:.3g} x hazard "
        f"{r['hazard_term']:.3g} x complaints {r['complaint_factor']:.3g} x grades {r['grade_factor']:.3g} x "
        f"vulnerable {r['vulnerable_factor']:.3g}; rank {int(r['rank'])} of {n} "
        f"({r['weight_share']:.2%} of all weight)."
    )
    return "\n".join(lines)
