"""Consistency of the follow-up stages recorded on results and history rows (issue 14).

The stage columns (``result_received_date``, ``notified_date``, ``retest``, ``case_filed_date``,
``case_closed_date``) are optional; see :mod:`riskplan.monitoring.followup` for what they mean.
Used by the dataset validation and by the monitoring stage's results check alike.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["stage_problems"]

_AFTER: tuple[tuple[str, str, str, str], ...] = (
    ("result_received_date", "sample_date", "result received before the sample date",
     "检验结论送达日期早于抽样日期"),
    ("notified_date", "result_received_date", "business notified before the result was received",
     "告知日期早于检验结论送达日期"),
    ("case_filed_date", "sample_date", "case filed before the sample date", "立案日期早于抽样日期"),
    ("case_closed_date", "case_filed_date", "case closed before it was filed", "结案日期早于立案日期"),
    ("followup_date", "result_received_date", "follow-up completed before the result was received",
     "核查处置完成日期早于检验结论送达日期"),
)
_FAIL_ONLY = ("notified_date", "retest", "case_filed_date", "case_closed_date")


def _dates(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    return pd.to_datetime(df[col], errors="coerce")


def _given(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df:
        return pd.Series(False, index=df.index)
    s = df[col]
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.notna()
    return s.astype("string").fillna("").str.strip() != ""


def stage_problems(df: pd.DataFrame) -> list[tuple[int, str, str, str, str]]:
    """Rows whose follow-up stages contradict each other or the result.

    Parameters
    ----------
    df
        Results or history rows with ``sample_date`` and ``result`` (``pass``/``fail``) and any
        of the stage columns; dates typed or ISO text.

    Returns
    -------
    ``(position, column, value, message_en, message_zh)`` per problem, ``position`` 0-based in
    ``df``.
    """
    d = df.reset_index(drop=True)
    out: list[tuple[int, str, str, str, str]] = []
    for late, early, en, zh in _AFTER:
        a, b = _dates(d, late), _dates(d, early)
        for i in (a < b).to_numpy().nonzero()[0]:
            out.append((int(i), late, str(a.iloc[i].date()), en, zh))
    closed, filed = _given(d, "case_closed_date"), _given(d, "case_filed_date")
    for i in (closed & ~filed).to_numpy().nonzero()[0]:
        out.append((int(i), "case_closed_date", str(d["case_closed_date"].iloc[i]),
                    "case closed but never filed (no case_filed_date)", "有结案日期但无立案日期"))
    passed = (d["result"].astype("string") == "pass").fillna(False)
    for col in _FAIL_ONLY:
        for i in (passed & _given(d, col)).to_numpy().nonzero()[0]:
            out.append((int(i), col, str(d[col].iloc[i]),
                        "a passing sample has no follow-up stage", "合格样品不应有核查处置环节"))
    return sorted(out)
