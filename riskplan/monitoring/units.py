"""Chart units and their calibration: aggregation up the hierarchy, alarm budget, CUSUM design.

**Aggregation rule.** ``MonitoringRules.alert_levels`` is a hierarchy, finest first (default
stratum -> township x category -> category). A stratum's *size* is its samples in the year: the
planned ones, or the ones done so far if more (targeted extra sampling makes a unit chartable).
At every level the strata are grouped by the level's key columns; at the last level every group
with samples is a chart unit, at the finer levels a group is one when its size reaches
``min_samples_for_chart``. So every sample is charted at the top level (its category: a rise
spread over the district shows there), and also in each finer unit that has data enough (a
local rise shows there before it moves the category); a stratum too thin for its own chart is
watched through the units above it. Each unit has its own share of the alarm budget.

**Alarm budget.** ``alarm_budget_per_month`` = B: the expected number of false alarms in the
whole district, per month on average, when nothing has changed (a family-wise budget). It is
spent exactly (:mod:`riskplan.monitoring.budget`): the units get the largest per-period
false-alarm probability ``alpha`` for which the exactly computed expected false alarms of all
units in a year stay within ``12 B``; a unit whose own expectation would pass
``unit_alarm_cap_per_year`` gets the largest ``alpha`` that keeps it at the cap. A family-wise
budget was chosen over a false discovery rate because the bureau plans its follow-up work on the
number of alarms: B bounds it whatever the number of units, while an FDR bound lets the false
alarms grow with the number of true ones, just when the field teams are busiest; and the CUSUM
gives no p-value to rank.

**Calibration per unit.** Each stratum's rate has a beta prior from history
(:func:`riskplan.monitoring.prior_from_scores`); a unit's in-control rate ``p0`` is the mean of
its strata's prior means weighted by their sizes. The Bernoulli CUSUM
(:mod:`riskplan.monitoring.bernoulli_cusum`) gets the smallest decision interval whose exact
in-control ARL is at least ``samples per period / alpha`` samples.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from riskplan.errors import RiskplanError
from riskplan.monitoring.bayes import prior_from_scores
from riskplan.monitoring.bernoulli_cusum import BernoulliCusum
from riskplan.monitoring.budget import UnitModel, calibrate
from riskplan.settings.monitoring import LEVELS, MonitoringRules
from riskplan.tables import STRATUM_KEY

KEY = list(STRATUM_KEY)
PERIOD_MONTHS = {"month": 1, "quarter": 3}
"""Months per chart period."""


def unit_label(level: str, row: dict[str, object] | pd.Series) -> str:
    """``level:township|business_type|category`` with ``*`` where the level does not split."""
    keys = LEVELS[level]
    return f"{level}:" + "|".join(str(row[k]) if k in keys else "*" for k in KEY)


def chart_units(sizes: pd.DataFrame, levels: tuple[str, ...] | list[str],
                min_samples: int) -> pd.DataFrame:
    """The chart units each stratum is charted in (the aggregation rule of the module notes).

    Parameters
    ----------
    sizes
        One row per stratum: key columns and ``size`` [samples in the year].
    levels
        The hierarchy, finest first (keys of :data:`riskplan.settings.monitoring.LEVELS`).
    min_samples
        Size a unit below the last level needs [samples].

    Returns
    -------
    One row per (stratum with ``size > 0``, unit): key columns, ``size``, ``level``, ``unit``
    (:func:`unit_label`); every stratum has a row at the last level.
    """
    strata = sizes.loc[sizes["size"] > 0, KEY + ["size"]]
    parts = []
    for i, level in enumerate(levels):
        keys = LEVELS[level]
        total = strata.groupby(keys)["size"].transform("sum")
        take = strata if i == len(levels) - 1 else strata[total >= min_samples]
        if len(take):
            labels = [unit_label(level, r) for r in take[KEY].to_dict("records")]
            parts.append(take.assign(level=level, unit=labels))
    if not parts:
        return pd.DataFrame(columns=KEY + ["size", "level", "unit"])
    return pd.concat(parts).sort_values(KEY + ["unit"], kind="stable").reset_index(drop=True)


def stratum_priors(scores: pd.DataFrame | None, strata: pd.DataFrame, cap: float,
                   results: pd.DataFrame | None = None) -> pd.DataFrame:
    """Beta prior of each stratum's rate from history (capped at ``cap`` pseudo-samples).

    Strata missing from ``scores`` (or all of them when ``scores`` is None) get the district's
    pooled rate: of the scores' history, else of ``results``, with strength ``cap``.

    Returns
    -------
    ``strata``'s key columns with ``prior_alpha``, ``prior_beta``, ``p0`` (their mean) and
    ``prior_source`` (``history`` / ``pooled``).
    """
    out = strata[KEY].drop_duplicates().reset_index(drop=True)
    if scores is not None and len(scores):
        pr = prior_from_scores(scores, cap)[KEY + ["prior_alpha", "prior_beta"]]
        out = out.merge(pr, on=KEY, how="left")
        y = "n_fail_w" if "n_fail_w" in scores else "n_fail"
        n = "n_samples_w" if "n_samples_w" in scores else "n_samples"
        pooled = float(scores[y].sum() / scores[n].sum()) if scores[n].sum() > 0 else np.nan
    else:
        out["prior_alpha"] = np.nan
        out["prior_beta"] = np.nan
        pooled = np.nan
    if np.isnan(pooled) and results is not None and len(results):
        pooled = float((results["result"] == "fail").mean())
    if np.isnan(pooled) or pooled <= 0:
        pooled = 0.5 / cap  # nothing known: half a failure in cap samples
    miss = out["prior_alpha"].isna()
    out["prior_source"] = np.where(miss, "pooled", "history")
    out.loc[miss, "prior_alpha"] = pooled * cap
    out.loc[miss, "prior_beta"] = (1 - pooled) * cap
    out["p0"] = out["prior_alpha"] / (out["prior_alpha"] + out["prior_beta"])
    return out


@dataclasses.dataclass
class AlertDesign:
    """Chart units, their strata and calibration, fixed before the results are looked at.

    Attributes
    ----------
    strata
        One row per stratum and unit it is charted in: key columns, ``size``, ``level``,
        ``unit``, ``prior_alpha``, ``prior_beta``, ``p0``, ``prior_source``.
    units
        One row per unit: ``level``, key columns (``*`` where the level does not split),
        ``unit``, ``n_strata``, ``strata`` (their stratum IDs, ``;``-separated), ``size`` (samples in the year: planned,
        or done if more) [samples], ``p0`` [fraction],
        ``alpha`` (false-alarm probability per period of the limits and the news test) [-],
        ``false_alarms_year`` and its parts
        ``false_limits``, ``false_news``, ``false_cusum`` (expected in a year when nothing has
        changed) [alarms], ``cusum_h``, ``cusum_gamma`` [count units], ``cusum_arl0``
        [samples], ``cusum_arl0_years`` [years], ``cusum_ratio`` (``p1 / p0``:
        ``cusum_rate_ratio``, less where that would reach 1), ``cusum_arl1`` (ARL at ``p1``)
        [samples] and ``cusum_r``, ``cusum_m``, ``cusum_H`` (the lattice).
    rules
        The settings it was made with.
    """

    strata: pd.DataFrame
    units: pd.DataFrame
    rules: MonitoringRules

    def cusum(self, unit: str) -> BernoulliCusum:
        """The Bernoulli CUSUM of ``unit``."""
        u = self.units.set_index("unit").loc[unit]
        return BernoulliCusum(float(u["p0"]), float(u["cusum_ratio"]), int(u["cusum_r"]),
                              int(u["cusum_m"]), int(u["cusum_H"]))

    def covers(self, strata: pd.DataFrame) -> bool:
        """Whether every stratum of ``strata`` (key columns) is charted in this design."""
        have = pd.MultiIndex.from_frame(self.strata[KEY].astype(str))
        return bool(pd.MultiIndex.from_frame(strata[KEY].astype(str)).isin(have).all())


def design_alerts(plan_strata: pd.DataFrame | None, scores: pd.DataFrame | None,
                  rules: MonitoringRules | None = None,
                  results: pd.DataFrame | None = None,
                  schedule: pd.DataFrame | None = None) -> AlertDesign:
    """Aggregate the strata into chart units and calibrate every unit's charts.

    Parameters
    ----------
    plan_strata
        The plan's strata with ``samples`` planned for the year (the allocation table), or None
        (sizes from ``results`` alone).
    scores
        Risk scores the plan was built on (the history prior), or None (pooled rate).
    rules
        Monitoring settings.
    results
        This year's results so far (key columns, ``result``, ``month``): a stratum done more
        than planned takes its done count as size, in the unit and in its months.
    schedule
        The plan's months (key columns, ``month``, ``samples``); None spreads each stratum's
        year evenly over the months.

    Raises
    ------
    RiskplanError
        When there is neither a plan nor any result.
    """
    rules = rules or MonitoringRules()
    months = _monthly_sizes(plan_strata, schedule, results)
    if months.empty:
        raise RiskplanError("design_alerts: give the plan's strata or some results")
    sizes = months.groupby(KEY, as_index=False)["size"].sum()
    if plan_strata is not None:  # the aggregation: planned for the year, or done if more
        plan = plan_strata[KEY + ["samples"]].astype({k: str for k in KEY})
        sizes = sizes.merge(plan, on=KEY, how="outer")
        sizes["size"] = np.maximum(sizes["size"].fillna(0), sizes["samples"].fillna(0)).astype(int)
        sizes = sizes[KEY + ["size"]]
    strata = chart_units(sizes, rules.alert_levels, rules.min_samples_for_chart)
    strata = strata.merge(stratum_priors(scores, strata, rules.prior_strength_cap, results),
                          on=KEY, how="left")
    return AlertDesign(strata, _calibrate(strata, months, rules), rules)


def _monthly_sizes(plan_strata: pd.DataFrame | None, schedule: pd.DataFrame | None,
                   results: pd.DataFrame | None) -> pd.DataFrame:
    """Samples per stratum and month (key columns, ``month``, ``size``).

    The months up to the last one with results hold what was done, the later ones what is
    planned; a stratum whose year so counted falls short of its plan keeps its plan's size for
    the aggregation (see :func:`design_alerts`).
    """
    planned = pd.DataFrame(columns=KEY + ["month", "size"])
    if schedule is not None and len(schedule):
        planned = schedule[KEY + ["month", "samples"]].rename(columns={"samples": "size"})
    elif plan_strata is not None:
        p = plan_strata.loc[plan_strata["samples"] > 0, KEY + ["samples"]]
        # the year spread evenly: month m gets one more while m <= remainder
        rows = [(*k, m, n // 12 + (1 if m <= n % 12 else 0))
                for *k, n in p.itertuples(index=False, name=None) for m in range(1, 13)]
        planned = pd.DataFrame(rows, columns=KEY + ["month", "size"])
    planned = planned.astype({k: str for k in KEY})
    if results is None or not len(results):
        return planned[planned["size"] > 0].reset_index(drop=True)
    month = results["month"] if "month" in results else results["sample_date"].dt.month
    done = (results.assign(month=month.astype(int)).astype({k: str for k in KEY})
            .groupby(KEY + ["month"], as_index=False).size())
    last = int(done["month"].max())
    out = pd.concat([done, planned[planned["month"].astype(int) > last]], ignore_index=True)
    out["month"] = out["month"].astype(int)
    return out[out["size"] > 0].reset_index(drop=True)


def _calibrate(strata: pd.DataFrame, months: pd.DataFrame, rules: MonitoringRules) -> pd.DataFrame:
    """One row per unit with its in-control rate, false-alarm probability and CUSUM design."""
    if strata.empty:
        return pd.DataFrame(columns=["level", *KEY, "unit", "size", "p0"])
    per = PERIOD_MONTHS[rules.period]
    months = months.merge(strata[KEY + ["unit"]], on=KEY)
    months["period"] = (months["month"] - 1) // per
    models, meta = [], []
    for unit, g in strata.groupby("unit", sort=True):
        level = str(g["level"].iloc[0])
        keys = LEVELS[level]
        mu = months[months["unit"] == unit]
        n = np.zeros((12 // per, len(g)), dtype=int)
        col = {k: i for i, k in enumerate(map(tuple, g[KEY].to_numpy()))}
        for r in mu.itertuples(index=False):
            n[r.period, col[(r.township_code, r.business_type, r.category_code)]] += int(r.size)
        p0 = float((g["p0"] * g["size"]).sum() / g["size"].sum())
        # p1 = ratio x p0 must stay below 1: a unit already failing often is tuned to halfway
        ratio = min(rules.cusum_rate_ratio, (1 + p0) / (2 * p0))
        models.append(UnitModel(str(unit), n, g["prior_alpha"].to_numpy(float),
                                g["prior_beta"].to_numpy(float), g["p0"].to_numpy(float), ratio,
                                int(g["size"].sum()), p0))
        meta.append({"level": level, **{k: (str(g[k].iloc[0]) if k in keys else "*") for k in KEY},
                     "unit": unit, "n_strata": len(g),
                     "strata": ";".join("|".join(k) for k in g[KEY].to_numpy())})
    alphas = calibrate(models, 12 * rules.alarm_budget_per_month, rules.unit_alarm_cap_per_year,
                       tuple(rules.alert_methods))
    rows = []
    for m, info in zip(models, meta):
        a = alphas[m.unit]
        ch = m.cusum(a)
        fa = m.false_alarms(a, tuple(rules.alert_methods))
        arl0 = ch.arl()
        rows.append({**info, "size": m.size, "p0": m.p0, "alpha": a,
                     "false_alarms_year": sum(fa.values()),
                     **{f"false_{k}": v for k, v in fa.items()},
                     "cusum_h": ch.h, "cusum_gamma": ch.gamma, "cusum_arl0": arl0,
                     "cusum_arl0_years": arl0 / max(m.size, 1), "cusum_ratio": m.ratio,
                     "cusum_arl1": ch.arl(m.ratio * m.p0),
                     "cusum_r": ch.r, "cusum_m": ch.m, "cusum_H": ch.H})
    return pd.DataFrame(rows)
