"""Forget the standards data read so far, after the data folder changed (tests that add an edition)."""

from __future__ import annotations

from qms.standards import catalogue, load_data
from qms.standards.correlation import correlations
from qms.standards.editions import _data_file, registry


def clear_caches() -> None:
    """Every cached table, catalogue, edition and data file is read again on next use."""
    for cached in (registry, _data_file, load_data, catalogue, correlations):
        cached.cache_clear()
