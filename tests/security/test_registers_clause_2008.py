"""A nonconformity that cites an ISO 9001:2008 clause number (4.2.3 "Control of documents", which an
officer trained on the 2008 edition still writes): the refusal names the 2008 clause and the 2015
clauses it became, instead of suggesting an unrelated 2015 clause that merely looks alike (8.2.3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from inprocess import run_main as run

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["4.2.3", "ISO 9001:2008", "Control of documents", "7.5.2", "7.5.3"]),
    ("vi", ["4.2.3", "ISO 9001:2008", "Kiểm soát tài liệu", "7.5.2", "7.5.3"]),
])
def test_nc_new_with_a_2008_clause(repo: Path, capsys: pytest.CaptureFixture[str], lang: str,
                                   words: list[str]) -> None:
    """C1: `qms nc new --clause 4.2.3` is refused (exit 2, nothing written) with the 2015 clauses to cite."""
    code, _out, err = run(["--lang", lang, "nc", "new", "--process", "QT-01", "--title", "Dùng mẫu cũ",
                           "--description", "Bộ phận Một cửa dùng mẫu cũ", "--source", "internal",
                           "--severity", "minor", "--clause", "4.2.3", "--by", "Lê Văn Cường"], capsys)
    assert code == 2
    assert all(w in err for w in words), err
    assert "8.2.3" not in err
    assert not list((repo / "records" / "nonconformities").glob("NC-*.yaml"))


def test_check_names_the_2015_clauses_of_a_2008_number(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """C2: QMS506 on a record written by hand with clause 4.2.3 gives the same hint."""
    folder = repo / "records" / "nonconformities"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "NC-2026-0001.yaml").write_text(
        "id: NC-2026-0001\ntitle: Dùng mẫu cũ\ndescription: Bộ phận Một cửa dùng mẫu cũ.\nsource: internal_audit\n"
        "severity: minor\nprocess: QT-01\nclause: \"4.2.3\"\nraised_by: Lê Văn Cường\nraised_on: 2026-03-02\n"
        "status: open\nhistory:\n  - {at: 2026-03-02 09:00:00+07:00, by: Lê Văn Cường, transition: create, "
        "status: open}\n", encoding="utf-8")
    code, out, err = run(["--lang", "en", "check", "--select", "QMS506", "--no-cache"], capsys)
    assert code == 1, out + err
    assert "QMS506" in out and "Control of documents" in out and "7.5.3" in out, out
