"""Every fuzz target runs for a few seconds under atheris (libFuzzer) without a crash.

Issue 19 item 12: a fuzz target for every reader (YAML fast and careful paths, the whole `qms check`
load, nonconformity and audit records, the KPI side files, CSV and XLSX dossier logs, PDF verify).
Each target asserts its reader's contract (a value, or the project's own error types; never another
exception, a hang past the per-input timeout, or a process above the memory bound). Known crashes
whose fix belongs to another item are tolerated here (see fuzz/known_issues.py) and replayed as
strict expected failures by test_fuzz_regressions.py. `make fuzz` runs the same targets longer.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
SECONDS = 3


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("qms_fuzz_run", REPO / "fuzz" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


RUN = _runner()


def _require_atheris() -> None:
    if importlib.util.find_spec("atheris") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("atheris is not installed (it is in the dev extra: pip install -e '.[dev]')")
        pytest.skip("atheris is not installed")


@pytest.mark.parametrize("target", RUN.available())
def test_fuzz_target_runs_without_a_crash(target: str, tmp_path: Path) -> None:
    """Item 12: the target fuzzes its reader for a few seconds; libFuzzer reports no crash, hang or OOM."""
    _require_atheris()
    out = RUN.run_target(target, SECONDS, tmp_path / "work", tmp_path / "crashes", python=sys.executable)
    assert out.runs > 0, f"{target} executed no input:\n{out.log_tail}"
    assert out.ok, (f"{target}: libFuzzer exit {out.returncode}, crash files {[p.name for p in out.crashes]}\n"
                    f"{out.log_tail}\nreproduce: python fuzz/fuzz_{target}.py CRASH_FILE")


def test_every_reader_has_a_target_or_a_documented_slot() -> None:
    """Item 12: YAML, CSV, xlsx, PDF verify, the record loaders and the Word reader (issue 14) have targets."""
    targets = RUN.TARGETS
    for name in ("yaml", "check", "nc_record", "audit_record", "kpi_config", "csv", "xlsx", "pdf_verify", "docx"):
        script = targets[name]
        assert script is not None and (REPO / "fuzz" / script).is_file(), name
        assert any((REPO / "fuzz" / "corpus" / name).iterdir()), f"{name} has no seed corpus"
    for seed in (REPO / "fuzz" / "corpus").rglob("*"):
        assert not seed.is_file() or seed.stat().st_size <= 12 * 1024, f"seed {seed} is larger than 12 KB"


def test_a_large_parent_does_not_push_a_target_over_its_memory_bound(tmp_path: Path) -> None:
    """Linux keeps the peak RSS across fork and exec, and libFuzzer's memory check reads it: run from a
    test worker that has grown past the bound, a target used to fail with an "out-of-memory" it never
    had. The runner starts each target with a fresh peak (this case failed before that)."""
    _require_atheris()
    import subprocess

    script = tmp_path / "big_parent.py"
    script.write_text(
        "import sys, importlib.util\n"
        "from pathlib import Path\n"
        f"spec = importlib.util.spec_from_file_location('qms_fuzz_run', {str(REPO / 'fuzz' / 'run.py')!r})\n"
        "m = importlib.util.module_from_spec(spec); sys.modules[spec.name] = m; spec.loader.exec_module(m)\n"
        f"ballast = bytearray((m.RSS_LIMIT_MB + 200) * 1024 * 1024)\n"
        "for i in range(0, len(ballast), 4096): ballast[i] = 1\n"
        f"out = m.run_target('yaml', 2, Path({str(tmp_path / 'work')!r}), Path({str(tmp_path / 'crashes')!r}),"
        " python=sys.executable)\n"
        "print('ok' if out.ok else 'FAIL ' + out.log_tail[-400:])\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok", done.stdout
