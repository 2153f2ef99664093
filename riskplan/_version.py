"""The installed package's version, in a module of its own so that no module imports the package root."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("riskplan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"
