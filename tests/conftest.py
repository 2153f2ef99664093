"""Shared fixtures: the embedded Ouhai dataset is loaded once per test session."""

from __future__ import annotations

import os

import matplotlib
import pytest

os.environ.setdefault("TQDM_DISABLE", "1")
matplotlib.use("Agg")


@pytest.fixture(scope="session")
def ouhai():
    """The embedded Ouhai dataset (validated). Treat as read-only: copy before changing a table."""
    from riskplan.datasets import load_ouhai

    return load_ouhai()
