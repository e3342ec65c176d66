"""Reading dossier logs exported by one-stop systems: CSV (any common encoding) and XLSX.

This is the only place that opens the files. Rows come out as lists of
strings; the KPI layer does the rest. Encodings: UTF-8 (with or without BOM)
and UTF-16 with a BOM are decoded. Legacy 8-bit encodings such as
Windows-1258 cannot be told apart reliably from each other, so a file that is
not valid UTF-8 is refused with a clear message and a conversion hint rather
than guessed.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qms.calendar.settings import CalendarSettings
from qms.errors import QmsError
from qms.i18n import _

_PROBE_BYTES = 1 << 16

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(slots=True)
class RowSource:
    """An open log: ``rows`` yields lists of cells, ``line()`` is the current 1-based row number."""

    path: str
    rows: Iterator[list[str]]
    line: Callable[[], int]
    kind: str  # "csv" or "xlsx"


def _encoding_hint() -> str:
    return _(
        "save the file as UTF-8 (Excel: Save As > 'CSV UTF-8'), or convert it, e.g. "
        "iconv -f CP1258 -t UTF-8 in.csv > out.csv"
    )


def detect_encoding(path: Path, head: bytes) -> str:
    """The codec to read ``path`` with, judged from its first bytes; raises QmsError if not decodable."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head[1:4:2] == b"\x00\x00" and head[0] and head[2]:
        raise QmsError(
            _("{path}: looks like UTF-16 text without a byte-order mark").format(path=path),
            _("save it as UTF-8, or as UTF-16 with a BOM (Excel: 'Unicode Text')"),
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1
        raise QmsError(
            _(
                "{path}:{line}: the file is not UTF-8 (byte 0x{byte:02x}); it is probably in a legacy "
                "Vietnamese encoding such as Windows-1258 (CP1258) or TCVN3"
            ).format(path=path, line=line, byte=head[exc.start]),
            _encoding_hint(),
        ) from None
    return "utf-8"


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:30] if ln.strip()]
    best, best_count = ",", 0
    for cand in (",", ";", "\t", "|"):
        count = sum(ln.count(cand) for ln in lines)
        if count > best_count:
            best, best_count = cand, count
    return best


@contextlib.contextmanager
def open_csv(path: Path) -> Iterator[RowSource]:
    try:
        fh_bin = path.open("rb")
    except OSError as exc:
        raise QmsError(
            _("{path}: cannot read the file: {reason}").format(path=path, reason=exc.strerror or exc),
            _("check the path and the file permissions"),
        ) from None
    with fh_bin:
        head = fh_bin.read(_PROBE_BYTES)
        encoding = detect_encoding(path, head)
        fh_bin.seek(0)
        text = io.TextIOWrapper(fh_bin, encoding=encoding, newline="")
        try:
            sample = text.read(_PROBE_BYTES)
        except UnicodeDecodeError:
            sample = ""
        text.seek(0)
        reader = csv.reader(text, delimiter=_sniff_delimiter(sample))
        yield RowSource(str(path), reader, lambda: reader.line_num, "csv")


def _cell_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


@contextlib.contextmanager
def open_xlsx(path: Path) -> Iterator[RowSource]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        data = sheet.to_python(skip_empty_area=False)
    except (OSError, zipfile.BadZipFile) as exc:
        raise QmsError(
            _("{path}: cannot read the workbook: {reason}").format(path=path, reason=exc),
            _("check that the file is an .xlsx workbook and is not open in another program"),
        ) from None
    except Exception as exc:  # calamine raises its own error types
        raise QmsError(
            _("{path}: cannot read the workbook: {reason}").format(path=path, reason=exc),
            _("check that the file is an .xlsx workbook and is not open in another program"),
        ) from None
    counter = [0]

    def rows() -> Iterator[list[str]]:
        for raw in data:
            counter[0] += 1
            yield [_cell_text(v) for v in raw]

    yield RowSource(str(path), rows(), lambda: counter[0], "xlsx")


