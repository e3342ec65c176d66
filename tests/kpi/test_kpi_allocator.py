"""`qms kpi report` (ten seconds) and `qms flow report` (five) let polars' allocator keep freed memory
for a while (fewer page faults on a large log), set before polars is imported and never over the
user's own allocator setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qms.cli.common import _ALLOCATOR_ENV, _KEEP_FREED_MEMORY

CODE = """
import os, sys
{before}
from qms.cli.common import keep_freed_memory
keep_freed_memory()
print(os.environ.get({env!r}, "<unset>"))
"""


def _run(before: str, env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if k != _ALLOCATOR_ENV}
    out = subprocess.run([sys.executable, "-c", CODE.format(before=before, env=_ALLOCATOR_ENV)],
                         env={**clean, **env}, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_set_before_polars_is_imported() -> None:
    assert _run("", {}) == _KEEP_FREED_MEMORY.format(ms=10_000) == "dirty_decay_ms:10000,muzzy_decay_ms:10000"


def test_not_set_once_polars_is_imported() -> None:
    """jemalloc reads its options once: setting them afterwards would only mislead (polars writes its
    own defaults into the variable as it is imported, with a setting found there appended)."""
    assert _KEEP_FREED_MEMORY.format(ms=10_000) not in _run("import polars", {})


def test_the_users_setting_wins() -> None:
    assert _run("", {_ALLOCATOR_ENV: "dirty_decay_ms:0"}) == "dirty_decay_ms:0"


@pytest.mark.parametrize("command", [["kpi", "report"], ["flow", "report"]])
def test_the_kpi_and_flow_reports_keep_freed_memory(tmp_path: Path, command: list[str]) -> None:
    """The KPI report keeps it ten seconds; the flow report, whose peak memory has the tighter budget,
    five."""
    log = tmp_path / "log.csv"
    log.write_text("Mã hồ sơ,Mã thủ tục,Bước,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả\n"
                   "H1,1.001,1,01/06/2026,05/06/2026,03/06/2026\n", encoding="utf-8")
    code = ("import os, sys\nfrom qms.cli.main import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            f"print('ENV=' + os.environ.get({_ALLOCATOR_ENV!r}, '<unset>'))")
    clean = {k: v for k, v in os.environ.items() if k != _ALLOCATOR_ENV}
    out = subprocess.run([sys.executable, "-c", code, *command, str(log), "--format", "json"], cwd=tmp_path,
                         env=clean, capture_output=True, text=True, check=True)
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("ENV="), out.stdout[-500:] + out.stderr[-500:]
    # polars puts its defaults first and the setting it found after them: the later one wins
    ms = 10_000 if command[0] == "kpi" else 5_000
    value = last.removeprefix("ENV=")  # after polars' defaults when it was imported (the KPI report)
    assert value.split(",")[-2:] == _KEEP_FREED_MEMORY.format(ms=ms).split(","), last
