"""riskplan: risk-weighted food sampling plans and inspection routes for a district regulator."""

from riskplan._version import __version__

__all__ = ["__version__"]
