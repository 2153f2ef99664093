"""Alerts valid for small counts: exact limits, Bernoulli CUSUM, aggregation, budget, news."""

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from riskplan.errors import ConfigError, RiskplanError
from riskplan.monitoring import (
    BernoulliCusum,
    MonitoringRules,
    chart_units,
    count_pmf,
    decision_interval,
    design_alerts,
    exact_p_chart,
    known_high_risk,
    run_alerts,
)
from riskplan.monitoring.bernoulli_cusum import design, reference_value
from riskplan.monitoring.exact import upper_limit, upper_tail

KEY = ["township_code", "business_type", "category_code"]
OJ = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
      8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]


# --- exact limits -------------------------------------------------------------------------------

def test_count_pmf_is_the_exact_distribution():
    # one stratum: scipy's binomial and beta-binomial
    assert count_pmf([7], p=[0.1]) == pytest.approx(stats.binom.pmf(range(8), 7, 0.1))
    assert count_pmf([5], [2.0], [30.0]) == pytest.approx(stats.betabinom.pmf(range(6), 5, 2, 30))
    # two strata: the convolution, checked by summing over every pair of counts
    pmf = count_pmf([2, 3], [1.0, 2.0], [9.0, 40.0])
    a, b = stats.betabinom.pmf(range(3), 2, 1, 9), stats.betabinom.pmf(range(4), 3, 2, 40)
    brute = np.zeros(6)
    for i, j in itertools.product(range(3), range(4)):
        brute[i + j] += a[i] * b[j]
    assert pmf == pytest.approx(brute) and pmf.sum() == pytest.approx(1.0)
    with pytest.raises(RiskplanError, match="give p"):
        count_pmf([3])


def test_upper_limit_is_the_smallest_count_rare_enough():
    pmf = count_pmf([20], p=[0.05])
    c = upper_limit(pmf, 0.01)
    assert upper_tail(pmf, c) <= 0.01 < upper_tail(pmf, c - 1)
    assert c == 5  # P(X >= 5) = 0.0159 for Binomial(20, 0.05)? no: 0.0026; P(X >= 4) = 0.0159
    # one sample at 3 %: no count can be rarer than 1 %, the limit is n + 1 (never signals)
    assert upper_limit(count_pmf([1], p=[0.03]), 0.01) == 2
    with pytest.raises(RiskplanError, match="alpha"):
        upper_limit(pmf, 0)


def test_exact_p_chart_keeps_montgomery_example_7_1():
    # the orange-juice data with exact binomial limits at the 3-sigma upper tail (0.00135):
    # the limit is 22 of 50 and the same samples 15 and 23 are out of control
    ch = exact_p_chart(OJ, [50] * 30)
    assert ch["center"].iloc[0] == pytest.approx(0.2313, abs=5e-5)
    assert ch["ucl_count"].iloc[0] == 22
    assert stats.binom.sf(21, 50, ch["center"].iloc[0]) <= 0.00135 < stats.binom.sf(20, 50, ch["center"].iloc[0])
    assert list(ch.index[ch["out_of_control"]]) == [15, 23]


def test_one_unqualified_sample_in_three_months_is_no_alarm():
    # the example: 0/1, 1/1, 0/1 at an expected 3 % tripped the p-chart, CUSUM and EWMA
    ch = exact_p_chart([0, 1, 0], [1, 1, 1], p0=0.03)
    assert not ch["out_of_control"].any()
    assert (ch["ucl_count"] == 2).all() and ch["ucl"].isna().all()  # no count of 1 can signal
    assert ch["tail_p"].tolist() == pytest.approx([1.0, 0.03, 1.0])
    # with a beta prior the tail is heavier than the binomial's (the rate is an estimate)
    wide = exact_p_chart([2], [5], prior=(1.5, 48.5))
    assert wide["tail_p"].iloc[0] > stats.binom.sf(1, 5, 0.03)


# --- Bernoulli CUSUM ----------------------------------------------------------------------------

