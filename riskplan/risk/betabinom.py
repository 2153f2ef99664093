"""Beta-binomial fits: marginal maximum likelihood and the method of moments.

The counts ``y`` of unqualified results out of ``n`` samples in several groups are modelled as
``y_j ~ Binomial(n_j, theta_j)`` with ``theta_j ~ Beta(alpha, beta)``. Fitting ``alpha`` and
``beta`` from all groups at once is the empirical-Bayes step of the hierarchical estimate: the
fitted prior says how far a group's rate is expected to sit from the common mean.

Counts may be non-integer (recency-weighted effective counts); the likelihood is written with
``betaln`` so it stays defined for them.
"""

from __future__ import annotations

import warnings
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize
from scipy.special import betaln, digamma

from riskplan.risk.errors import FlatLikelihoodWarning, RiskInputError

DEFAULT_MIN_CONCENTRATION = 1e-3
"""Smallest prior sample size ``alpha + beta`` the fits consider."""
DEFAULT_MAX_CONCENTRATION = 1e4
"""Largest prior sample size ``alpha + beta``: the cap where a flat likelihood stops."""


class BetaBinomialFit(NamedTuple):
    """Result of :func:`fit_beta_binomial`.

    Attributes
    ----------
    alpha, beta
        Parameters of the fitted Beta prior.
    mean
        Prior mean ``alpha / (alpha + beta)`` (the pooled unqualified rate).
    concentration
        Prior sample size ``alpha + beta`` [samples]: how many samples the prior is worth.
    converged
        The optimiser reported success (always True for the method of moments unless degenerate).
    flat
        The likelihood was flat in ``alpha + beta`` and the estimate sits at the cap.
    n_groups
        Groups used (rows with ``n > 0``).
    method
        ``"mle"`` or ``"moments"``.
    loglik
        Beta-binomial log marginal likelihood at the estimate, without the binomial coefficients.
    """

    alpha: float
    beta: float
    mean: float
    concentration: float
    converged: bool
    flat: bool
    n_groups: int
    method: str
    loglik: float

    def __repr__(self) -> str:
        flags = "" if self.converged and not self.flat else (", flat" if self.flat else ", not converged")
        return (f"BetaBinomialFit(alpha={self.alpha:.4g}, beta={self.beta:.4g}, mean={self.mean:.4g}, "
                f"concentration={self.concentration:.4g}, n_groups={self.n_groups}, {self.method}{flags})")

    def summary(self) -> str:
        """The fitted prior in one line: mean, prior size and how the fit went."""
        note = "converged" if self.converged else "did not converge"
        if self.flat:
            note += ", flat likelihood: prior size at its cap"
        return (f"Beta({self.alpha:.3g}, {self.beta:.3g}) prior by {self.method} over "
                f"{self.n_groups} groups: mean {self.mean:.4f}, worth {self.concentration:.1f} "
                f"samples ({note})")


