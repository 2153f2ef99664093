"""Write a SYNTHETIC example of Ouhai's spring 2026 term-start inspections (T25).

Usage::

    python data/build_ouhai_inspections.py [--out FILE]

Writes ``examples/ouhai-inspections-2026.csv`` (Chinese headers, UTF-8 with BOM): every school and
kindergarten canteen of the embedded register (the targets of the ``term_start`` campaign of
``examples/term-start-inspection.toml``) inspected once in the spring term, on a seeded random
day of its window (the first 10 working days: 24 February to 6 March 2026), except
:data:`LATE` of them, inspected one to five working days after the window. It is an example for
``riskplan monitor --inspections FILE`` and is kept out of ``data/ouhai/`` on purpose: a new file
there would change every plan folder's ``data_reference.toml`` (the dataset's file hashes).

Seeded: running the script twice writes byte-identical files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from riskplan.calendar import work_calendar
from riskplan.config import Config, load_config
from riskplan.dataset import Dataset
from riskplan.datasets import load_ouhai
from riskplan.pipeline.campaign import campaign_targets, campaign_terms

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "examples" / "term-start-inspection.toml"
DEFAULT_OUT = ROOT / "examples" / "ouhai-inspections-2026.csv"
SEED = 2026
LATE = 4
"""Canteens inspected after their window (the rest within it)."""
RECTIFY_SHARE = 0.08
"""Share of inspections ending with an order to rectify (责令整改) [fraction]."""

__all__ = ["spring_inspections", "main"]


def spring_inspections(dataset: Dataset, config: Config, seed: int = SEED) -> pd.DataFrame:
    """The spring term's inspections: ``主体编号, 检查日期, 检查任务, 检查结果`` (all text).

    Parameters
    ----------
    dataset
        The embedded Ouhai dataset (plan year 2026).
    config
        A configuration whose second programme is the ``term_start`` campaign.
    seed
        Seed of the random days, late canteens and outcomes.
    """
    rng = np.random.default_rng(seed)
    rules = config.programmes[1]
    year = int(dataset.plan_year or 2026)
    targets = campaign_targets(rules, 1, dataset)["establishment_id"].astype(str).to_numpy()
    _, _, window = campaign_terms(rules, year, config)[0]  # the spring term
    cal = work_calendar(year, None, config.calendar)
    work = sorted(pd.to_datetime(cal.loc[cal["workday"].astype(bool), "date"]).dt.date)
    after = [d for d in work if d > window[-1]][:5]
    late = set(rng.choice(len(targets), size=LATE, replace=False).tolist())
    dates = [after[int(rng.integers(len(after)))] if i in late else window[int(rng.integers(len(window)))]
             for i in range(len(targets))]
    outcome = np.where(rng.random(len(targets)) < RECTIFY_SHARE, "责令整改", "合格")
    out = pd.DataFrame({"主体编号": targets, "检查日期": [d.isoformat() for d in dates],
                        "检查任务": rules.id, "检查结果": outcome})
    return out.sort_values(["检查日期", "主体编号"], kind="stable").reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    """Write the example file; print its size."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="file to write (CSV)")
    args = p.parse_args(argv)
    df = spring_inspections(load_ouhai(), load_config(CONFIG))
    df.to_csv(args.out, index=False, encoding="utf-8-sig")
    print(f"{args.out}: {len(df)} inspections")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
