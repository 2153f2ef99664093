"""A dataset and a configuration made ready for the stages: roles applied, checked, resolved, filtered.

:func:`prepare` is what the pipeline, the re-plan and the front door do first: the
configuration's ``[roles]`` replace the data's for the codes it lists, every code, role and name
is checked (all errors at once), every rule is turned into the dataset's codes
(:meth:`Config.resolve`), and ``allocation.exclude`` leaves townships, business types and
categories out of the dataset (:func:`riskplan.subset.exclude`). What does nothing is said once,
in :attr:`Prepared.warnings`.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from riskplan.config import Config
from riskplan.configure.check import check_config
from riskplan.dataset import Dataset
from riskplan.roles import has_declared_roles, with_roles
from riskplan.subset import exclude, excluded_summary

__all__ = ["Prepared", "prepare", "rule_warnings"]


@dataclasses.dataclass
class Prepared:
    """Result of :func:`prepare`.

    Attributes
    ----------
    dataset
        The dataset with the configuration's roles and exclusions applied.
    config
        The configuration naming the dataset's codes only (what the stages use).
    problems
        Warnings and notes of the check (rules that match nothing), see
        :func:`riskplan.configure.check_config`.
    warnings
        The sentences to show a person once (empty when all rules match).
    """

    dataset: Dataset
    config: Config
    problems: pd.DataFrame
    warnings: list[str]


def rule_warnings(problems: pd.DataFrame, dataset: Dataset) -> list[str]:
    """The warnings of a check in a few sentences (rules that match nothing, said once)."""
    warn = problems[problems["level"] == "warning"]
    if not len(warn):
        return []
    if not has_declared_roles(dataset):
        return [f"the dataset declares no roles (business_types.roles, categories.roles): "
                f"{len(warn)} rule(s) about school canteens, markets, online sellers, seasons ... "
                "match nothing; `riskplan init --data DIR` proposes roles from the names, or name "
                "codes in the configuration"]
    items = "; ".join(f"{r.key} ({r.problem.split(': ', 1)[-1]})" for r in warn.itertuples())
    return [f"{len(warn)} rule(s) match nothing in this dataset: {items}. "
            "`riskplan config --check FILE --data DIR` lists them"]


def prepare(dataset: Dataset, config: Config | None = None) -> Prepared:
    """Apply the configuration's roles, check it, resolve it and apply its exclusions.

    Raises
    ------
    ConfigCheckError
        Listing every unknown code, role or name of the configuration at once.
    RiskplanError
        When the exclusions leave nothing to plan.
    """
    config = config or Config()
    ds = with_roles(dataset, config.roles.business_types, config.roles.categories)
    report = check_config(config, ds)
    report.raise_errors()
    resolved = config.resolve(ds)
    ex = resolved.allocation.exclude
    ds = exclude(ds, townships=ex.get("townships", ()), business_types=ex.get("business_types", ()),
                 categories=ex.get("categories", ()))
    problems = report.problems.reset_index(drop=True)
    warnings = rule_warnings(problems, ds)
    if excluded_summary(ds):
        warnings.append(excluded_summary(ds))
    return Prepared(ds, resolved, problems, warnings)