def test_reference_value_is_the_log_likelihood_ratio_one():
    g = reference_value(0.01, 2.0)
    assert g == pytest.approx(np.log(0.99 / 0.98) / np.log(0.02 * 0.99 / (0.01 * 0.98)))
    with pytest.raises(RiskplanError, match="must be < 1"):
        reference_value(0.4, 3.0)


def test_markov_chain_is_exact_against_every_sequence():
    ch = design(0.1, 3.0, 1.5, max_denominator=50)
    n = 10
    brute = sum(np.prod([0.1 if x else 0.9 for x in seq])
                for seq in itertools.product([0, 1], repeat=n) if ch.run(list(seq))["signal"].any())
    assert ch.signal_probability(n) == pytest.approx(brute, rel=1e-9)


def test_arl_agrees_with_simulation():
    ch = design(0.05, 3.0, 1.5, max_denominator=50)
    rl = ch.simulate(2000, np.random.default_rng(7))
    se = rl.std() / np.sqrt(len(rl))
    assert abs(rl.mean() - ch.arl()) < 4 * se
    # out of control (p1 = 3 p0) it signals far sooner
    assert ch.arl(0.15) < ch.arl() / 3


def test_decision_interval_is_the_smallest_reaching_the_target():
    ch = decision_interval(0.03, 3.0, 2000)
    assert ch.arl() >= 2000
    assert BernoulliCusum(ch.p0, ch.ratio, ch.r, ch.m, ch.H - 1).arl() < 2000
    assert ch.gamma == pytest.approx(reference_value(0.03, 3.0), rel=0.01)
    # a rate of 0.5 % with a short target: a single unqualified sample already signals
    tiny = decision_interval(0.005, 3.0, 150)
    assert tiny.run([0, 0, 1])["signal"].tolist() == [False, False, True]


def test_cusum_restarts_after_a_signal():
    ch = design(0.05, 3.0, 1.5, max_denominator=50)
    run = ch.run([1, 1, 0, 1, 1])
    assert run["signal"].tolist() == [False, True, False, False, True]
    assert run["s"].iloc[2] == 0  # restarted at 0, then one pass keeps it there


# --- aggregation and the alarm budget ------------------------------------------------------------

def sizes(rows):
    return pd.DataFrame(rows, columns=KEY + ["size"])


def test_chart_units_aggregate_up_the_hierarchy():
    s = sizes([
        ("T1", "B1", "C1", 15),   # big enough alone
        ("T1", "B2", "C1", 4), ("T1", "B3", "C1", 9),   # township T1 x C1: 28 with B1
        ("T2", "B1", "C1", 3), ("T3", "B1", "C1", 2),    # thin: only in category C1
        ("T2", "B1", "C2", 1),                           # thin and alone: category C2 anyway
        ("T3", "B9", "C2", 0),                           # no samples: not charted
    ])
    m = chart_units(s, ("stratum", "township_category", "category"), 12)
    units = m.groupby(KEY)["unit"].agg(list).to_dict()
    assert units[("T1", "B1", "C1")] == ["category:*|*|C1", "stratum:T1|B1|C1",
                                         "township_category:T1|*|C1"]
    assert units[("T1", "B2", "C1")] == units[("T1", "B3", "C1")] == \
        ["category:*|*|C1", "township_category:T1|*|C1"]
    assert units[("T2", "B1", "C1")] == units[("T3", "B1", "C1")] == ["category:*|*|C1"]
    assert units[("T2", "B1", "C2")] == ["category:*|*|C2"]
    assert ("T3", "B9", "C2") not in units
    # every stratum with samples is in its category's unit, which holds all of them
    top = m[m["level"] == "category"]
    assert len(top) == 6 and top.groupby("unit")["size"].sum().to_dict() == {
        "category:*|*|C1": 33, "category:*|*|C2": 1}


def scores_for(rates, strength=50.0):
    """Risk-score-like rows whose history prior has mean ``rate`` and ``strength`` samples."""
    rows = [{**dict(zip(KEY, k)), "n_samples": 0.0, "n_fail": 0.0, "prior_alpha": r * strength,
             "prior_beta": (1 - r) * strength} for k, r in rates.items()]
    return pd.DataFrame(rows)


