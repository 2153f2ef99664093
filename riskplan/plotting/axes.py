"""The one helper every plotting function with an optional ``ax`` argument shares."""

from __future__ import annotations

from matplotlib.axes import Axes


def axes_or_new(ax: Axes | None = None, figsize: tuple[float, float] = (7.0, 4.5)) -> Axes:
    """``ax`` itself, or the axes of a new figure of ``figsize`` [inches] when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # pyplot (and its backend) only when a figure is made

    return plt.subplots(figsize=figsize)[1]
