"""Read and validate the year's sampling results against the dataset and the plan.

Hard problems (missing columns, empty or duplicate sample IDs, unreadable dates, results other
than pass/fail, impossible follow-up records) raise :class:`~riskplan.errors.ValidationError` with
file, row and column. Results that are well-formed but fall outside the plan (unknown
establishment or category, a stratum the plan does not have, a date outside the plan year) are kept
and *reported* in :attr:`IngestResult.unmatched`; nothing is dropped.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pandas as pd

from riskplan._problems import Problems
from riskplan.errors import RiskplanError, ValidationError
from riskplan.io import read_table
from riskplan.io.aliases import VALUE_ALIASES
from riskplan.schema import RETEST_OUTCOMES
from riskplan.tables import STRATUM_KEY, DateLike
from riskplan.validation.stages import stage_problems

KEY = list(STRATUM_KEY)
REQUIRED = ["sample_id", "sample_date", "establishment_id", "category_code", "result"]
OPTIONAL = ["hazard", "followup_status", "followup_date", "programme", "result_received_date",
            "notified_date", "retest", "case_filed_date", "case_closed_date"]
STAGE_DATES = ["result_received_date", "notified_date", "case_filed_date", "case_closed_date"]
FOLLOWUP = {"done", "pending", "not_required"}
_BOOL_RESULT = {"pass": "pass", "fail": "fail", "合格": "pass", "不合格": "fail"}


@dataclasses.dataclass
class IngestResult:
    """Validated results.

    Attributes
    ----------
    results
        Every input row, in input order, with the standard columns, ``row`` (1-based data row
        of the file), ``township_code``, ``business_type``, ``stage`` (from the establishment; empty
        when unknown), ``month`` (1-12), ``known`` (establishment and category known) and
        ``in_plan`` (bool: the row counts against the plan).
    unmatched
        One row per reported result: ``file``, ``row``, ``sample_id``, ``column``, ``value``,
        ``reason_en``, ``reason_zh``.
    """

    results: pd.DataFrame
    unmatched: pd.DataFrame

    @property
    def matched(self) -> pd.DataFrame:
        """The rows that count against the plan."""
        return self.results[self.results["in_plan"]]


def read_results(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a results file the way ``riskplan validate`` does (:func:`riskplan.io.read_table`).

    CSV in UTF-8, UTF-8 with BOM or GBK/GB18030, or XLSX; Chinese headers (样品编号, 抽样日期,
    检验结论, ...) and values (合格/不合格) are mapped to the standard ones. A missing or empty
    ``followup_status`` is allowed here (:func:`validate_results` derives it from the result).

    Raises
    ------
    RiskplanError
        When the file does not exist.
    ValidationError
        For an unreadable, empty or malformed file (every problem with file, row and column).
    """
    path = Path(path)
    if not path.is_file():
        raise RiskplanError(f"results file not found: {path} / 结果文件不存在")
    problems = Problems()
    df = read_table(path, "results", problems)
    found = problems.to_frame()
    # validate_results defaults an absent follow-up status (pass -> not_required, fail -> pending)
    lenient = (found["column"] == "followup_status") & (found["value"] == "") & (
        found["message_en"].str.startswith("required column") | (found["message_en"] == "value is missing"))
    errors = found[(found["level"] == "error") & ~lenient]
    if len(errors):
        raise ValidationError(errors.reset_index(drop=True))
    return df


def _problem(file: str, row: int | str, column: str, value: object, en: str, zh: str) -> dict[str, object]:
    return {"file": file, "row": row, "column": column, "value": value,
            "message_en": en, "message_zh": zh}


