"""Fuzz target: CSV dossier logs (``qms.store.dossier_logs.open_csv`` and the KPI classifier).

The input is written as ``log.csv`` and read as ``qms kpi report`` reads it, with the row-by-row
reader and with polars.

Contract: each engine either returns a report or raises ``QmsError`` (a clear message).
With ``QMS_FUZZ_DIFF=1`` the two engines must also agree (same counts, rows, rejections).
"""

from __future__ import annotations

import os

from _harness import ContractViolation, fresh_dir, main
from _kpi import GROUPINGS, classify_file

DIFFERENTIAL = bool(os.environ.get("QMS_FUZZ_DIFF"))


def test_one_input(data: bytes) -> None:
    path = fresh_dir("csv") / "log.csv"
    path.write_bytes(data)
    by = GROUPINGS[len(data) % len(GROUPINGS)]
    python = classify_file(path, "python", by)
    polars = classify_file(path, "polars", by)
    if DIFFERENTIAL and (python is None) == (polars is None) and python != polars:
        raise ContractViolation(f"the python and polars engines disagree: {python} vs {polars}")


if __name__ == "__main__":
    main(test_one_input)
