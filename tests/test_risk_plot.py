"""The risk plots draw on a given axes without warnings."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from riskplan.plotting.risk import funnel_plot, interval_plot, shrinkage_plot, township_map  # noqa: E402
from riskplan.risk import score  # noqa: E402
from riskplan.synthetic import make_synthetic  # noqa: E402


@pytest.fixture(scope="module")
def scores():
    return score(make_synthetic(seed=2))


@pytest.mark.parametrize("fn", [funnel_plot, shrinkage_plot, interval_plot])
def test_plot_on_given_ax(scores, fn):
    fig, ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(scores, ax=ax)
    assert out is ax and (ax.collections or ax.lines)
    plt.close(fig)


def test_township_map(ouhai):
    s = score(ouhai)
    fig, ax = plt.subplots()
    out = township_map(s, ouhai.townships, ax=ax)
    assert out is ax and len(ax.collections) >= 1
    plt.close(fig)