def results_for(rows):
    """rows: (township, business type, category, month, n, fails) -> one row per sample."""
    out = []
    for t, b, c, m, n, f in rows:
        for i in range(n):
            out.append({"township_code": t, "business_type": b, "category_code": c, "month": m,
                        "sample_date": pd.Timestamp(2026, m, 1 + i), "result": "fail" if i < f else "pass",
                        "sample_id": f"{t}{b}{c}{m:02d}{i:03d}"})
    return pd.DataFrame(out)


def test_design_spends_the_budget_and_reaches_each_arl():
    rules = MonitoringRules(min_samples_for_chart=12)
    plan = pd.DataFrame([("T1", "B1", "C1", 24), ("T1", "B2", "C1", 6), ("T2", "B1", "C1", 6),
                         ("T2", "B1", "C2", 12)], columns=KEY + ["samples"])
    sc = scores_for({("T1", "B1", "C1"): 0.03, ("T1", "B2", "C1"): 0.06, ("T2", "B1", "C1"): 0.02,
                     ("T2", "B1", "C2"): 0.01})
    d = design_alerts(plan, sc, rules)
    u = d.units.set_index("unit")
    # stratum T1|B1|C1 (24), township x category T1|C1 (30), categories C1 (36) and C2 (12);
    # stratum T2|B1|C2 alone is 12 too, and so is its township x category
    assert set(u.index) == {"stratum:T1|B1|C1", "stratum:T2|B1|C2", "township_category:T1|*|C1",
                            "township_category:T2|*|C2", "category:*|*|C1", "category:*|*|C2"}
    c1 = u.loc["category:*|*|C1"]
    assert c1["p0"] == pytest.approx((24 * 0.03 + 6 * 0.06 + 6 * 0.02) / 36) and c1["n_strata"] == 3
    # six units cannot spend 1.2 alarms a year: each stops at its cap of 0.02
    assert (u["false_alarms_year"] <= 0.02 + 1e-12).all() and u["false_alarms_year"].max() > 0.015
    parts = u[["false_limits", "false_news", "false_cusum"]].sum(axis=1)
    assert parts.to_numpy() == pytest.approx(u["false_alarms_year"].to_numpy())
    for unit, row in u.iterrows():
        assert row["cusum_arl0"] >= row["size"] / 12 / row["alpha"], unit
        assert d.cusum(str(unit)).arl() == pytest.approx(row["cusum_arl0"])
    # a district-wide budget smaller than the caps is what binds
    tight = design_alerts(plan, sc, MonitoringRules(min_samples_for_chart=12,
                                                    alarm_budget_per_month=0.001))
    assert tight.units["false_alarms_year"].sum() <= 0.012 + 1e-12
    assert (tight.units["alpha"] < u["alpha"].to_numpy()).all()


def test_expected_false_alarms_agree_with_simulation():
    # one unit of two strata, one or two samples a month; a generous budget so that alarms are
    # frequent enough to count: the exact expectation must match what run_alerts raises
    plan = pd.DataFrame([("T1", "B1", "C1", 12), ("T1", "B2", "C1", 6)], columns=KEY + ["samples"])
    rates = {("T1", "B1", "C1"): 0.05, ("T1", "B2", "C1"): 0.15}
    sc = scores_for(rates)
    rules = MonitoringRules(alarm_budget_per_month=0.05, unit_alarm_cap_per_year=0.6,
                            alert_levels=("township_category",))
    d = design_alerts(plan, sc, rules)
    assert len(d.units) == 1
    expected = float(d.units["false_alarms_year"].iloc[0])
    assert 0.1 < expected <= 0.6
    rng = np.random.default_rng(14)
    sims, counted = 200, []
    for _ in range(sims):
        rows = []
        # the plan spread over the year: B1 one a month, B2 one a month in January-June
        for (t, b, c), last in [(("T1", "B1", "C1"), 12), (("T1", "B2", "C1"), 6)]:
            rows += [(t, b, c, m, 1, int(rng.random() < rates[(t, b, c)]))
                     for m in range(1, last + 1)]
        al = run_alerts(results_for(rows), sc, rules, plan, design=d).alerts
        counted.append(int((al["rule"] == "limits").sum()) + int((al["rule"] == "news").any())
                       + int((al["rule"] == "cusum").any()))
    mean, se = np.mean(counted), np.std(counted) / np.sqrt(sims)
    assert abs(mean - expected) < 4 * se + 0.02


