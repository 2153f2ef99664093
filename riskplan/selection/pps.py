"""Probability-proportional-to-size (PPS) sampling without replacement.

Three pieces, each a plain function on numpy arrays:

* :func:`inclusion_probabilities` turns size measures into first-order inclusion probabilities
  that sum to the sample size ``n`` and are capped at 1 (the iterative capping of R's
  ``sampling::inclusionprobabilities``: units whose share reaches 1 are taken with certainty and
  the rest of the sample is shared again among the others, until no probability exceeds 1);
* :func:`systematic_sample` draws a fixed-size sample with exactly those inclusion probabilities
  by systematic sampling on a randomly ordered list (``sampling::UPrandomsystematic``);
* :func:`conditional_poisson_sample` draws a fixed-size maximum-entropy (conditional Poisson,
  rejective) sample with exactly those inclusion probabilities (``sampling::UPmaxentropy``): it
  fits the working odds of the underlying Poisson design (Chen, Dempster & Liu 1994) and draws
  sequentially, without rejection loops.

Both samplers can draw many independent samples at once (``draws``), which the tests use to
compare empirical inclusion frequencies with the targets.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from riskplan.errors import RiskplanError

PPSMethod = Literal["systematic", "conditional_poisson"]

_EPS = 1e-9


def inclusion_probabilities(size: np.ndarray | list[float], n: int) -> np.ndarray:
    """First-order inclusion probabilities proportional to ``size``, summing to ``n``, capped at 1.

    Parameters
    ----------
    size
        Size measure of each unit (>= 0), e.g. a risk-grade weight. Units of size 0 get
        probability 0.
    n
        Sample size (number of distinct units to draw), ``0 <= n <= number of units with
        size > 0``.

    Returns
    -------
    numpy.ndarray
        ``pi`` with ``0 <= pi <= 1`` and ``pi.sum() == n`` (up to rounding); ``pi[i] == 1``
        exactly for units taken with certainty.

    Raises
    ------
    RiskplanError
        If a size is negative or not finite, or ``n`` exceeds the number of units of positive size.
    """
    a = np.asarray(size, dtype=float)
    if a.ndim != 1:
        raise RiskplanError("size must be a one-dimensional array")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise RiskplanError("size measures must be finite and >= 0")
    n = int(n)
    positive = a > 0
    n_pos = int(positive.sum())
    if n < 0 or n > n_pos:
        raise RiskplanError(
            f"cannot draw {n} distinct units from {n_pos} unit(s) of positive size"
        )
    pi = np.zeros_like(a)
    if n == 0:
        return pi
    certain = np.zeros(a.shape, dtype=bool)
    # Iterative capping: share what is left of n among the uncertain units in proportion to
    # size; any unit reaching 1 becomes certain; repeat until nothing new is capped.
    while True:
        rest = positive & ~certain
        n_rest = n - int(certain.sum())
        if n_rest == 0:
            break
        share = n_rest * a[rest] / a[rest].sum()
        newly = share >= 1 - _EPS
        if not newly.any():
            pi[rest] = share
            break
        idx = np.flatnonzero(rest)[newly]
        certain[idx] = True
    pi[certain] = 1.0
    return pi


def _check_pik(pik: np.ndarray) -> tuple[np.ndarray, int]:
    pik = np.asarray(pik, dtype=float)
    if pik.ndim != 1 or np.any(pik < -_EPS) or np.any(pik > 1 + _EPS) or not np.all(np.isfinite(pik)):
        raise RiskplanError("inclusion probabilities must be a 1-d array of values in [0, 1]")
    total = pik.sum()
    n = int(round(total))
    if abs(total - n) > 1e-6:
        raise RiskplanError(f"inclusion probabilities must sum to an integer, got {total:.6f}")
    return np.clip(pik, 0.0, 1.0), n


def systematic_sample(
    pik: np.ndarray, rng: np.random.Generator, draws: int | None = None
) -> np.ndarray:
    """Systematic PPS sample on a randomly permuted list, without replacement.

    Parameters
    ----------
    pik
        Inclusion probabilities (in [0, 1], summing to an integer ``n``), e.g. from
        :func:`inclusion_probabilities`.
    rng
        Random generator (``numpy.random.default_rng(seed)``).
    draws
        Number of independent samples; None for a single one.

    Returns
    -------
    numpy.ndarray
        Boolean mask of the selected units, shape ``(N,)``, or ``(draws, N)`` when ``draws`` is
        given; each row selects exactly ``n`` units and unit ``i`` is selected with probability
        ``pik[i]``.
    """
    pik, n = _check_pik(pik)
    k = 1 if draws is None else int(draws)
    N = pik.size
    out = np.zeros((k, N), dtype=bool)
    if n > 0:
        sure = pik >= 1 - _EPS
        out[:, sure] = True
        free = np.flatnonzero(~sure & (pik > _EPS))
        m = n - int(sure.sum())
        if m > 0:
            # random order per draw, then the cumulated probabilities are cut by u, u+1, ...
            order = np.argsort(rng.random((k, free.size)), axis=1)
            p = pik[free][order]
            cum = np.cumsum(p, axis=1)
            cum[:, -1] = m  # remove rounding drift: the last cut point is exactly m
            u = rng.random((k, 1))
            upper = np.floor(cum - u)
            lower = np.floor(np.concatenate([np.zeros((k, 1)), cum[:, :-1]], axis=1) - u)
            hit = upper > lower
            rows = np.repeat(np.arange(k), free.size)
            out[rows[hit.ravel()], free[order].ravel()[hit.ravel()]] = True
    return out[0] if draws is None else out


def _esp_suffix(w: np.ndarray, n: int) -> np.ndarray:
    """Elementary symmetric polynomials of suffixes: ``E[i, j] = e_j(w[i:])``, shape (N+1, n+1)."""
    N = w.size
    E = np.zeros((N + 1, n + 1))
    E[:, 0] = 1.0
    for j in range(1, n + 1):
        # e_j(w[i:]) = sum_{l >= i} w_l e_{j-1}(w[l+1:])
        E[:N, j] = np.cumsum((w * E[1:, j - 1])[::-1])[::-1]
    return E


def _esp_prefix(w: np.ndarray, n: int) -> np.ndarray:
    """``F[i, j] = e_j(w[:i])``, shape (N+1, n+1)."""
    N = w.size
    F = np.zeros((N + 1, n + 1))
    F[:, 0] = 1.0
    for j in range(1, n + 1):
        F[1:, j] = np.cumsum(w * F[:N, j - 1])
    return F


def _cp_inclusion(w: np.ndarray, n: int) -> np.ndarray:
    """Exact inclusion probabilities of the conditional Poisson design with odds ``w``, size n."""
    F = _esp_prefix(w, n)
    E = _esp_suffix(w, n)
    # e_{n-1}(w without i) = sum_k e_k(w[:i]) e_{n-1-k}(w[i+1:]): all terms positive (stable)
    without = np.einsum("ik,ik->i", F[:-1, :n], E[1:, n - 1 :: -1][:, :n])
    return w * without / E[0, n]


def _cp_joint(w: np.ndarray, n: int, pi: np.ndarray) -> np.ndarray:
    """Second-order inclusion probabilities ``pi_ij`` of the conditional Poisson design.

    ``pi_ij = pi_i * P(j | i)``, where given ``i`` the rest is conditional Poisson of size n-1 on
    the other units (all sums positive, so stable).
    """
    N = w.size
    joint = np.zeros((N, N))
    if n >= 2:
        for i in range(N):
            others = np.delete(np.arange(N), i)
            joint[i, others] = pi[i] * _cp_inclusion(w[others], n - 1)
    joint[np.diag_indices(N)] = pi
    return joint


def conditional_poisson_odds(pik: np.ndarray, tol: float = 1e-10, max_iter: int = 50) -> np.ndarray:
    """Working odds of the conditional Poisson design whose inclusion probabilities are ``pik``.

    Only for units with ``0 < pik < 1``. A few cheap steps on the log-odds scale, then Newton's
    method on the log odds ``lambda`` if still needed: the Jacobian
    of ``pi(lambda)`` is the covariance matrix of the inclusion indicators ``pi_ij - pi_i pi_j``
    (singular along a common shift of ``lambda``, which does not change the design, hence a
    least-squares step), with step halving while the error does not fall.

    Raises
    ------
    RiskplanError
        If the iteration does not converge to ``tol`` within ``max_iter`` steps.
    """
    pik = np.asarray(pik, dtype=float)
    if np.any(pik <= 0) or np.any(pik >= 1):
        raise RiskplanError("working odds need inclusion probabilities strictly between 0 and 1")
    n = int(round(pik.sum()))

    def evaluate(lam: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        w = np.exp(lam - lam.max())  # a common factor does not change the design
        pi = _cp_inclusion(w, n)
        return float(np.max(np.abs(pi - pik))), pi, w

    target = np.log(pik) - np.log1p(-pik)
    lam = target.copy()  # start from the Poisson design's own odds
    err, pi, w = evaluate(lam)
    # cheap phase: step on the log-odds scale (exact for a Poisson design), halved when it
    # overshoots; usually enough, and O(N n) per step
    t = 1.0
    for _ in range(60):
        if err < tol or t < 1e-3:
            break
        trial = lam + t * (target - (np.log(pi) - np.log1p(-pi)))
        t_err, t_pi, t_w = evaluate(trial)
        if t_err < err:
            lam, err, pi, w = trial, t_err, t_pi, t_w
            t = min(1.0, 2 * t)
        else:
            t /= 2
    # Newton phase, O(N^2 n) per step: for what the cheap phase could not finish
    for _ in range(max_iter):
        if err < tol:
            return w
        cov = _cp_joint(w, n, pi) - np.outer(pi, pi)
        step = np.linalg.lstsq(cov, pik - pi, rcond=None)[0]
        t = 1.0
        while t > 1e-8:
            t_err, t_pi, t_w = evaluate(lam + t * step)
            if t_err < err:
                break
            t /= 2
        else:
            break
        lam = lam + t * step
        err, pi, w = t_err, t_pi, t_w
    if err < max(tol, 1e-8):
        return w
    raise RiskplanError("conditional Poisson working probabilities did not converge")


def conditional_poisson_sample(
    pik: np.ndarray, rng: np.random.Generator, draws: int | None = None
) -> np.ndarray:
    """Conditional Poisson (maximum-entropy) PPS sample without replacement, of fixed size.

    Parameters
    ----------
    pik
        Inclusion probabilities (in [0, 1], summing to an integer ``n``).
    rng
        Random generator.
    draws
        Number of independent samples; None for a single one.

    Returns
    -------
    numpy.ndarray
        Boolean mask, shape ``(N,)`` or ``(draws, N)``, as :func:`systematic_sample`.
    """
    pik, n = _check_pik(pik)
    k = 1 if draws is None else int(draws)
    N = pik.size
    out = np.zeros((k, N), dtype=bool)
    sure = pik >= 1 - _EPS
    out[:, sure] = True
    free = np.flatnonzero(~sure & (pik > _EPS))
    m = n - int(sure.sum())
    if m > 0:
        w = conditional_poisson_odds(pik[free])
        E = _esp_suffix(w, m)
        left = np.full(k, m)
        u = rng.random((k, free.size))
        for pos in range(free.size):
            # P(take unit pos | j still to take) = w e_{j-1}(rest) / e_j(from pos)
            j = left
            num = w[pos] * E[pos + 1, np.maximum(j - 1, 0)]
            den = E[pos, j]
            p = np.where(j > 0, num / np.where(den > 0, den, 1.0), 0.0)
            take = u[:, pos] < p
            out[take, free[pos]] = True
            left = left - take
    return out[0] if draws is None else out


def pps_sample(
    pik: np.ndarray, rng: np.random.Generator, method: PPSMethod = "systematic"
) -> np.ndarray:
    """One PPS sample with inclusion probabilities ``pik`` by ``method``; a boolean mask."""
    if method == "systematic":
        return systematic_sample(pik, rng)
    if method == "conditional_poisson":
        return conditional_poisson_sample(pik, rng)
    raise RiskplanError(f"unknown PPS method {method!r} (systematic or conditional_poisson)")
