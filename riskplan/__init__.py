"""riskplan: risk-weighted food sampling plans and inspection routes for a district regulator."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("riskplan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__"]
