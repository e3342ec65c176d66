"""Issue 13, item 4: a Vietnamese document holds no English word, no field name and no internal id,
and an English document holds no untranslated Vietnamese label and no Vietnamese word at all outside
proper names, codes and what the organisation wrote in one language only.

Every PDF document type qms writes is rendered once from a copy of the example organisation, in both
languages, through the real command-line entry point in a subprocess on a host with no fonts (the
bundled fonts only: issue 13, item 1; the manual comes from the run's shared `example_manuals`,
rendered the same way), and its text is extracted with pdftotext, as an auditor would copy it; the
Word manual (`--format docx`) is read with python-docx, headers and tables included; the HTML site
(`--format html`) is read page by page, its placeholders and labels included. The ids scanned for are
read from the example itself at test time, so a new unit, role, person or agency is covered without
editing this test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from example_repo import copy_example
from fontless import LIGATURES, empty_fontconfig

AS_OF = "2026-11-30"
FLOW_LOG = Path(__file__).resolve().parents[2] / "examples" / "flow" / "handover-log.csv"

#: English words that never belong in Vietnamese running text (checked as whole words, any case).
ENGLISH_IN_VI = (
    "the", "and", "of", "for", "with", "from", "after", "until", "step", "steps", "owner", "unit", "role",
    "dossier", "dossiers", "permanent", "year", "years", "month", "months", "day", "days", "hours",
    "working", "superseded", "page", "procedure", "responsibility", "records", "forms", "draft",
    "approved", "prepared", "reviewed", "unverified", "todo", "none", "null", "true", "false", "availability",
    "target", "actual", "finding", "findings", "auditor", "clause", "process", "processes", "status",
    "open", "closed", "overdue", "late", "on time", "early",
)

#: Vietnamese labels that never belong in an English document (document furniture, units of time),
#: as opposed to proper names (agencies, people, legal titles), which stay in Vietnamese.
VIETNAMESE_IN_EN = (
    "Trách nhiệm", "Mục đích", "Phạm vi", "Bước", "ngày làm việc", "Lần ban hành", "Ngày hiệu lực",
    "Ngày ban hành", "Mã hiệu", "Trang", "Soạn thảo", "Phê duyệt", "Người", "vĩnh viễn", "Biểu mẫu",
    "Hồ sơ cần lưu", "Nội dung", "Tài liệu viện dẫn", "Định nghĩa", "Đạt", "Không đạt", "Quá hạn",
    "Đúng hạn", "Trước hạn", "Trễ hạn", "chưa kiểm chứng",
)

#: a snake_case token (a field name or an internal id) in running text
SNAKE = re.compile(r"(?<![\w./@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./@-])")

DOSSIER_LOG = (
    "Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả,Trạng thái\n"
    "H001,QT-HT-01,02/11/2026 08:00,04/11/2026 17:00,03/11/2026 10:00,Đã trả kết quả\n"
    "H002,QT-HT-01,02/11/2026 09:00,04/11/2026 17:00,05/11/2026 10:00,Đã trả kết quả\n"
    "H003,QT-HT-01,20/11/2026 09:00,24/11/2026 17:00,,Đang xử lý\n"
)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing; `make setup` installs poppler-utils")
        pytest.skip(f"{name} is not installed")
    return path


def _text(pdf: Path) -> str:
    out = subprocess.run([_tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True)
    return out.stdout.decode("utf-8")


def _qms(root: Path, env: dict[str, str], *args: str) -> None:
    r = subprocess.run([sys.executable, "-m", "qms", "--root", str(root), *args], capture_output=True, text=True,
                       timeout=600, env=env)
    assert r.returncode in (0, 1), f"qms {' '.join(args)} exited {r.returncode}:\n{r.stderr}"
    assert "Traceback" not in r.stderr, r.stderr


def _ids(root: Path) -> set[str]:
    """Every internal id the example defines: units, roles, people and agencies."""
    manifest = yaml.safe_load((root / "qms.yaml").read_text(encoding="utf-8"))
    org = manifest.get("organisation", {})
    ids = {str(item["id"]) for key in ("units", "roles", "people") for item in org.get(key, []) if "id" in item}
    for proc in (root / "processes").glob("*.yaml"):
        data = yaml.safe_load(proc.read_text(encoding="utf-8")) or {}
        for agency in (data.get("administrative") or {}).get("agencies", []) or []:
            if isinstance(agency, dict) and "id" in agency:
                ids.add(str(agency["id"]))
    for agency in (manifest.get("administrative") or {}).get("agencies", []) or []:
        if isinstance(agency, dict) and "id" in agency:
            ids.add(str(agency["id"]))
    # an id that is also an ordinary printed code or word (e.g. "QT-HT-01") is not an internal id
    return {i for i in ids if i == i.lower() and len(i) >= 3}


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory, example_manuals: dict[str, Path]) -> dict[str, str]:
    """The text of every document type, per language: name → text. The commands run two at a time,
    on a host with no fonts (an empty fontconfig: tests/fontless.py), as tests/render/
    test_pdf_no_system_fonts.py runs the others."""
    base = tmp_path_factory.mktemp("language")
    root = copy_example(base / "example")
    out = base / "out"
    out.mkdir()
    env = empty_fontconfig(base / "fontconfig")
    log = base / "log.csv"
    log.write_text(DOSSIER_LOG, encoding="utf-8")
    audit = sorted(p.stem for p in (root / "audits").glob("AUD-*.yaml"))[0]
    jobs: dict[str, list[str]] = {}
    for lang in ("vi", "en"):
        pdfs: dict[str, list[str]] = {
            "matrix": ["render", "matrix", "--lang", lang, "-o"],
            "records": ["render", "records", "--lang", lang, "-o"],
            "nc-register": ["--lang", lang, "nc", "report", "-o"],
            "audit-report": ["--lang", lang, "audit", "show", audit, "--document", "report", "--format", "pdf", "-o"],
            "audit-checklist": ["--lang", lang, "audit", "show", audit, "--document", "checklist", "--format", "pdf",
                                "-o"],
            "audit-programme": ["--lang", lang, "audit", "programme", "--year", "2026", "--from-file", "--format",
                                "pdf", "-o"],
            # the report commands' own --lang names the document's language (messages stay as they are)
            "kpi-report": ["kpi", "report", str(log), "--as-of", AS_OF, "--format", "pdf", "--lang", lang, "-o"],
            "flow-report": ["flow", "report", str(FLOW_LOG), "--as-of", "2026-07-31", "--format", "pdf",
                            "--lang", lang, "-o"],
            "review-pack": ["--lang", lang, "review", "pack", "--period", "2026-01..2026-11", "--as-of", AS_OF,
                            "-o"],
        }
        jobs.update({f"{name}-{lang}": [*args, str(out / f"{name}-{lang}.pdf")] for name, args in pdfs.items()})
        jobs[f"site-{lang}"] = ["render", "manual", "--format", "html", "--lang", lang, "-o", str(out / f"site-{lang}")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda args: _qms(root, env, *args), jobs.values()))
    # the manual, as PDF and as Word: rendered once for the whole run (tests/conftest.py), the same way
    texts: dict[str, str] = {}
    for lang in ("vi", "en"):
        texts[f"manual-{lang}"] = _text(example_manuals[f"manual-{lang}.pdf"])
        texts[f"manual-docx-{lang}"] = _docx_text(example_manuals[f"manual-{lang}.docx"])
    for name in jobs:
        if name.startswith("site-"):
            texts[name] = "\n".join(_html_text(page) for page in sorted((out / name).glob("*.html")))
        else:
            texts[name] = _text(out / f"{name}.pdf")
    return texts


def _html_text(path: Path) -> str:
    """What a reader of the site sees: the text of the page and its placeholder, title, alt and aria labels."""
    import html

    page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    labels = re.findall(r'(?:placeholder|title|alt|aria-label)="([^"]*)"', page)
    body = re.sub(r"<(?:br|p|li|tr|td|th|h\d|div)\b[^>]*>", "\n", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", body) + "\n" + "\n".join(labels))


def _docx_text(path: Path) -> str:
    """Every paragraph of the body, its tables and the page headers, one per line."""
    from docx import Document

    document = Document(str(path))
    lines = [p.text for p in document.paragraphs]
    tables = list(document.tables)
    for section in document.sections:
        lines.extend(p.text for p in section.header.paragraphs)
        tables.extend(section.header.tables)
    while tables:
        table = tables.pop()
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
                tables.extend(cell.tables)
    return "\n".join(lines)


def _offending_words(text: str, words: tuple[str, ...], *, ignore_case: bool) -> list[str]:
    found = []
    for word in words:
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE if ignore_case else 0)
        for m in pattern.finditer(text):
            found.append(f"{word!r} in …{text[max(0, m.start() - 40):m.end() + 40]!r}…")
    return found


def test_every_document_type_was_rendered(documents: dict[str, str]) -> None:
    """Each document has text in both languages (a blank PDF would pass every scan below)."""
    for name, text in documents.items():
        assert len(text.split()) > 20, name


#: a date written yyyy-mm-dd (documents write dd/mm/yyyy)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def test_every_date_is_written_dd_mm_yyyy(documents: dict[str, str]) -> None:
    """No document writes a date as yyyy-mm-dd, in either language (item 13 of the registers issue); the registers,
    the audit documents, the reports and the review pack write dd/mm/yyyy."""
    bad = {name: ISO_DATE.findall(text)[:5] for name, text in documents.items() if ISO_DATE.search(text)}
    assert not bad, bad
    for name in ("nc-register", "audit-report", "review-pack", "kpi-report", "flow-report"):
        for lang in ("vi", "en"):
            assert re.search(r"\b\d{2}/\d{2}/\d{4}\b", documents[f"{name}-{lang}"]), f"{name}-{lang}"


def test_no_document_holds_a_ligature_character(documents: dict[str, str]) -> None:
    """Rendered with the bundled fonts only, every document's text extracts letter by letter: "files",
    never "ﬁles" (a search for the word would miss it)."""
    bad = {name: sorted(LIGATURES & set(text)) for name, text in documents.items()}
    assert not {k: v for k, v in bad.items() if v}


def test_vietnamese_documents_hold_no_english_word(documents: dict[str, str]) -> None:
    bad = {name: _offending_words(text, ENGLISH_IN_VI, ignore_case=True)
           for name, text in documents.items() if name.endswith("-vi")}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, "\n".join(f"{k}: {w}" for k, v in bad.items() for w in v[:10])


def _user_text(root: Path) -> str:
    """Every string the organisation wrote in its records and audits (kept as written in any language)."""
    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            out.append(" ".join(node.split()))
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in [*sorted((root / "records").rglob("*.yaml")), *sorted((root / "audits").glob("*.yaml"))]:
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return "\n".join(out)


def test_english_documents_hold_no_vietnamese_label(documents: dict[str, str], tmp_path: Path) -> None:
    """Document furniture only: a record the organisation wrote in Vietnamese alone stays as written, so
    a label that also occurs in the records' own text is not held against the document."""
    written = _user_text(copy_example(tmp_path / "records"))
    labels = tuple(w for w in VIETNAMESE_IN_EN if w not in written)
    assert "Trách nhiệm" in labels and "Mục đích" in labels  # the furniture labels are still checked
    bad = {name: _offending_words(text, labels, ignore_case=False)
           for name, text in documents.items() if name.endswith("-en")}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, "\n".join(f"{k}: {w}" for k, v in bad.items() for w in v[:10])


