"""The polars reader (``--engine polars``) gives exactly the result of the row reader (``--engine python``)."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest

from qms.calendar import WorkingCalendar
from qms.cli.main import main
from qms.kpi import Classifier, to_json
from qms.kpi.dates import DateCache
from qms.kpi.fast import DateMemo, add_file_polars
from qms.kpi.logs import read_logs

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
    clf = Classifier(WorkingCalendar(years=(2017, 2020)), LIMITS, as_of=dt.date(2019, 6, 30), **kw)  # type: ignore[arg-type]
    read_logs(clf, logs, 1, engine)
    return to_json(clf.result())


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("by", [None, "procedure", "unit", "month", "mechanism"])
def test_polars_equals_python(tmp_path: Path, seed: int, by: str | None) -> None:
    log = tmp_path / "log.csv"
    make_log(log, 600, seed, crlf=seed % 2 == 1)
    period = [None, (dt.date(2018, 4, 1), dt.date(2019, 3, 31)), (dt.date(2018, 7, 1), dt.date(2018, 12, 31))][seed % 3]
    kw: dict[str, object] = {"by": by, "period": period, "mechanisms": MECHANISMS if seed % 2 else None}
    expected = result([log], "python", **kw)
    assert result([log], "polars", **kw) == expected
    data = json.loads(expected)
    assert data["rejected_rows"] and data["duplicate_rows"] and data["excluded"]  # the log is messy enough


def test_several_files_share_first_occurrence(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    make_log(a, 400, 11)
    make_log(b, 400, 12)  # same ids HS00000.. again: duplicates across files
    make_log(c, 300, 13, crlf=True)
    for by in (None, "unit"):
        expected = result([a, b, c], "python", by=by)
        assert result([a, b, c], "polars", by=by) == expected
        assert json.loads(expected)["duplicates"][-1]["first_path"] != str(c)


def test_declined_files_are_read_by_the_row_reader(tmp_path: Path) -> None:
    quoted = tmp_path / "quoted.csv"
    make_log(quoted, 50, 3)
    text = quoted.read_text(encoding="utf-8").splitlines()
    text[20] += ',"Phường 1, Quận 3"'
    quoted.write_text("\n".join(text) + "\n", encoding="utf-8")
    bare_cr = tmp_path / "cr.csv"
    make_log(bare_cr, 50, 4, blank_lines=False)
    bare_cr.write_bytes(bare_cr.read_bytes().replace(b"\n", b"\r", 3))
    for log in (quoted, bare_cr):
        clf = Classifier(WorkingCalendar(years=(2017, 2020)), LIMITS, as_of=dt.date(2019, 6, 30))
        assert not add_file_polars(clf, log)
        assert clf.files == [] and clf.rows_read == 0
        assert result([log], "polars") == result([log], "python")


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
