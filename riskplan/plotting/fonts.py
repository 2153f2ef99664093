"""A CJK font for matplotlib, or English labels: never "Glyph missing" warnings.

:func:`use_cjk_font` looks for an installed CJK font (Debian's ``fonts-noto-cjk`` gives Noto Sans
CJK SC) and makes it matplotlib's sans-serif font; :func:`label` returns the Chinese text when such
a font is in use and the English text otherwise. Setting the environment variable
``RISKPLAN_NO_CJK_FONT=1`` forces the English fallback (used by tests and on machines whose font
cannot be trusted).
"""

from __future__ import annotations

import os

import matplotlib as mpl
from matplotlib import font_manager

NO_FONT_ENV = "RISKPLAN_NO_CJK_FONT"
"""Environment variable: when set to ``1``/``true``/``yes``, behave as if no CJK font were installed."""

CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Droid Sans Fallback",
)
"""CJK font family names, in order of preference (Simplified Chinese first)."""


def _disabled() -> bool:
    return os.environ.get(NO_FONT_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def find_cjk_font() -> str | None:
    """Name of the preferred installed CJK font family, or None (honours ``RISKPLAN_NO_CJK_FONT``)."""
    if _disabled():
        return None
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def use_cjk_font(enable: bool = True) -> bool:
    """Make matplotlib draw Chinese text with an installed CJK font.

    Parameters
    ----------
    enable
        False forces the English fallback (as ``RISKPLAN_NO_CJK_FONT=1`` does): the CJK font is
        removed from matplotlib's font list if it was put there.

    Returns
    -------
    bool
        True when a CJK font is now matplotlib's first sans-serif font (use Chinese labels),
        False otherwise (use English labels). Emits no warning either way.
    """
    name = find_cjk_font() if enable else None
    families = [f for f in mpl.rcParams["font.sans-serif"] if f not in CJK_FONTS]
    if name is None:
        if families != list(mpl.rcParams["font.sans-serif"]):
            mpl.rcParams["font.sans-serif"] = families
        return False
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = [name, *families]
    mpl.rcParams["axes.unicode_minus"] = False  # not every CJK font has U+2212
    return True


def label(zh: str, en: str) -> str:
    """``zh`` when a CJK font is available (and then in use), else ``en``.

    Calls :func:`use_cjk_font` so that the text returned can always be drawn.
    """
    return zh if use_cjk_font() else en