def check_counts(y: ArrayLike, n: ArrayLike, name: str = "counts") -> tuple[np.ndarray, np.ndarray]:
    """Validate counts: same shape, finite, ``0 <= y <= n``; return float arrays.

    Raises
    ------
    RiskInputError
        Naming the problem and the first offending positions.
    """
    try:
        ya = np.asarray(y, dtype=float).ravel()
        na = np.asarray(n, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise RiskInputError(f"{name}: y and n must be numbers ({exc})") from None
    if ya.shape != na.shape:
        raise RiskInputError(f"{name}: y has {ya.size} values but n has {na.size}")
    for label, arr in (("y", ya), ("n", na)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise RiskInputError(f"{name}: {label} is missing or not finite at positions {bad[:5].tolist()}")
        bad = np.flatnonzero(arr < 0)
        if bad.size:
            raise RiskInputError(
                f"{name}: negative counts in {label} at positions {bad[:5].tolist()} "
                f"(values {arr[bad[:5]].tolist()})"
            )
    bad = np.flatnonzero(ya > na * (1 + 1e-9) + 1e-9)
    if bad.size:
        raise RiskInputError(
            f"{name}: y > n (more unqualified results than samples) at positions {bad[:5].tolist()}"
        )
    return np.minimum(ya, na), na


def betabinom_loglik(y: np.ndarray, n: np.ndarray, alpha: float | np.ndarray, beta: float | np.ndarray) -> float:
    """Beta-binomial log marginal likelihood, summed over groups, without binomial coefficients."""
    return float(np.sum(betaln(alpha + y, beta + n - y) - betaln(alpha, beta)))


def _moments(y: np.ndarray, n: np.ndarray) -> tuple[float, float]:
    """Mean and sample variance (ddof=1) of the raw proportions (BDA3, section 5.1)."""
    p = y / n
    mean = float(p.mean())
    var = float(p.var(ddof=1)) if p.size > 1 else 0.0
    return mean, var


def fit_beta_binomial(
    y: ArrayLike,
    n: ArrayLike,
    method: Literal["mle", "moments"] = "mle",
    *,
    min_concentration: float = DEFAULT_MIN_CONCENTRATION,
    max_concentration: float = DEFAULT_MAX_CONCENTRATION,
    warn: bool = True,
) -> BetaBinomialFit:
    """Fit a Beta(alpha, beta) prior to grouped binomial counts.

    Parameters
    ----------
    y
        Unqualified results per group [samples]; may be non-integer effective counts.
    n
        Samples per group [samples]; rows with ``n == 0`` carry no information and are ignored.
    method
        ``"mle"``: maximise the beta-binomial marginal likelihood over (logit mean, log(alpha+beta))
        with L-BFGS-B and analytic gradients. ``"moments"``: match the mean and the sample variance
        (ddof=1) of the raw proportions ``y/n``, as in Gelman et al., BDA3, section 5.1.
    min_concentration, max_concentration
        Bounds on the prior sample size ``alpha + beta`` [samples]. A flat likelihood (no
        extra-binomial variation, a single group, all zeros) stops at ``max_concentration``.
    warn
        Emit :class:`FlatLikelihoodWarning` when the estimate is held at the cap.

    Returns
    -------
    BetaBinomialFit
        ``alpha``, ``beta`` first, then ``mean``, ``concentration``, ``converged``, ``flat``, ...

    Raises
    ------
    RiskInputError
        Negative counts, ``y > n``, non-finite values, mismatched lengths, no group with ``n > 0``,
        or an unknown method.

    Notes
    -----
    When every count is zero (or every sample failed), the maximum-likelihood mean is on the
    boundary 0 (or 1). The fit then returns the half-pseudo-count mean ``(sum y + 0.5) / (sum n + 1)``
    at the capped concentration, flagged ``flat``, so that downstream rates stay positive.

    Examples
    --------
    >>> fit = fit_beta_binomial([0, 1, 2, 5], [20, 20, 19, 25])
    >>> round(fit.mean, 3) > 0
    True
    """
    if method not in ("mle", "moments"):
        raise RiskInputError(f"unknown method {method!r}: use 'mle' or 'moments'")
    if not (0 < min_concentration < max_concentration):
        raise RiskInputError("need 0 < min_concentration < max_concentration")
    ya, na = check_counts(y, n)
    keep = na > 0
    ya, na = ya[keep], na[keep]
    if ya.size == 0:
        raise RiskInputError("no group with n > 0: nothing to fit")
    k = int(ya.size)
    ysum, nsum = float(ya.sum()), float(na.sum())

    def result(mean: float, conc: float, converged: bool, flat: bool, why: str = "") -> BetaBinomialFit:
        a, b = mean * conc, (1 - mean) * conc
        if flat and warn:
            warnings.warn(
                f"beta-binomial likelihood is flat ({why}); alpha + beta held at {conc:g}",
                FlatLikelihoodWarning,
                stacklevel=3,
            )
        return BetaBinomialFit(
            float(a), float(b), float(mean), float(conc), bool(converged), bool(flat), k, method,
            betabinom_loglik(ya, na, a, b),
        )

    if ysum <= 0 or ysum >= nsum:
        mean = (ysum + 0.5) / (nsum + 1.0)
        reason = "every count is zero" if ysum <= 0 else "every sample failed"
        return result(mean, max_concentration, False, True, reason)

    if method == "moments":
        mean, var = _moments(ya, na)
        mean = min(max(mean, 1e-12), 1 - 1e-12)
        if var <= 0 or k < 2:
            return result(mean, max_concentration, True, True, "no variation between groups")
        conc = mean * (1 - mean) / var - 1
        flat = conc >= max_concentration
        return result(mean, float(np.clip(conc, min_concentration, max_concentration)), conc > 0, flat,
                      "variance of proportions no larger than binomial")

    # MLE in (logit mean, log concentration); analytic gradient.
    lo, hi = np.log(min_concentration), np.log(max_concentration)

    def nll(t: np.ndarray) -> tuple[float, np.ndarray]:
        mu = 1.0 / (1.0 + np.exp(-t[0]))
        m = np.exp(t[1])
        a, b = mu * m, (1 - mu) * m
        ll = np.sum(betaln(a + ya, b + na - ya) - betaln(a, b))
        da = np.sum(digamma(a + ya) - digamma(a + b + na) - digamma(a) + digamma(a + b))
        db = np.sum(digamma(b + na - ya) - digamma(a + b + na) - digamma(b) + digamma(a + b))
        # chain rule: a = mu m, b = (1-mu) m
        dmu = (da - db) * m * mu * (1 - mu)
        dlm = (da * mu + db * (1 - mu)) * m
        return -float(ll), -np.array([dmu, dlm])

    pooled = ysum / nsum
    mean0, var0 = _moments(ya, na)
    conc0 = mean0 * (1 - mean0) / var0 - 1 if var0 > 0 else max_concentration
    conc0 = conc0 if np.isfinite(conc0) and conc0 > 0 else 10.0
    conc0 = float(np.clip(conc0, min_concentration * 10, max_concentration / 10))
    x0 = np.array([np.log(pooled / (1 - pooled)), np.log(conc0)])
    res = optimize.minimize(nll, x0, jac=True, method="L-BFGS-B", bounds=[(-30, 30), (lo, hi)])
    mu = float(1.0 / (1.0 + np.exp(-res.x[0])))
    conc = float(np.exp(res.x[1]))
    flat = res.x[1] >= hi - 1e-6 or k < 2
    if flat:
        conc = max_concentration
        mu = pooled  # the binomial MLE of the common rate
    return result(mu, conc, bool(res.success), flat, "no extra-binomial variation between groups")


def fit_concentration(
    y: ArrayLike,
    n: ArrayLike,
    mean: ArrayLike,
    *,
    min_concentration: float = DEFAULT_MIN_CONCENTRATION,
    max_concentration: float = DEFAULT_MAX_CONCENTRATION,
) -> tuple[float, bool]:
    """Marginal-likelihood prior sample size when each group's prior mean is given.

    Used for the lower levels of the hierarchy: every group ``j`` gets the prior
    ``Beta(m * mean_j, m * (1 - mean_j))`` where ``mean_j`` is its parent's rate, and the single
    concentration ``m = alpha + beta`` is fitted from all groups (a 1-D bounded search).

    Parameters
    ----------
    y, n
        Counts per group [samples] (already validated; ``n == 0`` rows are ignored).
    mean
        Prior mean per group, in (0, 1).
    min_concentration, max_concentration
        Search bounds for ``m`` [samples].

    Returns
    -------
    (concentration, flat)
        ``flat`` is True when the optimum sits at ``max_concentration`` (no extra variation).
    """
    ya = np.asarray(y, dtype=float)
    na = np.asarray(n, dtype=float)
    mu = np.clip(np.asarray(mean, dtype=float), 1e-9, 1 - 1e-9)
    keep = na > 0
    ya, na, mu = ya[keep], na[keep], mu[keep]
    if ya.size < 2 or ya.sum() <= 0:
        return float(max_concentration), True
    lo, hi = np.log(min_concentration), np.log(max_concentration)

    def nll(t: float) -> float:
        m = np.exp(t)
        a, b = mu * m, (1 - mu) * m
        return -float(np.sum(betaln(a + ya, b + na - ya) - betaln(a, b)))

    res = optimize.minimize_scalar(nll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-4})
    t = float(res.x)
    # the bounded search never returns the end point exactly: compare with the cap itself
    if nll(hi) <= nll(t) + 1e-9 or t >= hi - 1e-3:
        return float(max_concentration), True
    return float(np.exp(t)), False
