"""Beta-binomial fits: published values (rat tumour data) and hard cases."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from riskplan.errors import RiskplanError
from riskplan.risk import FlatLikelihoodWarning, RiskInputError, fit_beta_binomial
from riskplan.risk.betabinom import fit_concentration

# Tarone (1982); Gelman et al., Bayesian Data Analysis, 3rd ed., Table 5.1: the 70 historical
# experiments (the current 4/14 experiment is left out).
RAT_Y = np.array([
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 5, 2,
    5, 3, 2, 7, 7, 3, 3, 2, 9, 10, 4, 4, 4, 4, 4, 4, 4, 10, 4, 4, 4, 5, 11, 12, 5, 5, 6, 5, 6, 6, 6, 6,
    16, 15, 15, 9,
])
RAT_N = np.array([
    20, 20, 20, 20, 20, 20, 20, 19, 19, 19, 19, 18, 18, 17, 20, 20, 20, 20, 19, 19, 18, 18, 25, 24, 23,
    20, 20, 20, 20, 20, 20, 10, 49, 19, 46, 27, 17, 49, 47, 20, 20, 13, 48, 50, 20, 20, 20, 20, 20, 20,
    20, 48, 19, 19, 19, 22, 46, 49, 20, 20, 23, 19, 22, 20, 20, 20, 52, 46, 47, 24,
])


def test_rat_data_shape():
    assert RAT_Y.size == RAT_N.size == 70
    # with the current experiment (4 of 14) the totals are the familiar 267 of 1739
    assert RAT_Y.sum() + 4 == 267 and RAT_N.sum() + 14 == 1739


def test_rat_moments_published():
    fit = fit_beta_binomial(RAT_Y, RAT_N, method="moments")
    assert fit.alpha == pytest.approx(1.4, abs=0.05)
    assert fit.beta == pytest.approx(8.6, abs=0.05)
    assert fit.mean == pytest.approx(0.136, abs=0.001)  # BDA3 5.1: mean of the proportions 0.136
    assert not fit.flat and fit.n_groups == 70


def test_rat_mle_published():
    fit = fit_beta_binomial(RAT_Y, RAT_N)
    alpha, beta = fit[:2]
    assert alpha == pytest.approx(2.30, abs=0.01)
    assert beta == pytest.approx(14.08, abs=0.02)
    assert fit.converged and not fit.flat
    # it really is the maximum: nudging either parameter lowers the likelihood
    from riskplan.risk.betabinom import betabinom_loglik
    for da, db in ((0.05, 0), (-0.05, 0), (0, 0.3), (0, -0.3)):
        assert betabinom_loglik(RAT_Y.astype(float), RAT_N.astype(float), alpha + da, beta + db) < fit.loglik


def test_zero_n_rows_ignored():
    a = fit_beta_binomial(RAT_Y, RAT_N)
    b = fit_beta_binomial(np.r_[RAT_Y, 0, 0], np.r_[RAT_N, 0, 0])
    assert (a.alpha, a.beta) == pytest.approx((b.alpha, b.beta), rel=1e-6)
    assert b.n_groups == 70


def test_all_zeros_warns_and_stays_bounded():
    with pytest.warns(FlatLikelihoodWarning, match="zero"):
        fit = fit_beta_binomial([0, 0, 0, 0], [10, 5, 8, 0], max_concentration=500)
    assert fit.flat and fit.alpha + fit.beta == pytest.approx(500)
    assert 0 < fit.mean < 0.05


def test_single_group_warns():
    with pytest.warns(FlatLikelihoodWarning):
        fit = fit_beta_binomial([3], [20])
    assert fit.flat and np.isfinite(fit.alpha) and fit.mean == pytest.approx(0.15)


@pytest.mark.parametrize("method", ["mle", "moments"])
def test_no_extra_variation_is_flat_not_runaway(method):
    # counts exactly proportional: proportions identical, likelihood maximal at infinite alpha+beta
    y = np.array([5, 10, 15, 20, 25])
    n = 10 * y
    with pytest.warns(FlatLikelihoodWarning):
        fit = fit_beta_binomial(y, n, method=method, max_concentration=2000)
    assert fit.flat and fit.alpha + fit.beta <= 2000 + 1e-6
    assert fit.mean == pytest.approx(0.1, abs=1e-6)


def test_warn_false_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = fit_beta_binomial([0, 0], [3, 4], warn=False)
    assert fit.flat


def test_flat_warning_is_runtime_warning():
    assert issubclass(FlatLikelihoodWarning, RuntimeWarning)


def test_mle_recovers_simulated_prior():
    rng = np.random.default_rng(1)
    theta = rng.beta(3.0, 27.0, 2000)
    n = rng.integers(20, 60, 2000)
    y = rng.binomial(n, theta)
    fit = fit_beta_binomial(y, n)
    assert fit.mean == pytest.approx(0.1, abs=0.005)
    assert fit.concentration == pytest.approx(30, rel=0.2)


def test_fractional_counts_allowed():
    fit = fit_beta_binomial(RAT_Y * 0.5, RAT_N * 0.5)
    assert np.isfinite(fit.alpha) and fit.mean == pytest.approx(0.15, abs=0.03)


@pytest.mark.parametrize(
    ("y", "n", "match"),
    [
        ([1, -1], [5, 5], "negative"),
        ([1, 2], [5, -5], "negative"),
        ([6, 1], [5, 5], "y > n"),
        ([1, 2, 3], [5, 5], "3 values but n has 2"),
        ([np.nan, 1], [5, 5], "not finite"),
        ([0, 0], [0, 0], "no group with n > 0"),
        (["a"], [5], "must be numbers"),
    ],
)
def test_bad_counts_raise(y, n, match):
    with pytest.raises(RiskInputError, match=match) as info:
        fit_beta_binomial(y, n)
    assert isinstance(info.value, RiskplanError)


def test_unknown_method():
    with pytest.raises(RiskInputError, match="unknown method"):
        fit_beta_binomial([1], [2], method="bayes")  # type: ignore[arg-type]


def test_fit_concentration_matches_full_fit_given_mean():
    full = fit_beta_binomial(RAT_Y, RAT_N)
    conc, flat = fit_concentration(RAT_Y, RAT_N, np.full(70, full.mean))
    assert not flat and conc == pytest.approx(full.concentration, rel=1e-3)


@pytest.mark.parametrize("seed", range(5))
def test_nearly_no_variation_stays_bounded(seed):
    rng = np.random.default_rng(seed)
    n = rng.integers(10, 40, 50)
    y = rng.binomial(n, 0.03)  # one common rate: any extra variation is chance
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = fit_beta_binomial(y, n, max_concentration=5000)
    assert np.isfinite(fit.alpha) and np.isfinite(fit.beta)
    assert fit.alpha + fit.beta <= 5000 * (1 + 1e-9)
    assert fit.mean == pytest.approx(y.sum() / n.sum(), abs=0.01)
    assert fit.flat == any(issubclass(w.category, FlatLikelihoodWarning) for w in caught)