def test_rules_check_the_new_settings():
    with pytest.raises(ConfigError, match="monitoring.alert_levels"):
        MonitoringRules(alert_levels=("category", "stratum"))
    with pytest.raises(ConfigError, match="monitoring.alert_methods"):
        MonitoringRules(alert_methods=("ewma",))
    with pytest.raises(ConfigError, match="monitoring.cusum_rate_ratio"):
        MonitoringRules(cusum_rate_ratio=1.0)
    r = MonitoringRules()
    assert (r.followup_deadline_days, r.lab_turnaround_days, r.min_samples_for_chart) == (90, 28, 12)


# --- alerts on news ------------------------------------------------------------------------------

RATES = {("T1", "B1", "C1"): 0.03, ("T1", "B2", "C1"): 0.25, ("T2", "B1", "C1"): 0.03}


def test_no_alarm_on_one_unqualified_sample_in_three():
    plan = pd.DataFrame([("T2", "B1", "C1", 3)], columns=KEY + ["samples"])
    res = results_for([("T2", "B1", "C1", m, 1, int(m == 2)) for m in (1, 2, 3)])
    al = run_alerts(res, scores_for({("T2", "B1", "C1"): 0.03}), MonitoringRules(), plan)
    assert al.alerts.empty
    assert al.charts["unqualified"].tolist() == [0, 1, 0]


def test_news_alerts_and_known_risk_are_separate():
    plan = pd.DataFrame([(*k, 12) for k in RATES], columns=KEY + ["samples"])
    # T1|B1 jumps to 5 of 6 in June; T1|B2 is known to be risky (25 %) and has 0 of 6;
    # T2|B1 behaves
    res = results_for([("T1", "B1", "C1", m, 1, 0) for m in range(1, 6)]
                      + [("T1", "B1", "C1", 6, 6, 5), ("T1", "B2", "C1", 6, 6, 0),
                         ("T2", "B1", "C1", 6, 6, 0)])
    sc = scores_for(RATES)
    al = run_alerts(res, sc, MonitoringRules(), plan)
    fired = set(al.alerts["unit"])
    assert fired == {"stratum:T1|B1|C1"}
    assert {"limits", "cusum", "news"} == set(al.alerts["rule"])
    news = al.alerts[al.alerts["rule"] == "news"].iloc[0]
    assert news["observed"] == 5 and news["strata"] == "T1|B1|C1 5/11"
    # exactly the beta-binomial predictive tail given the prior
    assert news["value"] == pytest.approx(stats.betabinom.sf(4, 11, 1.5, 48.5))
    # the known high-risk stratum is listed from history, and never alerts without a result
    sc_hist = sc.assign(n_samples=[0.0, 200.0, 0.0], n_fail=[0.0, 50.0, 0.0])
    k = known_high_risk(sc_hist, threshold=0.05, level=0.9, allocation=plan, results=res)
    assert k[KEY].values.tolist() == [["T1", "B2", "C1"]]
    assert (k["planned"].item(), k["sampled"].item(), k["unqualified"].item()) == (12, 6, 0)


def test_a_unit_without_an_unqualified_result_never_alerts():
    # all-pass results in a stratum whose history rate is 40 %: nothing to alert on
    plan = pd.DataFrame([("T1", "B2", "C1", 12)], columns=KEY + ["samples"])
    res = results_for([("T1", "B2", "C1", m, 2, 0) for m in range(1, 7)])
    al = run_alerts(res, scores_for({("T1", "B2", "C1"): 0.3}), MonitoringRules(), plan)
    assert al.alerts.empty and not al.bayes["alert"].any()
    assert (al.charts["news_p"] == 1.0).all() and (al.charts["cusum"] == 0).all()
