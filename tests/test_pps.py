"""PPS building blocks: capped inclusion probabilities and the two fixed-size samplers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from riskplan.errors import RiskplanError
from riskplan.selection import (
    conditional_poisson_sample,
    inclusion_probabilities,
    pps_sample,
    systematic_sample,
)
from riskplan.selection.pps import _cp_inclusion, conditional_poisson_odds


def test_inclusion_probabilities_no_capping():
    pi = inclusion_probabilities([1, 2, 3, 4], 2)
    np.testing.assert_allclose(pi, [0.2, 0.4, 0.6, 0.8])


def test_inclusion_probabilities_iterative_capping_matches_r():
    # R: sampling::inclusionprobabilities(c(1,2,4,8,8,1,1,40), 4)
    #   0.12 0.24 0.48 0.96 0.96 0.12 0.12 1.00
    pi = inclusion_probabilities([1, 2, 4, 8, 8, 1, 1, 40], 4)
    np.testing.assert_allclose(pi, [0.12, 0.24, 0.48, 0.96, 0.96, 0.12, 0.12, 1.0])
    # two rounds of capping: 100 is capped first, then 50 reaches 1 in the second round
    pi = inclusion_probabilities([100, 50, 10, 10, 10, 10], 3)
    assert pi[0] == 1.0 and pi[1] == 1.0
    np.testing.assert_allclose(pi[2:], 0.25)


@pytest.mark.parametrize("seed", range(20))
def test_inclusion_probabilities_sum_to_n_and_at_most_one(seed):
    rng = np.random.default_rng(seed)
    size = rng.choice([1, 2, 4, 8], size=rng.integers(1, 60)) * rng.lognormal(0, 1.5)
    size = size * rng.lognormal(0, 1, size.size)
    n = int(rng.integers(0, size.size + 1))
    pi = inclusion_probabilities(size, n)
    assert pi.sum() == pytest.approx(n, abs=1e-9)
    assert np.all(pi <= 1.0) and np.all(pi >= 0)
    # proportional to size among the uncapped units
    free = pi < 1
    if free.sum() >= 2:
        ratio = pi[free] / size[free]
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)
    # capped units are the largest ones
    if (pi == 1).any() and free.any():
        assert size[pi == 1].min() >= size[free].max()


def test_inclusion_probabilities_zero_sizes_and_errors():
    pi = inclusion_probabilities([0, 1, 1], 2)
    np.testing.assert_allclose(pi, [0, 1, 1])
    with pytest.raises(RiskplanError, match="cannot draw 3 distinct units from 2"):
        inclusion_probabilities([0, 1, 1], 3)
    with pytest.raises(RiskplanError, match=">= 0"):
        inclusion_probabilities([-1, 1], 1)
    with pytest.raises(RiskplanError, match=">= 0"):
        inclusion_probabilities([np.nan, 1], 1)


def test_samplers_reject_bad_pik():
    rng = np.random.default_rng(0)
    with pytest.raises(RiskplanError, match="sum to an integer"):
        systematic_sample(np.array([0.3, 0.3]), rng)
    with pytest.raises(RiskplanError, match=r"in \[0, 1\]"):
        conditional_poisson_sample(np.array([1.5, 0.5]), rng)
    with pytest.raises(RiskplanError, match="unknown PPS method"):
        pps_sample(np.array([0.5, 0.5]), rng, "bernoulli")  # type: ignore[arg-type]


def test_conditional_poisson_odds_reproduce_pik():
    pik = inclusion_probabilities([1, 2, 4, 5, 3, 3, 1, 6, 2], 4)
    assert pik.max() < 1
    w = conditional_poisson_odds(pik)
    np.testing.assert_allclose(_cp_inclusion(w, 4), pik, atol=1e-9)


@pytest.mark.parametrize("sampler", [systematic_sample, conditional_poisson_sample])
def test_empirical_inclusion_frequencies_match_targets(sampler):
    size = np.array([1, 1, 2, 2, 4, 4, 8, 8, 1, 2, 4, 30], dtype=float)
    pik = inclusion_probabilities(size, 5)
    assert pik[-1] == 1.0  # one certainty unit
    draws = 20_000
    sample = sampler(pik, np.random.default_rng(42), draws=draws)
    # fixed size without replacement
    assert sample.shape == (draws, size.size)
    assert np.all(sample.sum(axis=1) == 5)
    assert np.all(sample[:, -1])
    freq = sample.sum(axis=0)
    # per-unit binomial z-scores, and a chi-square over the uncertain units
    free = pik < 1
    expected = draws * pik[free]
    var = draws * pik[free] * (1 - pik[free])
    z = (freq[free] - expected) / np.sqrt(var)
    assert np.max(np.abs(z)) < 4.0
    chi2 = float(np.sum(z**2))
    assert stats.chi2.sf(chi2, df=free.sum()) > 1e-3


@pytest.mark.parametrize("sampler", [systematic_sample, conditional_poisson_sample])
def test_samplers_are_seeded(sampler):
    pik = inclusion_probabilities(np.arange(1, 21, dtype=float), 6)
    a = sampler(pik, np.random.default_rng(7), draws=50)
    b = sampler(pik, np.random.default_rng(7), draws=50)
    c = sampler(pik, np.random.default_rng(8), draws=50)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_conditional_poisson_large_stratum_is_stable():
    rng = np.random.default_rng(3)
    pik = inclusion_probabilities(rng.choice([1.0, 2.0, 4.0, 8.0], size=400), 60)
    draws = 300
    s = conditional_poisson_sample(pik, rng, draws=draws)
    assert np.all(s.sum(axis=1) == 60)
    # per unit: each unit's frequency is near its inclusion probability (a sampler that always
    # took the same 60 units would be far off)
    freq = s.mean(axis=0)
    z = (freq - pik) / np.sqrt(pik * (1 - pik) / draws)
    assert np.max(np.abs(z)) < 5.0
    # per size class (units of one class share one probability): tight
    for p in np.unique(pik):
        cls = pik == p
        sd = np.sqrt(p * (1 - p) / (draws * cls.sum()))
        assert abs(freq[cls].mean() - p) < 5 * sd, p


def test_all_units_certain_and_empty_sample():
    rng = np.random.default_rng(0)
    assert systematic_sample(np.ones(3), rng).all()
    assert conditional_poisson_sample(np.ones(3), rng).all()
    assert not systematic_sample(np.zeros(3), rng).any()
    assert not conditional_poisson_sample(np.zeros(3), rng).any()


@pytest.mark.parametrize(
    "size, n",
    [
        ([1, 1, 1, 999.999, 1], 1),  # one unit at 0.996: the plain fixed point oscillates here
        ([1e-4, 1, 1, 1, 1], 2),
        (list(np.random.default_rng(0).lognormal(0, 2, 200)), 30),
    ],
)
def test_conditional_poisson_odds_skewed_cases(size, n):
    pi = inclusion_probabilities(size, n)
    free = (pi > 0) & (pi < 1)
    w = conditional_poisson_odds(pi[free])
    np.testing.assert_allclose(_cp_inclusion(w, int(round(pi[free].sum()))), pi[free], atol=1e-8)
