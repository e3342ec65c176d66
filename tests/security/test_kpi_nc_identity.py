"""`qms kpi report --raise-nc` on logs that name the procedure: the nonconformity's identity is the
resolved process, not the cell text, so a second export of the same period spelled differently finds
the record raised before."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
from inprocess import run_main as run

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"
HEADER = "Mã hồ sơ,Tên thủ tục,Ngày tiếp nhận,Ngày có kết quả,Trạng thái\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    monkeypatch.chdir(root)
    return root


def export(path: Path, name: str) -> Path:
    """One export of March 2026 for procedure QT-01 ("Chứng thực bản sao", 1 working day): one dossier
    on time, one late, the procedure written as ``name``."""
    rows = [f'A1,"{name}",03/03/2026 08:00,04/03/2026 10:00,Đã trả',
            f'A2,"{name}",03/03/2026 08:00,09/03/2026 10:00,Đã trả']
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


SPELLINGS = [
    "  CHỨNG THỰC   BẢN SAO.",  # case, extra spaces, a trailing full stop
    unicodedata.normalize("NFD", "chứng thực bản sao"),  # decomposed accents
    "Thủ tục chứng thực bản sao",  # the "Thủ tục" prefix some systems put before every name
    "Thủ tục hành chính: Chứng thực bản sao",
]


def nc_files(root: Path) -> list[Path]:
    return sorted((root / "records" / "nonconformities").glob("NC-*.yaml"))


@pytest.mark.parametrize("other", SPELLINGS)
def test_target_nc_is_not_raised_twice_for_another_spelling(repo: Path, other: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """K1: the same period exported twice with the procedure spelled differently raises one
    nonconformity (--target, one record per procedure below it); the rerun names the first record."""
    argv = ["kpi", "report", "--as-of", "2026-06-30", "--period", "2026-03", "--by", "procedure",
            "--target", "95", "--raise-nc", "--raised-by", "Trần Thị Bình"]
    code, _out, err = run([*argv[:2], str(export(repo / "a.csv", "Chứng thực bản sao")), *argv[2:]], capsys)
    assert code == 1, err
    first = nc_files(repo)
    assert len(first) == 1, err
    assert "process: QT-01" in first[0].read_text(encoding="utf-8")
    for log in (export(repo / "b.csv", other), repo / "a.csv"):
        code, _out, err = run([*argv[:2], str(log), *argv[2:]], capsys)
        assert code == 1, err
        assert nc_files(repo) == first, err
        assert first[0].stem in err and "already records" in err


@pytest.mark.parametrize("other", SPELLINGS[2:])
def test_objective_nc_with_a_prefixed_name(repo: Path, other: str, capsys: pytest.CaptureFixture[str]) -> None:
    """K2: a log that writes "Thủ tục <name>" is still the procedure of the repository: its time limit is
    found (the rows are counted, not rejected) and a missed objective raises one record for its process."""
    argv = ["kpi", "report", str(export(repo / "b.csv", other)), "--as-of", "2026-06-30", "--period", "2026-03",
            "--raise-nc", "--raised-by", "Trần Thị Bình", "--format", "json"]
    code, out, err = run(argv, capsys)
    assert code == 1, err
    assert '"rejected_rows": 0' in out and '"late": 1' in out
    files = nc_files(repo)
    assert len(files) == 1, err
    assert "kpi:MT-01:QT-01:2026-03-01..2026-03-31" in files[0].read_text(encoding="utf-8")


def test_record_raised_by_an_earlier_version_under_the_code_is_found(repo: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """K3: a record an earlier version raised with the marker ``kpi-late:<national code>:<period>`` still
    covers the procedure when the next export names it instead of giving its code."""
    proc = repo / "processes" / "QT-01.yaml"
    proc.write_text(proc.read_text(encoding="utf-8").replace("  mechanism: one_stop\n",
                                                             '  code: "1.000001"\n  mechanism: one_stop\n'),
                    encoding="utf-8")
    folder = repo / "records" / "nonconformities"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "NC-2026-0001.yaml").write_text(
        "id: NC-2026-0001\nprocess: QT-01\nevidence: kpi-late:1.000001:2026-03-01..2026-03-31 qms kpi report\n",
        encoding="utf-8")
    code, _out, err = run(["kpi", "report", str(export(repo / "b.csv", "Chứng thực bản sao")), "--as-of",
                           "2026-06-30", "--period", "2026-03", "--by", "procedure", "--target", "95",
                           "--raise-nc"], capsys)
    assert code == 1, err
    assert [p.name for p in folder.glob("NC-*.yaml")] == ["NC-2026-0001.yaml"], err
    assert "NC-2026-0001" in err



@pytest.mark.parametrize("target", [["--by", "procedure", "--target", "95"], []])
def test_a_record_raised_meanwhile_is_found_under_the_lock(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str],
                                                           target: list[str]) -> None:
    """K4: another `--raise-nc` raised the record after this one read the register (simulated: this one's
    first read sees the register as it was before): the check under the register lock finds the record,
    and nothing is raised twice (with --target, and for a missed objective)."""
    import qms.kpi.nc_link as nc_link

    argv = ["kpi", "report", str(export(repo / "a.csv", "Chứng thực bản sao")), "--as-of", "2026-06-30",
            "--period", "2026-03", *target, "--raise-nc", "--raised-by", "Trần Thị Bình"]
    code, _out, err = run(argv, capsys)
    assert code == 1, err
    first = nc_files(repo)
    assert len(first) == 1, err
    monkeypatch.setattr(nc_link, "existing_markers", lambda root: {})  # read before the other one wrote
    code, _out, err = run(argv, capsys)
    assert code == 1, err
    assert nc_files(repo) == first, err
    assert first[0].stem in err and "already records" in err


def test_concurrent_raise_nc_raises_one_record(repo: Path) -> None:
    """K5: three `qms kpi report --raise-nc` started at once, as real processes, on the same export and
    period: one nonconformity, the other two name it."""
    import os
    import subprocess
    import sys

    log = export(repo / "a.csv", "Chứng thực bản sao")
    argv = [sys.executable, "-m", "qms", "--lang", "en", "kpi", "report", str(log), "--as-of", "2026-06-30", "--period", "2026-03",
            "--by", "procedure", "--target", "95", "--raise-nc", "--raised-by", "Trần Thị Bình"]
    procs = [subprocess.Popen(argv, cwd=repo, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    errs = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [1, 1, 1], errs
    files = nc_files(repo)
    assert len(files) == 1, errs
    assert sum("already records" in e for e in errs) == 2, errs
