"""A CJK font for matplotlib, or English labels: never "Glyph missing" warnings.

:func:`use_cjk_font` looks for an installed CJK font (Debian's ``fonts-noto-cjk`` gives Noto Sans
CJK SC) and makes it matplotlib's sans-serif font; :func:`label` returns the Chinese text when such
a font is in use and the English text otherwise. matplotlib caches its font list: a font
installed after the cache was built is invisible to it, so when no CJK font is in the list the
system's font files are searched once and any CJK font found is added. When there is none,
:func:`font_note` says so, and how to get Chinese labels. Setting the environment variable
``RISKPLAN_NO_CJK_FONT=1`` forces the English fallback (used by tests and on machines whose font
cannot be trusted).
"""

from __future__ import annotations

import os
import re

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


_CJK_FILE = re.compile(r"cjk|wqy|wenquanyi|sourcehan|simhei|msyh|pingfang|droidsansfallback|"
                       r"notosanssc|notosans-sc|heiti", re.IGNORECASE)
"""File names of CJK fonts (Noto CJK, WenQuanYi, Source Han, SimHei, YaHei, PingFang, ...)."""

NO_FONT_NOTE = ("no Chinese (CJK) font found: chart labels are in English; for Chinese labels "
                "install one (Debian/Ubuntu: apt install fonts-noto-cjk, or sh "
                "tools/install-cjk-font.sh) / 未找到中文字体，图表标签为英文")
"""What :func:`font_note` says when no CJK font is available."""


_SEARCHED = "riskplan_cjk_files_searched"


def _preferred() -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def add_installed_cjk_fonts() -> int:
    """Add CJK font files installed on the system but missing from matplotlib's font list.

    matplotlib builds its font list once and caches it: a font installed later stays invisible
    until the list is rebuilt. This searches the system's font folders for CJK font files and
    adds them to the running font manager (not to the cache on disk).

    Returns
    -------
    int
        Number of font files added.
    """
    known = {f.fname for f in font_manager.fontManager.ttflist}
    added = 0
    for path in font_manager.findSystemFonts():
        if path in known or not _CJK_FILE.search(os.path.basename(path)):
            continue
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):  # an unreadable font file is skipped
            continue
        added += 1
    return added


def find_cjk_font() -> str | None:
    """Name of the preferred installed CJK font family, or None (honours ``RISKPLAN_NO_CJK_FONT``).

    When matplotlib's font list has none, the system's font files are searched once
    (:func:`add_installed_cjk_fonts`): a CJK font installed after matplotlib's cache was built
    is found too.
    """
    if _disabled():
        return None
    name = _preferred()
    manager = font_manager.fontManager
    # the search is remembered on matplotlib's own font manager (a new one is searched again)
    if name is None and not getattr(manager, _SEARCHED, False):
        setattr(manager, _SEARCHED, True)
        if add_installed_cjk_fonts():
            name = _preferred()
    return name


def font_note() -> str:
    """'' when Chinese labels can be drawn, else the sentence saying labels are English and why."""
    return "" if find_cjk_font() else NO_FONT_NOTE


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
