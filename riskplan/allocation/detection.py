"""What a plan can detect: surveillance sensitivity and expected finds, per stratum and district.

For a stratum with ``n`` samples, ``N`` establishments, posterior unqualified rate ``r`` (the risk
stage's shrunken ``rate_mean``) and test sensitivity ``Se``:

surveillance sensitivity
    The chance that the plan finds at least one unqualified sample *if* the stratum's violation
    prevalence is the design value ``p*`` (``detection.design_prevalence``):
    ``1 - (1 - p* Se)^n`` (binomial: sampling from a large population), or, when the sampling
    fraction ``n / N`` exceeds ``detection.finite_fraction`` (0.1), the hypergeometric
    approximation ``1 - (1 - n Se / N)^d`` with ``d = ceil(N p*)`` problem establishments (at
    least one); ``n Se / N`` is capped at 1 (a stratum sampled more often than it has
    establishments finds a present problem with certainty when Se = 1).
expected finds
    ``n r Se`` unqualified samples the plan is expected to find given the posterior rates.
chance of a find
    ``1 - (1 - r Se)^n``: the chance that at least one of the stratum's samples is found
    unqualified; its sum over strata is what ``allocation.objective = "detection"`` maximises.

District figures (:func:`district_detection`): the **district sensitivity** is the risk-weighted
average of the strata's surveillance sensitivities (the chance to find the problem if one
stratum, drawn by risk weight, has it at prevalence ``p*``); **expected detections** is the sum of
the expected finds; **strata with a find** the sum of the chances of a find.

:func:`compare_detection` sets the plan beside two allocations of the same samples made without
risk, **by population** (townships in proportion to residents, inside a township in proportion to
establishments) and **uniform** (every establishment alike: strata in proportion to
establishments), and beside the **detection-optimal** one: all keep the plan's coverage floors
and redistribute the samples above them (the same controlled rounding for the first two, the
greedy of :mod:`riskplan.allocation.for_detection` for the last). They ignore ``allocation.fixed``
and the supply fit: they measure what the weighting buys, not a second plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskplan.allocation.allocate import table_margins
from riskplan.allocation.for_detection import detection_gain, detection_q, greedy_detection
from riskplan.allocation.rounding import controlled_round
from riskplan.errors import RiskplanError
from riskplan.settings.detection import DetectionRules
from riskplan.tables import STRATUM_KEY

__all__ = [
    "ALLOCATIONS",
    "DETECTION_COLUMNS",
    "compare_detection",
    "detection_table",
    "district_detection",
    "surveillance_sensitivity",
]

KEY = list(STRATUM_KEY)

DETECTION_COLUMNS: tuple[str, ...] = (
    *KEY, "stage", "n_establishments", "samples", "weight", "posterior_rate", "test_sensitivity",
    "sampling_fraction", "sensitivity_method", "surveillance_sensitivity", "expected_found", "p_found",
)
"""Columns of :func:`detection_table` (``detection.csv``)."""

ALLOCATIONS: tuple[str, ...] = ("plan", "detection", "population", "uniform")
"""The allocations :func:`compare_detection` measures, in order."""


def surveillance_sensitivity(
    n: np.ndarray, n_est: np.ndarray, se: np.ndarray, rules: DetectionRules | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Chance to find at least one unqualified sample at the design prevalence [-], and the form used.

    Parameters
    ----------
    n
        Samples per stratum [samples].
    n_est
        Establishments per stratum [establishments]; 0 gives sensitivity 0.
    se
        Test sensitivity per stratum [-].
    rules
        Design prevalence and the sampling fraction above which the hypergeometric form is used.

    Returns
    -------
    (sensitivity, method)
        ``method`` is ``"binomial"``, ``"hypergeometric"`` or ``"none"`` (no sample or no
        establishment).
    """
    rules = DetectionRules() if rules is None else rules
    n = np.asarray(n, dtype=float)
    big_n = np.asarray(n_est, dtype=float)
    se = np.asarray(se, dtype=float)
    p = float(rules.design_prevalence)
    has = (n > 0) & (big_n > 0)
    safe_n = np.where(big_n > 0, big_n, 1.0)
    finite = has & (n / safe_n > rules.finite_fraction)
    binom = 1.0 - (1.0 - p * se) ** n
    d = np.maximum(np.ceil(safe_n * p - 1e-9), 1.0)
    hyper = 1.0 - np.clip(1.0 - n * se / safe_n, 0.0, 1.0) ** d
    sens = np.where(has, np.where(finite, hyper, binom), 0.0)
    method = np.where(~has, "none", np.where(finite, "hypergeometric", "binomial"))
    return sens, method


