"""Feeding dossier-log files to a :class:`Classifier`: every log, CSV or XLSX, of any size, is read
by :mod:`qms.store.dossier_logs` into the same columns and classified by the one engine."""

from __future__ import annotations

from pathlib import Path

from qms.kpi.classify import Classifier

#: the values ``--engine`` still accepts (one release, as a no-op)
ENGINES: tuple[str, ...] = ("auto", "python", "polars")


def read_logs(clf: Classifier, logs: tuple[Path, ...] | list[Path], workers: int | None = None,
              engine: str = "auto") -> None:
    """Feed every log to the classifier, in order. ``workers`` and ``engine`` are ignored (kept for
    callers of the former engines)."""
    from qms.store.dossier_logs import open_log_table

    del workers, engine
    for path in logs:
        with open_log_table(path, clf.column_map, wanted=clf.columns_used(), prepare=clf.prepare) as table:
            clf.add_table(table)
