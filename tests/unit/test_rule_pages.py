"""`qms rule CODE` in Vietnamese: every rule has a current Vietnamese page (qms/i18n/locale/vi/rule_pages.yaml)."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata

from qms.i18n.rule_pages import SECTIONS, translated
from qms.rules.registry import all_rules, by_code


def test_every_rule_has_a_current_vietnamese_page() -> None:
    """Every rule's summary, What it checks, Why, Example (prose) and Fix exist in Vietnamese, made from
    the current English docstring (a changed docstring makes its translation stale and fails here)."""
    missing: list[str] = []
    for rule in all_rules():
        doc = rule.doc()
        page = translated(rule.code, doc, "vi")
        if page is None:
            missing.append(rule.code)
            continue
        for key in SECTIONS:
            if doc.get(key, "").strip():
                assert page.get(key, "").strip(), (rule.code, key)
                assert unicodedata.is_normalized("NFC", page[key]), (rule.code, key)
                if key != "example" and not (doc[key].strip().startswith("`") and doc[key].strip().endswith("`")):
                    assert page[key] != doc[key].strip(), (rule.code, key, "not translated")
    assert not missing, "rules without a current Vietnamese page (rule_pages.yaml): " + ", ".join(missing)


def test_a_changed_docstring_is_not_shown_with_a_stale_translation() -> None:
    """A translation made from another English text is not used: the English page is shown instead."""
    doc = dict(by_code()["QMS201"].doc())
    assert translated("QMS201", doc, "vi") is not None
    doc["why"] += " Changed."
    assert translated("QMS201", doc, "vi") is None


def test_rule_page_in_vietnamese_from_the_command_line() -> None:
    """`qms --lang vi rule QMS201` prints Vietnamese headings and Vietnamese text; English stays English."""
    env = {**os.environ, "QMS_LANG": "en"}
    vi = subprocess.run([sys.executable, "-m", "qms", "--lang", "vi", "rule", "QMS201"], capture_output=True,
                        text=True, env=env, timeout=120, check=False)
    assert vi.returncode == 0, vi.stderr
    for heading in ("Kiểm tra gì", "Vì sao", "Ví dụ", "Cách sửa"):
        assert f"\n{heading}\n" in vi.stdout, (heading, vi.stdout)
    assert "Một sơ đồ quá trình không có đúng một bước bắt đầu." in vi.stdout
    assert "Đánh dấu bước đầu tiên `kind: start`" in vi.stdout
    assert "What it checks" not in vi.stdout and "Mark the first step" not in vi.stdout
    en = subprocess.run([sys.executable, "-m", "qms", "rule", "QMS201"], capture_output=True, text=True, env=env,
                        timeout=120, check=False)
    assert en.returncode == 0 and "\nWhat it checks\n" in en.stdout and "Mark the first step" in en.stdout


def test_rule_page_summary_agrees_with_the_catalogue() -> None:
    """The summary of a Vietnamese page is the one `qms --lang vi rules` lists (rules.po)."""
    from qms.i18n import catalogue

    vi = catalogue("vi")
    for rule in all_rules():
        doc = rule.doc()
        first = doc["summary"].splitlines()[0]
        page = translated(rule.code, doc, "vi")
        assert page is not None
        if first in vi:
            assert page["summary"].splitlines()[0] == vi[first], rule.code