def test_no_document_prints_an_internal_id_or_field_name(documents: dict[str, str], tmp_path: Path) -> None:
    ids = _ids(copy_example(tmp_path / "ids"))
    assert ids, "the example defines units, roles and people"
    bad: list[str] = []
    for name, text in documents.items():
        for token in set(SNAKE.findall(text)):
            bad.append(f"{name}: field name or id {token!r}")
        words = set(re.findall(r"[\w-]+", text))
        bad.extend(f"{name}: internal id {i!r}" for i in sorted(ids & words))
    assert not bad, "\n".join(bad[:40])


def _vietnamese(word: str) -> bool:
    """A word English does not write: a diacritic or đ."""
    return "đ" in word.lower() or any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", word))


#: where a printed line joins a label and a value, or two values: dashes, colons, brackets and quotes
SEPARATORS = re.compile(r"\s[—–]\s|:\s|[()\"'“”‘’]")


def _code(word: str) -> bool:
    """A code: a letter and no lower-case letter ("NĐ-CP", "123/2015/NĐ-CP", "TT-BKHĐT", "QĐ", "VPĐKĐĐ")."""
    return any(c.isalpha() for c in word) and not any(c.islower() for c in word)


def _monolingual_text(root: Path) -> str:
    """The strings the organisation wrote in its records and audits in one language only (a bilingual
    ``{vi, en}`` value is left out: an English document must print its English side), whitespace folded."""
    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            out.append(" ".join(node.split()))
        elif isinstance(node, dict):
            if set(node) == {"vi", "en"}:
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in [*sorted((root / "records").rglob("*.yaml")), *sorted((root / "audits").glob("*.yaml"))]:
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return "\n".join(out)


