"""Rows left over from a template: the example row of ``riskplan template`` still in the data.

A bureau that fills a template but forgets to delete its grey example row would plan with a made-up
township, lab or category; such a row is reported as a warning (it may be real data by chance).
"""

from __future__ import annotations

import pandas as pd

from riskplan.dataset import Dataset
from riskplan.schema import TABLES
from riskplan.templates import example_row
from riskplan.validation.report import Reporter

__all__ = ["check_template_examples"]


def check_template_examples(ds: Dataset, rep: Reporter) -> None:
    """Warn about every row equal to its table's template example in all its text columns."""
    for name, spec in TABLES.items():
        df = getattr(ds, name, None)
        if df is None or len(df) == 0:
            continue
        example = example_row(name)
        text = [c.name for c in spec if c.dtype in ("id", "str") and example[c.name] != ""
                and c.name in df.columns]
        if not text:
            continue
        same = pd.Series(True, index=df.index)
        for col in text:
            same &= df[col].astype(object).eq(str(example[col])).fillna(False).astype(bool)
        for pos in [i for i, hit in enumerate(same.to_numpy()) if hit]:
            rep(name, pos, text[0], df[text[0]].iloc[pos],
                "this is the template's example row; delete it unless it is real data",
                "该行是模板中的示例行；如非真实数据请删除", "warning")
