"""Spending the district's alarm budget exactly: in-control false alarms of each chart unit.

A Bonferroni split (``budget / (units x methods x periods)``) is valid but, with counts this
small, spends almost nothing: most periods cannot reach their limit at all, the year-to-date
looks of one unit are strongly dependent, and a CUSUM started at 0 rarely signals in its first
year. Measured on Ouhai's plan it gave 0.08 % of units a false alarm a year for a nominal 1.8 %,
and no power. So the false alarms are counted exactly instead.

For a per-period false-alarm probability ``alpha`` (the limits and the news test signal when their
tail probability is at most ``alpha``, the CUSUM gets an in-control ARL of ``samples per period /
alpha``), each unit's **expected number of false alarms in a year**
is computed for a year in which nothing has changed: every stratum fails at its history mean,
with the plan's samples per stratum and period:

* ``limits``: the sum over the periods of ``P(X_t >= UCL_t)``, ``X_t`` the sum of the strata's
  binomial counts (the limit itself comes from the beta-binomial test distribution);
* ``news``: the probability that the year-to-date test fires in some period, by dynamic
  programming over the year's count (looks at the same growing count are not added up);
* ``cusum``: the probability that the Bernoulli CUSUM signals within the unit's yearly samples
  (Markov chain, from 0).

The design takes the largest common ``alpha`` whose total over all units is at most
``12 x alarm_budget_per_month``, a unit whose own expectation would pass
``unit_alarm_cap_per_year`` counting with the cap and getting the largest ``alpha`` of its own
that keeps it there. These are exact figures for the model "rates as history says";
where a stratum's true rate is higher than history's estimate there will be more alarms, and
that is the point of the alerts.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable

import numpy as np

from riskplan.monitoring.bernoulli_cusum import (
    BernoulliCusum,
    decision_interval,
    lattice,
    reference_value,
)
from riskplan.monitoring.exact import count_pmf

METHODS = ("limits", "cusum", "news")


def _tail(pmf: np.ndarray) -> np.ndarray:
    """``P(X >= c)`` for ``c = 0 .. n + 1``."""
    return np.r_[np.cumsum(pmf[::-1])[::-1], 0.0]


def _limit(tail: np.ndarray, alpha: float) -> int:
    """Smallest ``c`` with ``tail[c] <= alpha`` (``tail`` ends with 0)."""
    return int(np.argmax(tail <= alpha))


@dataclasses.dataclass
class UnitModel:
    """One chart unit's plan, prior and test distributions (what its false alarms depend on).

    Attributes
    ----------
    unit
        The unit's label.
    n
        Planned samples, periods x strata [samples].
    alpha_prior, beta_prior
        Beta prior of each stratum's rate (the tests' distribution).
    p
        Each stratum's history mean [fraction] (the in-control truth).
    ratio
        ``p1 / p0`` of the unit's CUSUM [-].
    size
        Samples in the year the CUSUM is designed for [samples].
    p0
        In-control rate of the unit: its strata's means weighted by their sizes [fraction].
    cache, signal
        In-control ARL and P(signal within the year) by CUSUM lattice interval ``H`` (filled
        in as the budget search goes).
    limit_tails, news_tails
        ``P(X >= c)`` of the test distributions per period: the period's count and the year's
        count so far (beta-binomial).
    truth
        The distribution of each period's count when nothing has changed (binomial strata).
    """

    unit: str
    n: np.ndarray
    alpha_prior: np.ndarray
    beta_prior: np.ndarray
    p: np.ndarray
    ratio: float
    size: int
    p0: float
    cache: dict[int, float] = dataclasses.field(default_factory=dict)
    signal: dict[int, float] = dataclasses.field(default_factory=dict)
    limit_tails: list[np.ndarray] = dataclasses.field(init=False)
    news_tails: list[np.ndarray] = dataclasses.field(init=False)
    truth: list[np.ndarray] = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        n = np.asarray(self.n, dtype=int)
        self.n = n
        ytd = np.cumsum(n, axis=0)
        self.limit_tails = [_tail(count_pmf(row, self.alpha_prior, self.beta_prior)) for row in n]
        self.news_tails = [_tail(count_pmf(row, self.alpha_prior, self.beta_prior)) for row in ytd]
        self.truth = [count_pmf(row, p=self.p) for row in n]

    def _target(self, alpha: float) -> float:
        return max(1.0, self.size / len(self.n) / alpha)

    def cusum(self, alpha: float) -> BernoulliCusum:
        """The CUSUM whose in-control ARL is at least ``samples per period / alpha`` (exact)."""
        return decision_interval(self.p0, self.ratio, self._target(alpha), cache=self.cache)

    def _lattice_h(self, alpha: float) -> BernoulliCusum:
        """:meth:`cusum` estimated from the ARLs solved so far (log ARL is nearly linear in H).

        Used while searching the budget; the design itself takes :meth:`cusum`.
        """
        target = self._target(alpha)
        known = sorted(self.cache)
        below = [h for h in known if self.cache[h] < target]
        above = [h for h in known if self.cache[h] >= target]
        if not above or not below:
            return self.cusum(alpha)  # no close bracket yet: solve exactly (and cache)
        lo, hi = below[-1], above[0]
        a, b = math.log(self.cache[lo]), math.log(min(self.cache[hi], 1e300))
        est = lo + (hi - lo) * (math.log(target) - a) / (b - a) if b > a else hi
        r, m = lattice(reference_value(self.p0, self.ratio))
        return BernoulliCusum(self.p0, self.ratio, r, m, min(hi, max(lo + 1, math.ceil(est))))

    def false_alarms(self, alpha: float, methods: tuple[str, ...] = METHODS,
                     exact: bool = True) -> dict[str, float]:
        """Expected false alarms in a year per method (see the module notes).

        ``exact=False`` estimates the CUSUM's decision interval from the ARLs already solved
        (for the budget search).
        """
        out = dict.fromkeys(METHODS, 0.0)
        if "limits" in methods:
            out["limits"] = float(sum(t[min(_limit(tl, alpha), len(t)):].sum()
                                      for t, tl in zip(self.truth, self.limit_tails)))
        if "news" in methods:
            dist, fired = np.array([1.0]), 0.0
            for t, tl in zip(self.truth, self.news_tails):
                dist = np.convolve(dist, t)
                c = max(1, _limit(tl, alpha))
                fired += float(dist[c:].sum())
                dist = dist[:c]
            out["news"] = fired
        if "cusum" in methods:
            ch = self.cusum(alpha) if exact else self._lattice_h(alpha)
            if ch.H not in self.signal:
                self.signal[ch.H] = ch.signal_probability(self.size)
            out["cusum"] = self.signal[ch.H]
        return out

    def total(self, alpha: float, methods: tuple[str, ...] = METHODS, exact: bool = True) -> float:
        """Expected false alarms in a year, all methods [alarms]."""
        return sum(self.false_alarms(alpha, methods, exact).values())


def _largest(f: Callable[[float], float], budget: float, lo: float, hi: float,
             steps: int = 9) -> float:
    """Largest ``alpha`` in ``[lo, hi]`` with ``f(alpha) <= budget``; ``f`` increases with it.

    Bisection on a log scale, to a factor of ``(hi / lo) ** (1 / 2 ** steps)``.
    """
    if f(hi) <= budget:
        return hi
    if f(lo) > budget:
        return lo
    for _ in range(steps):
        mid = math.sqrt(lo * hi)
        if f(mid) <= budget:
            lo = mid
        else:
            hi = mid
    return lo


def calibrate(models: list[UnitModel], budget_year: float, cap_year: float,
              methods: tuple[str, ...] = METHODS, floor: float = 1e-4,
              ceiling: float = 0.2) -> dict[str, float]:
    """Per-period false-alarm probability of each unit (see the module notes).

    Parameters
    ----------
    models
        The chart units.
    budget_year
        Expected false alarms a year over all units [alarms].
    cap_year
        Expected false alarms a year of any one unit [alarms].
    methods
        The alert methods in use.
    floor, ceiling
        Range searched [-].

    Returns
    -------
    Unit label -> ``alpha`` [-].
    """
    if not models:
        return {}

    def total(a: float, exact: bool) -> float:
        # a unit past its cap gets a smaller alpha of its own and spends about the cap
        return sum(min(m.total(a, methods, exact), cap_year) for m in models)

    common = _largest(lambda a: total(a, False), budget_year, floor, ceiling)
    while common > floor and total(common, True) > budget_year:  # the estimate was a step off
        common *= 0.97
    out = {}
    for m in models:
        a = common
        if m.total(a, methods) > cap_year:
            a = _largest(functools.partial(m.total, methods=methods, exact=False), cap_year,
                         floor, common)
            while a > floor and m.total(a, methods) > cap_year:
                a *= 0.97
        out[m.unit] = a
    return out
