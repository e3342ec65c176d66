"""Feeding dossier-log files to a :class:`Classifier` (one process, or several for large CSV files)."""

from __future__ import annotations

from pathlib import Path

from qms.errors import QmsError
from qms.i18n import _
from qms.kpi.classify import Classifier


def read_logs(clf: Classifier, logs: tuple[Path, ...] | list[Path], workers: int | None = None) -> None:
    """Feed every log to the classifier; large CSV files are split across processes."""
    from qms.kpi.parallel import add_file_parallel
    from qms.store.dossier_logs import open_dossier_log

    for i, path in enumerate(logs):
        if not path.is_file():
            with open_dossier_log(path):
                pass  # raises the usual "no such file" error
        if (workers is None or workers > 1) and path.suffix.lower() not in (".xlsx", ".xlsm", ".xls", ".ods") \
                and add_file_parallel(clf, path, workers, last_file=i == len(logs) - 1):
            continue
        with open_dossier_log(path) as source:
            try:
                clf.add(source)
            except UnicodeDecodeError as exc:
                raise QmsError(
                    _("{path}:{row}: the file is not valid {encoding} text here ({reason})").format(
                        path=path, row=source.line() + 1, encoding=exc.encoding, reason=exc.reason
                    ),
                    _(
                        "save the file as UTF-8 (Excel: Save As > 'CSV UTF-8'), or convert it, e.g. "
                        "iconv -f CP1258 -t UTF-8 in.csv > out.csv"
                    ),
                ) from None
