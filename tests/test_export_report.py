"""The summary report: Markdown tables become HTML tables, text is escaped."""

from __future__ import annotations

from riskplan.export.report import report_html


def test_html_tables_and_escaping() -> None:
    md = "# Plan <x>\n\n| a | b |\n|---|---|\n| 1 | <2> |\n\n![c](report/c.png)\n"
    page = report_html(md)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "<h1>Plan &lt;x&gt;</h1>" in page
    assert "<tr><th>a</th><th>b</th></tr>" in page and "<td>&lt;2&gt;</td>" in page
    assert '<img src="report/c.png"' in page
