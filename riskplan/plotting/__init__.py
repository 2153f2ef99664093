"""Static, offline plots (matplotlib only: no tiles, no CDN).

:mod:`riskplan.plotting.fonts` picks a CJK font so Chinese labels render, falling back to English
labels without warnings; :mod:`riskplan.plotting.maps` draws townships and establishments.
"""

from riskplan.plotting.fonts import font_note, label, use_cjk_font
from riskplan.plotting.maps import plot_establishments, plot_townships

__all__ = ["label", "use_cjk_font", "font_note", "plot_establishments", "plot_townships"]
