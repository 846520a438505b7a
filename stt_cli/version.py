"""The version of stt, in one place: as installed (the package's metadata), and how a record names the tool."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stt-cli")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+unknown"

TOOL = f"stt {__version__}"  # what every record, summary and document says made it
