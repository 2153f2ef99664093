"""Re-plan of the remainder: exact totals, done stays done, the allocation's guarantees reused."""

import numpy as np
import pandas as pd
import pytest

from riskplan.allocation import AllocationRules, allocate
from riskplan.config import Config
from riskplan.monitoring import MonitorPlan, replan, validate_results
from riskplan.monitoring.replan import remainder_schedule_rules, remaining_months
from riskplan.risk import score
from riskplan.schedule import ScheduleRules, monthly
from riskplan.synthetic import make_synthetic

KEY = ["township_code", "business_type", "category_code"]


@pytest.fixture(scope="module")
def district():
    ds = make_synthetic(n_townships=4, n_categories=5, n_establishments=200, n_history=1500, seed=3)
    ds.plan_year = 2026
    ds.reference_date = pd.Timestamp("2026-06-30").date()
    rules = AllocationRules(key_min_share=0.0, school_min_share=0.05)
    config = Config(allocation=rules)
    scores = score(ds)
    alloc = allocate(scores, 120, rules, categories=ds.categories)
    sched = monthly(alloc, config.schedule)
    # results: what the schedule said for Jan-Jun, minus a few, at a random shop of the stratum
    rng = np.random.default_rng(7)
    ex = ds.establishments.assign(category_code=ds.establishments["categories"].str.split(";")).explode("category_code")
    rows = []
    for r in sched[sched["month"] <= 6].itertuples(index=False):
        shops = ex[(ex["township_code"] == r.township_code) & (ex["business_type"] == r.business_type)
                   & (ex["category_code"] == r.category_code)]["establishment_id"].to_numpy()
        for _ in range(max(0, r.samples - int(rng.integers(0, 2)))):
            fail = rng.random() < 0.1
            rows.append({"sample_id": f"R{len(rows):04d}", "sample_date": f"2026-{r.month:02d}-15",
                         "establishment_id": str(rng.choice(shops)), "category_code": r.category_code,
                         "result": "fail" if fail else "pass", "hazard": "x" if fail else "",
                         "followup_status": "pending" if fail else "not_required",
                         "followup_date": "", "programme": "risk_monitoring"})
    ds.results = pd.DataFrame(rows)
    ing = validate_results(ds.results, ds.establishments, ds.categories, alloc.table, 2026)
    plan = MonitorPlan(alloc.table, sched, config, scores=scores)
    return ds, plan, ing


def test_remaining_months():
    assert remaining_months(pd.Timestamp("2026-06-30")) == [7, 8, 9, 10, 11, 12]
    assert remaining_months(pd.Timestamp("2026-06-15")) == [6, 7, 8, 9, 10, 11, 12]


def test_remainder_schedule_rules_keep_annual_meaning():
    r = remainder_schedule_rules(ScheduleRules(), [7, 8, 9, 10, 11, 12], quota=100, done=40)
    assert r.first_month == 7 and r.last_month == 11
    # 75 % of 100 by September = 35 of the 60 left
    assert r.progress_months == (9,) and r.progress_targets == pytest.approx((35 / 60,))


@pytest.mark.parametrize("mode", ["catch_up", "proportional"])
def test_replan_exact_totals_and_done_stays_done(district, mode):
    ds, plan, ing = district
    rp = replan(plan, ing.results, ds, as_of="2026-06-30", config=plan.config, mode=mode)
    done = ing.matched.groupby(KEY).size()
    assert rp.quota == 120 and rp.done == len(ing.matched) > 0
    assert rp.done + rp.remaining == rp.quota                     # exact
    assert int(rp.table["total"].sum()) == rp.quota
    t = rp.table.set_index(KEY)
    assert (t["done"].reindex(done.index) == done).all()         # done stays done
    assert (t["total"] == t["done"] + t["remaining"]).all() and (t["remaining"] >= 0).all()
    # schedule of the remainder: only months 7-12, each stratum exactly its remaining samples
    s = rp.schedule
    assert s["month"].min() >= 7 and int(s["samples"].sum()) == rp.remaining
    per = s.groupby(KEY)["samples"].sum()
    assert (per == t.loc[per.index, "remaining"]).all()
    assert int(t.loc[t.index.difference(per.index), "remaining"].sum()) == 0
    # the coverage floors hold for the year: every township planned gets samples in total
    assert (rp.table.groupby("township_code")["total"].sum() >= 2).all()
    # the allocation's guarantees: within one of the fractional remainder per stratum
    at = rp.allocation.table
    assert (np.abs(at["samples"] - at["fractional"]) < 1 + 1e-9).all()


def test_replan_when_everything_is_done(district):
    ds, plan, ing = district
    extra = ing.results.copy()
    big = plan.allocation.copy()
    big["samples"] = 0
    big.loc[big.index[0], "samples"] = 1  # a tiny plan: already over-fulfilled
    small = MonitorPlan(big, plan.schedule, plan.config, scores=plan.scores)
    rp = replan(small, extra, ds, as_of="2026-06-30", config=plan.config)
    assert rp.remaining == 0 and rp.done == len(ing.matched)


def test_catch_up_favours_strata_behind(district):
    ds, plan, ing = district
    r = ing.results.copy()
    # drop every result of the biggest stratum: it is now far behind
    big = plan.allocation.sort_values("samples").iloc[-1]
    mask = (r[KEY] == big[KEY]).all(axis=1)
    r = r[~mask]
    cu = replan(plan, r, ds, as_of="2026-06-30", config=plan.config, mode="catch_up").table.set_index(KEY)
    pr = replan(plan, r, ds, as_of="2026-06-30", config=plan.config, mode="proportional").table.set_index(KEY)
    k = tuple(big[KEY])
    assert cu.loc[k, "done"] == 0 and cu.loc[k, "remaining"] > pr.loc[k, "remaining"]
    assert cu["total"].sum() == pr["total"].sum() == 120


@pytest.mark.parametrize("as_of", ["2026-01-20", "2026-03-15", "2026-06-30"])
def test_monitor_at_any_date(district, as_of):
    from riskplan.monitoring import monitor

    ds, plan, ing = district
    if "population" not in ds.townships:
        ds.townships = ds.townships.assign(population=10_000)
    res = monitor(plan, ds.results, ds, as_of=as_of)
    d = res.behind_district.iloc[0]
    n_done = int((ing.matched["sample_date"] <= pd.Timestamp(as_of)).sum())
    assert d["done"] == n_done and d["annual"] == 120
    assert res.replan.done + res.replan.remaining == 120
    assert res.replan.months[0] == pd.Timestamp(as_of).month + (1 if pd.Timestamp(as_of).is_month_end else 0)
    assert set(res.scorecard["status"]) <= {"met", "at_risk", "missed", "no_data"}
