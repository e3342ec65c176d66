"""Hostile dossier logs against the one KPI engine's reader (issue 17 item 1).

The file layer checks a log before polars reads it, and a log that stops being one row per line
deep inside (after polars has handed over whole batches) is finished by the csv reader, which
reports what is wrong with the row it is at. Every case runs ``qms kpi report`` as a real process
under a timeout and an address-space limit.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

GUARD_SECONDS = 120
ADDRESS_SPACE = 3 << 30
HEADER = "Mã hồ sơ,Mã thủ tục,Đơn vị,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Ngày trả kết quả,Trạng thái\n"
ROWS = 300_000  # more than one batch of the line reader (250,000 lines)


def _guard() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def qms(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_NO_CACHE": "1", "QMS_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "qms", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=GUARD_SECONDS, preexec_fn=_guard, env=env, check=False)


def refused(proc: subprocess.CompletedProcess[str], *names: str) -> str:
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, (proc.returncode, text[-2000:])
    assert "Traceback" not in text and "panicked" not in text, text[-2000:]
    for name in names:
        assert name in text, (name, text[-2000:])
    return text


def big_log(path: Path, tail: bytes) -> int:
    """A log of ROWS plain rows, then ``tail``; returns the line number ``tail`` starts on."""
    body = "".join(f"HS{i},1.001,P1,2026-01-02,2026-01-05,2026-01-04,,Đã trả kết quả\n" for i in range(ROWS))
    path.write_bytes((HEADER + body).encode("utf-8") + tail)
    return ROWS + 2


def test_fifo_log_is_refused_before_any_read(tmp_path: Path) -> None:
    """K1: a FIFO named log.csv is refused by the file layer's check (not a regular file); polars never
    opens it, so the command neither blocks on it nor crashes."""
    fifo = tmp_path / "log.csv"
    os.mkfifo(fifo)
    refused(qms("kpi", "report", str(fifo), cwd=tmp_path), str(fifo))


def test_log_over_the_size_bound_is_refused_before_polars_reads_it(tmp_path: Path) -> None:
    """K2: a plain UTF-8 log (the kind polars reads itself) over ``--limit log_size`` is refused from its
    size, with the limit's name, before anything is read."""
    log = tmp_path / "log.csv"
    big_log(log, b"")
    proc = qms("--limit", "log_size=1MiB", "kpi", "report", str(log), "--as-of", "2026-03-31", cwd=tmp_path)
    refused(proc, str(log), "log_size")


def test_overlong_quoted_cell_deep_in_a_log_is_a_located_error(tmp_path: Path) -> None:
    """K3: after 300,000 plain rows (whole polars batches), a quoted 2 MiB cell hands the rest of the file
    to the csv reader, which refuses the cell at its line: not a polars error, a traceback or a hang."""
    log = tmp_path / "log.csv"
    line = big_log(log, b'HSX,1.001,P1,2026-01-02,2026-01-05,,,"' + b"a" * (2 << 20) + b'"\n')
    refused(qms("kpi", "report", str(log), "--as-of", "2026-03-31", cwd=tmp_path), f"{log}:{line}", "field")


def test_bad_utf8_deep_in_a_log_names_its_line_and_offset(tmp_path: Path) -> None:
    """K4: a byte that is not UTF-8 after 300,000 good rows is reported with its line and byte offset,
    exactly as the csv reader reports it, and nothing is counted."""
    log = tmp_path / "log.csv"
    line = big_log(log, b"HSY,1.001,P1,2026-01-02,2026-01-05,,,\xff\n")
    offset = log.stat().st_size - 2
    text = refused(qms("kpi", "report", str(log), "--as-of", "2026-03-31", "--format", "json", cwd=tmp_path),
                   f"{log}:{line}", "0xff", f"offset {offset}")
    assert '"total"' not in text


def test_quote_deep_in_a_log_keeps_every_row_number(tmp_path: Path) -> None:
    """K5: a quoted cell spanning two lines after 300,000 plain rows: the rows after it keep the csv
    reader's row numbers (a rejected row is reported at its real line)."""
    log = tmp_path / "log.csv"
    line = big_log(log, 'HSQ,1.001,"P\n1",2026-01-02,2026-01-05,,,\nHSR,1.001,P1,hôm qua,2026-01-05,,,\n'
                   .encode())
    proc = qms("kpi", "report", str(log), "--as-of", "2026-03-31", "--format", "json", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert data["rows_read"] == ROWS + 2
    assert [(r["row"], r["dossier_id"]) for r in data["rejected"]] == [(line + 2, "HSR")]