@contextlib.contextmanager
def open_dossier_log(path: Path) -> Iterator[RowSource]:
    """Open a CSV or XLSX dossier log by its extension (anything not .xlsx/.xlsm/.xls is read as CSV)."""
    if not path.exists():
        raise QmsError(
            _("{path}: no such file").format(path=path),
            _("check the path of the dossier log"),
        )
    suffix = path.suffix.lower()
    opener = open_xlsx if suffix in (".xlsx", ".xlsm", ".xls", ".ods") else open_csv
    with opener(path) as source:
        yield source


def _load_yaml_mapping(path: Path, what: str) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QmsError(
            _("{path}: cannot read the {what} file: {reason}").format(path=path, what=what, reason=exc.strerror or exc),
            _("check the path and the file permissions"),
        ) from None
    except UnicodeDecodeError:
        raise QmsError(_("{path}: the file is not UTF-8").format(path=path), _encoding_hint()) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise QmsError(
            _("{path}:{line}: invalid YAML: {reason}").format(path=path, line=line, reason=getattr(exc, "problem", exc)),
            _("fix the YAML syntax"),
        ) from None
    except (ValueError, OverflowError, RecursionError) as exc:  # a value PyYAML cannot build, e.g. 2025-01-89
        from qms.store.yaml_io import load_text

        problems = load_text(text).problems
        first = problems[0] if problems else None
        raise QmsError(
            _("{path}:{line}: invalid YAML: {reason}").format(
                path=path, line=first.line if first else 1, reason=first.message if first else exc),
            (first.hint if first and first.hint else _("fix the YAML syntax")),
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise QmsError(
            _("{path}: the {what} file must be a mapping").format(path=path, what=what),
            _("write one 'key: value' per line"),
        )
    return {str(k): v for k, v in data.items()}


def load_limits(path: Path) -> dict[str, float]:
    """A YAML mapping procedure_id -> legal time limit in working days."""
    data = _load_yaml_mapping(path, _("limits"))
    if "limits" in data and isinstance(data["limits"], dict) and len(data) == 1:
        data = {str(k): v for k, v in data["limits"].items()}
    out: dict[str, float] = {}
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise QmsError(
                _("{path}: time limit of procedure {proc!r} must be a number of working days >= 0, got {value!r}").format(
                    path=path, proc=key, value=value
                ),
                _("write the limits file as 'procedure_id: days', e.g. '1.004227: 15'"),
            )
        out[key] = float(value)
    return out


def load_calendar_settings(path: Path) -> CalendarSettings:
    """The ``calendar:`` section (or a file that is just that section) as CalendarSettings."""

    data = _load_yaml_mapping(path, _("calendar"))
    if set(data) == {"calendar"} and isinstance(data["calendar"], dict):
        data = data["calendar"]
    return calendar_settings_of(data, path, _(
        "allowed keys: weekend, working_hours_per_day, extra_days_off, extra_working_days, holiday_source; "
        "dates as YYYY-MM-DD"))


def calendar_settings_of(data: Any, path: Path, hint: str) -> CalendarSettings:
    """Validate a ``calendar:`` mapping read from ``path``; the first problem is a clear error."""
    from pydantic import ValidationError

    try:
        return CalendarSettings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "calendar"
        raise QmsError(
            _("{path}: calendar setting {where}: {reason}").format(path=path, where=where, reason=first["msg"]),
            hint,
        ) from None


def load_column_map(path: Path) -> dict[str, str]:
    """A YAML mapping canonical column name -> header text in the export (``kpi.columns`` in qms.yaml)."""
    from qms.kpi.columns import CANONICAL

    data = _load_yaml_mapping(path, _("columns"))
    for outer in ("kpi", "columns"):
        if set(data) == {outer} and isinstance(data[outer], dict):
            data = {str(k): v for k, v in data[outer].items()}
    out: dict[str, str] = {}
    for key, value in data.items():
        if key not in CANONICAL:
            raise QmsError(
                _("{path}: unknown column name {name!r}").format(path=path, name=key),
                _("use one of: {choices}").format(choices=", ".join(CANONICAL)),
            )
        out[key] = str(value)
    return out
