"""Shared fixtures: the embedded Ouhai dataset and the second test district, Yunling, are each
loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

os.environ.setdefault("TQDM_DISABLE", "1")
matplotlib.use("Agg")

DISTRICTS = Path(__file__).resolve().parent / "districts"


@pytest.fixture(scope="session")
def ouhai():
    """The embedded Ouhai dataset (validated). Treat as read-only: copy before changing a table."""
    from riskplan.datasets import load_ouhai

    return load_ouhai()


@pytest.fixture(scope="session")
def yunling_dir() -> Path:
    """Folder of the second test district, the invented Yunling County (tests/districts/yunling)."""
    return DISTRICTS / "yunling"


@pytest.fixture(scope="session")
def yunling_config_path() -> Path:
    """Yunling's configuration file (its own business-type and category codes)."""
    return DISTRICTS / "yunling_config.toml"


@pytest.fixture(scope="session")
def yunling(yunling_dir):
    """The Yunling dataset (validated). Treat as read-only: copy before changing a table."""
    from riskplan.datasets import read_dataset

    return read_dataset(yunling_dir)


@pytest.fixture(scope="session")
def yunling_config(yunling_config_path):
    """The Config read from tests/districts/yunling_config.toml."""
    from riskplan.config import load_config

    return load_config(yunling_config_path)
