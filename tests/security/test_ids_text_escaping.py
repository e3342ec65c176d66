"""F7: newlines and control characters in user text never reach text output raw.

In a CI log a line that starts with ``::`` is a workflow command (``::error``, ``::add-mask::``). Each
test puts ``…\\n::error file=x::forged`` (or an escape sequence, or a bidi override) into user text,
runs the real command line and checks that no output line starts with ``::`` that qms did not write,
and that the text is shown escaped on its own line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ids_helpers import WORKFLOW_LINE, example_repo, qms, set_nc_field

from qms.output.safe import one_line

PAYLOAD = "Trả kết quả trễ hạn\n" + WORKFLOW_LINE
SHOWN = "Trả kết quả trễ hạn\\n" + WORKFLOW_LINE


def _forged(output: str) -> list[str]:
    """Lines that a GitHub runner would read as a workflow command (it trims leading spaces first)."""
    return [line for line in output.splitlines() if line.lstrip().startswith("::")]


def _replace_line(path: Path, pattern: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed, n = re.subn(pattern, lambda _m: new, text, count=1, flags=re.MULTILINE)
    assert n == 1, pattern
    path.write_text(changed, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return example_repo(tmp_path)


def test_one_line_escapes_breaks_controls_and_bidi() -> None:
    """F7: the shared escaper writes line breaks, tabs, ESC, C1 controls and bidi overrides as visible escapes."""
    assert one_line("a\nb\r\tc\x1b[31m\x85\u202eX\u2028") == "a\\nb\\r\\tc\\x1b[31m\\x85\\u202eX\\u2028"
    assert one_line("Đăng ký khai sinh — ổn") == "Đăng ký khai sinh — ổn"
    assert one_line(None) == ""


def test_nc_list_text(repo: Path) -> None:
    """F7: the issue's case: an NC title whose second line is `::error file=x::…` stays on its row in `qms nc list`."""
    set_nc_field(repo, "NC-2026-0002", "title", PAYLOAD)
    set_nc_field(repo, "NC-2026-0003", "title", "\x1b]0;pwned\x07 \u202eevil")
    r = qms(repo, "nc", "list", "--no-cache")
    assert r.returncode == 0, r.stderr
    assert not _forged(r.stdout)
    row = next(line for line in r.stdout.splitlines() if line.startswith("NC-2026-0002"))
    assert row.endswith(SHOWN)
    assert "\x1b" not in r.stdout and "\u202e" not in r.stdout
    assert "\\x1b]0;pwned\\x07 \\u202eevil" in r.stdout


def test_nc_list_warning_escapes_a_file_name(repo: Path) -> None:
    """F7: the warning about an unreadable record file keeps a hostile file name on its line."""
    (repo / "records" / "nonconformities" / "x\n::error file=y::forged.yaml").write_text("- [", encoding="utf-8")
    r = qms(repo, "nc", "list", "--no-cache")
    assert r.returncode == 1  # an unreadable register file: listed as a warning, exit 1
    assert not _forged(r.stderr)
    assert "x\\n::error file=y::forged.yaml is not a readable record" in r.stderr


def test_nc_show_text(repo: Path) -> None:
    """F7: `qms nc show` keeps the title on its line; description and evidence keep their line breaks
    (R8 item 3), but a line of theirs never starts a workflow command: its `::` is escaped."""
    for key in ("title", "description", "evidence"):
        set_nc_field(repo, "NC-2026-0002", key, PAYLOAD)
    r = qms(repo, "nc", "show", "NC-2026-0002")
    assert r.returncode == 0, r.stderr
    assert not _forged(r.stdout)
    assert r.stdout.count(SHOWN) == 1
    assert r.stdout.count("Trả kết quả trễ hạn\n" + r"\x3a" + WORKFLOW_LINE[1:]) == 1
    assert r.stdout.count("Trả kết quả trễ hạn\n    " + r"\x3a" + WORKFLOW_LINE[1:]) == 1


def test_nc_stats_text(repo: Path) -> None:
    """F7: `qms nc stats` (read without validation) keeps a hostile process value on its line."""
    set_nc_field(repo, "NC-2026-0002", "process", "QT-XX\n" + WORKFLOW_LINE)
    r = qms(repo, "nc", "stats")
    assert r.returncode == 0, r.stderr
    assert not _forged(r.stdout)
    assert "QT-XX\\n" + WORKFLOW_LINE in r.stdout


def test_error_messages_escape_the_id(repo: Path) -> None:
    """F7: an id with a line break is quoted escaped in the error message (stderr is in the CI log too)."""
    r = qms(repo, "nc", "show", "NC-2026-0001\n" + WORKFLOW_LINE)
    assert r.returncode == 2
    assert not _forged(r.stderr)
    assert "NC-2026-0001\\n::error" in r.stderr


def _audit_with(repo: Path, text: str) -> None:
    audit = repo / "audits" / "AUD-2026-01.yaml"
    _replace_line(audit, r"^  scope:\n    vi: .*\n    en: .*$",
                  "  scope:\n    vi: " + json.dumps(text) + "\n    en: " + json.dumps(text))


def test_audit_show_text(repo: Path) -> None:
    """F7: `qms audit show` keeps a hostile scope on its line."""
    _audit_with(repo, PAYLOAD)
    r = qms(repo, "audit", "show", "AUD-2026-01")
    assert r.returncode == 0, r.stderr
    assert not _forged(r.stdout)
    assert SHOWN in r.stdout


