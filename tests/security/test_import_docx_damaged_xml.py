"""Hostile input to ``qms import docx`` (round 9): a package whose parts are damaged names the part, its
line and column, in the user's language, and writes nothing."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "examples" / "word" / "QT-TP-01-2015-bang.docx"
_PLAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _rewrite(target: Path, part: str, change: object) -> Path:
    with zipfile.ZipFile(GOOD) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, change(data) if info.filename == part else data)  # type: ignore[operator]
    return target


def test_damaged_xml_and_a_foreign_main_part_are_named_in_vietnamese(example_copy: Path, run_qms,
                                                                      tmp_path: Path) -> None:
    """H20: a .docx whose word/document.xml is cut short is refused with "word/document.xml:LINE:COL" and a
    Vietnamese message; one whose main part is declared with another content type says so. Before, both
    showed the parser's English words ("AttValue: ' expected ... (<string>, line 2)", "file
    '<_io.BytesIO object at 0x…>' is not a Word file")."""
    cut = _rewrite(tmp_path / "QT-CUT.docx", "word/document.xml", lambda b: b[: len(b) // 2])
    foreign = _rewrite(tmp_path / "QT-FOREIGN.docx", "[Content_Types].xml",
                       lambda b: b.replace(_PLAIN, b"application/vnd.example.other+xml"))
    before = sorted(p.name for p in (example_copy / "processes").iterdir())
    r = run_qms("--lang", "vi", "import", "docx", str(cut), cwd=example_copy)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert f"{cut}: word/document.xml:" in r.stderr and "bị hỏng" in r.stderr, r.stderr
    line_col = r.stderr.split("word/document.xml:", 1)[1].split(":", 2)
    assert line_col[0].isdigit() and line_col[1].isdigit(), r.stderr
    r2 = run_qms("--lang", "vi", "import", "docx", str(foreign), cwd=example_copy)
    assert r2.exit_code == 2, (r2.stdout, r2.stderr)
    assert "application/vnd.example.other+xml" in r2.stderr and "không phải văn bản Word" in r2.stderr, r2.stderr
    for err in (r.stderr, r2.stderr):
        assert "Traceback" not in err and "expected" not in err and "BytesIO" not in err and "<string>" not in err
    assert sorted(p.name for p in (example_copy / "processes").iterdir()) == before


def test_a_zip_bomb_ratio_is_written_the_vietnamese_way(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """H23: the Vietnamese refusal of a zip bomb gives the ratio with Vietnamese digit grouping ("1.028:1").
    Before, it read "1,028:1", which a Vietnamese reader takes for a ratio of about one to one."""
    doc = tmp_path / "QT-BOMB.docx"
    with zipfile.ZipFile(GOOD) as src, zipfile.ZipFile(doc, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        dst.writestr("word/media/bomb.bin", b"\x00" * (8 << 20))
    r = run_qms("--lang", "vi", "import", "docx", str(doc), cwd=example_copy)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    m = re.search(r"tỉ lệ (\S+):1, vượt giới hạn (\S+):1", r.stderr)
    assert m is not None, r.stderr
    assert re.fullmatch(r"1\.\d{3}", m.group(1)), m.group(0)
    r = run_qms("--lang", "en", "import", "docx", str(doc), cwd=example_copy)
    assert re.search(r"compressed 1,\d{3}:1", r.stderr), r.stderr
