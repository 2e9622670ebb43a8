"""``python -m dashboard``: the same tool as ``investable`` (see :mod:`dashboard.cli`)."""

from __future__ import annotations

import sys

from dashboard.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