def test_audit_list_text(repo: Path) -> None:
    """F7: `qms audit list` keeps every audit on one line whatever its text holds."""
    _audit_with(repo, PAYLOAD)
    r = qms(repo, "audit", "list")
    assert r.returncode == 0, r.stderr
    assert not _forged(r.stdout)
    assert len([line for line in r.stdout.splitlines() if line.startswith("AUD-")]) == len(r.stdout.splitlines())


def _process_title(repo: Path, vi: str, en: str) -> None:
    _replace_line(repo / "processes" / "QT-HT-01.yaml", r"^title: .*$", "title: " + json.dumps({"vi": vi, "en": en}))


def test_doc_status_text(repo: Path) -> None:
    """F7: `qms doc status` keeps a hostile procedure title on its row."""
    _process_title(repo, PAYLOAD, PAYLOAD)
    r = qms(repo, "doc", "status")
    assert r.returncode == 0, r.stderr
    assert not _forged(r.stdout)
    row = next(line for line in r.stdout.splitlines() if line.startswith("QT-HT-01 "))
    assert row.endswith(SHOWN)


def test_kpi_report_text(tmp_path: Path) -> None:
    """F7: `qms kpi report --by unit`: a log cell with a line break stays on its row of the text report."""
    log = tmp_path / "log.csv"
    log.write_text(
        "Mã hồ sơ,Mã thủ tục,Đơn vị,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Trạng thái\n"
        f'A1,1.0001,"Tư pháp\n{WORKFLOW_LINE}",03/03/2026 08:00,05/03/2026 17:00,04/03/2026 10:00,Đã trả\n'
        "A2,1.0001,Một cửa,03/03/2026 08:00,05/03/2026 17:00,06/03/2026 10:00,Đã trả\n", encoding="utf-8")
    r = qms(tmp_path, "kpi", "report", str(log), "--by", "unit", "--as-of", "2026-06-30")
    assert r.returncode == 0, r.stderr
    assert not _forged(r.stdout)
    assert "Tư pháp " + WORKFLOW_LINE in r.stdout  # the line break is a space of the unit's name


def test_kpi_report_text_rejected_rows(tmp_path: Path) -> None:
    """F7: the rejected-rows section quotes what was wrong without letting a cell break the line."""
    log = tmp_path / "log.csv"
    log.write_text(
        "Mã hồ sơ,Mã thủ tục,Đơn vị,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Trạng thái\n"
        f'A1,1.0001,X,"03/03/2026\n{WORKFLOW_LINE}",05/03/2026 17:00,04/03/2026 10:00,Đã trả\n', encoding="utf-8")
    r = qms(tmp_path, "kpi", "report", str(log), "--as-of", "2026-06-30")
    assert r.returncode in (0, 1, 2), r.stderr
    assert not _forged(r.stdout) and not _forged(r.stderr)


def test_matrix_text(repo: Path) -> None:
    """F7: `qms matrix` keeps a hostile exclusion justification on its row."""
    _replace_line(repo / "qms.yaml", r"^        en: Administrative procedures are laid down.*$",
                  "        en: " + json.dumps(PAYLOAD))
    r = qms(repo, "matrix", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert not _forged(r.stdout)
    assert SHOWN in r.stdout


def test_migrate_check_text(repo: Path) -> None:
    """F7: `qms migrate check` prints no line of user text that could start a workflow command."""
    _process_title(repo, "Đại diện lãnh đạo\n" + WORKFLOW_LINE, "Management representative\n" + WORKFLOW_LINE)
    r = qms(repo, "migrate", "check")
    assert r.returncode in (0, 1), r.stderr
    assert not _forged(r.stdout)
    assert "QMS805" in r.stdout


@pytest.mark.parametrize("fmt", ["text", "github", "sarif"])
def test_check_outputs(repo: Path, fmt: str) -> None:
    """F7: `qms check --format text|github|sarif`: a hostile value quoted in a finding cannot add a line."""
    set_nc_field(repo, "NC-2026-0002", "process", "QT-XX\n" + WORKFLOW_LINE)
    _process_title(repo, PAYLOAD, "\x1b[2J" + PAYLOAD)
    r = qms(repo, "check", "--no-cache", "--format", fmt)
    assert r.returncode == 1, r.stderr
    assert "\x1b" not in r.stdout
    if fmt == "github":
        lines = r.stdout.splitlines()
        assert lines and all(re.match(r"::(error|warning|notice) file=[^,]*,line=\d+,col=\d+,title=", x) for x in lines)
        assert "forged" in r.stdout
    elif fmt == "sarif":
        doc = json.loads(r.stdout)
        assert any("forged" in res["message"]["text"] for res in doc["runs"][0]["results"])
        assert not _forged(r.stdout)
    else:
        assert not _forged(r.stdout)
        assert "forged" in r.stdout


def test_the_text_table_keeps_cells_on_their_line() -> None:
    """F7: the shared text table escapes each cell before measuring it, so columns stay aligned."""
    from qms.output.table import columns

    lines = columns([["Code", "Title"], ["QT-01", PAYLOAD], ["QT-\x1b[2J", "ok"]])
    assert lines == ["Code        Title", "QT-01       " + SHOWN, "QT-\\x1b[2J  ok"]
