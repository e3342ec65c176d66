"""Feeding dossier-log files to a :class:`Classifier` (one process, several processes, or polars for large CSV files)."""

from __future__ import annotations

import csv
from pathlib import Path

from qms.errors import QmsError
from qms.i18n import _
from qms.kpi.classify import Classifier

ENGINES: tuple[str, ...] = ("auto", "python", "polars")
_SHEETS = (".xlsx", ".xlsm", ".xls", ".ods")


def use_polars(clf: Classifier, path: Path, engine: str) -> bool:
    """Whether to try the polars reader for ``path``: ``polars`` for every CSV file, ``auto`` for
    CSV files of at least :data:`qms.kpi.fast.MIN_POLARS_BYTES` (when polars is installed and no
    charts are drawn), ``python`` never."""
    from qms.kpi.fast import MIN_POLARS_BYTES, available

    if engine == "python" or path.suffix.lower() in _SHEETS or clf.series_names:
        return False
    if engine == "auto" and path.stat().st_size < MIN_POLARS_BYTES:
        return False
    return available()


def read_logs(clf: Classifier, logs: tuple[Path, ...] | list[Path], workers: int | None = None,
              engine: str = "auto") -> None:
    """Feed every log to the classifier; large CSV files are read with polars (``engine``) or
    split across processes. Every engine gives the same result."""
    from qms.kpi.parallel import add_file_parallel
    from qms.store.dossier_logs import check_log, not_utf8_error, open_dossier_log

    if engine not in ENGINES:
        raise QmsError(_("unknown engine {engine!r}").format(engine=engine),
                       _("use one of: {choices}").format(choices=", ".join(ENGINES)))
    for i, path in enumerate(logs):
        check_log(path)  # missing, not a regular file, too large, an out-of-bounds workbook
        last = i == len(logs) - 1
        if use_polars(clf, path, engine):
            from qms.kpi.fast import add_file_polars

            if add_file_polars(clf, path, last_file=last):
                continue
        if (workers is None or workers > 1) and path.suffix.lower() not in _SHEETS \
                and add_file_parallel(clf, path, workers, last_file=last):
            continue
        with open_dossier_log(path) as source:
            try:
                clf.add(source)
            except csv.Error as exc:  # a cell over the field limit, a malformed quote
                raise QmsError(
                    _("{path}:{row}: cannot read the CSV row: {reason}").format(
                        path=path, row=max(source.line(), 1), reason=exc),  # the reader counted the bad line
                    _("export the log again as CSV (UTF-8) or .xlsx"),
                ) from None
            except UnicodeDecodeError as exc:
                raise not_utf8_error(path, source.line() + 1, exc.encoding, exc.reason) from None
