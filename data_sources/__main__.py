"""``python -m data_sources``: the data commands of ``investable`` (refresh, status, import,
import-file, sources, rollback), without the dashboard's model precompute after a commit.

See :mod:`data_sources.cli` for the commands, the exit codes and the error rules.
"""

from __future__ import annotations

import sys

from data_sources.cli import main

if __name__ == "__main__":
    sys.exit(main())
