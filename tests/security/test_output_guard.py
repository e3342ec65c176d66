"""F2 and F12: a file named with -o/--output (or an HTML site directory) never destroys an input.

Every case runs the real command line in a subprocess on a copy of the example organisation kept
under git, and checks the exit code, the message and that the target is byte for byte unchanged.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
from outputs_helpers import example_repo, git, kpi_log, qms, signing_key, snapshot, tiny_pdf


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return example_repo(tmp_path / "repo")


def _refused(run: subprocess.CompletedProcess[str], path: str, why: str) -> None:
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    err = run.stderr
    assert "refusing to write" in err and path in err and why in err, err
    assert "hint:" in err and "Traceback" not in err, err


def test_render_onto_a_process_file_is_refused(repo: Path) -> None:
    """F2: `qms render procedure QT-CT-01 -o processes/QT-CT-01.yaml` is refused; the procedure stays."""
    before = snapshot(repo)
    run = qms(repo, "render", "procedure", "QT-CT-01", "-o", "processes/QT-CT-01.yaml")
    _refused(run, "processes/QT-CT-01.yaml", "processes/")
    assert snapshot(repo) == before


def test_render_onto_a_process_file_is_refused_even_with_force(repo: Path) -> None:
    """F2: --force never lets an output replace a repository file."""
    before = (repo / "processes/QT-CT-01.yaml").read_bytes()
    run = qms(repo, "render", "procedure", "QT-CT-01", "-o", "processes/QT-CT-01.yaml", "--force")
    _refused(run, "processes/QT-CT-01.yaml", "processes/")
    assert (repo / "processes/QT-CT-01.yaml").read_bytes() == before


def test_sign_onto_the_key_is_refused(repo: Path, tmp_path: Path) -> None:
    """F2: `qms sign p.pdf --p12 id.p12 --password-file pw -o id.p12` is refused; the key stays."""
    key = signing_key(tmp_path / "key")
    pdf = tiny_pdf(tmp_path / "p.pdf")
    before = key.p12.read_bytes()
    run = qms(tmp_path, "sign", pdf, "--p12", key.p12, "--password-file", key.password_file, "-o", key.p12,
              "--force")
    _refused(run, "signer.p12", "input of this command")
    assert key.p12.read_bytes() == before


def test_render_onto_qms_yaml_is_refused(repo: Path) -> None:
    """F2: an output onto qms.yaml is refused, with or without --force."""
    before = (repo / "qms.yaml").read_bytes()
    for extra in ((), ("--force",)):
        run = qms(repo, "render", "manual", "-o", "qms.yaml", *extra)
        _refused(run, "qms.yaml", "qms.yaml")
    assert (repo / "qms.yaml").read_bytes() == before


def test_output_onto_a_record_is_refused(repo: Path) -> None:
    """F2: an output onto an existing record (records/, audits/) is refused, even through a symlink."""
    record = repo / "records/nonconformities/NC-2026-0001.yaml"
    audit = repo / "audits/AUD-2026-01.yaml"
    (repo / "link.html").symlink_to(audit)
    before = snapshot(repo)
    _refused(qms(repo, "nc", "report", "-o", "records/nonconformities/NC-2026-0001.yaml", "--format", "html",
                 "--force"), "NC-2026-0001.yaml", "records/")
    _refused(qms(repo, "audit", "show", "AUD-2026-01", "--format", "html", "-o", "link.html", "--force"),
             "link.html", "audits/")
    assert snapshot(repo) == before
    assert record.is_file() and audit.is_file()


def test_sign_onto_the_password_file_is_refused(tmp_path: Path) -> None:
    """F2: signing onto the password file is refused; the password file stays."""
    key = signing_key(tmp_path / "key")
    pdf = tiny_pdf(tmp_path / "p.pdf")
    before = key.password_file.read_bytes()
    run = qms(tmp_path, "sign", pdf, "--p12", key.p12, "--password-file", key.password_file,
              "-o", key.password_file)
    _refused(run, "password.txt", "input of this command")
    assert key.password_file.read_bytes() == before


def test_sign_onto_the_input_pdf_is_refused_by_path_hard_link_and_symlink(tmp_path: Path) -> None:
    """F2: signing onto the input PDF is refused, whether named directly, by a hard link or a symlink."""
    key = signing_key(tmp_path / "key")
    pdf = tiny_pdf(tmp_path / "p.pdf")
    os.link(pdf, tmp_path / "hard.pdf")
    (tmp_path / "soft.pdf").symlink_to(pdf)
    before = pdf.read_bytes()
    for target in ("p.pdf", "hard.pdf", "soft.pdf", "./sub/../p.pdf"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        run = qms(tmp_path, "sign", "p.pdf", "--p12", key.p12, "--password-file", key.password_file,
                  "-o", target, "--force")
        _refused(run, target.removeprefix("./"), "input of this command")
    assert pdf.read_bytes() == before
    ok = qms(tmp_path, "sign", "p.pdf", "--p12", key.p12, "--password-file", key.password_file, "-o", "s.pdf")
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "s.pdf").read_bytes().startswith(b"%PDF-") and pdf.read_bytes() == before


def test_kpi_report_onto_its_log_is_refused(repo: Path) -> None:
    """F2: `qms kpi report log.csv -o log.csv` (or a hard link to it) is refused; the log stays."""
    log = kpi_log(repo / "log.csv")
    os.link(log, repo / "same.csv")
    before = log.read_bytes()
    _refused(qms(repo, "kpi", "report", "log.csv", "--format", "csv", "-o", "log.csv", "--force"),
             "log.csv", "input of this command")
    _refused(qms(repo, "kpi", "report", "log.csv", "--format", "csv", "-o", "same.csv"),
             "same.csv", "input of this command")
    limits = repo / "limits.yaml"
    limits.write_text("QT-CT-01: 3\n", encoding="utf-8")
    _refused(qms(repo, "kpi", "report", "log.csv", "--limits", "limits.yaml", "-o", "limits.yaml"),
             "limits.yaml", "input of this command")
    assert log.read_bytes() == before and limits.read_text(encoding="utf-8") == "QT-CT-01: 3\n"


def test_output_onto_a_tracked_file_needs_force(repo: Path) -> None:
    """F2: an output onto a file tracked by git is refused; --force allows it."""
    notes = repo / "notes.txt"
    notes.write_text("minutes of the meeting\n", encoding="utf-8")
    git(repo, "add", "notes.txt")
    git(repo, "commit", "-q", "-m", "notes")
    kpi_log(repo / "log.csv")
    run = qms(repo, "kpi", "report", "log.csv", "-o", "notes.txt")
    _refused(run, "notes.txt", "tracked by git")
    assert notes.read_text(encoding="utf-8") == "minutes of the meeting\n"
    forced = qms(repo, "kpi", "report", "log.csv", "-o", "notes.txt", "--force")
    assert forced.returncode in (0, 1), forced.stderr
    assert notes.read_text(encoding="utf-8") != "minutes of the meeting\n"


def test_output_onto_a_file_of_another_type_needs_force(repo: Path) -> None:
    """F2: a PDF output onto a text file, or a CSV output onto a PDF, is refused; --force allows it."""
    text = repo / "out.txt"
    text.write_text("keep me\n", encoding="utf-8")
    _refused(qms(repo, "render", "procedure", "QT-CT-01", "-o", "out.txt"), "out.txt", "not a PDF file")
    pdf = tiny_pdf(repo / "old.pdf")
    before = pdf.read_bytes()
    kpi_log(repo / "log.csv")
    _refused(qms(repo, "kpi", "report", "log.csv", "--format", "csv", "-o", "old.pdf"), "old.pdf", "not a CSV file")
    _refused(qms(repo, "nc", "report", "-o", "old.pdf", "--format", "html"), "old.pdf", "not a HTML file")
    assert pdf.read_bytes() == before and text.read_text(encoding="utf-8") == "keep me\n"
    forced = qms(repo, "kpi", "report", "log.csv", "--format", "csv", "-o", "old.pdf", "--force")
    assert forced.returncode in (0, 1), forced.stderr
    assert pdf.read_bytes() != before


def test_html_site_into_a_directory_that_is_not_a_qms_site(repo: Path) -> None:
    """F12: `--format html -o DIR` refuses a non-empty directory that qms did not write, unless --force;
    a site qms wrote before may be rendered again."""
    site = repo.parent / "site"
    site.mkdir()
    (site / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    _refused(qms(repo, "render", "manual", "--format", "html", "-o", site), "site", "not a site written by qms")
    assert sorted(p.name for p in site.iterdir()) == ["photo.jpg"]
    fresh = repo.parent / "fresh"
    first = qms(repo, "render", "procedure", "QT-CT-01", "--format", "html", "-o", fresh)
    assert first.returncode == 0, first.stderr
    assert (fresh / ".qms-site").is_file() and (fresh / "index.html").is_file()
    again = qms(repo, "render", "procedure", "QT-CT-01", "--format", "html", "-o", fresh)
    assert again.returncode == 0, again.stderr
    forced = qms(repo, "render", "procedure", "QT-CT-01", "--format", "html", "-o", site, "--force")
    assert forced.returncode == 0, forced.stderr
    assert (site / "photo.jpg").read_bytes() == b"\xff\xd8\xff" and (site / "index.html").is_file()


def test_html_site_into_the_repository_is_refused(repo: Path) -> None:
    """F2: an HTML site into the repository root or processes/ is refused even with --force."""
    before = snapshot(repo)
    for target in (".", "processes"):
        _refused(qms(repo, "render", "manual", "--format", "html", "-o", target, "--force"), target,
                 "folder of the repository")
    assert snapshot(repo) == before


def test_new_file_under_records_is_allowed(repo: Path) -> None:
    """F2: a new KPI report under records/ (kept as evidence, 9.1.1) is written; rewriting it is refused."""
    kpi_log(repo / "log.csv")
    run = qms(repo, "kpi", "report", "log.csv", "--format", "csv", "-o", "records/kpi/2026-03.csv")
    assert run.returncode in (0, 1), run.stderr
    written = (repo / "records/kpi/2026-03.csv").read_bytes()
    assert written
    _refused(qms(repo, "kpi", "report", "log.csv", "--format", "csv", "-o", "records/kpi/2026-03.csv"),
             "2026-03.csv", "records/")
    assert (repo / "records/kpi/2026-03.csv").read_bytes() == written


def test_read_only_target_is_refused(repo: Path) -> None:
    """F2: a read-only output file is refused with a message, never silently replaced (even with --force)."""
    kpi_log(repo / "log.csv")
    target = repo / "report.csv"
    target.write_text("old,report\n", encoding="utf-8")
    target.chmod(0o444)
    for extra in ((), ("--force",)):
        _refused(qms(repo, "kpi", "report", "log.csv", "--format", "csv", "-o", "report.csv", *extra),
                 "report.csv", "read-only")
    assert target.read_text(encoding="utf-8") == "old,report\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444


def test_every_named_output_goes_through_the_guard(repo: Path) -> None:
    """F2: each command with -o refuses to write onto qms.yaml (the guard is wired everywhere)."""
    kpi_log(repo / "log.csv")
    before = (repo / "qms.yaml").read_bytes()
    commands = [
        ("render", "manual", "-o", "qms.yaml"),
        ("kpi", "report", "log.csv", "-o", "qms.yaml"),
        ("review", "pack", "--period", "2026-01..2026-03", "-o", "qms.yaml", "--format", "html"),
        ("audit", "programme", "--year", "2026", "-o", "qms.yaml"),
        ("audit", "show", "AUD-2026-01", "-o", "qms.yaml"),
        ("nc", "report", "-o", "qms.yaml", "--format", "html"),
        ("migrate", "report", "-o", "qms.yaml", "--format", "json"),
        ("migrate", "check", "--actions-out", "qms.yaml", "--owner", "x", "--due", "2026-12-31"),
        ("doc", "show", "QT-CT-01", "-o", "qms.yaml"),
    ]
    for args in commands:
        _refused(qms(repo, *args), "qms.yaml", "qms.yaml")
    assert (repo / "qms.yaml").read_bytes() == before


@pytest.mark.parametrize("mode", [0o444, 0o640])
def test_register_rewrite_keeps_the_file_mode(tmp_path: Path, mode: int) -> None:
    """F12: `qms nc plan` and `qms doc revise` rewrite a file atomically and keep its mode (0444, 0640)."""
    repo = example_repo(tmp_path / "repo")
    record = repo / "records/nonconformities/NC-2026-0001.yaml"
    process = repo / "processes/QT-CT-01.yaml"
    record.chmod(mode)
    process.chmod(mode)
    nc = qms(repo, "nc", "new", "--process", "QT-CT-01", "--title", "Late", "--description", "One day late",
             "--source", "late_dossier", "--severity", "minor", "--by", "Lê Văn Cường")
    assert nc.returncode == 0, nc.stderr
    found = re.search(r"NC-\d{4}-\d{4,}", nc.stdout)
    assert found, nc.stdout
    new_id = found.group(0)
    new_record = repo / f"records/nonconformities/{new_id}.yaml"
    assert new_record.is_file(), nc.stdout
    new_record.chmod(mode)
    before = new_record.read_bytes()
    planned = qms(repo, "nc", "correct", new_id, "--description", "Returned the dossier", "--by", "Lê Văn Cường")
    assert planned.returncode == 0, planned.stderr
    assert new_record.read_bytes() != before
    assert stat.S_IMODE(new_record.stat().st_mode) == mode
    revised = qms(repo, "doc", "revise", "QT-CT-01", "--summary", "Sửa bước 2", "--by", "Lê Văn Cường")
    assert revised.returncode == 0, revised.stderr
    assert stat.S_IMODE(process.stat().st_mode) == mode


def test_immutable_target_is_refused(repo: Path) -> None:
    """F2: an immutable output file (chattr +i) is refused before any work, even with --force."""
    import shutil

    kpi_log(repo / "log.csv")
    target = repo / "report.csv"
    target.write_text("old,report\n", encoding="utf-8")
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(target)], capture_output=True,
                                                        check=False).returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("chattr +i is needed for this test under CI")
        pytest.skip("chattr +i is not available here")
    try:
        _refused(qms(repo, "kpi", "report", "log.csv", "--format", "csv", "-o", "report.csv", "--force"),
                 "report.csv", "immutable")
    finally:
        subprocess.run(["chattr", "-i", str(target)], capture_output=True, check=False)
    assert target.read_text(encoding="utf-8") == "old,report\n"
