"""How many threads a helper of the file layer may keep busy at once."""

from __future__ import annotations

import os


def usable_cores(cap: int = 4) -> int:
    """The cores this process may run on (its CPU affinity where the system tells it), at least one and
    at most ``cap``: the log scan's threads and the Word export's page drawing use this many."""
    try:
        return max(1, min(cap, len(os.sched_getaffinity(0))))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, min(cap, os.cpu_count() or 1))
