"""The monitoring alerts and follow-up on both districts: Ouhai (embedded) and Yunling."""

import dataclasses

import pandas as pd
import pytest

from riskplan.allocation import allocate, quota_for
from riskplan.config import Config
from riskplan.monitoring import MonitorPlan, monitor
from riskplan.risk import score
from riskplan.schedule import monthly

KEY = ["township_code", "business_type", "category_code"]


def _monitor(ds, cfg, targets=None):
    cfg = cfg.replace(allocation=dataclasses.replace(cfg.allocation, floor_time_limit_s=2.0))
    scores = score(ds, config=cfg.risk)
    alloc = allocate(scores, quota_for(cfg.quota, ds), cfg.allocation, categories=ds.categories)
    plan = MonitorPlan(alloc.table, monthly(alloc, cfg.schedule), cfg, scores=scores)
    return monitor(plan, ds.results, ds, targets=targets, do_replan=False)


@pytest.fixture(scope="module")
def ouhai_res(ouhai):
    # the synthetic 2026 results and their hot spots were drawn against the 2020-census plan
    # (964 samples, data/README.md): monitor them against that plan
    cfg = Config()
    return _monitor(ouhai, cfg.replace(quota=dataclasses.replace(cfg.quota, population_year=2020)))


@pytest.fixture(scope="module")
def yunling_res(yunling, yunling_config, ouhai):
    # Yunling ships no creation targets; give it the seed plan's follow-up and case targets
    seed = ouhai.creation_targets
    return _monitor(yunling, yunling_config,
                    targets=seed[seed["target_id"].isin(["T12", "T13", "T23"])].reset_index(drop=True))


def _check_invariants(res):
    units = res.chart_units
    # every planned stratum is charted at the top level, once; finer units only with data
    assert set(units["level"]) <= set(res.rules.alert_levels)
    assert units["unit"].is_unique
    planned = res.plan.allocation[res.plan.allocation["samples"] > 0]
    top = units[units["level"] == res.rules.alert_levels[-1]]
    charted = [s for strata in top["strata"] for s in strata.split(";")]
    assert len(charted) == len(set(charted))
    assert set(planned[KEY].astype(str).agg("|".join, axis=1)) <= set(charted)
    assert (units.loc[units["level"] != res.rules.alert_levels[-1], "size"]
            >= res.rules.min_samples_for_chart).all()
    # the budget: exact expected false alarms within the district's and each unit's bound,
    # every CUSUM at least at its target ARL
    assert units["false_alarms_year"].sum() <= 12 * res.rules.alarm_budget_per_month + 1e-9
    assert (units["false_alarms_year"] <= res.rules.unit_alarm_cap_per_year + 1e-9).all()
    assert (units["cusum_arl0"] >= units["size"] / 12 / units["alpha"] - 1e-6).all()
    # an alert always rests on unqualified results of this year
    al = res.alerts
    assert (al["observed"] >= 1).all()
    for strata in al["strata"]:
        assert strata and all(int(s.rsplit(" ", 1)[1].split("/")[0]) >= 1 for s in strata.split("; "))
    bayes = res.bayes.set_index("unit")
    assert (bayes.loc[bayes["alert"], "unqualified"] >= 1).all()


def test_ouhai_alerts_are_news_not_history(ouhai_res):
    res = ouhai_res
    _check_invariants(res)
    units = res.chart_units
    assert set(units["level"]) == {"stratum", "township_category", "category"}
    tc = res.alerts[res.alerts["level"] == "township_category"]
    # the injected May-June hot spots: 330304011 x C34 (5 unqualified of 12, expected 0.3) on
    # every method, 330304002 x C35 (4 of 10, expected 0.8) on its CUSUM
    hot = tc[(tc["township_code"] == "330304011") & (tc["category_code"] == "C34")]
    assert set(hot["rule"]) == {"limits", "cusum", "news"}
    hot = tc[(tc["township_code"] == "330304002") & (tc["category_code"] == "C35")]
    assert "cusum" in set(hot["rule"])
    # the example of a history-only alert: known high risk, listed, not alerted
    k = res.known_risk.set_index(KEY)
    assert ("330304003", "D-WETMARKET", "C35") in k.index
    assert k.loc[("330304003", "D-WETMARKET", "C35"), "unqualified"] == 0
    assert not res.alerts["strata"].str.contains("330304003|D-WETMARKET|C35", regex=False).any()
    # follow-up: Ouhai's results carry no receipt dates: every one is estimated, and said so
    fu = res.followup.summary.iloc[0]
    assert fu["received_estimated"] == fu["unqualified"] == int((res.ingest.results["result"] == "fail").sum())
    assert fu["deadline_days"] == 90 and not fu["has_case_data"]
    assert "receipt dates estimated" in res.summary()
    computed = set(res.scorecard.loc[res.scorecard["source"] == "computed", "target_id"])
    assert {"T23"} <= computed and not {"T12", "T13"} & computed


def test_yunling_alerts_and_case_targets(yunling_res, yunling):
    res = yunling_res
    _check_invariants(res)
    assert res.chart_units["category_code"].str.fullmatch(r"F\d\d|\*").all()
    # Yunling's results record the stages: receipt dates are given, T12 and T13 computed
    fu = res.followup.summary.iloc[0]
    fails = yunling.results[yunling.results["result"] == "fail"]
    assert fu["unqualified"] == len(fails) and fu["received_estimated"] == 0
    assert fu["has_case_data"] and fu["cases_filed"] == int(fails["case_filed_date"].notna().sum())
    sc = res.scorecard[res.scorecard["source"] == "computed"].set_index("target_id")
    assert sc.loc["T12", "actual"] == pytest.approx(100 * fu["case_filing_rate"])
    assert sc.loc["T13", "actual"] == pytest.approx(100 * fu["case_closing_rate"])
    cases = res.followup.cases
    assert cases["stage"].isin(["done", "case_filed", "case_closed", "notified", "received",
                                "retest_requested", "retest_upheld", "retest_overturned"]).all()
    assert (cases["due_date"] - cases["result_received_date"] == pd.Timedelta(days=90)).all()
