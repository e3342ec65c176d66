"""F12: the KPI reader reports the right line for a bad byte, whatever the engine and worker count.

A dossier log of more than 8 MB (large enough to be split across two worker processes) gets one
byte that is not UTF-8 at a known line: in the first rows, around the middle of the data (where a
split across two workers falls), further on, and on the last line. `qms kpi report` must exit 2 and
name exactly that line and the byte offset, with `--engine python` and `--engine polars`, and with
`--workers 1` and `--workers 2`. Only the command line is used, so the test holds whatever reader
implements it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parent.parent / "rules" / "base"
HEADER = "Mã hồ sơ,Mã thủ tục,Đơn vị,Cơ chế,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Ngày trả kết quả,Trạng thái"
ROWS = 100_000  # about 10.5 MB, beyond the 8 MB from which a log is split across workers
CONFIGS = [("python", "1"), ("python", "2"), ("polars", "1"), ("polars", "2")]


def _row(i: int) -> str:
    day = 1 + i % 28
    return (f"HS{i:07d},1.001,Phường {i % 9 + 1},Một cửa,{day:02d}/01/2019,{day:02d}/02/2019,"
            f"{day:02d}/01/2019 10:{i % 60:02d},{day:02d}/01/2019,Đã trả kết quả")


@pytest.fixture(scope="module")
def clean_log(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    text = "\n".join([HEADER, *(_row(i) for i in range(ROWS))]) + "\n"
    raw = text.encode("utf-8")
    assert len(raw) > 9 << 20
    return raw


def _line_starts(raw: bytes) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer(rb"\n", raw))
    return starts[:-1]  # the file ends with a newline


def _targets(raw: bytes) -> list[int]:
    """1-based line numbers to spoil: the first data row, around the middle of the file (where a
    split across two workers falls), later on, and the last row."""
    starts = _line_starts(raw)
    total = len(starts)

    def line_at(fraction: float) -> int:
        offset = int(len(raw) * fraction)
        lo, hi = 0, total - 1
        while lo < hi:  # last line starting at or before offset
            mid = (lo + hi + 1) // 2
            if starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    middle = {line_at(0.485) + d for d in (-1, 0, 1)} | {line_at(0.5)}
    return sorted({2, *middle, line_at(0.8), total})


def _spoil(raw: bytes, line: int) -> tuple[bytes, int]:
    """Put 0xFF into the unit column of ``line`` (1-based); return the bytes and the byte's offset."""
    start = _line_starts(raw)[line - 1]
    at = raw.index(b"Ph", start) + 1  # the `h` of Phường
    return raw[:at] + b"\xff" + raw[at + 1:], at


def _report(log: Path, engine: str, workers: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "qms", "--root", str(BASE), "kpi", "report", str(log),
                           "--as-of", "2019-06-30", "--target", "0", "--engine", engine, "--workers", workers],
                          cwd=log.parent, capture_output=True, text=True, env=env, timeout=300, check=False)


def test_clean_log_is_read_by_every_engine(clean_log: bytes, tmp_path: Path) -> None:
    """F12 control: the unspoiled log is read in full by every engine and worker count."""
    log = tmp_path / "log.csv"
    log.write_bytes(clean_log)
    outputs = set()
    for engine, workers in CONFIGS:
        r = _report(log, engine, workers)
        assert r.returncode == 0, r.stderr
        assert re.search(rf"Dossiers counted\s+{ROWS:,}|Dossiers counted\s+{ROWS}\b", r.stdout), r.stdout
        outputs.add(r.stdout)
    assert len(outputs) == 1


def test_bad_byte_is_reported_at_its_line(clean_log: bytes, tmp_path: Path) -> None:
    """F12: with 2 workers (and with 1, and with either engine) a byte that is not UTF-8 is reported
    at the line (and byte offset, where the message gives one) where it is, wherever it is in the file."""
    log = tmp_path / "log.csv"
    wrong = []
    for line in _targets(clean_log):
        raw, offset = _spoil(clean_log, line)
        log.write_bytes(raw)
        for engine, workers in CONFIGS:
            r = _report(log, engine, workers)
            head = f"{log}:{line}:"
            # the byte offset is checked where the message gives one
            ok = (r.returncode == 2 and head in r.stderr and "0xff" in r.stderr.lower()
                  and ("offset" not in r.stderr or f"offset {offset})" in r.stderr) and "Traceback" not in r.stderr)
            if not ok:
                wrong.append(f"line {line}, --engine {engine} --workers {workers}: exit {r.returncode}: "
                             f"{r.stderr.strip()[:300]}")
    assert not wrong, "\n".join(wrong)


def test_character_cut_short_at_the_end_is_reported_at_the_last_line(clean_log: bytes, tmp_path: Path) -> None:
    """F12: a file whose last character is cut short (the first byte of a three-byte UTF-8 sequence
    and nothing after it) is reported at its last line by every engine and worker count."""
    log = tmp_path / "log.csv"
    raw = clean_log + b"HS9999999,1.001,Ph\xe1"
    log.write_bytes(raw)
    last = raw.count(b"\n") + 1
    for engine, workers in CONFIGS:
        r = _report(log, engine, workers)
        assert r.returncode == 2, r.stdout + r.stderr
        assert f"{log}:{last}:" in r.stderr and "Traceback" not in r.stderr, (engine, workers, r.stderr)
        assert "offset" not in r.stderr or f"offset {len(raw) - 1})" in r.stderr, (engine, workers, r.stderr)