def _proper_names(root: Path) -> set[str]:
    """The words of the names an English document keeps in Vietnamese, read from the example: people's names
    and the Vietnamese names of the agencies a procedure works with."""
    manifest = yaml.safe_load((root / "qms.yaml").read_text(encoding="utf-8"))
    org = manifest.get("organisation", {})
    names: list[str] = [str(p.get("name", "")) for p in org.get("people", [])]
    for proc in (root / "processes").glob("*.yaml"):
        data = yaml.safe_load(proc.read_text(encoding="utf-8")) or {}
        for agency in (data.get("administrative") or {}).get("agencies", []) or []:
            name = agency.get("name") if isinstance(agency, dict) else None
            if isinstance(name, dict):
                names.append(str(name.get("vi", "")))
    return {w for text in names for w in re.findall(r"[^\W\d_]+", text) if _vietnamese(w)}


def test_english_documents_hold_no_vietnamese_word(documents: dict[str, str], tmp_path: Path) -> None:
    """Every word with a Vietnamese letter in an English document is a code (a legal symbol, an
    abbreviation: no lower-case letter), a word of a person's name, or part of a line the organisation
    wrote in Vietnamese only in its records (all read from the example's data, not listed here). So
    "Mẫu số 01, Thông tư 03/2025/TT-VPCP" as a form's legal basis or "Luật Hộ tịch 2014" as a reference
    fails: English documents print "Form No. 01, Circular 03/2025/TT-VPCP" and "Law on Civil Status 2014"."""
    root = copy_example(tmp_path / "names")
    allowed = _proper_names(root)
    written = _monolingual_text(root)
    assert {"Văn", "Thị"} <= allowed and "Thông" not in allowed and "Mẫu" not in allowed
    bad: dict[str, list[str]] = {}
    for name, text in documents.items():
        if not name.endswith("-en"):
            continue
        for line in text.splitlines():
            # a line joins labels and the organisation's words ("Evidence: Sổ theo dõi hồ sơ (BM-07) …"):
            # each piece between separators is checked on its own
            for piece in SEPARATORS.split(line):
                words = piece.split()
                while words and (_code(words[0]) or re.fullmatch(r"\d+[.)]?", words[0])):
                    words = words[1:]  # a number or a code in front ("1.", "NC-2026-0001") is the document's
                folded = " ".join(words).strip(" .,;")
                if not folded or folded in written:
                    continue  # the organisation's own words, kept as written
                for token in folded.split():
                    word = token.strip(".,;:()[]«»\"'“”‘’–-•…")
                    if word and _vietnamese(word) and not _code(word) and not (
                            set(re.findall(r"[^\W\d_]+", word)) <= allowed):
                        bad.setdefault(name, []).append(f"{word!r} in {line.strip()[:100]!r}")
    assert not bad, "\n".join(f"{k}: {w}" for k, v in bad.items() for w in v[:15])
