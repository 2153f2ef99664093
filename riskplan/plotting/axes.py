"""The one helper every plotting function with an optional ``ax`` argument shares."""

from __future__ import annotations

from typing import Any


def axes_or_new(ax: Any = None, figsize: tuple[float, float] = (7.0, 4.5)) -> Any:
    """``ax`` itself, or the axes of a new figure of ``figsize`` [inches] when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)[1]
