"""The one KPI engine gives, on messy logs, exactly the results the former row-by-row engine gave
(recorded in ``golden/``), whichever reader the file layer picks (polars line by line, or the csv
module for files it cannot read one row per line)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
from pathlib import Path

import pytest

from qms.calendar import WorkingCalendar
from qms.cli.main import main
from qms.kpi import Classifier, to_json
from qms.kpi.dates import DateCache, DateMemo
from qms.kpi.logs import read_logs

GOLDEN = Path(__file__).resolve().parent / "golden"


def golden(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(gzip.decompress((GOLDEN / name).read_bytes()))
    return data

HEADER = ["Mã hồ sơ", "Mã thủ tục", "Đơn vị", "Cơ chế", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả",
          "Ngày trả kết quả", "Trạng thái", "Số ngày tạm dừng", "Ngày yêu cầu bổ sung", "Ngày nhận bổ sung"]
LIMITS = {"1.001": 3, "1.002": 0, "1.003": 10.5, " 1.004 ": 5}
MECHANISMS = {"1.001": "Một cửa", "1.002": "Liên thông"}
STATUSES = ["Đã trả kết quả", "Đang xử lý", "Rút hồ sơ", "Đã hủy", "Dừng giải quyết", "WITHDRAWN", " ", "",
            "Huỷ hồ sơ"]


def _date(rng: random.Random, day: dt.date, *, messy: bool) -> str:
    """One day written in one of the forms exports use (and, when messy, some they should not)."""
    h, m, s = rng.randrange(7, 18), rng.randrange(60), rng.randrange(60)
    forms = [
        day.strftime("%d/%m/%Y"),
        day.strftime("%d/%m/%Y") + f" {h:02d}:{m:02d}",
        day.strftime("%d/%m/%Y") + f" {h:02d}:{m:02d}:{s:02d}",
        day.isoformat(),
        day.isoformat() + f" {h:02d}:{m:02d}:{s:02d}",
        day.isoformat() + f"T{h:02d}:{m:02d}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day}-{day.month}-{day.year} {h}:{m:02d}",
        f"{day.day:02d}.{day.month:02d}.{day.year}",
        str(day.toordinal() - dt.date(1899, 12, 30).toordinal()),
    ]
    if messy:
        forms += [
            str(day.toordinal() - dt.date(1899, 12, 30).toordinal()) + ".75",
            day.isoformat() + f"T{h:02d}:{m:02d}:00+00:00",
            day.isoformat() + f"T{h:02d}:{m:02d}:00Z",
            " " + day.strftime("%d/%m/%Y") + " ",
            day.strftime("%d/%m/%Y") + " 24:00",
            "31/02/2019",
            "2019-13-01",
            "hôm qua",
            "0",
            "   ",
            day.strftime("%d/%m/%Y") + f" {h:02d}:{m:02d}:{s:02d}.5",
        ]
    return rng.choice(forms)


def make_log(path: Path, rows: int, seed: int, *, crlf: bool = False, blank_lines: bool = True) -> None:
    rng = random.Random(seed)
    procs = [*LIMITS, "1.009", "", "1.004"]
    units = ["Phường 1", "Phường 2", " Phường 2", "Phòng Tư pháp", ""]
    ids = [f"HS{i:05d}" for i in range(rows)]
    out = ["BÁO CÁO HỒ SƠ" + "," * (len(HEADER) - 1), ",".join(HEADER)]
    for i in range(rows):
        messy = rng.random() < 0.15
        did = ids[i] if rng.random() > 0.08 else rng.choice(ids[: i + 1])  # duplicates
        if messy and rng.random() < 0.1:
            did = rng.choice(["", " ", f" {did}", f"{did} "])
        recv = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
        due = recv + dt.timedelta(days=rng.randrange(-2, 25))
        done = recv + dt.timedelta(days=rng.randrange(-1, 30))
        cells = [
            did,
            rng.choice(procs),
            rng.choice(units),
            rng.choice(["Một cửa", "", "Trực tuyến"]),
            _date(rng, recv, messy=messy) if rng.random() > 0.02 else "",
            _date(rng, due, messy=messy) if rng.random() > 0.3 else "",
            _date(rng, done, messy=messy) if rng.random() > 0.3 else "",
            _date(rng, done, messy=messy) if rng.random() > 0.5 else "",
            rng.choice(STATUSES),
            rng.choice(["", "", "", "0", "2", "5", " 3 ", "-1", "x", "1.5"]) if messy or rng.random() < 0.3 else "",
            _date(rng, recv + dt.timedelta(days=rng.randrange(0, 5)), messy=messy) if rng.random() < 0.2 else "",
            _date(rng, recv + dt.timedelta(days=rng.randrange(-2, 12)), messy=messy) if rng.random() < 0.15 else "",
        ]
        r = rng.random()
        if messy and r < 0.05:
            cells = cells[: rng.randrange(1, len(cells))]  # a short row
        elif messy and r < 0.08:
            cells = [*cells, "thêm"]  # an extra cell
        out.append(",".join(cells))
        if blank_lines and rng.random() < 0.01:
            out.append(rng.choice(["", ",,,,", "   "]))
    nl = "\r\n" if crlf else "\n"
    path.write_text(nl.join(out) + nl, encoding="utf-8")


def result(logs: list[Path], engine: str, **kw: object) -> str:
    """The JSON report, without ``one_stop``, ``calendar`` and ``totals`` (added after the former row loop's
    goldens were recorded; these logs have no reset or apology column, so it says they could not be
    counted, and no totals row)."""
    clf = Classifier(WorkingCalendar(years=(2017, 2020)), LIMITS, as_of=dt.date(2019, 6, 30), **kw)  # type: ignore[arg-type]
    read_logs(clf, logs, 1, engine)
    doc = json.loads(to_json(clf.result()))
    one_stop = doc.pop("one_stop")
    assert doc.pop("calendar")["holidays"]
    assert one_stop["reset_more_than_once"] is None and one_stop["reset_checked"] == 0
    assert one_stop["late_checked"] == 0
    assert doc.pop("totals") == [] and doc.pop("totals_rows") == 0
    return json.dumps(doc, ensure_ascii=False)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("by", [None, "procedure", "unit", "month", "mechanism"])
def test_messy_log_matches_the_former_row_loop(tmp_path: Path, seed: int, by: str | None) -> None:
    """Every count, rejected row (row number and reason), duplicate and group equals what the former
    row loop reported for the same messy log (short rows, blank ids, bad and odd dates, pauses ...)."""
    log = tmp_path / "log.csv"
    make_log(log, 600, seed, crlf=seed % 2 == 1)
    period = [None, (dt.date(2018, 4, 1), dt.date(2019, 3, 31)), (dt.date(2018, 7, 1), dt.date(2018, 12, 31))][seed % 3]
    kw: dict[str, object] = {"by": by, "period": period, "mechanisms": MECHANISMS if seed % 2 else None}
    got = json.loads(result([log], "polars", **kw).replace(str(tmp_path), "<dir>"))
    assert got == golden("messy_logs.json.gz")[f"{seed}-{by}"]
    assert got["rejected_rows"] and got["duplicate_rows"] and got["excluded"]  # the log is messy enough


def test_several_files_share_first_occurrence(tmp_path: Path) -> None:
    """A dossier id claimed in an earlier file makes later rows duplicates pointing at that file."""
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    make_log(a, 400, 11)
    make_log(b, 400, 12)  # same ids HS00000.. again: duplicates across files
    make_log(c, 300, 13, crlf=True)
    want = golden("messy_logs.json.gz")
    for by in (None, "unit"):
        got = json.loads(result([a, b, c], "auto", by=by).replace(str(tmp_path), "<dir>"))
        assert got == want[f"abc-{by}"]
        assert got["duplicates"][-1]["first_path"] != "<dir>/c.csv"


@pytest.mark.parametrize("seed", range(4))
def test_chart_series_match_the_former_row_loop(tmp_path: Path, seed: int) -> None:
    """The monthly series of the charts (per procedure, unit and mechanism) equal the former engine's."""
    log = tmp_path / "log.csv"
    make_log(log, 600, seed, crlf=seed % 2 == 1)
    period = [None, (dt.date(2018, 4, 1), dt.date(2019, 3, 31))][seed % 2]
    clf = Classifier(WorkingCalendar(years=(2017, 2020)), LIMITS, as_of=dt.date(2019, 6, 30), period=period,
                     mechanisms=MECHANISMS if seed % 2 else None, series=("procedure", "unit", "mechanism"))
    read_logs(clf, [log])
    got = sorted([[n, k, m, v] for (n, k, m), v in clf.series_counts.items()])
    assert got == golden("messy_series.json.gz")[str(seed)]


