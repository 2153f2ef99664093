"""Exceptions raised by riskplan.

Every error that a user can cause with bad input or configuration is a subclass of
:class:`RiskplanError`, so the command line can print it without a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class RiskplanError(Exception):
    """Base class of every error riskplan raises on purpose."""


class ValidationError(RiskplanError):
    """Input tables failed validation.

    Parameters
    ----------
    problems
        One row per problem, with columns ``file``, ``row`` (1-based data row, header not
        counted; empty for table-level problems), ``column``, ``value``, ``message_en`` and
        ``message_zh``.
    """

    def __init__(self, problems: pd.DataFrame) -> None:
        self.problems = problems
        n = len(problems)
        lines = [f"{n} problem(s) in the input data / 输入数据有 {n} 处问题:"]
        for rec in problems.head(20).itertuples(index=False):
            where = f"{rec.file}"
            if rec.row not in (None, "") and rec.row == rec.row:  # not NaN
                where += f", row {rec.row}"
            if rec.column:
                where += f", column {rec.column}"
            value = f" (value {rec.value!r})" if rec.value not in (None, "") else ""
            lines.append(f"  {where}: {rec.message_en}{value} / {rec.message_zh}")
        if n > 20:
            lines.append(f"  ... and {n - 20} more")
        super().__init__("\n".join(lines))


class ConfigError(RiskplanError):
    """A configuration value is unknown, of the wrong type or out of range.

    The message always names the offending key, e.g. ``risk.half_life_years``.
    """

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"configuration key '{key}': {message}")


class InfeasibleError(RiskplanError):
    """A plan cannot satisfy its rules, e.g. coverage floors need more samples than the quota."""


class ConfigCheckError(ConfigError):
    """A configuration has problems, all found at once.

    Parameters
    ----------
    problems
        One row per problem: ``key``, ``value``, ``level`` (``error``, ``warning``, ``info``),
        ``problem``, ``dataset_has``, ``close_match``; the message lists the errors.
    where
        What was checked, e.g. ``"my.toml against tests/districts/yunling"``.
    """

    def __init__(self, problems: pd.DataFrame, where: str = "the configuration") -> None:
        self.problems = problems
        errors = problems[problems["level"] == "error"] if len(problems) else problems
        self.key = str(errors["key"].iloc[0]) if len(errors) else ""
        n = len(errors)
        lines = [f"{n} problem(s) in {where} / 配置有 {n} 处错误:"]
        for rec in errors.itertuples(index=False):
            value = f" = {rec.value}" if rec.value != "" else ""
            text = f"  key '{rec.key}'{value}: {rec.problem}"
            if rec.dataset_has:
                text += f" (dataset has {rec.dataset_has})"
            if rec.close_match:
                text += f"; did you mean {rec.close_match!r}?"
            lines.append(text)
        RiskplanError.__init__(self, "\n".join(lines))
