"""`qms nc show` lays out multi-line text written in the record as YAML blocks: real line breaks, every
line escaped and indented, nothing a terminal or a CI runner would act on."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

BASE = Path(__file__).resolve().parent.parent / "rules" / "base"

RECORD = '''id: NC-2026-0001
title: Trả kết quả chứng thực trễ hạn
description: |
  Hồ sơ chứng thực trả trễ 1 ngày.
  ::error file=qms.yaml::Dòng thứ hai của mô tả.
source: late_dossier
severity: minor
process: QT-01
raised_by: Lê Văn Cường
raised_on: 2026-03-02
status: analysed
correction: {description: Trả kết quả và xin lỗi công dân, by: Lê Văn Cường, date: 2026-03-02}
cause:
  method: five_why
  whys: [Hồ sơ chờ ký]
  root_cause: "Chưa có quyết định ủy quyền ký thay\\r\\nvà chưa phân công \\e[31mngười dự phòng"
  similar: >-
    Rà soát sổ theo dõi quý I;

    không có trường hợp tương tự
  date: 2026-03-04
history:
  - {date: 2026-03-02, recorded_at: 2026-03-02 09:00:00+07:00, by: Lê Văn Cường, transition: create, status: open}
  - {date: 2026-03-02, recorded_at: 2026-03-02 10:00:00+07:00, by: Lê Văn Cường, transition: correct, status: contained}
  - {date: 2026-03-04, recorded_at: 2026-03-04 10:00:00+07:00, by: Lê Văn Cường, transition: analyse, status: analysed,
     note: "Họp ngày 4/3\\n##[warning]biên bản số 2"}
  - {date: 2026-03-05, recorded_at: 2026-03-05 10:00:00+07:00, by: Lê Văn Cường, transition: amend, status: analysed,
     field: cause/similar, old: "Dòng cũ 1\\nDòng cũ 2", new: Không có, reason: Sai chính tả}
'''


def test_nc_show_prints_line_breaks_not_backslash_n(tmp_path: Path, run_qms: Any) -> None:
    """R8 item 3: a description, root cause, search for similar cases and history note written over several
    lines show as several lines (no literal `\\n`), each continuation indented; an escape sequence stays
    visible as `\\x1b` and no line starts a CI workflow command (`::`, `##[`), even after blanks."""
    root = Path(shutil.copytree(BASE, tmp_path / "repo"))
    path = root / "records" / "nonconformities" / "NC-2026-0001.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(RECORD, encoding="utf-8")
    r = run_qms("--root", str(root), "nc", "show", "NC-2026-0001")
    assert r.exit_code == 0, r.stderr
    out = r.stdout.splitlines()
    assert "\\n" not in r.stdout and "\\r" not in r.stdout and "\x1b" not in r.stdout
    assert "Hồ sơ chứng thực trả trễ 1 ngày." in out
    assert "\\x3a:error file=qms.yaml::Dòng thứ hai của mô tả." in out
    assert "    Root cause: Chưa có quyết định ủy quyền ký thay" in out
    assert "        và chưa phân công \\x1b[31mngười dự phòng" in out
    assert "    Similar nonconformities: Rà soát sổ theo dõi quý I;" in out
    assert "        không có trường hợp tương tự" in out
    assert any(line.endswith("Họp ngày 4/3") for line in out)
    assert "        \\x23#[warning]biên bản số 2" in out
    assert any(line.endswith("cause/similar: Dòng cũ 1") for line in out)
    assert "        Dòng cũ 2 → Không có (reason: Sai chính tả)" in out
    assert not [line for line in out if line.lstrip().startswith(("::", "##["))]


def test_a_control_character_in_a_record_is_located_and_named(tmp_path: Path, run_qms: Any) -> None:
    """R8: a raw ESC in a record file (pasted from a terminal) was reported at line 1:1 as PyYAML's text with
    a literal `\\n` and a byte position; `nc show` and `qms check` now give its line and column and name it."""
    import json

    root = Path(shutil.copytree(BASE, tmp_path / "repo"))
    path = root / "records" / "nonconformities" / "NC-2026-0001.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(RECORD.replace("status: analysed", "status: analysed\nevidence: Ảnh chụp \x1b[31m quầy"),
                    encoding="utf-8")
    where = "records/nonconformities/NC-2026-0001.yaml:12:20"
    r = run_qms("--root", str(root), "nc", "show", "NC-2026-0001")
    assert r.exit_code == 2
    assert where + ": invalid YAML: the control character U+001B is not allowed" in r.stderr
    assert "\\n" not in r.stderr and "position" not in r.stderr and "\x1b" not in r.stderr
    r = run_qms("--root", str(root), "check", "--select", "QMS001", "--format", "json")
    [diag] = json.loads(r.stdout)["diagnostics"]
    assert (diag["line"], diag["column"]) == (12, 20) and "U+001B" in diag["message"]
