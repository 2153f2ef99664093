"""Control charts and Bayesian alerts checked against published worked examples."""

import numpy as np
import pytest
from scipy import stats

from riskplan.errors import RiskplanError
from riskplan.monitoring.bayes import posterior_exceedance, predictive_tail
from riskplan.monitoring.charts import cusum, ewma, p_chart

# Montgomery, Introduction to Statistical Quality Control, Example 7.1 (Table 7.1):
# orange-juice cans, 30 samples of n = 50, number nonconforming.
OJ = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
      8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]

# Montgomery Table 9.1: x_1..x_20 from N(10, 1), x_21..x_30 from N(11, 1).
T91 = [9.45, 7.99, 9.29, 11.66, 12.16, 10.18, 8.04, 11.46, 9.20, 10.34,
       9.03, 11.47, 10.51, 9.40, 10.08, 9.37, 10.62, 10.31, 8.52, 10.84,
       10.90, 9.33, 12.29, 11.50, 10.60, 11.08, 10.38, 11.62, 11.31, 10.52]


def test_p_chart_orange_juice_example_7_1():
    ch = p_chart(OJ, [50] * 30)
    assert ch["center"].iloc[0] == pytest.approx(0.2313, abs=5e-5)
    assert ch["ucl"].iloc[0] == pytest.approx(0.4102, abs=5e-5)
    assert ch["lcl"].iloc[0] == pytest.approx(0.0524, abs=5e-5)
    # the book: samples 15 and 23 plot above the UCL
    assert list(ch.index[ch["out_of_control"]]) == [15, 23]


def test_p_chart_standard_and_clipping():
    ch = p_chart([0, 1, 6], [10, 10, 10], p0=0.05)
    assert (ch["center"] == 0.05).all()
    assert (ch["lcl"] == 0).all()  # 0.05 - 3 sqrt(0.05*0.95/10) < 0 -> clipped
    assert ch["ucl"].iloc[0] == pytest.approx(0.05 + 3 * np.sqrt(0.05 * 0.95 / 10))
    assert ch["out_of_control"].tolist() == [False, False, True]
    empty = p_chart([0, 0], [0, 5], p0=0.1)
    assert np.isnan(empty["p"].iloc[0]) and not empty["out_of_control"].iloc[0]
    with pytest.raises(RiskplanError, match="unqualified <= sampled"):
        p_chart([3], [2])


def test_cusum_montgomery_table_9_2():
    cs = cusum(T91, target=10, sigma=1, k=0.5, h=5)
    # published C+ (Table 9.2) at selected periods
    published = {1: 0.0, 4: 1.16, 5: 2.82, 6: 2.50, 7: 0.04, 8: 1.00, 12: 0.97, 13: 0.98,
                 23: 1.79, 24: 2.79, 25: 2.89, 26: 3.47, 27: 3.35, 28: 4.47, 29: 5.28, 30: 5.30}
    for i, v in published.items():
        assert cs["c_plus"].iloc[i - 1] == pytest.approx(v, abs=0.005), i
    assert cs["c_minus"].iloc[1] == pytest.approx(1.56, abs=0.005)  # 0.05 + 9.5 - 7.99
    first = int(np.flatnonzero(cs["signal"].to_numpy())[0]) + 1
    assert first == 29
    assert cs["n_plus"].iloc[28] == 7  # the shift is estimated to start after period 22


def test_ewma_montgomery_example():
    ew = ewma(T91, target=10, sigma=1, lam=0.1, L=2.7)
    assert ew["statistic"].iloc[0] == pytest.approx(9.945)
    assert ew["statistic"].iloc[1] == pytest.approx(9.7495)
    assert ew["ucl"].iloc[0] == pytest.approx(10.27, abs=0.005)
    assert ew["lcl"].iloc[0] == pytest.approx(9.73, abs=0.005)
    assert ew["ucl"].iloc[1] == pytest.approx(10.36, abs=0.005)
    # limits approach the asymptote 10 +- 2.7 sqrt(0.1/1.9) = 10.62 / 9.38
    assert ew["ucl"].iloc[-1] == pytest.approx(10.62, abs=0.005)
    # the book's Table 9.11: z_28 = 10.5731 is inside, z_29 = 10.6468 is the first point beyond
    # the UCL (10.62); observation 30 (10.6341) stays beyond it
    assert ew["statistic"].iloc[27] == pytest.approx(10.5731, abs=5e-5)
    assert ew["statistic"].iloc[28] == pytest.approx(10.6468, abs=5e-5)
    assert ew["signal"].iloc[:28].sum() == 0
    assert ew["signal"].iloc[28:].tolist() == [True, True]


def test_chart_argument_errors():
    with pytest.raises(RiskplanError, match="sigma"):
        cusum([1.0], 0, 0)
    with pytest.raises(RiskplanError, match="lam"):
        ewma([1.0], 0, 1, lam=0)


def test_posterior_exceedance_matches_beta():
    # Beta(1,1) prior, 3 fails of 20 -> Beta(4, 18)
    assert posterior_exceedance(3, 20, 1, 1, 0.1) == pytest.approx(stats.beta.sf(0.1, 4, 18))
    # 0/0 leaves the prior
    assert posterior_exceedance(0, 0, 2, 8, 0.2) == pytest.approx(stats.beta.sf(0.2, 2, 8))


def test_predictive_tail_beta_binomial():
    # P(X >= 2), X ~ BetaBinomial(5, 1, 9), by summing the pmf
    pmf = [stats.betabinom.pmf(k, 5, 1, 9) for k in range(6)]
    assert predictive_tail(2, 5, 1, 9) == pytest.approx(sum(pmf[2:]))
    assert predictive_tail(0, 5, 1, 9) == 1.0
    # the beta-binomial tail is heavier than the binomial with the same mean
    assert predictive_tail(3, 10, 1, 9) > stats.binom.sf(2, 10, 0.1)
