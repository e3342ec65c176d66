"""The Vietnamese transition report and `migrate apply` summary show the migration log in Vietnamese."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from qms.cli.main import main
from qms.i18n import use_language
from qms.migrate import wording
from qms.migrate.apply import LOG_NAME

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "iso2008-city"

#: English of the log that a Vietnamese reader must never see (labels, notes, reasons)
ENGLISH = ("to confirm", "verified", "certain", "published", "(inverse,", "evidence ", "several ", "kept only",
           "counterpart", "review and complete", "check it by hand", "wording depends", "duties assigned",
           "stays accountable", ">clause<", ">term<", ">exclusion<", "Conduct internal audits")


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out + out.err


def test_vietnamese_report_and_summary_hold_no_english_of_the_log(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """W1 (the English of the organisation's own bilingual fields is data and may appear): after `qms --lang vi migrate apply` on the 2008 sample, the summary's "not placed" reasons and the
    Vietnamese transition report (confidence, origin, action, notes, suggestions, reasons) hold none of the
    log's English wording; every note, reason and label of the log has a Vietnamese wording."""
    root = tmp_path / "city"
    shutil.copytree(SAMPLE, root)
    code, out = _cli(["--lang", "vi", "--root", str(root), "migrate", "apply"], capsys)
    assert code == 0, out
    assert "chưa xếp được" in out and "kept only in this log" not in out, out
    assert "chỉ còn lưu trong nhật ký này" in out
    log = yaml.safe_load((root / LOG_NAME).read_text(encoding="utf-8"))
    texts = [c["note"] for c in log["changes"] if c["note"]] + [s["reason"] for s in log["suggestions"]] + \
        [u["reason"] for u in log["unplaced"]]
    labels = {c["confidence"] for c in log["changes"]} | {c["action"] for c in log["changes"]}
    with use_language("vi"):
        untranslated = [t for t in texts if any(piece in wording.text(t) for piece in wording._pieces(t))]
        assert not untranslated, untranslated
        assert all(wording.label(x) != x for x in labels), labels
    report = tmp_path / "transition-vi.html"
    code, out = _cli(["--lang", "vi", "--root", str(root), "migrate", "report", "-o", str(report)], capsys)
    assert code == 0, out
    html = report.read_text(encoding="utf-8")
    words = re.sub(r"<(?!/?t[hd]>)[^>]+>", "", re.sub(r"<style.*?</style>", "", html, flags=re.S))
    found = [w for w in ENGLISH if w in words]
    assert not found, found
    for needle in ("cần xác nhận", "đã kiểm chứng", "căn cứ", "chắc chắn"):
        assert needle in words, needle


def test_vietnamese_map_translates_the_row_note(capsys: pytest.CaptureFixture[str]) -> None:
    """W2: `qms --lang vi migrate map 8.5.3` gives the correlation row's note in Vietnamese (before: "preventive
    action replaced by risk-based thinking / …" in English); the JSON keeps the table's own wording."""
    code, out = _cli(["--lang", "vi", "migrate", "map", "8.5.3"], capsys)
    assert code == 0, out
    assert "preventive action replaced" not in out and "ghi chú: hành động phòng ngừa" in out, out
    code, out = _cli(["--lang", "vi", "migrate", "map", "8.5.3", "--format", "json"], capsys)
    assert "preventive action replaced by risk-based thinking" in out
