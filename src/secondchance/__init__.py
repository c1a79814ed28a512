"""secondchance: records, release dates, policy screening and rehabilitation planning.

The public Python API is what this module exports; the CLI calls the same functions.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("secondchance")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