def detection_table(allocation: pd.DataFrame, rules: DetectionRules | None = None) -> pd.DataFrame:
    """What each stratum of an allocation can detect (the plan folder's ``detection.csv``).

    Parameters
    ----------
    allocation
        ``Allocation.table`` (one row per stratum with ``samples``, ``n_establishments``,
        ``weight``, ``stage`` and the posterior rate ``rate_mean``).
    rules
        Design prevalence, test sensitivities (by category code, resolved) and the finite
        fraction; default :class:`DetectionRules()`.

    Returns
    -------
    pandas.DataFrame
        :data:`DETECTION_COLUMNS`, in the allocation's row order: ``posterior_rate`` r (the
        score's ``rate_mean``) [-], ``test_sensitivity`` Se [-], ``sampling_fraction`` n / N [-],
        ``sensitivity_method`` (binomial, hypergeometric or none), ``surveillance_sensitivity``
        at ``p*`` [-], ``expected_found`` n r Se [samples], ``p_found`` 1 - (1 - r Se)^n [-].

    Raises
    ------
    RiskplanError
        When a column is missing or ``rate_mean`` is not a rate.
    """
    rules = DetectionRules() if rules is None else rules
    need = [c for c in (*KEY, "stage", "n_establishments", "samples", "weight", "rate_mean")
            if c not in allocation.columns]
    if need:
        raise RiskplanError(f"detection: the allocation table lacks column(s) {', '.join(need)}")
    out = allocation[[*KEY, "stage", "n_establishments", "samples", "weight", "rate_mean"]].copy()
    out = out.reset_index(drop=True)
    q = detection_q(out, rules)
    se = np.asarray(rules.sensitivity_of(out["category_code"].astype(str).tolist()), dtype=float)
    n = out["samples"].to_numpy(dtype=float)
    big_n = out["n_establishments"].to_numpy(dtype=float)
    sens, method = surveillance_sensitivity(n, big_n, se, rules)
    out["test_sensitivity"] = se
    out["sampling_fraction"] = np.where(big_n > 0, n / np.where(big_n > 0, big_n, 1.0), 0.0)
    out["sensitivity_method"] = pd.Series(method, dtype="str")
    out["surveillance_sensitivity"] = sens
    out["expected_found"] = n * q
    out["p_found"] = detection_gain(q, n)
    return out.rename(columns={"rate_mean": "posterior_rate"})[list(DETECTION_COLUMNS)]


def district_detection(table: pd.DataFrame) -> dict[str, float]:
    """The district's detection figures from :func:`detection_table`.

    Returns
    -------
    dict
        ``district_sensitivity`` (risk-weighted mean surveillance sensitivity over the strata
        with establishments [-]; establishment-weighted when every weight is 0),
        ``expected_detections`` (sum of ``expected_found`` [samples]), ``strata_with_find``
        (sum of ``p_found``: expected strata where an unqualified sample is found [strata]).
    """
    return _figures(_columns(table), np.arange(len(table)))


_FIGURE_COLUMNS = ("n_establishments", "weight", "surveillance_sensitivity", "expected_found",
                   "p_found")


