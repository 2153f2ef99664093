"""Checks of the roles, local seasons and creation targets a dataset declares."""

from __future__ import annotations

import pandas as pd

from riskplan.dataset import Dataset
from riskplan.roles import BUSINESS_ROLES, CATEGORY_ROLES, VULNERABLE_ROLE, season_problems
from riskplan.tables import split_list
from riskplan.validation.report import Reporter

__all__ = ["check_roles", "check_targets"]


def check_roles(ds: Dataset, rep: Reporter) -> None:
    """Roles outside the documented lists (warnings) and malformed ``local_seasons`` (errors).

    A role outside the lists is only a warning: a configuration may name it, but a typo would
    make every rule about it match nothing.
    """
    for table, documented in (("business_types", BUSINESS_ROLES), ("categories", CATEGORY_ROLES)):
        df = getattr(ds, table).reset_index(drop=True)
        if "roles" not in df.columns:
            continue
        for pos, roles in enumerate(split_list(df["roles"])):
            for role in roles:
                low = role.strip().lower()
                if low not in documented and low != VULNERABLE_ROLE:
                    rep(table, pos, "roles", role,
                        f"{role!r} is not a documented role (known: {', '.join(documented)}); a "
                        "configuration may still name it",
                        f"“{role}”不是文档列出的角色；配置中仍可引用", "warning")
    cats = ds.categories.reset_index(drop=True)
    for pos, cell, what in season_problems(cats):
        rep("categories", pos, "local_seasons", cell, f"local season: {what}",
            f"本地时令格式应为“名称:月份”，如 杨梅 bayberry:6（{what}）")


def check_targets(ds: Dataset, rep: Reporter) -> None:
    """Actual values of targets the dataset's creation targets do not have (a warning)."""
    targets = getattr(ds, "creation_targets", None)
    actuals = ds.target_actuals.reset_index(drop=True)
    if targets is None or not len(actuals):
        return
    if not len(targets):
        rep("target_actuals", None, "target_id", "",
            "actual values without creation targets (creation_targets.csv): there is no scorecard",
            "有实际值但没有创建目标表（creation_targets.csv），不评分", "warning")
        return
    known = set(targets["target_id"].dropna().astype(str))
    for pos, tid in enumerate(actuals["target_id"]):
        if isinstance(tid, str) and not pd.isna(tid) and tid not in known:
            rep("target_actuals", pos, "target_id", tid,
                "unknown target (not in creation_targets)", "目标编号不存在（creation_targets 中没有）",
                "warning")
