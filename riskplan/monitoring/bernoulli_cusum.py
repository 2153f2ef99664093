"""Bernoulli CUSUM (Reynolds and Stoumbos 1999) for results that arrive one sample at a time.

Each sample is unqualified (``x = 1``) or not (``x = 0``). For an in-control rate ``p0`` and the
rate ``p1 = ratio x p0`` that should be detected fast, the log-likelihood-ratio CUSUM divided by
``ln(p1 (1 - p0) / (p0 (1 - p1)))`` is

    ``S_t = max(0, S_{t-1} + x_t - gamma)``,
    ``gamma = ln((1 - p0) / (1 - p1)) / ln(p1 (1 - p0) / (p0 (1 - p1)))``,

so an unqualified sample adds ``1 - gamma`` and a passing one takes ``gamma`` away; the chart
signals when ``S_t >= h``. ``gamma`` is replaced by the nearby fraction ``r / m``
(:class:`fractions.Fraction`, denominator at most ``max_denominator``); then ``m S_t`` is an
integer, ``S`` lives on a lattice of ``H = h m`` states, and the run length is that of a Markov
chain on states ``0 .. H - 1``: the in-control average run length (ARL) is the solution of
``(I - Q) L = 1`` (exact for the chart as it runs, with the rounded ``gamma``), and
``P(signal within n samples)`` follows by stepping the chain. :func:`decision_interval` picks
the smallest ``h`` whose in-control ARL reaches a target; :meth:`BernoulliCusum.simulate` checks
the chain by simulation. After a signal the chart restarts from 0.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.linalg import spsolve

from riskplan.errors import RiskplanError

MAX_STATES = 2_000_000
"""Largest chain the search builds [states] (a decision interval beyond it is an error)."""


def reference_value(p0: float, ratio: float) -> float:
    """``gamma`` of the Bernoulli CUSUM for ``p0`` and ``p1 = ratio x p0`` [count units]."""
    p1 = ratio * p0
    if not 0 < p0 < 1:
        raise RiskplanError(f"Bernoulli CUSUM: p0 must be in (0, 1), got {p0}")
    if not ratio > 1:
        raise RiskplanError(f"Bernoulli CUSUM: ratio must be > 1, got {ratio}")
    if not p1 < 1:
        raise RiskplanError(f"Bernoulli CUSUM: p1 = ratio x p0 = {p1:.4g} must be < 1")
    return math.log((1 - p0) / (1 - p1)) / math.log(p1 * (1 - p0) / (p0 * (1 - p1)))


def lattice(gamma: float, max_denominator: int = 200) -> tuple[int, int]:
    """``(r, m)`` with ``r / m`` the fraction nearest ``gamma`` with ``m <= max_denominator``."""
    f = Fraction(gamma).limit_denominator(max_denominator)
    r, m = f.numerator, f.denominator
    if r == 0:  # gamma below 1 / (2 max_denominator): keep it positive
        r, m = 1, max_denominator
    return r, m


@dataclasses.dataclass(frozen=True)
class BernoulliCusum:
    """A Bernoulli CUSUM on the integer lattice: ``gamma = r / m``, ``h = H / m``.

    Attributes
    ----------
    p0
        In-control unqualified rate [fraction].
    ratio
        ``p1 / p0``, the rise the chart is tuned to [-].
    r, m
        ``gamma = r / m`` [count units].
    H
        Decision interval on the lattice (``h = H / m``) [1 / m count units].
    """

    p0: float
    ratio: float
    r: int
    m: int
    H: int

    def __post_init__(self) -> None:
        if not (0 < self.r < self.m and self.H >= 1):
            raise RiskplanError(f"Bernoulli CUSUM: need 0 < r < m and H >= 1, got "
                                f"r={self.r}, m={self.m}, H={self.H}")

    @property
    def gamma(self) -> float:
        """Reference value [count units]."""
        return self.r / self.m

    @property
    def h(self) -> float:
        """Decision interval [count units]: the net excess of unqualified samples that signals."""
        return self.H / self.m

    def _q(self, p: float) -> sparse.csr_matrix:
        """Transitions among the non-signalling states 0 .. H - 1."""
        i = np.arange(self.H)
        down = np.maximum(i - self.r, 0)
        up = i + self.m - self.r
        keep = up < self.H
        rows = np.r_[i, i[keep]]
        cols = np.r_[down, up[keep]]
        vals = np.r_[np.full(self.H, 1 - p), np.full(int(keep.sum()), p)]
        return sparse.csr_matrix((vals, (rows, cols)), shape=(self.H, self.H))

    def arl(self, p: float | None = None) -> float:
        """Average run length from ``S = 0`` [samples], exact (Markov chain).

        Each sample fails with ``p`` (default ``p0``).
        """
        p = self.p0 if p is None else float(p)
        if p <= 0:
            return math.inf
        i = np.arange(self.H)
        up = i + self.m - self.r
        keep = up < self.H
        # I - Q in one go (coordinate entries are summed: state 0 stays at 0 on a pass)
        rows = np.r_[i, i, i[keep]]
        cols = np.r_[i, np.maximum(i - self.r, 0), up[keep]]
        vals = np.r_[np.ones(self.H), np.full(self.H, p - 1), np.full(int(keep.sum()), -p)]
        a = sparse.csc_matrix((vals, (rows, cols)), shape=(self.H, self.H))
        arl = float(spsolve(a, np.ones(self.H))[0])
        # beyond about 1e12 samples the solve loses its digits; such a chart never signals
        return arl if math.isfinite(arl) and 1 <= arl < 1e12 else math.inf

    def signal_probability(self, n: int, p: float | None = None) -> float:
        """``P(signal within the first n samples)`` from ``S = 0`` [-], exact (Markov chain)."""
        p = self.p0 if p is None else float(p)
        big_h, r, up = self.H, self.r, self.m - self.r
        v = np.zeros(big_h)
        v[0] = 1.0
        for _ in range(int(n)):
            w = np.zeros(big_h)
            w[0] = (1 - p) * v[:r].sum()  # a pass from below r floors at 0
            w[: big_h - r] += (1 - p) * v[r:]
            w[up:] += p * v[: big_h - up]  # a fail from i >= H - up signals
            v = w
        return float(1.0 - v.sum())

    def run(self, x: np.ndarray | list[int]) -> pd.DataFrame:
        """The chart over samples ``x`` (1 unqualified, 0 not), restarting at 0 after a signal.

        Returns
        -------
        DataFrame with ``x``, ``s`` (the statistic after the sample [count units]) and
        ``signal``.
        """
        xs = np.asarray(x, dtype=int)
        t = 0
        s = np.zeros(len(xs))
        sig = np.zeros(len(xs), dtype=bool)
        for k, xi in enumerate(xs):
            t = max(0, t + xi * self.m - self.r)
            s[k] = t / self.m
            if t >= self.H:
                sig[k] = True
                t = 0
        return pd.DataFrame({"x": xs, "s": s, "signal": sig})

    def simulate(self, runs: int, rng: np.random.Generator, p: float | None = None,
                 max_length: int = 10_000_000) -> np.ndarray:
        """Run lengths of ``runs`` simulated charts [samples] (to check :meth:`arl`)."""
        p = self.p0 if p is None else float(p)
        out = np.empty(runs, dtype=np.int64)
        block = 4096
        for k in range(runs):
            t, n = 0, 0
            done = False
            while not done and n < max_length:
                fails = rng.random(block) < p
                for f in fails:
                    n += 1
                    t = max(0, t + self.m - self.r) if f else max(0, t - self.r)
                    if t >= self.H:
                        done = True
                        break
            out[k] = n
        return out


def design(p0: float, ratio: float, h: float, max_denominator: int = 200) -> BernoulliCusum:
    """The chart for ``p0``, ``ratio`` and a given decision interval ``h`` [count units]."""
    r, m = lattice(reference_value(p0, ratio), max_denominator)
    return BernoulliCusum(p0, ratio, r, m, max(1, int(math.ceil(h * m - 1e-9))))


def decision_interval(p0: float, ratio: float, arl0: float, max_denominator: int = 200,
                      cache: dict[int, float] | None = None) -> BernoulliCusum:
    """The chart with the smallest decision interval whose in-control ARL is at least ``arl0``.

    Parameters
    ----------
    p0
        In-control rate [fraction].
    ratio
        ``p1 / p0`` [-] (> 1).
    arl0
        Target in-control average run length [samples].
    max_denominator
        Largest ``m`` of ``gamma = r / m`` [-].
    cache
        In-control ARL by ``H`` of earlier searches for the same ``p0``, ``ratio`` and
        ``max_denominator`` (filled in; saves exact solves when the target changes).

    Raises
    ------
    RiskplanError
        When the target cannot be reached within :data:`MAX_STATES` lattice states.
    """
    if not arl0 >= 1:
        raise RiskplanError(f"decision_interval: arl0 must be >= 1 sample, got {arl0}")
    r, m = lattice(reference_value(p0, ratio), max_denominator)

    arls: dict[int, float] = {} if cache is None else cache

    def gap(big_h: int) -> float:  # log ARL(H) - log arl0, increasing in H
        if big_h not in arls:
            arls[big_h] = BernoulliCusum(p0, ratio, r, m, big_h).arl()
        return math.log(min(arls[big_h], 1e300)) - math.log(arl0)

    # bracket lo < hi with gap(lo) < 0 <= gap(hi): log ARL is close to linear in H, so secant
    # steps (kept inside the bracket) need a few exact solves, bisection guarantees the end
    lo, hi = 0, max(1, m - r)  # H = m - r: a single unqualified sample signals
    known = sorted(arls)
    below = [k for k in known if arls[k] < arl0]
    above = [k for k in known if arls[k] >= arl0]
    if above:
        hi = above[0]
        lo = max([k for k in below if k < hi], default=0)
    elif below:
        lo, hi = below[-1], 2 * below[-1]
    while gap(hi) < 0:
        lo, hi = hi, hi * 4
        if hi > MAX_STATES:
            raise RiskplanError(f"decision_interval: an in-control ARL of {arl0:.4g} samples "
                                f"needs more than {MAX_STATES} lattice states (p0={p0:.4g})")
    while hi - lo > 1:
        g_lo = gap(lo) if lo > 0 else -math.log(arl0)
        g_hi = gap(hi)
        guess = int(round(lo + (hi - lo) * (-g_lo) / (g_hi - g_lo))) if g_hi > g_lo else lo + 1
        mid = min(max(guess, lo + 1), hi - 1)
        if hi - lo > 8 and mid in (lo + 1, hi - 1):
            mid = (lo + hi) // 2
        if gap(mid) >= 0:
            hi = mid
        else:
            lo = mid
    return BernoulliCusum(p0, ratio, r, m, hi)
