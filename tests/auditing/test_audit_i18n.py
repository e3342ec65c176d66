"""Every user-facing string of the audit modules has a Vietnamese translation; the question bank is bilingual."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import qms
from qms.auditing.checklist import question_bank
from qms.auditing.documents import GRADE_LABELS, RESULT_LABELS, STATE_LABELS
from qms.i18n import catalogue
from qms.standards import clause_exists

PKG = Path(qms.__file__).parent
MODULES = ["cli/audit.py", "auditing/programme.py", "auditing/lifecycle.py", "auditing/documents.py",
           "store/audit_store.py"]


def _messages() -> list[str]:
    out: list[str] = []
    for rel in MODULES:
        for node in ast.walk(ast.parse((PKG / rel).read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                out.append(str(node.args[0].value))
    out += [*GRADE_LABELS.values(), *RESULT_LABELS.values(), *STATE_LABELS.values()]
    return out


def test_every_audit_message_is_translated() -> None:
    vi = catalogue("vi")
    messages = _messages()
    assert len(messages) > 150
    missing = [m for m in messages if m not in vi]
    assert not missing, missing
    placeholders = re.compile(r"\{(\w*)[^}]*\}")
    for m in messages:  # placeholders survive translation
        assert sorted(placeholders.findall(m)) == sorted(placeholders.findall(vi[m])), m


def test_question_bank_covers_clauses_4_to_10_in_both_languages() -> None:
    bank = question_bank()
    assert {k.split(".")[0] for k in bank} == {"4", "5", "6", "7", "8", "9", "10"}
    for clause, questions in bank.items():
        assert clause_exists(clause), clause
        for q in questions:
            assert q.question.vi.strip()
            assert q.question.en.strip()
            assert q.question.vi != q.question.en
            assert q.question.en.endswith("?") or q.question.en.endswith(")"), q.question.en


def test_show_in_vietnamese_has_no_english_counts(example_copy: Path, run_qms: Any) -> None:
    """`qms --lang vi audit show` of an audit whose checklist has no results yet names the count of
    items without a result in Vietnamese, not with the code `pending`."""
    root = str(example_copy)
    for args in (("plan", "AUD-2026-02", "--date", "2026-01-20"), ("checklist", "AUD-2026-02")):
        r = run_qms("--root", root, "audit", *args)
        assert r.exit_code == 0, r.stderr
    r = run_qms("--lang", "vi", "--root", root, "audit", "show", "AUD-2026-02")
    assert r.exit_code == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if "Danh mục kiểm tra" in x)
    assert "pending" not in line and "chưa có kết quả" in line, line
    # no finding yet: said so, not an empty line; the date as people read it
    assert "  Các phát hiện: chưa ghi nhận" in r.stdout.splitlines(), r.stdout
    assert "  Ngày: 20/01/2026" in r.stdout.splitlines(), r.stdout


def test_programme_document_calls_its_date_a_date(example_copy: Path, run_qms: Any) -> None:
    """The Vietnamese programme document labels the day it was prepared "Ngày lập" (date prepared), not
    "Người lập" (the person who prepared it) next to a date."""
    r = run_qms("--lang", "vi", "--root", str(example_copy), "audit", "programme", "--year", "2026",
                "--from-file", "--format", "html")
    assert r.exit_code == 0, r.stderr
    assert re.search(r"<th>Ngày lập</th>\s*<td>\d{2}/\d{2}/\d{4}</td>", r.stdout), r.stdout[:3000]
    assert not re.search(r"<th>Người lập</th>\s*<td>\d{2}/\d{2}/\d{4}</td>", r.stdout)
