"""Alerts on the year's unqualified results: exact limits, Bernoulli CUSUM and news.

Each sample is charted in one unit (:mod:`riskplan.monitoring.units`: aggregation up the
hierarchy, the alarm budget and the calibration). Per unit, with ``alpha`` its false-alarm
probability per period (from the budget, :mod:`riskplan.monitoring.budget`):

* ``limits``: the period's unqualified count against its exact upper control limit. The count is
  the sum of the strata's counts, each beta-binomial with the stratum's history prior
  (:func:`riskplan.monitoring.exact.count_pmf`); the period signals when ``P(X >= x) <= alpha``.
* ``cusum``: the Bernoulli CUSUM of the unit's samples in date order (sample ID within a day),
  restarted after a signal; its decision interval was chosen for an in-control ARL.
* ``news``: this year's count so far against the predictive distribution given history (the
  same pooled beta-binomial over the year's samples): an alert means that this year's results
  are surprising given what history predicted; it is raised when the test first fires (and again
  only after it has cleared).

A unit (or stratum) without an unqualified result this year never alerts: every test needs at
least one. What history says is risky is :func:`riskplan.monitoring.bayes.known_high_risk`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from riskplan.monitoring.bernoulli_cusum import BernoulliCusum
from riskplan.monitoring.exact import count_pmf, upper_limit, upper_tail
from riskplan.monitoring.units import AlertDesign, design_alerts
from riskplan.settings.monitoring import MonitoringRules
from riskplan.tables import STRATUM_KEY

KEY = list(STRATUM_KEY)
UNIT_COLS = ["level", *KEY, "unit"]
ALERT_COLUMNS = UNIT_COLS + ["rule", "period", "date", "observed", "expected", "value",
                             "threshold", "detail", "strata"]
"""Columns of the alert list."""


def period_counts(results: pd.DataFrame, keys: list[str] | None = None,
                  period: str = "month") -> pd.DataFrame:
    """Sampled and unqualified counts per (unit, period); ``period`` 1-12 or 1-4 (quarter)."""
    keys = KEY if keys is None else keys
    r = results.assign(
        period=_period(results, period),
        unqualified=(results["result"] == "fail").astype(int), sampled=1)
    return r.groupby(keys + ["period"], as_index=False)[["sampled", "unqualified"]].sum()


def _period(results: pd.DataFrame, period: str) -> pd.Series:
    month = results["month"] if "month" in results else results["sample_date"].dt.month
    return month.astype(int) if period == "month" else (month.astype(int) - 1) // 3 + 1


@dataclasses.dataclass
class Alerts:
    """Charts and alerts of the year so far.

    Attributes
    ----------
    design
        The chart units and their calibration (:class:`riskplan.monitoring.units.AlertDesign`).
    charts
        One row per unit and period with samples: unit columns, ``period``, ``sampled``,
        ``unqualified``, ``expected`` (in-control mean count), ``p``, ``p0``, ``ucl_count``
        (count that signals; ``sampled + 1`` when none can), ``ucl`` (as a rate, NaN when no
        count can signal), ``limit_p`` (``P(X >= x)``), ``limits_signal``, ``cusum`` (statistic
        at the period's end), ``cusum_max``, ``cusum_h``, ``cusum_signal``, ``ytd_sampled``,
        ``ytd_unqualified``, ``ytd_expected``, ``news_p``, ``news_signal``.
    bayes
        One row per unit with results: unit columns, ``sampled``, ``unqualified``, ``expected``,
        ``ratio`` (observed / expected), ``news_p`` (this year so far given history),
        ``alpha`` (the unit's false-alarm probability per period), ``alert`` (any method fired
        this year), ``rules`` fired.
    alerts
        One row per alarm (:data:`ALERT_COLUMNS`): ``rule`` (``limits``, ``cusum``, ``news``),
        ``period``, ``date`` (the sample that tipped it, or the period's last), ``observed`` and
        ``expected`` counts, ``value`` (tail probability, or the CUSUM statistic), ``threshold``
        (``alpha`` or ``h``), ``detail`` (text) and ``strata`` (the strata with unqualified
        results behind it, ``stratum_id x/n``).
    """

    design: AlertDesign
    charts: pd.DataFrame
    bayes: pd.DataFrame
    alerts: pd.DataFrame

    def __repr__(self) -> str:
        return (f"Alerts(units={len(self.design.units)}, alerts={len(self.alerts)} in "
                f"{self.alerts['unit'].nunique() if len(self.alerts) else 0} units)")


def run_alerts(
    results: pd.DataFrame, scores: pd.DataFrame | None = None,
    rules: MonitoringRules | None = None, plan_strata: pd.DataFrame | None = None,
    design: AlertDesign | None = None, schedule: pd.DataFrame | None = None,
) -> Alerts:
    """Charts and alerts of every chart unit.

    Parameters
    ----------
    results
        Validated results counting against the plan (key columns, ``sample_date``, ``month``,
        ``result``, ``sample_id``).
    scores
        Risk scores the plan was built on (the history prior); None: the pooled rate.
    rules
        Monitoring settings.
    plan_strata
        The plan's strata and their planned ``samples`` (the allocation): the units are formed
        from the planned sizes; None: from the results' own counts.
    design
        A design made before (:func:`riskplan.monitoring.units.design_alerts`); made here when
        None or when it does not chart every stratum of ``results``.
    schedule
        The plan's months (key columns, ``month``, ``samples``) for the calibration; None
        spreads each stratum's year evenly.
    """
    rules = rules or MonitoringRules()
    r = results.copy()
    for k in KEY:
        r[k] = r[k].astype(str)
    if design is None or not design.covers(r):
        design = design_alerts(plan_strata, scores, rules, r, schedule)
    if "sample_id" not in r:
        r["sample_id"] = np.arange(len(r)).astype(str)
    r["period"] = _period(r, rules.period)
    r["fail"] = (r["result"] == "fail").astype(int)
    strata = design.strata[KEY + ["unit", "prior_alpha", "prior_beta", "p0"]].assign(
        sidx=np.arange(len(design.strata)))
    r = r.merge(strata, on=KEY, how="inner")  # one row per stratum in the design
    r = r.sort_values(["unit", "sample_date", "sample_id"], kind="stable").reset_index(drop=True)
    units = design.units.set_index("unit")
    ch_rows: list[dict[str, object]] = []
    al_rows: list[dict[str, object]] = []
    for unit, g in r.groupby("unit", sort=True):
        u = units.loc[unit]
        head = {c: u[c] for c in UNIT_COLS if c != "unit"} | {"unit": unit}
        rows, alerts = _chart_unit(g, head, u, rules)
        ch_rows += rows
        al_rows += alerts
    charts = pd.DataFrame(ch_rows)
    alerts = pd.DataFrame(al_rows, columns=ALERT_COLUMNS)
    return Alerts(design, charts, _summary(charts, alerts, units), alerts)


def _strata_text(g: pd.DataFrame) -> str:
    """``stratum x/n`` for the strata with unqualified results in ``g``."""
    s = g.groupby(KEY, sort=True)["fail"].agg(["sum", "size"])
    return "; ".join(f"{'|'.join(k)} {int(v['sum'])}/{int(v['size'])}"
                     for k, v in s.iterrows() if v["sum"] > 0)


def _pmf(counts: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distribution of the unit's count given ``counts`` samples per stratum."""
    keep = counts > 0
    return count_pmf(counts[keep], a[keep], b[keep])


def _chart_unit(g: pd.DataFrame, head: dict[str, object], u: pd.Series,
                rules: MonitoringRules) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    alpha = float(u["alpha"])
    methods = rules.alert_methods
    codes, first = pd.factorize(g["sidx"].to_numpy())
    at = [int(np.flatnonzero(codes == c)[0]) for c in range(len(first))]
    a = g["prior_alpha"].to_numpy(float)[at]
    b = g["prior_beta"].to_numpy(float)[at]
    p0 = g["p0"].to_numpy(float)
    fail = g["fail"].to_numpy(int)
    period = g["period"].to_numpy(int)
    dates = g["sample_date"].to_numpy()
    cs = BernoulliCusum(float(u["p0"]), float(u["cusum_ratio"]), int(u["cusum_r"]),
                        int(u["cusum_m"]), int(u["cusum_H"])).run(fail)
    s_val, s_sig = cs["s"].to_numpy(), cs["signal"].to_numpy()
    h = float(u["cusum_h"])
    rows, alerts = [], []
    news_before = False
    ytd_counts = np.zeros(len(first), dtype=int)
    for per in np.unique(period):
        idx = np.flatnonzero(period == per)
        counts = np.bincount(codes[idx], minlength=len(first))
        ytd_counts += counts
        upto = np.flatnonzero(period <= per)
        n, x = len(idx), int(fail[idx].sum())
        pmf = _pmf(counts, a, b)
        ucl = upper_limit(pmf, alpha)
        limit_p = upper_tail(pmf, x)
        yn, yx = len(upto), int(fail[upto].sum())
        news_p = upper_tail(_pmf(ytd_counts, a, b), yx) if yx > 0 else 1.0
        expected, ytd_expected = float(p0[idx].sum()), float(p0[upto].sum())
        row = {**head, "period": int(per), "sampled": n, "unqualified": x,
               "expected": expected, "p": x / n, "p0": float(u["p0"]),
               "ucl_count": ucl, "ucl": ucl / n if ucl <= n else np.nan, "limit_p": limit_p,
               "limits_signal": "limits" in methods and limit_p <= alpha,
               "cusum": float(s_val[idx[-1]]), "cusum_max": float(s_val[idx].max()),
               "cusum_h": h, "cusum_signal": "cusum" in methods and bool(s_sig[idx].any()),
               "ytd_sampled": yn, "ytd_unqualified": yx, "ytd_expected": ytd_expected,
               "news_p": news_p, "news_signal": "news" in methods and news_p <= alpha}
        rows.append(row)
        last = pd.Timestamp(dates[idx[-1]])
        if row["limits_signal"]:
            alerts.append({**head, "rule": "limits", "period": int(per), "date": last,
                           "observed": x, "expected": expected, "value": limit_p,
                           "threshold": alpha, "strata": _strata_text(g.iloc[idx]),
                           "detail": f"{x} unqualified of {n} in period {per} (expected "
                                     f"{expected:.2f}, limit {ucl}): P(X >= {x}) = {limit_p:.2g}"})
        if row["cusum_signal"]:
            for i in idx[s_sig[idx]]:
                hit = g.iloc[i]
                alerts.append({**head, "rule": "cusum", "period": int(per),
                               "date": pd.Timestamp(hit["sample_date"]),
                               "observed": int(fail[: i + 1].sum()),
                               "expected": float(p0[: i + 1].sum()), "value": float(s_val[i]),
                               "threshold": h, "strata": _strata_text(g.iloc[: i + 1]),
                               "detail": f"Bernoulli CUSUM reached h = {h:.2f} at sample "
                                         f"{hit['sample_id']} ({pd.Timestamp(hit['sample_date']).date()}); "
                                         f"tuned to a {float(u['cusum_ratio']):.1f}x rise of "
                                         f"{float(u['p0']):.3f}"})
        if row["news_signal"] and not news_before:
            alerts.append({**head, "rule": "news", "period": int(per), "date": last,
                           "observed": yx, "expected": ytd_expected, "value": news_p,
                           "threshold": alpha, "strata": _strata_text(g.iloc[upto]),
                           "detail": f"{yx} unqualified of {yn} this year (expected "
                                     f"{ytd_expected:.2f} from history): P(X >= {yx}) = "
                                     f"{news_p:.2g}"})
        news_before = bool(row["news_signal"])
    return rows, alerts


def _summary(charts: pd.DataFrame, alerts: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """One row per unit with results: the year so far and whether it alerted."""
    cols = UNIT_COLS + ["sampled", "unqualified", "expected", "ratio", "news_p", "alpha",
                        "alert", "rules"]
    if charts.empty:
        return pd.DataFrame(columns=cols)
    last = charts.drop_duplicates("unit", keep="last").set_index("unit")  # rows by unit, period
    out = last[[c for c in UNIT_COLS if c != "unit"]].copy()
    out["sampled"] = last["ytd_sampled"]
    out["unqualified"] = last["ytd_unqualified"]
    out["expected"] = last["ytd_expected"]
    out["ratio"] = out["unqualified"] / out["expected"]
    out["news_p"] = last["news_p"]
    out["alpha"] = units.loc[out.index, "alpha"]
    fired = (alerts.groupby("unit")["rule"].agg(lambda s: ";".join(sorted(set(s))))
             if len(alerts) else pd.Series(dtype=str))
    out["rules"] = fired.reindex(out.index).fillna("")
    out["alert"] = out["rules"] != ""
    return out.reset_index()[cols].sort_values(["alert", "news_p"], ascending=[False, True],
                                               kind="stable").reset_index(drop=True)
