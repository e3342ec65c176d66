"""Large repositories are parsed by forked workers; the result must equal the serial load."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from qms.engine import CheckOptions, run_check
from qms.output.jsonfmt import document
from qms.store import workspace

BENCH = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


def _generate(out: Path, n: int) -> None:
    spec = importlib.util.spec_from_file_location("qms_bench_generate", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["qms_bench_generate"] = module
    spec.loader.exec_module(module)
    module.generate(out, n)


def test_parallel_and_serial_loads_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "agency"
    _generate(root, workspace.PARALLEL_THRESHOLD + 4)
    # break two files so that problems and locations travel back from the workers too
    (root / "processes" / "QT-0003.yaml").write_text("id: QT-0003\nid: again\n", encoding="utf-8")
    bad = root / "processes" / "QT-0007.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("kind: core", "kind: main"), encoding="utf-8")
    monkeypatch.setenv("QMS_WORKERS", "2")
    assert workspace._workers(workspace.PARALLEL_THRESHOLD + 10) == 2
    parallel = workspace.load_workspace(root)
    monkeypatch.setenv("QMS_WORKERS", "1")
    serial = workspace.load_workspace(root)
    assert [d.path for d in parallel.docs] == [d.path for d in serial.docs]
    assert [d.digest for d in parallel.docs] == [d.digest for d in serial.docs]
    a = document(run_check(parallel, CheckOptions()))
    b = document(run_check(serial, CheckOptions()))
    assert a == b
    codes = {d["code"] for d in a["diagnostics"]}
    assert {"QMS002", "QMS010"} <= codes