def _columns(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns :func:`_figures` reads, as float arrays."""
    return {c: table[c].to_numpy(dtype=float) for c in _FIGURE_COLUMNS}


def _nansum(values: np.ndarray) -> float:
    """Sum skipping NaN, added in the order pandas' ``Series.sum`` adds (the same float)."""
    return float(np.where(np.isnan(values), 0.0, values).sum())


def _figures(columns: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, float]:
    """:func:`district_detection` of the ``rows`` (positions) of a detection table's ``columns``.

    On arrays, so that the figures of each township and category (hundreds of groups) need no
    pandas sub-table each.
    """
    n_est = columns["n_establishments"][rows]
    present = n_est > 0
    weight = columns["weight"][rows][present]
    w = weight if _nansum(weight) > 0 else n_est[present]
    sens = columns["surveillance_sensitivity"][rows][present]
    return {
        "district_sensitivity": float(np.dot(sens, w) / w.sum()) if w.sum() > 0 else float("nan"),
        "expected_detections": _nansum(columns["expected_found"][rows]),
        "strata_with_find": _nansum(columns["p_found"][rows]),
    }


def _alternative(table: pd.DataFrame, weight: np.ndarray, floors: np.ndarray, total: int) -> np.ndarray:
    """``total`` samples: ``floors`` plus the rest in proportion to ``weight``, rounded as the plan."""
    share = weight / weight.sum() if weight.sum() > 0 else np.full(weight.size, 1.0 / weight.size)
    frac = floors + (total - floors.sum()) * share
    rows, cols, row_parents, col_parents = table_margins(table)
    return controlled_round(rows, cols, frac, up_preference=share / share.max(),
                            row_parents=row_parents, col_parents=col_parents)


def alternative_samples(
    allocation: pd.DataFrame, residents: pd.Series, rules: DetectionRules | None = None
) -> dict[str, np.ndarray]:
    """Samples per stratum of the allocations compared with the plan (see the module).

    Parameters
    ----------
    allocation
        ``Allocation.table``.
    residents
        Residents per township [persons], indexed by township code.
    rules
        Test sensitivities for the detection-optimal allocation.

    Returns
    -------
    dict
        :data:`ALLOCATIONS` -> samples per stratum (the allocation's row order); strata without
        establishments get 0.
    """
    present = (allocation["n_establishments"].to_numpy() > 0) & (allocation["samples"].notna().to_numpy())
    t = allocation.loc[present].reset_index(drop=True)
    for c in (*KEY, "stage"):
        t[c] = t[c].astype(str)
    n_est = t["n_establishments"].to_numpy(dtype=float)
    floors = t["floor"].to_numpy(dtype=np.int64) if "floor" in t.columns else np.zeros(len(t), np.int64)
    plan = t["samples"].to_numpy(dtype=np.int64)
    total = int(plan.sum())
    floors = np.minimum(floors, plan)  # a stratum the supply fit emptied keeps no floor
    town_est = t.groupby("township_code")["n_establishments"].transform("sum").to_numpy(dtype=float)
    res = t["township_code"].map(residents.astype(float)).fillna(0.0).to_numpy(dtype=float)
    by_pop = np.where(town_est > 0, res * n_est / np.where(town_est > 0, town_est, 1.0), 0.0)
    rest = total - int(floors.sum())
    out = {
        "plan": plan,
        "detection": greedy_detection(detection_q(t, rules), floors, max(rest, 0)),
        "population": _alternative(t, by_pop, floors, total),
        "uniform": _alternative(t, n_est, floors, total),
    }
    full = {}
    for name, v in out.items():
        col = np.zeros(len(allocation), dtype=np.int64)
        col[present] = v
        full[name] = col
    return full


def compare_detection(
    allocation: pd.DataFrame, residents: pd.Series, rules: DetectionRules | None = None
) -> pd.DataFrame:
    """The plan's detection beside the alternatives, for the district, each township and category.

    Parameters
    ----------
    allocation
        ``Allocation.table``.
    residents
        Residents per township [persons], indexed by township code.
    rules
        Design prevalence, test sensitivities, finite fraction.

    Returns
    -------
    pandas.DataFrame
        ``allocation`` (one of :data:`ALLOCATIONS`), ``level`` (``district``, ``township``,
        ``category``), ``key`` (code; ``all`` for the district), ``samples``,
        ``expected_detections`` [samples], ``sensitivity`` (risk-weighted surveillance
        sensitivity at p* [-]), ``strata_with_find`` [strata].
    """
    rows = []
    for name, samples in alternative_samples(allocation, residents, rules).items():
        det = detection_table(allocation.assign(samples=samples), rules)
        columns, n = _columns(det), det["samples"].to_numpy()
        for level, col in (("district", None), ("township", "township_code"), ("category", "category_code")):
            if col is None:
                groups = {"all": np.arange(len(det))}
            else:
                groups = det.groupby(col, sort=True).indices
            for key in sorted(groups):
                fig = _figures(columns, groups[key])
                rows.append({"allocation": name, "level": level, "key": str(key),
                             "samples": int(n[groups[key]].sum()),
                             "expected_detections": fig["expected_detections"],
                             "sensitivity": fig["district_sensitivity"],
                             "strata_with_find": fig["strata_with_find"]})
    return pd.DataFrame(rows)