def _cell(value: object) -> str:
    """A reported value as text (dates as YYYY-MM-DD)."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _dates(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    txt = s.astype("string").str.strip().replace("", pd.NA)
    return pd.to_datetime(txt, errors="coerce", format="mixed")


def validate_results(
    results: pd.DataFrame,
    establishments: pd.DataFrame,
    categories: pd.DataFrame | None = None,
    plan_strata: pd.DataFrame | None = None,
    plan_year: int | None = None,
    file: str = "results.csv",
    as_of: DateLike | None = None,
) -> IngestResult:
    """Validate results and join each to its stratum.

    Parameters
    ----------
    results
        Raw results table (contract columns of ``history``), text or typed.
    establishments
        The register (``establishment_id``, ``township_code``, ``business_type``, ``stage``).
    categories
        Category table (``category_code``); None skips the category check.
    plan_strata
        The plan's strata (key columns, e.g. the allocation table); None skips that check.
    plan_year
        Results dated outside this year are reported; None skips the check.
    file
        Name used in messages.
    as_of
        Date of the assessment: results dated after it are reported (and not counted against
        the plan); None skips the check.

    Raises
    ------
    ValidationError
        For malformed rows (the ``problems`` table lists them all).
    """
    problems: list[dict] = []
    missing = [c for c in REQUIRED if c not in results.columns]
    if missing:
        for c in missing:
            problems.append(_problem(file, "", c, "", "required column is missing",
                                     "缺少必需的列"))
        raise ValidationError(pd.DataFrame(problems))
    df = results.copy().reset_index(drop=True)
    for c in OPTIONAL:
        if c not in df.columns:
            df[c] = ""
    df.insert(0, "row", np.arange(1, len(df) + 1))
    for c in ["sample_id", "establishment_id", "category_code", "result", "hazard",
              "followup_status", "programme", "retest"]:
        df[c] = df[c].astype("string").fillna("").str.strip()
    rows = df["row"].to_numpy()

    ids = df["sample_id"]
    for i in np.flatnonzero((ids == "").to_numpy()):
        problems.append(_problem(file, rows[i], "sample_id", "", "empty sample ID", "样品编号为空"))
    dup = ids.duplicated(keep="first") & (ids != "")
    for i in np.flatnonzero(dup.to_numpy()):
        problems.append(_problem(file, rows[i], "sample_id", ids.iloc[i],
                                 "duplicate sample ID", "样品编号重复"))
    for c in ["establishment_id", "category_code"]:
        for i in np.flatnonzero((df[c] == "").to_numpy()):
            problems.append(_problem(file, rows[i], c, "", "empty value", "值为空"))

    res = df["result"].str.lower().map(lambda v: _BOOL_RESULT.get(v, _BOOL_RESULT.get(v.strip(), None)))
    for i in np.flatnonzero(res.isna().to_numpy()):
        problems.append(_problem(file, rows[i], "result", df["result"].iloc[i],
                                 "result must be pass or fail", "检验结论须为 pass(合格) 或 fail(不合格)"))
    df["result"] = res.fillna(df["result"])

    sd = _dates(df["sample_date"])
    for i in np.flatnonzero(sd.isna().to_numpy()):
        problems.append(_problem(file, rows[i], "sample_date", str(df["sample_date"].iloc[i]),
                                 "not a date (YYYY-MM-DD)", "日期格式错误 (YYYY-MM-DD)"))
    fd = _dates(df["followup_date"])
    raw_fd = df["followup_date"].astype("string").fillna("").str.strip()
    for i in np.flatnonzero((fd.isna() & (raw_fd != "")).to_numpy()):
        problems.append(_problem(file, rows[i], "followup_date", raw_fd.iloc[i],
                                 "not a date (YYYY-MM-DD)", "日期格式错误 (YYYY-MM-DD)"))
    df["sample_date"], df["followup_date"] = sd, fd
    for c in STAGE_DATES:
        raw = df[c].astype("string").fillna("").str.strip()
        typed = _dates(df[c])
        for i in np.flatnonzero((typed.isna() & (raw != "") & (raw != "NaT")).to_numpy()):
            problems.append(_problem(file, rows[i], c, raw.iloc[i], "not a date (YYYY-MM-DD)",
                                     "日期格式错误 (YYYY-MM-DD)"))
        df[c] = typed
    rt = df["retest"].map(lambda v: VALUE_ALIASES["retest"].get(v, v.lower()))
    for i in np.flatnonzero((~rt.isin(("", *RETEST_OUTCOMES))).to_numpy()):
        problems.append(_problem(file, rows[i], "retest", df["retest"].iloc[i],
                                 f"must be empty or one of {', '.join(RETEST_OUTCOMES)}",
                                 "复检须为空或 requested(复检中)/upheld(维持)/overturned(复检合格)"))
    df["retest"] = rt.astype("string")

    fs = df["followup_status"].str.lower()
    fs = fs.where(fs != "", pd.Series(np.where(df["result"] == "pass", "not_required", "pending"),
                                      index=df.index))
    for i in np.flatnonzero((~fs.isin(FOLLOWUP)).to_numpy()):
        problems.append(_problem(file, rows[i], "followup_status", df["followup_status"].iloc[i],
                                 "must be done, pending or not_required",
                                 "核查处置状态须为 done/pending/not_required"))
    df["followup_status"] = fs
    bad = (df["result"] == "fail") & (fs == "not_required")
    for i in np.flatnonzero(bad.to_numpy()):
        problems.append(_problem(file, rows[i], "followup_status", "not_required",
                                 "an unqualified sample needs a follow-up (done or pending)",
                                 "不合格样品必须核查处置"))
    bad = (fs == "done") & fd.isna() & (raw_fd == "")
    for i in np.flatnonzero(bad.to_numpy()):
        problems.append(_problem(file, rows[i], "followup_date", "",
                                 "follow-up is done but has no date", "核查处置已完成但无日期"))
    bad = fd.notna() & sd.notna() & (fd < sd)
    for i in np.flatnonzero(bad.to_numpy()):
        problems.append(_problem(file, rows[i], "followup_date", str(fd.iloc[i].date()),
                                 "follow-up before the sample date", "核查处置日期早于抽样日期"))
    for pos, col, value, en, zh in stage_problems(df.assign(result=df["result"].astype(str))):
        problems.append(_problem(file, rows[pos], col, value, en, zh))
    if problems:
        raise ValidationError(pd.DataFrame(problems).sort_values(["row"], kind="stable",
                                                                 key=lambda s: pd.to_numeric(s, errors="coerce")))

    # --- join to the register and check against the plan: report, never drop
    est = establishments[["establishment_id", "township_code", "business_type", "stage"]].copy()
    est["establishment_id"] = est["establishment_id"].astype("string")
    df = df.merge(est, on="establishment_id", how="left", validate="many_to_one")
    for c in ["township_code", "business_type", "stage"]:
        df[c] = df[c].astype("string").fillna("")
    df["month"] = df["sample_date"].dt.month.astype(int)
    unmatched: list[dict] = []

    def report(mask: pd.Series, column: str, en: str, zh: str) -> None:
        for i in np.flatnonzero(mask.to_numpy()):
            unmatched.append({"file": file, "row": int(df["row"].iloc[i]),
                              "sample_id": df["sample_id"].iloc[i], "column": column,
                              "value": _cell(df[column].iloc[i]) if column in df else "",
                              "reason_en": en, "reason_zh": zh})

    in_plan = pd.Series(True, index=df.index)
    unknown_est = df["township_code"] == ""
    report(unknown_est, "establishment_id", "establishment not in the register", "经营主体不在名录中")
    in_plan &= ~unknown_est
    unknown_cat = pd.Series(False, index=df.index)
    if categories is not None:
        unknown_cat = ~df["category_code"].isin(set(categories["category_code"].astype(str)))
        report(unknown_cat, "category_code", "food category unknown", "食品类别未知")
        in_plan &= ~unknown_cat
    if plan_strata is not None:
        keys = set(map(tuple, plan_strata[KEY].astype(str).to_numpy()))
        has = pd.Series([tuple(r) in keys for r in df[KEY].to_numpy()], index=df.index)
        not_in = ~has & in_plan
        report(not_in, "category_code", "stratum (township, business type, category) not in the plan",
               "该层（镇街×业态×类别）不在计划中")
        in_plan &= has
    if plan_year is not None:
        off = df["sample_date"].dt.year != plan_year
        report(off, "sample_date", f"sample date outside plan year {plan_year}",
               f"抽样日期不在计划年度 {plan_year}")
        in_plan &= ~off
    else:
        off = pd.Series(False, index=df.index)
    if as_of is not None:
        as_of_ts = as_date(as_of)
        after = (df["sample_date"] > as_of_ts) & ~off
        report(after, "sample_date", f"sample date after the assessment date {as_of_ts.date()}",
               f"抽样日期晚于评估日期 {as_of_ts.date()}")
        in_plan &= ~after
    df["known"] = ~unknown_est & (~unknown_cat if categories is not None else True)
    df["in_plan"] = in_plan.astype(bool)
    cols = ["file", "row", "sample_id", "column", "value", "reason_en", "reason_zh"]
    return IngestResult(df, pd.DataFrame(unmatched, columns=cols))


def as_date(value: DateLike) -> pd.Timestamp:
    """A date-like value as a normalised Timestamp.

    Raises
    ------
    RiskplanError
        When ``value`` is not a date.
    """
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = pd.NaT
    if ts is pd.NaT:
        raise RiskplanError(f"not a date (YYYY-MM-DD): {value!r} / 日期格式错误")
    return ts.normalize()


def check_as_of(as_of: DateLike, plan_year: int | None) -> pd.Timestamp:
    """The assessment date as a Timestamp, checked to lie in the plan year.

    Raises
    ------
    RiskplanError
        When ``as_of`` is not a date or falls outside ``plan_year`` (None skips the year check).
    """
    ts = as_date(as_of)
    if plan_year is not None and ts.year != int(plan_year):
        raise RiskplanError(
            f"the as-of date {ts.date()} is outside the plan year {int(plan_year)}: monitoring "
            f"assesses {int(plan_year)}-01-01 to {int(plan_year)}-12-31 / "
            f"评估日期 {ts.date()} 不在计划年度 {int(plan_year)} 内")
    return ts