def _csv_rows(log: Path) -> str:
    """The result of the same file read row by row by the csv module (its row numbers count lines)."""
    from qms.store.dossier_logs import open_dossier_log

    clf = Classifier(WorkingCalendar(years=(2017, 2020)), LIMITS, as_of=dt.date(2019, 6, 30), by="unit")
    with open_dossier_log(log) as source:
        clf.add(source)
    return to_json(clf.result())


@pytest.mark.parametrize("batch", [100, 1_000_000])
def test_files_the_line_reader_declines_are_read_by_the_csv_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   batch: int) -> None:
    """A quote (a row may span lines) or a bare CR, at the start or deep in the file, hands the rest of
    the file to the csv reader: rows, row numbers and reasons are those the csv module gives."""
    import qms.store.dossier_logs as dossier_logs

    monkeypatch.setattr(dossier_logs, "_BATCH_ROWS", batch)
    quoted = tmp_path / "quoted.csv"
    make_log(quoted, 800, 3)
    text = quoted.read_text(encoding="utf-8").splitlines()
    text[500] += ',"Phường 1, Quận 3"'
    text[600] = text[600].replace(",", ',"a\nb",', 1)  # a quoted cell spanning two lines
    quoted.write_text("\n".join(text) + "\n", encoding="utf-8")
    bare_cr = tmp_path / "cr.csv"
    make_log(bare_cr, 800, 4, blank_lines=False)
    raw = bare_cr.read_bytes()
    cut = raw.index(b"\n", len(raw) * 3 // 4)
    bare_cr.write_bytes(raw[:cut] + b"\r" + raw[cut + 1 :])
    for log in (quoted, bare_cr):
        clf = Classifier(WorkingCalendar(years=(2017, 2020)), LIMITS, as_of=dt.date(2019, 6, 30), by="unit")
        read_logs(clf, [log])
        assert to_json(clf.result()) == _csv_rows(log)
        assert json.loads(_csv_rows(log))["rows_read"] > 700


def test_bad_utf8_in_the_middle_is_reported_as_before(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "bad.csv"
    make_log(log, 3000, 5)
    raw = bytearray(log.read_bytes())
    raw[len(raw) // 2] = 0xFF
    log.write_bytes(bytes(raw))
    errors = []
    for engine in ("python", "polars"):
        with pytest.raises(SystemExit) as exc:
            main(["kpi", "report", str(log), "--format", "json", "--as-of", "2019-06-30", "--engine", engine,
                  "--workers", "1"])
        errors.append((exc.value.code, capsys.readouterr().err))
    assert errors[0] == errors[1]
    assert errors[0][0] == 2 and "not valid utf-8" in errors[0][1].lower()


def test_date_memo_parses_like_the_row_loop() -> None:
    import polars as pl

    rng = random.Random(7)
    cells = [_date(rng, dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(20000)), messy=True) for _ in range(3000)]
    cells += ["", " ", "2019-02-29", "2020-02-29 23:59:59", "29/02/2020T00:00", "01/01/2019 7:5", "1/1/2019 07:05",
              "01/01/2019  07:05", "2958465", "2958466", "43496.5", "2019-01-01T07:00+07:00", "2019-01-01 07"]
    cache = DateCache()
    expected = [cache.parse(s) for s in cells]
    assert DateMemo().parse(pl.Series(cells)).tolist() == expected


def run(argv: list[str]) -> int:
    try:
        return int(main(argv) or 0)
    except SystemExit as exc:
        return int(exc.code or 0)


def test_cli_engine_option(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "log.csv"
    make_log(log, 200, 9)
    limits = tmp_path / "limits.yaml"
    limits.write_text("".join(f'"{k}": {v}\n' for k, v in LIMITS.items()), encoding="utf-8")
    outs = []
    for engine in ("python", "polars", "auto"):
        run(["kpi", "report", str(log), "--format", "json", "--as-of", "2019-06-30", "--by", "procedure",
              "--limits", str(limits), "--period", "2018-03..2019-02", "--engine", engine])
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1] == outs[2]
    assert json.loads(outs[0])["total"] > 0


def test_engine_and_workers_are_deprecated_no_ops(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--engine`` and ``--workers`` are accepted for one release; each run says once that they do nothing."""
    log = tmp_path / "log.csv"
    make_log(log, 50, 2)
    base = ["kpi", "report", str(log), "--format", "json", "--as-of", "2019-06-30"]
    run(base)
    plain = capsys.readouterr()
    run([*base, "--engine", "python", "--workers", "4"])
    old = capsys.readouterr()
    assert old.out == plain.out
    assert "--engine" not in plain.err
    notes = [ln for ln in old.err.splitlines() if "--engine" in ln]
    assert len(notes) == 1 and "--workers" in notes[0]
