"""Integer allocation of the annual quota to strata: coverage floors, then risk, then rounding.

Steps
-----
1. Strata with no establishment are dropped (they get zero).
2. Coverage floors (:mod:`riskplan.allocation.floors`): the fewest samples meeting every
   township / stage / business-type / category minimum jointly (CP-SAT), then the minimum shares of
   key agricultural products and school canteens. Higher-level programme samples count.
3. The rest of the quota in proportion to the risk ``weight`` (fractional).
4. Controlled rounding (:mod:`riskplan.allocation.rounding`) of the township x stratum table of
   fractional quotas ``floor + risk share`` (stratum = business type x category): the grand total
   is exact, every cell, every township total and every stratum total is within one of its
   fractional value; so are, by nesting, the township x category, business-type and stage
   totals. Floors are integers, so no cell falls below its floor. With ``rounding =
   "unbiased"`` the same guarantees hold and each cell is rounded up with probability equal to
   its fractional part (:mod:`riskplan.allocation.unbiased`, seeded).

With ``objective = "detection"`` steps 3-4 are replaced: the rest goes, sample by sample, where
it most raises the expected number of strata with an unqualified sample found
(:mod:`riskplan.allocation.for_detection`); ``fractional`` is then the integer result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pandas as pd

from riskplan.allocation.floors import (
    Group,
    greedy_covering,
    lower_bound,
    requirements_table,
    solve_covering,
    top_up_shares,
    upper_bounds,
)
from riskplan.allocation.for_detection import detection_q, greedy_detection
from riskplan.allocation.rounding import controlled_round
from riskplan.allocation.unbiased import unbiased_round
from riskplan.errors import InfeasibleError, RiskplanError
from riskplan.roles import resolve_section, role_tables
from riskplan.settings.allocation import AllocationRules
from riskplan.settings.detection import DetectionRules
from riskplan.tables import STRATUM_KEY

KEY = list(STRATUM_KEY)
REQUIRED = (*KEY, "stage", "weight")

__all__ = ["Allocation", "AllocationRules", "allocate_strata", "table_margins"]


class AllocationInputError(RiskplanError, ValueError):
    """The score table or a side table given to :func:`allocate` is malformed."""


@dataclasses.dataclass
class Allocation:
    """Result of :func:`allocate`.

    Attributes
    ----------
    table
        One row per stratum present: ``township_code, business_type, category_code, stage,
        n_establishments, weight, higher_level, floor, risk_part, samples, fractional,
        cost_per_sample_yuan, cost_yuan, key_product, school``.
    quota
        The quota this plan must meet [samples] (after subtracting higher-level samples when
        they count towards it).
    total
        Samples planned [samples] (= quota unless ``budget_limited``).
    cost
        Test fees of the plan [CNY].
    floor_total
        Samples placed by the floors [samples]: coverage plus minimum-share top-ups.
    coverage_total
        Of those, the samples of the coverage covering (townships, stages, business types,
        categories) [samples]; ``floors_optimal`` is about this number.
    higher_level_total
        Samples of higher-level programmes entered [samples].
    requirements
        One row per coverage rule and group: ``rule, key, required, higher_level,
        floor_samples, met, n_strata``; ``planned`` (samples in the final plan) and ``met_plan``.
    budget_limited
        True when the budget cap cut the risk part below the quota.
    floor_method
        ``"cp-sat"`` or ``"greedy"`` (problems above ``rules.exact_limit`` strata).
    floors_optimal
        True when the coverage count is proved minimal (and, for CP-SAT, the risk preference
        optimal among minimal placements).
    rules
        The rules used.
    moves
        Samples moved because a stratum's establishments cannot supply them in the plan year
        (:func:`riskplan.allocation.fit_to_supply`): ``from_stratum, to_stratum, samples,
        reason``; empty when nothing moved or the supply was not checked.
    """

    table: pd.DataFrame
    quota: int
    total: int
    cost: float
    floor_total: int
    coverage_total: int
    higher_level_total: int
    requirements: pd.DataFrame
    budget_limited: bool
    floors_optimal: bool
    floor_method: str
    rules: AllocationRules
    moves: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(
        {"from_stratum": pd.Series(dtype="str"), "to_stratum": pd.Series(dtype="str"),
         "samples": pd.Series(dtype="int64"), "reason": pd.Series(dtype="str")}))

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        planned = int((self.table["samples"] > 0).sum())
        return (f"Allocation(total={self.total}, quota={self.quota}, strata={planned}/{len(self.table)}, "
                f"floors={self.floor_total}, cost={self.cost:,.0f} yuan)")

    def summary(self) -> str:
        """The allocation in a few lines: totals, floors, coverage and cost."""
        got = self.table[self.table["samples"] > 0]
        unmet = int((~self.requirements["met_plan"].astype(bool)).sum()) if (
            "met_plan" in self.requirements.columns) else 0
        lines = [
            f"allocation 分配: {self.total} samples (quota {self.quota}) over {len(got)} of "
            f"{len(self.table)} strata",
            f"  floors 保底: {self.floor_total} samples ({self.coverage_total} for coverage, "
            f"{self.floor_method}{', proved minimal' if self.floors_optimal else ''}), "
            + (f"for detection 按检出: {self.total - self.floor_total}" if self.rules.objective == "detection"
               else f"risk-weighted 按风险: {self.total - self.floor_total}"
               + (" (unbiased rounding)" if self.rules.rounding == "unbiased" else "")),
            f"  coverage 覆盖: townships {got['township_code'].nunique()}/"
            f"{self.table['township_code'].nunique()}, business types "
            f"{got['business_type'].nunique()}/{self.table['business_type'].nunique()}, categories "
            f"{got['category_code'].nunique()}/{self.table['category_code'].nunique()}"
            + (f"; {unmet} coverage rule(s) not met" if unmet else ""),
            f"  test fees 检验费: {self.cost:,.0f} yuan",
        ]
        if self.higher_level_total:
            lines.append(f"  higher-level samples 上级任务: {self.higher_level_total}")
        if len(self.moves):
            lines.append(f"  moved 调剂: {int(self.moves['samples'].sum())} samples out of "
                         f"{self.moves['from_stratum'].nunique()} strata their establishments cannot "
                         "supply in the year")
        if self.budget_limited:
            lines.append(f"  BUDGET LIMITED: {self.quota - self.total} samples below the quota")
        return "\n".join(lines)

    def by(self, column: str | list[str]) -> pd.DataFrame:
        """Floor, risk part, samples and cost summed by ``column`` (e.g. ``"township_code"``)."""
        cols = ["floor", "risk_part", "samples", "fractional", "cost_yuan", "higher_level"]
        return self.table.groupby(column, sort=True)[cols].sum().reset_index()


def _prepare(scores: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(scores, pd.DataFrame):
        raise AllocationInputError("scores must be a pandas DataFrame (one row per stratum)")
    missing = [c for c in REQUIRED if c not in scores.columns]
    if missing:
        raise AllocationInputError(f"scores: missing column(s) {', '.join(missing)}")
    df = scores.copy()
    for c in (*KEY, "stage"):
        df[c] = df[c].astype(str)
    if df.duplicated(KEY).any():
        dup = df.loc[df.duplicated(KEY), KEY].iloc[0].tolist()
        raise AllocationInputError(f"scores: stratum {'|'.join(dup)} appears more than once")
    w = pd.to_numeric(df["weight"], errors="coerce")
    if w.isna().any() or not np.isfinite(w.to_numpy()).all() or (w < 0).any():
        raise AllocationInputError("scores: column weight must be finite and >= 0")
    df["weight"] = w.astype(float)
    if "n_establishments" in df.columns:
        df["n_establishments"] = pd.to_numeric(df["n_establishments"], errors="coerce").fillna(0).astype(int)
    else:
        df["n_establishments"] = 1
    # one canonical row order: the rounding's min-cost flow breaks ties by arc order, so the
    # result would otherwise depend on how the input rows happen to be ordered
    return df.sort_values(KEY, kind="stable").reset_index(drop=True)


def _higher_level(higher: pd.DataFrame | None, strata: pd.DataFrame) -> pd.DataFrame:
    if higher is None or len(higher) == 0:
        return pd.DataFrame({**{c: pd.Series(dtype=str) for c in KEY}, "samples": pd.Series(dtype=int)})
    missing = [c for c in (*KEY, "samples") if c not in higher.columns]
    if missing:
        raise AllocationInputError(f"higher_level: missing column(s) {', '.join(missing)}")
    h = higher[[*KEY, "samples"]].copy()
    for c in KEY:
        h[c] = h[c].astype(str)
    s = pd.to_numeric(h["samples"], errors="coerce")
    if s.isna().any() or (s < 0).any() or (s != s.round()).any():
        raise AllocationInputError("higher_level: column samples must hold whole numbers >= 0")
    h["samples"] = s.astype(int)
    return h.groupby(KEY, as_index=False)["samples"].sum()


def _groups(
    strata: pd.DataFrame, higher: pd.DataFrame, rules: AllocationRules, quota_gross: int
) -> list[Group]:
    """Every coverage group with its members (positions in ``strata``) and higher-level count."""
    bt_stage = strata[["business_type", "stage"]].drop_duplicates("business_type")
    stage_of = dict(zip(bt_stage["business_type"], bt_stage["stage"]))
    h = higher.copy()
    h["stage"] = h["business_type"].map(stage_of)
    key_cats = set(rules.key_category_codes)
    school = set(rules.school_business_types)
    groups: list[Group] = []

    def add(rule: str, column: str, required_of: Callable[[str], int]) -> None:
        codes, uniques = pd.factorize(strata[column], sort=True)
        hl = h.groupby(column)["samples"].sum() if len(h) else pd.Series(dtype=int)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        for j, key in enumerate(uniques):
            members = order[bounds[j] : bounds[j + 1]]
            groups.append(Group(rule, str(key), members, int(required_of(key)), int(hl.get(key, 0))))

    add("township", "township_code", lambda t: rules.township_min_overrides.get(t, rules.township_min))
    add("stage", "stage", lambda s: rules.stage_min)
    add("business_type", "business_type", lambda b: rules.business_type_min)
    add("category", "category_code", lambda c: rules.category_min)
    # minimum shares are of the gross quota (the programme's whole volume)
    key_members = np.flatnonzero(strata["category_code"].isin(key_cats).to_numpy())
    if rules.key_min_share > 0 and key_members.size:
        req = int(np.ceil(rules.key_min_share * quota_gross - 1e-9))
        hl = int(h.loc[h["category_code"].isin(key_cats), "samples"].sum())
        groups.append(Group("key_products", "key agricultural products", key_members, req, hl, share=True))
    school_members = np.flatnonzero(strata["business_type"].isin(school).to_numpy())
    if rules.school_min_share > 0 and school_members.size:
        req = int(np.ceil(rules.school_min_share * quota_gross - 1e-9))
        hl = int(h.loc[h["business_type"].isin(school), "samples"].sum())
        groups.append(Group("school", "school canteens", school_members, req, hl, share=True))
    return groups


def _costs(strata: pd.DataFrame, categories: pd.DataFrame | None, rules: AllocationRules) -> np.ndarray:
    if categories is None or "cost_yuan" not in getattr(categories, "columns", []):
        return np.full(len(strata), float(rules.default_cost_yuan))
    cost = pd.to_numeric(categories["cost_yuan"], errors="coerce")
    by_code = dict(zip(categories["category_code"].astype(str), cost))
    c = strata["category_code"].map(by_code).astype(float).fillna(rules.default_cost_yuan)
    return c.to_numpy()


def table_margins(
    strata: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """The two-way table the allocation is rounded in: ``rows, cols, row_parents, col_parents``.

    Rows are township x category inside township; columns are stratum (business type x
    category) inside business type inside stage. Both sides are nested, so every one of these
    totals stays within one of its fractional value (see :mod:`riskplan.allocation.rounding`).
    """
    rows, row_keys = pd.factorize(strata["township_code"] + "|" + strata["category_code"])
    row_town, _ = pd.factorize(pd.Series(row_keys).str.split("|").str[0])
    cols, col_keys = pd.factorize(strata["business_type"] + "|" + strata["category_code"])
    col_bt, bt_keys = pd.factorize(pd.Series(col_keys).str.split("|").str[0])
    stage_of_bt = strata.drop_duplicates("business_type").set_index("business_type")["stage"]
    bt_stage, _ = pd.factorize(stage_of_bt.reindex(bt_keys).to_numpy())
    return rows, cols, [row_town], [col_bt, bt_stage]


def allocate_strata(
    scores: pd.DataFrame,
    quota: int,
    rules: AllocationRules | None = None,
    *,
    categories: pd.DataFrame | None = None,
    higher_level: pd.DataFrame | None = None,
    count_higher_level: bool = False,
    business_types: pd.DataFrame | None = None,
    detection: DetectionRules | None = None,
    seed: int = 0,
) -> Allocation:
    """Allocate ``quota`` samples to the strata of ``scores`` (without ``rules.fixed``).

    :func:`riskplan.allocation.allocate` is this plus the fixed numbers of ``rules.fixed``.

    Parameters
    ----------
    scores
        Risk scores, one row per stratum: ``township_code, business_type, category_code, stage,
        weight`` (>= 0) and ideally ``n_establishments`` (strata with 0 get nothing).
    quota
        Annual samples of this programme [samples], e.g. from :func:`annual_quota`.
    rules
        Allocation rules; default :class:`AllocationRules()`.
    categories
        The category table, for ``cost_yuan`` per sample [CNY]; None uses
        ``rules.default_cost_yuan``.
    higher_level
        Samples national / provincial / city programmes already take in the district:
        ``township_code, business_type, category_code, samples``. They count towards coverage,
        and towards the quota when ``count_higher_level`` (``QuotaRules.count_higher_level``).
    count_higher_level
        Subtract the higher-level samples from ``quota`` (pass the gross quota then; do not also
        subtract them with :meth:`QuotaRules.quota`).
    business_types
        The business-type table: with it (and ``categories``) the rules may name roles
        (``school canteen``, ``key product``); without it they must name codes.
    detection
        Design prevalence and test sensitivities, for ``rules.objective = "detection"`` (which
        also needs the posterior rate ``rate_mean`` in ``scores``); default
        :class:`DetectionRules()`.
    seed
        Seed of ``rules.rounding = "unbiased"`` [-]; unused otherwise.

    Returns
    -------
    Allocation

    Raises
    ------
    InfeasibleError
        When the floors alone need more samples than the quota (the message gives both numbers)
        or cost more than ``rules.budget_yuan``.
    AllocationInputError
        For a malformed score or higher-level table.
    """
    rules = AllocationRules() if rules is None else rules
    if business_types is not None or categories is not None:
        rules = resolve_section("allocation", rules, role_tables(business_types, categories))
    if isinstance(quota, bool) or int(quota) != quota or quota < 0:
        raise AllocationInputError(f"quota must be a whole number >= 0, got {quota!r}")
    quota_gross = int(quota)
    df = _prepare(scores)
    present = df["n_establishments"].to_numpy() > 0
    absent = df.loc[~present].copy()
    strata = df.loc[present].reset_index(drop=True)
    higher = _higher_level(higher_level, strata)
    higher_total = int(higher["samples"].sum())
    quota_net = max(0, quota_gross - higher_total) if count_higher_level else quota_gross
    if strata.empty and quota_net > 0:
        raise InfeasibleError(
            f"no stratum has an establishment: the quota of {quota_net} samples cannot be placed"
        )

    weight = strata["weight"].to_numpy(dtype=float)
    n_est = strata["n_establishments"].to_numpy()
    groups = _groups(strata, higher, rules, quota_gross)
    upper = upper_bounds(strata, groups)
    hint = greedy_covering(strata, groups, weight, upper)
    if len(strata) > rules.exact_limit:
        y, optimal = hint, int(hint.sum()) == lower_bound(groups)
    else:
        y, optimal = solve_covering(
            len(strata), groups, weight, upper, hint, time_limit_s=rules.floor_time_limit_s
        )
    coverage_total = int(y.sum())
    y = top_up_shares(y, groups, weight, n_est)
    floor_total = int(y.sum())
    if floor_total > quota_net:
        raise InfeasibleError(
            f"the coverage floors need {floor_total} samples but the quota has only {quota_net} "
            f"(gross quota {quota_gross}"
            + (f", less {higher_total} higher-level samples" if count_higher_level else "")
            + "); lower the minimums (allocation.township_min, ...) or raise quota.rate_per_1000 / "
            f"覆盖底线需要 {floor_total} 份样品，任务量只有 {quota_net} 份"
        )
    cost_per = _costs(strata, categories, rules)
    floor_cost = float((y * cost_per).sum())
    budget = rules.budget_yuan
    if budget is not None and floor_cost > budget + 1e-9:
        raise InfeasibleError(
            f"the coverage floors alone ({floor_total} samples) cost {floor_cost:,.0f} yuan, more "
            f"than the budget of {budget:,.0f} yuan (allocation.budget_yuan) / "
            f"覆盖底线的检测费 {floor_cost:,.0f} 元超过预算 {budget:,.0f} 元"
        )

    # the rest in proportion to risk (establishment counts if every weight is zero)
    share = weight if weight.sum() > 0 else n_est.astype(float)
    share = share / share.sum() if share.sum() > 0 else np.zeros(len(strata))
    rest = quota_net - floor_total
    if budget is not None and rest > 0:
        avg = float((share * cost_per).sum())
        if avg > 0:
            rest = min(rest, int(np.floor((budget - floor_cost) / avg + 1e-9)))

    rows, cols, row_parents, col_parents = table_margins(strata)
    pref = weight / weight.max() if weight.size and weight.max() > 0 else None
    q = None
    if rules.objective == "detection":  # chance that one sample is found unqualified, r Se
        q = detection_q(strata, detection)

    def place(rest: int) -> tuple[np.ndarray, np.ndarray]:
        """Samples per stratum with ``rest`` above the floors, and the fractional table."""
        if q is not None:  # integers straight away: nothing to round
            n = greedy_detection(q, y, rest)
            return n, n.astype(float)
        frac = y + rest * share
        if rules.rounding == "unbiased":
            return unbiased_round(rows, cols, frac, seed, row_parents=row_parents,
                                  col_parents=col_parents), frac
        return controlled_round(rows, cols, frac, up_preference=pref, row_parents=row_parents,
                                col_parents=col_parents), frac

    budget_limited = rest < quota_net - floor_total
    full_cost = None
    if budget_limited:  # what the whole quota would cost, for the error or the summary
        full_cost = float((place(quota_net - floor_total)[0] * cost_per).sum())
    while True:
        samples, frac = place(rest)
        cost = float((samples * cost_per).sum())
        if budget is None or cost <= budget + 1e-9 or rest == 0:
            break
        over = cost - budget
        rest = max(0, rest - max(1, int(np.ceil(over / max(cost_per.max(), 1e-9)))))
        budget_limited = True
    if budget_limited and budget is not None and not rules.allow_below_quota:
        if full_cost is None:
            full_cost = float((place(quota_net - floor_total)[0] * cost_per).sum())
        short = quota_net - int(samples.sum())
        raise InfeasibleError(
            f"the budget of {budget:,.0f} yuan (allocation.budget_yuan) is {full_cost - budget:,.0f} "
            f"yuan short of the {full_cost:,.0f} yuan the quota of {quota_net} samples costs: it "
            f"pays for {int(samples.sum())} samples, {short} below the quota; raise the budget or "
            "set allocation.allow_below_quota = true / "
            f"预算 {budget:,.0f} 元比任务量 {quota_net} 份所需检验费 {full_cost:,.0f} 元少 "
            f"{full_cost - budget:,.0f} 元，只够 {int(samples.sum())} 份，比任务量少 {short} 份"
        )

    table = strata.copy()
    hl = table[KEY].merge(higher, on=KEY, how="left")["samples"].fillna(0).astype(int).to_numpy()
    table["higher_level"] = hl
    table["floor"] = y.astype(int)
    table["risk_part"] = (samples - y).astype(int)
    table["samples"] = samples.astype(int)
    table["fractional"] = frac
    table["cost_per_sample_yuan"] = cost_per
    table["cost_yuan"] = samples * cost_per
    table["key_product"] = table["category_code"].isin(set(rules.key_category_codes))
    table["school"] = table["business_type"].isin(set(rules.school_business_types))
    if len(absent):
        absent = absent.assign(
            higher_level=0, floor=0, risk_part=0, samples=0, fractional=0.0,
            cost_per_sample_yuan=_costs(absent, categories, rules), cost_yuan=0.0,
            key_product=absent["category_code"].isin(set(rules.key_category_codes)),
            school=absent["business_type"].isin(set(rules.school_business_types)),
        )
        table = pd.concat([table, absent], ignore_index=True)
    front = [*KEY, "stage", "n_establishments", "weight", "higher_level", "floor", "risk_part",
             "samples", "fractional", "cost_per_sample_yuan", "cost_yuan", "key_product", "school"]
    table = table[front + [c for c in table.columns if c not in front]]
    total = int(samples.sum())
    table.attrs.update(quota=quota_net, total=total, cost=cost)

    req = requirements_table(groups, y)
    planned = [int(samples[g.members].sum()) for g in groups]
    req["planned"] = planned
    req["met_plan"] = req["planned"] + req["higher_level"] >= req["required"]
    return Allocation(
        table=table,
        quota=quota_net,
        total=total,
        cost=cost,
        floor_total=floor_total,
        coverage_total=coverage_total,
        higher_level_total=higher_total,
        requirements=req,
        budget_limited=budget_limited,
        floors_optimal=optimal,
        floor_method="greedy" if len(strata) > rules.exact_limit else "cp-sat",
        rules=rules,
    )
