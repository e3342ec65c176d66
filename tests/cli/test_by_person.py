"""`--by` names a person of the organisation: who closed, verified, approved or audited is evidence, so a typo
is refused (exit 2) with the closest names instead of being written for good. One helper
(`Directory.actor`) serves every command; an organisation that lists no people accepts any name."""

from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

NC = "records/nonconformities/NC-2026-0005.yaml"
CORRECT = ("nc", "correct", "NC-2026-0005", "--description", "Tạm dừng bố trí", "--date", "2026-02-02")


def _refused(result: Any, typed: str, *suggested: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert f"--by `{typed}` is not a person of organisation.people" in result.stderr, result.stderr
    hint = result.stderr.split("hint:", 1)[1]
    for name in suggested:
        assert name in hint, hint
    assert "Traceback" not in result.stderr


def test_nc_step_with_a_typo_in_by_is_refused_and_nothing_written(example_copy: Path,
                                                                  run_qms: Callable[..., Any]) -> None:
    """B1: `qms nc correct --by "Bùi Văn Khan"` (a letter missing) used to write the typo into the record's
    history; it is refused with the closest name and the record is untouched."""
    before = (example_copy / NC).read_bytes()
    r = run_qms(*CORRECT, "--by", "Bùi Văn Khan", cwd=example_copy)
    _refused(r, "Bùi Văn Khan", "did you mean Bùi Văn Khánh (bui_van_khanh)?")
    assert (example_copy / NC).read_bytes() == before


def test_a_name_typed_without_diacritics_is_suggested_not_accepted(example_copy: Path,
                                                                   run_qms: Callable[..., Any]) -> None:
    """B2: "Bui Van Khanh" is not the name in qms.yaml; the suggestion is that one person, in both languages."""
    r = run_qms(*CORRECT, "--by", "Bui Van Khanh", cwd=example_copy)
    _refused(r, "Bui Van Khanh", "did you mean Bùi Văn Khánh (bui_van_khanh)?")
    assert "Nguyễn" not in r.stderr.split("hint:", 1)[1]
    vi = run_qms("--lang", "vi", *CORRECT, "--by", "Bui Van Khanh", cwd=example_copy)
    assert vi.exit_code == 2
    assert "không phải là người nào trong organisation.people" in vi.stderr
    assert "có phải ý bạn là Bùi Văn Khánh (bui_van_khanh)?" in vi.stderr


def test_a_name_in_another_case_or_unicode_form_is_recorded_as_qms_yaml_spells_it(
        example_copy: Path, run_qms: Callable[..., Any]) -> None:
    """B3: the name compared NFC and case-folded: "BÙI  VĂN KHÁNH" in decomposed Unicode is the person, and the
    history says "Bùi Văn Khánh"; an id is kept as the id."""
    typed = unicodedata.normalize("NFD", "BÙI  VĂN KHÁNH")
    r = run_qms(*CORRECT, "--by", typed, cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    text = (example_copy / NC).read_text(encoding="utf-8")
    assert "by: Bùi Văn Khánh\n  transition: correct" in text


def test_every_command_that_records_who_refuses_an_unknown_by(example_copy: Path,
                                                              run_qms: Callable[..., Any]) -> None:
    """B4: the same refusal for a document approval, an audit's fieldwork, an announcement and a hand-over,
    through the one helper (an audit result given by name is recorded as the auditor's id)."""
    cases = [
        ("doc", "approve", "QT-NL-01", "--as", "reviewer", "--by", "Tran Thi Binh"),
        ("audit", "close", "AUD-2026-01", "--by", "Vu Thi Gang"),
        ("announce", "--by", "nguyen_van_a"),
        ("people", "reassign", "bui_van_khanh", "le_van_cuong", "--by", "Ngyen Van An"),
    ]
    expected = ["Trần Thị Bình (tran_thi_binh)", "Vũ Thị Giang (vu_thi_giang)", "Nguyễn Văn An (nguyen_van_an)",
                "Nguyễn Văn An (nguyen_van_an)"]
    for argv, name in zip(cases, expected, strict=True):
        r = run_qms(*argv, cwd=example_copy)
        _refused(r, argv[-1], name)


def test_audit_fieldwork_by_name_is_the_auditor_id(example_copy: Path, run_qms: Callable[..., Any]) -> None:
    """B5: `qms audit record --by "Lê Văn Cường"` names the team member le_van_cuong (it used to be refused as
    "not on the audit team"); a typo is refused with the closest name."""
    r = run_qms("audit", "plan", "--date", "2026-11-10", "--process", "QT-HT-01", "--lead", "bui_van_khanh",
                "--team", "le_van_cuong", "--today", "2026-10-01", "--by", "vũ thị giang", cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    audit_id = r.stderr.split(":")[0].split()[-1]
    assert run_qms("audit", "checklist", audit_id, cwd=example_copy).exit_code == 0
    audit_file = example_copy / "audits" / f"{audit_id}.yaml"
    assert "by: Vũ Thị Giang" in audit_file.read_text(encoding="utf-8")
    bad = run_qms("audit", "record", audit_id, "Q01", "--result", "conforming", "--evidence", "HS-01",
                  "--by", "Le Van Cuong", "--date", "2026-11-10", cwd=example_copy)
    _refused(bad, "Le Van Cuong", "did you mean Lê Văn Cường (le_van_cuong)?")
    ok = run_qms("audit", "record", audit_id, "Q01", "--result", "conforming", "--evidence", "HS-01",
                 "--by", "Lê Văn Cường", "--date", "2026-11-10", cwd=example_copy)
    assert ok.exit_code == 0, ok.stderr
    assert "auditor: le_van_cuong" in audit_file.read_text(encoding="utf-8")


def test_an_organisation_without_people_accepts_any_name(example_copy: Path, run_qms: Callable[..., Any]) -> None:
    """B6: with no `organisation.people` there is nobody to compare with: any --by is recorded as given."""
    manifest = example_copy / "qms.yaml"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "people:")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    - {id:"))
    manifest.write_text("".join([*lines[:start], "  people: []\n", *lines[end:]]), encoding="utf-8")
    r = run_qms(*CORRECT, "--by", "Cán bộ trực", cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    assert "by: Cán bộ trực" in (example_copy / NC).read_text(encoding="utf-8")


def test_a_person_id_in_another_case_is_that_person_and_recorded_as_qms_yaml_spells_it(
        example_copy: Path, run_qms: Callable[..., Any]) -> None:
    """B7: `--by " BUI_VAN_KHANH "` (the id in capitals, with spaces) used to be refused with the suggestion
    "Bùi Văn Khánh (bui_van_khanh)"; it is that person, and the history records the id `bui_van_khanh`."""
    r = run_qms(*CORRECT, "--by", " BUI_VAN_KHANH ", cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    assert "by: bui_van_khanh\n  transition: correct" in (example_copy / NC).read_text(encoding="utf-8")


def _git_user(root: Path, name: str) -> None:
    if not (root / ".git").exists():
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "config", "user.name", name], check=True)


def test_git_user_name_that_names_nobody_is_refused(example_copy: Path, run_qms: Callable[..., Any]) -> None:
    """B8: with no --by, git's user.name "typo" used to be written into the history as evidence; it is
    refused (exit 2) with the closest names and the hint to pass --by or fix git's user.name, in both
    languages, and the record is untouched."""
    _git_user(example_copy, "Bui Van Khan")
    before = (example_copy / NC).read_bytes()
    r = run_qms(*CORRECT, cwd=example_copy)
    assert r.exit_code == 2, (r.exit_code, r.stderr)
    assert "git's user.name `Bui Van Khan` is not a person of organisation.people" in r.stderr, r.stderr
    hint = r.stderr.split("hint:", 1)[1]
    assert "Bùi Văn Khánh (bui_van_khanh)" in hint and "--by NAME" in hint and "git config user.name" in hint
    assert "Traceback" not in r.stderr
    vi = run_qms("--lang", "vi", *CORRECT, cwd=example_copy)
    assert vi.exit_code == 2
    assert "user.name của git `Bui Van Khan` không phải là người nào trong organisation.people" in vi.stderr
    assert (example_copy / NC).read_bytes() == before


def test_a_step_the_state_refuses_is_reported_before_who_takes_it(example_copy: Path,
                                                                   run_qms: Callable[..., Any]) -> None:
    """B8b: sealing an open record with git's user.name naming nobody used to report the user.name first;
    fixing it would only lead to "its status is open". The state is reported first, as it is with --by."""
    _git_user(example_copy, "Bui Van Khan")
    subprocess.run(["git", "-C", str(example_copy), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(example_copy), "-c", "user.email=qo@example.org", "commit", "-qm", "records"],
                   check=True)
    before = (example_copy / NC).read_bytes()
    for by in ((), ("--by", "Bùi Văn Khánh")):
        r = run_qms("nc", "seal", "NC-2026-0005", *by, cwd=example_copy)
        assert r.exit_code != 0 and "cannot seal NC-2026-0005: its status is `open`" in r.stderr, r.stderr
        assert "user.name" not in r.stderr
    assert (example_copy / NC).read_bytes() == before


def test_git_user_name_that_names_a_person_is_recorded_as_qms_yaml_spells_it(
        example_copy: Path, run_qms: Callable[..., Any]) -> None:
    """B9: git's user.name typed without diacritics ("bui van khanh": one person) is recorded as the name
    in qms.yaml; an id in capitals as the id."""
    _git_user(example_copy, "bui van khanh")
    r = run_qms(*CORRECT, cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    assert "by: Bùi Văn Khánh\n  transition: correct" in (example_copy / NC).read_text(encoding="utf-8")
    _git_user(example_copy, "LE_VAN_CUONG")
    r = run_qms("nc", "reject", "NC-2026-0005", "--reason", "Trùng hồ sơ", cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    assert "by: le_van_cuong\n  transition: reject" in (example_copy / NC).read_text(encoding="utf-8")


def test_git_user_name_is_taken_as_is_when_the_organisation_lists_no_people(
        example_copy: Path, run_qms: Callable[..., Any]) -> None:
    """B10: with no organisation.people, git's user.name is recorded as it is, as before."""
    manifest = example_copy / "qms.yaml"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "people:")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    - {id:"))
    manifest.write_text("".join([*lines[:start], "  people: []\n", *lines[end:]]), encoding="utf-8")
    _git_user(example_copy, "Cán bộ trực")
    r = run_qms(*CORRECT, cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    assert "by: Cán bộ trực" in (example_copy / NC).read_text(encoding="utf-8")
