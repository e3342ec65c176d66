"""From what a Word procedure holds to a process YAML draft.

Built for the variants agencies use, not one template: sections numbered or not ("1. MỤC ĐÍCH",
"I. Mục đích", "Muc dich"), the steps as a table (columns in any order, merged cells, a
"Bước tiếp theo" column) or as paragraphs ("Bước 1: ...", "- Bước 2 ..."), the header table in the
body or in the header part. Every field the draft gets remembers where it came from
(``sources``: JSON pointer → "QT-07.docx, table 3, row 4"); text that maps to no field becomes an
internal note with its location.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from qms.analysis.documents import IMPORT_PLACEHOLDER_ID
from qms.analysis.legacy import fold
from qms.i18n import N_, _
from qms.importer import vocabulary as voc
from qms.importer.document import Grid, Line, Reading
from qms.importer.durations import ReadDuration, read_duration
from qms.importer.roles import Proposed, RoleMatcher, role_id, split_parties
from qms.models.common import parse_retention_text

PLACEHOLDER_ROLE = IMPORT_PLACEHOLDER_ID
#: the text of a field the source document does not give: a msgid, written in the draft's language (``_()``)
PLACEHOLDER_TEXT = N_("(not in the source document)")

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (name, tuple(key for words in langs.values() for key in words)) for name, langs in voc.SECTION_HEADINGS.items())
_HEADINGS = voc.heading_keys()
_CODE_LABEL = "(?:" + "|".join(voc.CODE_LABELS) + r"|^\s*(?:" + "|".join(voc.CODE_LABELS_EN) + "))"
_ISSUE_LABEL_EN = r"\s*(?:" + "|".join(voc.ISSUE_LABELS_EN) + r")\s*:?\s*(\d+)?\s*$"
_ISSUED_LABEL = "(?:" + "|".join(voc.ISSUED_LABELS) + ")"
_EFFECTIVE_LABEL = "(?:" + "|".join(voc.EFFECTIVE_LABELS) + ")"
_TITLE_WORD = r"^\s*(?:" + "|".join(voc.TITLE_WORDS) + r")\b"
#: "… (căn cứ pháp lý)" / "… (tham khảo)": the writer says whether a reference is a legal basis
_LEGAL_MARK = re.compile(r"\s*\((?P<mark>căn cứ pháp lý|can cu phap ly|legal basis|tham khảo|tham khao|for reference)\)"
                         r"\s*$", re.IGNORECASE)
_LEGAL_ID = re.compile(r"(?i)\b(luật|nghị định|thông tư|quyết định|nđ|tt|qđ)\b")
_NONE = ("khong", "khong co", "none")  # the writer's "Không có." in an empty section
_QUESTION = re.compile(r"^\s*(?:câu hỏi|cau hoi)\s*:\s*(?P<q>.+?)\s*$", re.IGNORECASE)
_HANDOVER = re.compile(r"^\s*(?P<dir>chuyển đến|chuyển cho|bàn giao cho|nhận từ|nhận lại từ)\s*:\s*(?P<who>.+?)\s*$",
                       re.IGNORECASE)
_HEADING_NUMBER = re.compile(r"^\s*(?:(?:[IVXLC]+|\d+(?:\.\d+)*|[A-Za-z])[.)/:-]?\s+)")
_STEP_WORD = "(?:" + "|".join(voc.STEP_WORDS) + ")"
_STEP_PARA = re.compile(r"^[\s\-–•*+]*" + _STEP_WORD + r"\s*(\d+)\s*[:.)\-–]?\s*(.*)$", re.IGNORECASE | re.DOTALL)
_FIELD_LINE = re.compile(r"^[\s\-–•*+]*(?P<label>[^:]{2,40}):\s*(?P<value>.+)$", re.DOTALL)
_DATE = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")
_CODE = re.compile(r"\b([A-ZĐ]{1,6}(?:[.-][A-Z0-9Đ]{1,8})+)\b")
_CLAUSE = re.compile(r"(?i)\b(?:mục|điều khoản|điều|khoản|clause|yêu cầu|các điều|các mục)\s+"
                     r"(\d+(?:\.\d+)+(?:\s*(?:,|;|và|and|/)\s*\d{1,2}(?:\.\d{1,2}){1,3}\b(?!\.\d))*)")


def _clauses(text: str) -> list[str]:
    """Every clause number a text cites: "mục 4.2.3 và 8.5.3" gives both."""
    return [n for m in _CLAUSE.finditer(text) for n in re.findall(r"\d+(?:\.\d+)+", m.group(1))]
_STEP_REF = re.compile(r"(?i)" + _STEP_WORD + r"\s*(\d+)")
#: where the "thì …" branch ends: the sentence goes on with the other case ("…; nếu cần thì …",
#: "…, ngược lại …", "…; otherwise …"), which the other branch (the next step) stands for
_THEN_END = re.compile(r"(?i)\s*[;.,]\s*(?=(?:còn\s+)?(?:nếu|ngược lại|trường hợp|if|otherwise)\b)")
_IF = re.compile(r"(?is)^\s*[-–•]?\s*(?P<if>" + "|".join(voc.IF_THEN) + r")\s+(?P<cond>.+?)\s*(?:"
                 + "|".join(w for words in voc.IF_THEN.values() for w in words) + r"|,)\s*(?P<then>.+)$")


def _row(where: str, n: int) -> str:
    """ "table 3" + row 4 → "table 3, row 4" (in the language of messages)."""
    return f"{where}, " + _("row {n}").format(n=n)


def _cell_kind(folded: str) -> str:
    """Which step-table column a header cell names (``vocabulary.STEP_COLUMNS``)."""
    f = folded.strip(" .:")
    for kind, equal, contained in voc.STEP_COLUMNS:
        if f in equal or any(word in f for word in contained):
            return kind
        if kind == "step" and f.startswith("buoc ") and "noi dung" not in f:
            return kind  # "Bước thực hiện", not "Bước / Nội dung"
    return ""


@dataclass(slots=True)
class Draft:
    """A process draft (plain data), where each field came from, and what the import report lists."""

    source: str
    data: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)
    notes: list[dict[str, Any]] = field(default_factory=list)
    unmapped: list[tuple[str, str]] = field(default_factory=list)  # (location, text)
    mapped: list[tuple[str, str]] = field(default_factory=list)  # (field pointer, location)
    proposed: dict[str, Proposed] = field(default_factory=dict)
    placeholders: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    clauses_cited: list[str] = field(default_factory=list)
    edition: str = "2015"
    language: str = ""  # the language the document is written in: its text is in that language's slot
    language_by: str = ""  # how it was told: "diacritics" or "words" (judged from the text), "given" (--lang)
    language_share: float = 0.0  # the share of letters with a Vietnamese diacritic
    kept: list[str] = field(default_factory=list)
    converted: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    migration: dict[str, Any] = field(default_factory=dict)

    def at(self, ptr: str, where: str, comment: str = "") -> None:
        loc = f"{self.source}, {where}" if where else self.source
        self.sources.setdefault(ptr, []).append(loc + (f"; {comment}" if comment else ""))
        self.mapped.append((ptr, loc))

    def note(self, where: str, text: str, kind: str = "other", about: str = "") -> None:
        loc = f"{self.source}, {where}" if where else self.source
        self.notes.append({"kind": kind, "about": about or loc, "text": text})

    def keep_unmapped(self, where: str, text: str) -> None:
        if text.strip():
            self.unmapped.append((f"{self.source}, {where}", text))
            self.note(where, text, "other", f"{self.source}, {where}")


@dataclass(slots=True)
class Options:
    edition: str | None = None  # "2008" | "2015" | None (judge from the text)
    comments: bool = False
    defaults: dict[str, Any] = field(default_factory=dict)
    process_pattern: str = r"^QT-[A-Z0-9]+(-[A-Z0-9]+)*$"
    legal: Any = None  # qms.legal.register.Index of the repository's legal register, when it has one
    lang: str = "vi"  # the language of what the draft says (comments, notes): the organisation's
    repo_edition: str = "2015"  # the edition the repository declares (a 2008 one migrates with its drafts)
    doc_lang: str | None = None  # the language the documents are written in (--lang); None: judged per document
    org_forms: dict[str, str] = field(default_factory=dict)  # the organisation's forms register: code → title


def _strip_heading(text: str) -> str:
    return _HEADING_NUMBER.sub("", text, count=1).strip().rstrip(":").strip()


def section_of(line: Line) -> str | None:
    """The section a heading line opens, or None when the line is not a heading."""
    found = heading_of(line)
    return found[0] if found is not None else None


def heading_of(line: Line) -> tuple[str, str] | None:
    """(section, language) of a heading line (``vocabulary.SECTION_HEADINGS``), or None."""
    text = line.text.strip()
    if len(text) > 80 or "\n" in text:
        return None
    head = fold(_strip_heading(text))
    head = re.sub(r"[^\w ]+", " ", head)
    head = " ".join(head.split())
    for key, name, lang in _HEADINGS:
        if head == key or (key not in voc.EXACT_HEADINGS and head.startswith(key + " ")
                           and len(head) <= len(key) + 30 and ":" not in text[:-1]):
            return name, lang
    return None


class _Mapper:
    def __init__(self, reading: Reading, roles: RoleMatcher, opts: Options) -> None:
        self.r = reading
        self.roles = roles
        self.opts = opts
        self.d = Draft(reading.name)
        self.d.kept, self.d.converted, self.d.dropped = list(reading.kept), list(reading.converted), list(reading.dropped)
        self.header: dict[str, tuple[str, str]] = {}  # field -> (value, where)
        self.sections: dict[str, list[Line | Grid]] = {}
        self.signatories: dict[str, dict[str, Any]] = {}
        self.history: list[dict[str, Any]] = []
        self.steps: list[dict[str, Any]] = []
        self.step_where: list[dict[str, str]] = []
        self.admin: dict[str, Any] = {}
        self.used_tables: set[int] = set()
        self.used_comments: set[str] = set()

    # -- header, approval, revision tables ----------------------------------------------------
    def _header_cells(self, grid: Grid) -> bool:
        found = False
        for r, row in enumerate(grid.cells):
            for c, text in enumerate(row):
                where = _row(grid.where, r + 1)
                for line in text.split("\n"):
                    f = fold(line)
                    m = re.search(_CODE_LABEL + r"\s*:?\s*$", f.strip())
                    value = ""
                    if m and c + 1 < len(row):
                        value = row[c + 1].strip()
                    m2 = re.search(r"(?i)(?:mã hiệu|mã số|số hiệu|ký hiệu|mã tài liệu)\s*:?\s*(\S+)", line)
                    if m2 is None and re.match(_CODE_LABEL + r"\s*:", f.strip()):  # "Code: QT-01"
                        m2 = re.match(r"\s*[^:]*:\s*(\S+)", line)
                    if m2:
                        value = m2.group(1)
                    if value and re.fullmatch(r"[A-Za-zĐđ0-9][\w.\-/Đđ]*\d[\w.\-/]*", value) and "code" not in self.header:
                        self.header["code"] = (value, where)
                        found = True
                    after = row[c + 1] if c + 1 < len(row) and row[c + 1] != text else ""
                    m = re.search(r"lan ban hanh\s*:?\s*(\d+)?", f) or re.match(_ISSUE_LABEL_EN, f)
                    if m:
                        number = m.group(1) or (re.match(r"\s*(\d+)\s*$", after) or [None, None])[1]
                        if number:
                            self.header["revision"] = (number, where)
                            found = True
                    for key, label in (("issued_on", _ISSUED_LABEL), ("effective_date", _EFFECTIVE_LABEL)):
                        if re.search(label, f):
                            day = _DATE.search(line) or (_DATE.search(after) if re.fullmatch(label + r"\s*:?\s*", f.strip())
                                                         else None)
                            if day is not None:
                                self.header[key] = (day.group(0), where)
                                found = True
                    if re.match(r"^\s*trang\s*:?\s*\d", f):
                        found = True
                    if re.match(_TITLE_WORD, f) and "title" not in self.header:
                        rest = [x.strip() for x in text.split("\n") if x.strip()]
                        title = line.strip() if len(line.strip()) > 12 else " ".join(rest[rest.index(line.strip()) + 1:]
                                                                                    if line.strip() in rest else [])
                        if title:
                            self.header["title"] = (title, where)
                    if re.match(r"^\s*(uy ban|ubnd|so |phong |van phong|bo |cuc |chi cuc|trung tam)", f) \
                            and "agency" not in self.header:
                        self.header["agency"] = (line.strip(), where)
        return found

    def _meta_table(self, grid: Grid) -> bool:
        """The header table, the approval block and the revision table; one producer may join them."""
        found = [self._header_cells(grid), self._approval(grid), self._revisions(grid)]
        return any(found)

    def _approval(self, grid: Grid) -> bool:
        if not grid.cells:
            return False
        labels = voc.APPROVAL_LABELS
        head_row = None
        cols: dict[int, str] = {}
        for r, row in enumerate(grid.cells):
            for c, text in enumerate(row):
                key = " ".join(re.sub(r"[^\w ]", " ", fold(text.split("\n")[0])).split())
                if key in labels:
                    cols[c] = labels[key]
            if len(set(cols.values())) >= 2:
                head_row = r
                break
            cols = {}
        if head_row is None:
            return False
        for c, field_name in cols.items():
            sig: dict[str, Any] = self.signatories.setdefault(field_name, {})
            for r in range(head_row + 1, len(grid.cells)):
                row = grid.cells[r]
                label = fold(row[0]) if row else ""
                text = row[c] if c < len(row) else ""
                where = _row(grid.where, r + 1)
                for line in text.split("\n"):
                    lf = fold(line)
                    m = re.match(r"^\s*(ho (?:va )?ten|chuc vu|chuc danh)\s*:?\s*(.*)$", lf)
                    if m:
                        value = line.split(":", 1)[1].strip() if ":" in line else ""
                        if value:
                            sig["title" if m.group(1).startswith("chuc") else "name"] = (value, where)
                        continue
                    if not line.strip() or lf.startswith("chu ky") or c == 0:
                        continue
                    if (label.startswith("ho") and "ten" in label) or label.strip(" :") in voc.NAME_ROWS:
                        sig.setdefault("name", (line.strip(), where))
                    elif label.startswith("chuc") or label.strip(" :") in voc.POSITION_ROWS:
                        sig.setdefault("title", (line.strip(), where))
        return True

    def _revisions(self, grid: Grid) -> bool:
        head = [fold(t) for t in grid.cells[0]] if grid.cells else []
        english = [h.strip(" .:") for h in head]
        if ("change" in english or "changes" in english) and ("issue" in english or "revision" in english):
            # the English layout: No. | Issue | Date | Pages | Change | By
            head = ["lan" if h in ("issue", "revision") else "ngay" if h == "date" else
                    "noi dung" if h in ("change", "changes") else "trang" if h == "pages" else h for h in english]
        elif not any("sua doi" in h or "soat xet" in h for h in head):
            return False
        if not any("noi dung" in h or "tom tat" in h or "trang" in h or "vi tri" in h for h in head):
            return False
        col = {"rev": -1, "date": -1, "summary": -1, "pages": -1}
        for c, h in enumerate(head):
            if "lan" in h and col["rev"] < 0:
                col["rev"] = c
            elif "ngay" in h and col["date"] < 0:
                col["date"] = c
            elif ("noi dung" in h or "tom tat" in h) and col["summary"] < 0:
                col["summary"] = c
            elif ("trang" in h or "vi tri" in h) and col["pages"] < 0:
                col["pages"] = c
        for r, row in enumerate(grid.cells[1:], start=1):
            where = _row(grid.where, r + 1)
            if not any(x.strip() for x in row):
                continue
            date = _parse_date(row[col["date"]]) if col["date"] >= 0 else None
            rev = re.search(r"\d+", row[col["rev"]]) if col["rev"] >= 0 else None
            summary = row[col["summary"]].strip() if col["summary"] >= 0 else ""
            if date is None or rev is None or not summary:
                self.d.keep_unmapped(where, " | ".join(x for x in row if x.strip()))
                continue
            entry: dict[str, Any] = {"revision": int(rev.group(0)), "date": date, "summary": summary}
            if col["pages"] >= 0 and row[col["pages"]].strip():
                entry["pages"] = row[col["pages"]].strip()
            self.history.append(entry)
            self.d.at(f"/document/history/{len(self.history) - 1}", where)
        return True

    # -- steps ------------------------------------------------------------------------------
    def _step_columns(self, grid: Grid) -> tuple[int, dict[str, int]] | None:
        for r, row in enumerate(grid.cells[:3]):
            if any("sua doi" in fold(text) for text in row):
                return None  # a revision table (Nội dung sửa đổi | Người thực hiện), never steps
            cols: dict[str, int] = {}
            for c, text in enumerate(row):
                kind = _cell_kind(fold(text.split("\n")[0]))
                if kind and kind not in cols:
                    cols[kind] = c
            if "content" in cols and ("responsible" in cols or "step" in cols or "time" in cols):
                return r, cols
        return None

    def _steps_table(self, grid: Grid, head: int, cols: dict[str, int]) -> None:
        if "flowchart" in cols:
            self.d.dropped.append(_("{where}: flowchart column (drawn shapes are not read)").format(where=grid.where))
        last_origin: tuple[int, int] | None = None
        last_time_origin: tuple[int, int] | None = None
        for r in range(head + 1, len(grid.cells)):
            row = grid.cells[r]
            where = _row(grid.where, r + 1)

            def cell(kind: str, row: list[str] = row) -> str:
                c = cols.get(kind)
                return row[c].strip() if c is not None and c < len(row) else ""

            content = cell("content")
            if not any(x.strip() for x in row) or (r == head + 1 and all(
                    _cell_kind(fold(x)) or re.fullmatch(r"\(?\d+\)?", x.strip()) for x in row if x.strip())):
                continue  # an empty row, or a second header row ("(1) (2) (3)")
            if len(row) > 1 and len(set(grid.origins[r])) == 1:
                # one cell across the whole table: a phase heading ("Giai đoạn 1: Tiếp nhận"), not a step
                self.d.keep_unmapped(where, row[0].strip())
                last_origin = None
                continue
            step_col = cols.get("step")
            origin = grid.origins[r][step_col] if step_col is not None else None
            number = re.search(r"\d+", cell("step")) if step_col is not None else None
            if step_col is not None and origin is not None and origin == last_origin and self.steps:
                # a merged step cell: this row continues the step above
                step = self.steps[-1]
                step["_extra"].append((where, content))
                self._fill_fields(step, self.step_where[-1], cell, where, extra=True)
                continue
            last_origin = origin
            if not content:
                self.d.keep_unmapped(where, " | ".join(x for x in row if x.strip()))
                continue
            step = self._new_step(content, where, int(number.group(0)) if number else None)
            step["_next_col"] = "next" in cols
            self._fill_fields(step, self.step_where[-1], cell, where)
            time_col = cols.get("time")
            time_origin = grid.origins[r][time_col] if time_col is not None and time_col < len(row) else None
            if time_origin is not None and time_origin == last_time_origin and step.pop("_time", ""):
                # one "Thời gian" cell merged down over several steps: the time of them all, counted once
                self.step_where[-1].pop("duration", None)
                self.d.note(where, _("the time \"{time}\" is one merged cell for this step and the one above: "
                                     "counted on the first step only").format(time=cell("time")), "verification",
                            f"{self.d.source}, {where}")
            last_time_origin = time_origin
            if grid.comments[r]:
                step["_comments"].extend(c for cs in grid.comments[r] for c in cs)
        self.used_tables.add(id(grid))

    def _new_step(self, content: str, where: str, number: int | None) -> dict[str, Any]:
        lines = [x.strip() for x in content.split("\n") if x.strip()]
        name = lines[0] if lines else content
        step: dict[str, Any] = {"_n": number if number is not None else len(self.steps) + 1,
                                "name": name, "_extra": [], "_comments": [], "_desc": lines[1:],
                                "_next": "", "_where": where}
        self.steps.append(step)
        self.step_where.append({"name": where})
        return step

    def _fill_fields(self, step: dict[str, Any], wheres: dict[str, str], cell: Any, where: str,
                     extra: bool = False) -> None:
        resp = cell("responsible")
        if resp and "_resp" not in step:
            step["_resp"] = resp
            wheres["responsible"] = where
        time = cell("time")
        if time and "_time" not in step:
            step["_time"] = time
            wheres["duration"] = where
        forms = cell("forms")
        if forms:
            step.setdefault("_forms", []).append(forms)
            wheres.setdefault("forms", where)
        nxt = cell("next")
        if nxt and not step["_next"]:
            step["_next"] = nxt
            wheres["next"] = where
        if extra:
            content = cell("content")
            if content:
                step["_desc"].append(content)

    def _steps_paragraphs(self, lines: list[Line]) -> list[Line]:
        """Read "Bước N: ..." paragraphs; return the lines that were not part of a step."""
        rest: list[Line] = []
        current: dict[str, Any] | None = None
        for line in lines:
            m = _STEP_PARA.match(line.text)
            if m and (m.group(2).strip() or line.number):
                name, fields = _inline_fields(m.group(2).strip() or line.text)
                current = self._new_step(name, line.where, int(m.group(1)))
                for label, value in fields:  # "… Trách nhiệm: X. Thời gian: Y" in the step's own paragraph
                    if not self._step_field(current, fold(label), value, line.where):
                        current["_desc"].append(f"{label}: {value}")
                if line.comments:
                    current["_comments"].extend(line.comments)
                continue
            if current is None:
                rest.append(line)
                continue
            fm = _FIELD_LINE.match(line.text)
            if fm is None or not self._step_field(current, fold(fm.group("label")), fm.group("value").strip(),
                                                  line.where):
                current["_desc"].append(line.text.lstrip("-–•* ").strip())
            if line.comments:
                current["_comments"].extend(line.comments)
        return rest

    def _step_field(self, current: dict[str, Any], label: str, value: str, where: str) -> bool:
        """A "Label: value" of a step written as paragraphs (``label`` folded); False when it is none."""
        wheres = self.step_where[-1]
        kind = next((k for k, words in voc.STEP_FIELDS if any(w in label for w in words)), None)
        if kind == "responsible":
            current["_resp"] = value
            wheres["responsible"] = where
        elif kind == "time":
            current["_time"] = value
            wheres["duration"] = where
        elif kind == "forms":
            current.setdefault("_forms", []).append(value)
            wheres.setdefault("forms", where)
        elif kind == "next":
            current["_next"] = value
            wheres["next"] = where
        else:
            return False
        return True

    def _finish_steps(self) -> None:
        steps = self.steps
        if not steps:
            return
        ids = [f"B{s['_n']}" for s in steps]
        if len(set(ids)) != len(ids):
            ids = [f"B{i + 1}" for i in range(len(steps))]
        by_number = {s["_n"]: ids[i] for i, s in enumerate(steps)}
        out: list[dict[str, Any]] = []
        extra_steps: list[dict[str, Any]] = []
        extra_where: list[tuple[str, str]] = []
        for i, s in enumerate(steps):
            ptr = f"/steps/{len(out)}"
            wheres = self.step_where[i]
            step: dict[str, Any] = {"id": ids[i], "name": s["name"]}
            self.d.at(ptr + "/name", wheres["name"])
            self.d.at(ptr, wheres["name"])
            if s.get("_resp"):
                rid = self._role(s["_resp"], wheres.get("responsible", ""), ptr + "/responsible")
                if rid:
                    step["responsible"] = rid
            if s.get("_time"):
                dur = read_duration(s["_time"])
                if dur is None:
                    self.d.note(wheres.get("duration", ""), f"{_('duration as written')}: {s['_time']}", "verification",
                                ptr + "/duration")
                else:
                    step["duration"] = dur.value
                    self._duration_source(dur, ptr + "/duration", wheres.get("duration", ""))
            forms, records = self._codes(s.get("_forms", []))
            if forms:
                step["forms"] = forms
                self.d.at(ptr + "/forms", wheres.get("forms", ""))
                for j in range(len(forms)):
                    self.d.at(f"{ptr}/forms/{j}", wheres.get("forms", ""))
            if records:
                step["records"] = records
                for j in range(len(records)):
                    self.d.at(f"{ptr}/records/{j}", wheres.get("forms", ""))
            outputs = [x for x in s.get("_forms", []) if not _CODE.search(x)]
            if outputs:
                step["outputs"] = outputs
            desc = list(s["_desc"])
            for line in list(desc):
                hm = _HANDOVER.match(line)
                if hm is None:
                    continue
                key = "handover_from" if fold(hm.group("dir")).startswith("nhan") else "handover_to"
                agency = self.roles.match_agency(hm.group("who")) or self.roles.match(hm.group("who"))
                if agency is None or key in step:
                    continue
                step[key] = agency
                step["kind"] = "handover"
                self.d.at(f"{ptr}/{key}", wheres["name"], f'"{line}"')
                desc.remove(line)
            question = next((q for q in (_QUESTION.match(x) for x in desc) if q is not None), None)
            if question is not None:  # "Câu hỏi: …", the writer's line for a decision's question
                desc.remove(question.group(0))
            decision_text = next((x for x in [s["name"], *desc] if _IF.match(x)), None)
            nxt = s["_next"]
            branches = _branches(nxt, by_number)
            if branches is not None and len(branches) >= 2:
                step["kind"] = "decision"
                step["decision"] = {"question": question.group("q") if question is not None else
                                    (decision_text or s["name"]).rstrip(".") if not
                                    s["name"].endswith("?") else s["name"],
                                    "branches": [{"label": label, "next": target} for label, target in branches]}
                self.d.at(ptr + "/decision", wheres.get("next", wheres["name"]))
            elif nxt:
                targets = [by_number[int(n)] for n in re.findall(r"\d+", nxt) if int(n) in by_number]
                if targets:
                    step["next"] = targets
                    self.d.at(ptr + "/next", wheres.get("next", ""))
                elif fold(nxt).strip(" .") in ("ket thuc", "het", "end"):
                    step["next"] = []
                else:
                    self.d.note(wheres.get("next", ""), f"{_('next step as written')}: {nxt}", "verification", ptr + "/next")
            elif s.get("_next_col") and decision_text is None:
                pass  # an empty "Bước tiếp theo" cell: the flow ends here
            elif decision_text is not None and i + 1 < len(steps):
                m = _IF.match(decision_text)
                assert m is not None
                then = _THEN_END.split(m.group("then").strip(), maxsplit=1)[0].rstrip(".")
                target_num = _STEP_REF.search(then)
                if target_num and int(target_num.group(1)) in by_number:
                    other = by_number[int(target_num.group(1))]
                else:
                    other = f"{ids[i]}a"
                    extra: dict[str, Any] = {"id": other, "kind": "end", "name": then[:1].upper() + then[1:]}
                    if step.get("responsible"):
                        extra["responsible"] = step["responsible"]
                    extra_steps.append(extra)
                    extra_where.append((wheres["name"], wheres.get("responsible", "") if "responsible" in extra else ""))
                step["kind"] = "decision"
                yes, no = voc.BRANCH_LABELS[fold(m.group("if")).lower()]  # "Nếu … thì": Có / Không; "If … then": Yes / No
                cond = m.group("cond").strip()
                step["decision"] = {"question": cond[:1].upper() + cond[1:] + "?",
                                    "branches": [{"label": yes, "next": other}, {"label": no, "next": ids[i + 1]}]}
                self.d.at(ptr + "/decision", wheres["name"], _("read from \"Nếu … thì …\""))
                if decision_text in desc:
                    desc.remove(decision_text)
            else:
                step["next"] = [ids[i + 1]] if i + 1 < len(steps) else []
            if desc:
                step["description"] = "\n".join(desc)
            for where, text in s["_extra"]:
                if text and text not in desc:
                    self.d.at(ptr + "/description", where)
            if s["_comments"] and self.opts.comments:
                for cid in s["_comments"]:
                    author, text = self.r.comments.get(cid, ("", ""))
                    self.used_comments.add(cid)
                    if text:
                        self.d.note(s["_where"], f"{author}: {text}" if author else text, "drafting", ptr)
            out.append(step)
        if out:
            if out[0].get("kind", "task") == "task":
                out[0]["kind"] = "start"
            for step in out:
                if step.get("kind", "task") == "task" and not step.get("next") and "decision" not in step:
                    step["kind"] = "end"
            for step in out:
                if step.get("next") == [] and step.get("kind") == "end":
                    del step["next"]
        for k in range(len(extra_steps)):
            name_where, resp_where = extra_where[k]
            self.d.at(f"/steps/{len(out) + k}", name_where, _("the \"thì …\" branch of a \"Nếu … thì …\" sentence"))
            if resp_where:
                self.d.at(f"/steps/{len(out) + k}/responsible", resp_where)
        out.extend(extra_steps)
        self.d.data["steps"] = out

    def _other_comments(self) -> None:
        """Comments anchored outside the steps: internal notes at their paragraph or table."""
        anchors: dict[str, str] = {}
        for block in [*self.r.header, *self.r.blocks]:
            if isinstance(block, Line):
                for cid in block.comments:
                    anchors.setdefault(cid, block.where)
            else:
                for r, row in enumerate(block.comments):
                    for cids in row:
                        for cid in cids:
                            anchors.setdefault(cid, _row(block.where, r + 1))
        for cid, (author, text) in self.r.comments.items():
            if cid in self.used_comments or not text:
                continue
            self.d.note(anchors.get(cid, ""), f"{author}: {text}" if author else text, "drafting")

    def _duration_source(self, dur: ReadDuration, ptr: str, where: str) -> None:
        comment = f'"{dur.written}"'
        if dur.note:
            comment += f" ({dur.note})"
        if dur.to_confirm:
            comment += "; " + _("unit to confirm")
            self.d.note(where, _("duration written \"{written}\" read as {value}: unit to confirm "
                                 "(\"làm việc\" not stated)").format(written=dur.written, value=dur.value),
                        "verification", ptr)
        self.d.at(ptr, where, comment)

    def _codes(self, texts: list[str]) -> tuple[list[str], list[str]]:
        forms: list[str] = []
        records: list[str] = []
        for text in texts:
            for code in _CODE.findall(text):
                (records if code.upper().startswith("HS") else forms).append(code)
        return list(dict.fromkeys(forms)), list(dict.fromkeys(records))

    def _role(self, text: str, where: str, ptr: str) -> str | None:
        whole = self.roles.match(text)
        parties = [text.strip()] if whole is not None else split_parties(text)
        if not parties:
            return None
        first = parties[0]
        rid = whole or self.roles.match(first)
        if rid is None:
            rid = role_id(first)
            self.d.proposed.setdefault(rid, Proposed(rid, first[:1].upper() + first[1:], text))
            self.d.at(ptr, where, f'"{text}"; ' + _("proposed role, not in qms.yaml"))
        else:
            self.d.at(ptr, where, f'"{text}"' if len(parties) > 1 or fold(text) != fold(rid) else "")
        if len(parties) > 1:
            self.d.note(where, f"{_('responsibility as written')}: {text}", "verification", ptr)
        return rid

    # -- sections ---------------------------------------------------------------------------
    def _split_sections(self) -> list[Line | Grid]:
        """Blocks before the first heading; fills ``self.sections``."""
        preamble: list[Line | Grid] = []
        current: list[Line | Grid] = preamble
        for block in self.r.blocks:
            if isinstance(block, Line):
                name = section_of(block)
                if name is not None and not self.sections and block.folded.strip(" .:") in voc.TITLE_WORDS:
                    name = None  # the cover's "PROCEDURE" above the title, before any section: not "5. Procedure"
                if name is not None:
                    current = self.sections.setdefault(name, [])
                    self._heading_where = block.where
                    rest = block.text.split(":", 1)[1].strip() if ":" in block.text[:-1] else ""
                    if rest:
                        current.append(Line(rest, block.where, block.style))
                    continue
            current.append(block)
        return preamble

    def _text_of(self, name: str, ptr: str) -> str:
        blocks = self.sections.get(name, [])
        lines = [b for b in blocks if isinstance(b, Line)]
        for b in blocks:
            if isinstance(b, Grid):
                self._other_table(b)
        if not lines:
            return ""
        for line in lines:
            self.d.at(ptr, line.where)
        return "\n".join(line.text.lstrip("-–•* ").strip() if len(lines) > 1 else line.text for line in lines)

    def _references(self) -> None:
        refs: list[dict[str, Any]] = []
        blocks = self.sections.get("references", [])
        # a document that marks its legal bases ("… (căn cứ pháp lý)") marks them all: trust the mark
        marked = any(isinstance(b, Line) and _LEGAL_MARK.search(b.text) for b in blocks)
        for block in blocks:
            if isinstance(block, Grid):
                self._other_table(block)
                continue
            text = block.text.lstrip("-–•*+ ").strip().rstrip(";.")
            text = re.sub(r"^\d+[.)]\s*", "", text)
            legal = _LEGAL_MARK.search(text)
            if legal is not None:
                text = text[:legal.start()].strip()
            if not text or fold(text).strip(" .") in _NONE:
                continue
            m = re.match(r"^(.{3,80}?)\s*(?:[:–-]\s+|\s+(?=(?:về|quy định|hướng dẫn|ban hành)\b))(.+)$", text)
            ident, title = (m.group(1).strip(), m.group(2).strip()) if m else (text, "")
            ref: dict[str, Any] = {"id": ident}
            if title:
                ref["title"] = title
            if legal is not None:
                is_legal = fold(legal.group("mark")) in ("can cu phap ly", "legal basis")
            else:  # unmarked: a law, decree, circular or decision is taken as a legal basis
                is_legal = not marked and bool(_LEGAL_ID.search(ident))
            if is_legal:
                ref["legal_basis"] = True
            self.d.clauses_cited.extend(_clauses(text))
            refs.append(ref)
            self._resolve(ref, f"/references/{len(refs) - 1}", block.where)
        if refs:
            self.d.data["references"] = refs

    def _resolve(self, ref: dict[str, Any], ptr: str, where: str) -> None:
        """Look a reference up in the legal register: say which entry it is, or that it is missing."""
        index = self.opts.legal
        if index is None or not ref.get("legal_basis"):
            self.d.at(ptr, where)
            return
        entry = index.resolve(ref["id"])
        if entry is not None:
            self.d.at(ptr, where, _("legal register: {number}").format(number=entry.number))
        else:
            self.d.at(ptr, where, _("not in the legal register"))
            self.d.note(where, _("{ref} is not in the legal register: add it (legal/register.yaml) or correct the "
                                 "citation").format(ref=ref["id"]), "verification", ptr)

    def _definitions(self) -> None:
        defs: list[dict[str, Any]] = []
        for block in self.sections.get("definitions", []):
            if isinstance(block, Grid):
                self.used_tables.add(id(block))
                for r, row in enumerate(block.cells):
                    cells = [x.strip() for x in row if x.strip()]
                    cells = [x for x in cells if not re.fullmatch(r"\d+", x)]
                    first = fold(cells[0]).strip(" .:") if cells else ""
                    if r == 0 and (first in voc.GLOSSARY_HEADS
                                   or _cell_kind(first) == "step"):
                        continue  # the header row (Thuật ngữ | Giải thích)
                    if len(cells) >= 2:
                        defs.append({"term": cells[0], "meaning": cells[1]})
                        self.d.at(f"/definitions/{len(defs) - 1}", _row(block.where, r + 1))
                    elif cells:
                        self.d.keep_unmapped(_row(block.where, r + 1), " | ".join(cells))
                continue
            text = block.text.lstrip("-–•*+ ").strip()
            m = re.match(r"^(.{1,60}?)\s*(?::|–|-|\blà\b)\s*(.+)$", text)
            if m:
                defs.append({"term": m.group(1).strip(), "meaning": m.group(2).strip().rstrip(";")})
                self.d.at(f"/definitions/{len(defs) - 1}", block.where)
            else:
                self.d.keep_unmapped(block.where, text)
        if defs:
            self.d.data["definitions"] = defs

    def _forms_records(self, grid: Grid) -> bool:
        """A table of forms or of records (Tên biểu mẫu / Tên hồ sơ, Mã hiệu, Nơi lưu, Thời gian lưu)."""
        if not grid.cells:
            return False
        head_r = None
        head: list[str] = []
        for r, row in enumerate(grid.cells[:2]):
            f = [fold(x) for x in row]
            if any(mark in x for x in f for mark in voc.TABLE_HEAD_MARKS):
                head_r, head = r, f
                break
        if head_r is None:
            return False
        is_records = any(mark in x for x in head for mark in voc.RECORD_TABLE_MARKS)
        is_forms = not is_records and any(mark in x for x in head for mark in voc.FORM_TABLE_MARKS)
        if not is_records and not is_forms:
            return False

        def col(*keys: str) -> int:
            for k in keys:
                for c, h in enumerate(head):
                    if re.search(r"\b" + k + r"\b", h):
                        return c
            return -1

        c_name = col(*voc.COLUMN_NAME)
        c_code = col(*voc.COLUMN_CODE)
        c_where = col(*voc.COLUMN_WHERE)
        c_time = col(*voc.COLUMN_RETENTION)
        c_resp = col(*voc.COLUMN_KEPT_BY)
        key = "records" if is_records else "forms"
        items: list[dict[str, Any]] = self.d.data.setdefault(key, [])
        for r in range(head_r + 1, len(grid.cells)):
            row = grid.cells[r]
            where = _row(grid.where, r + 1)
            name = row[c_name].strip() if 0 <= c_name < len(row) else ""
            code = row[c_code].strip() if 0 <= c_code < len(row) and c_code != c_name else ""
            if not name or fold(name) in head or fold(name).startswith("ten "):
                if any(x.strip() for x in row) and not all(re.fullmatch(r"\(?\d+\)?", x.strip()) for x in row if x.strip()):
                    self.d.keep_unmapped(where, " | ".join(x for x in row if x.strip()))
                continue
            lead = re.match(r"^\s*([A-ZĐ]{1,6}(?:[.-][A-Z0-9Đ]{1,8})+)\s+[–-]\s+(.+)$", name, re.DOTALL)
            if lead is not None and (not code or code == lead.group(1)):
                code, name = lead.group(1), lead.group(2).strip()  # "HS-HT-01 – Sổ đăng ký" in one cell
            if not code:
                m = _CODE.search(name)
                code = m.group(1) if m else f"{'HS' if is_records else 'BM'}-{len(items) + 1:02d}"
            name = _without_code(name, code)  # "Sổ tiếp nhận đơn (BM-01)": the code is printed beside it already
            ptr = f"/{key}/{len(items)}"
            item: dict[str, Any] = {"code": code, "title": name}
            if is_records:
                ret_text = row[c_time].strip() if 0 <= c_time < len(row) else ""
                parsed = parse_retention_text(ret_text) if ret_text else None
                if parsed is not None:
                    item["retention"] = parsed[0].to_yaml() if False else _retention_data(parsed[0])
                    if not parsed[1]:
                        self.d.note(where, f"{_('retention as written')}: {ret_text}", "verification", ptr + "/retention")
                elif ret_text:
                    item["retention"] = ret_text
                    self.d.note(where, f"{_('retention as written')}: {ret_text}", "verification", ptr + "/retention")
                else:
                    item["retention"] = "until_superseded"
                    self.d.placeholders.append(ptr + "/retention")
                    self.d.at(ptr + "/retention", where, _("placeholder: the document states no retention"))
                loc = row[c_where].strip() if 0 <= c_where < len(row) else ""
                item["location"] = loc or _(PLACEHOLDER_TEXT)
                if 0 <= c_resp < len(row) and c_resp not in (c_where,) and row[c_resp].strip():
                    rid = self._role(row[c_resp], where, ptr + "/responsible")
                    if rid:
                        item["responsible"] = rid
            items.append(item)
            self.d.at(ptr, where)
        if not items:
            del self.d.data[key]
        self.used_tables.add(id(grid))
        return True

    def _other_table(self, grid: Grid) -> None:
        if id(grid) in self.used_tables:
            return
        found = self._step_columns(grid)
        if found is not None:
            self._steps_table(grid, *found)
            return
        if self._meta_table(grid) or self._forms_records(grid):
            self.used_tables.add(id(grid))
            return
        self.used_tables.add(id(grid))
        for r, row in enumerate(grid.cells):
            seen: list[str] = []
            for x in row:
                if x.strip() and x not in seen:
                    seen.append(x)
            if seen:
                self.d.keep_unmapped(_row(grid.where, r + 1), " | ".join(seen))

    def _admin_line(self, line: Line, probe: bool = False) -> bool:
        """One-stop fields of an administrative procedure written as "Label: value" (``probe``: only
        say whether the label is one of them)."""
        fm = _FIELD_LINE.match(line.text)
        if fm is None:
            return False
        label = fold(fm.group("label"))
        value = fm.group("value").strip()
        field_name = _admin_field(label)
        if probe:
            return field_name is not None
        if field_name == "agencies":
            self._agencies(value, line.where)
            self.admin["mechanism"] = "interconnected"
            return True
        if field_name == "time_limit":
            head, _sep, rest = value.partition(". ")
            if rest and read_duration(head) is not None:  # "1 ngày làm việc. Trong ngày; …": value, then note
                dur = read_duration(head)
                assert dur is not None
                self.admin["time_limit"] = dur.value
                self._duration_source(dur, "/administrative/time_limit", line.where)
                self.admin["time_limit_note"] = rest.strip()
                return True
            dur = read_duration(value)
            if dur is not None:
                self.admin["time_limit"] = dur.value
                self._duration_source(dur, "/administrative/time_limit", line.where)
                if dur.note or "trong ngay" in fold(value):
                    self.admin["time_limit_note"] = value
            else:
                self.admin["_time_written"] = (value, line.where)
            return True
        if field_name == "dossier_sets":
            m = re.search(r"\d+", value)
            if m:
                self.admin["dossier_sets"] = max(1, int(m.group(0)))
                self.d.at("/administrative/dossier_sets", line.where)
                return True
        if field_name == "fee":
            if fold(value).strip(" .") in ("khong", "khong co", "none"):
                return True  # the writer's "Không." when no fee is stated
            self.admin["fee"] = _fee(value)
            self.d.at("/administrative/fee", line.where)
            return True
        if field_name == "place":
            mech = re.search(r"\s*\(([^()]*)\)\s*$", value)
            if mech is not None and fold(mech.group(1)).strip() in _MECHANISMS:
                self.admin["mechanism"] = _MECHANISMS[fold(mech.group(1)).strip()]
                value = value[:mech.start()].strip()
            if fold(value).strip(" .") in ("khong", "khong co", "none"):
                return True
            self.admin["place"] = value
            self.d.at("/administrative/place", line.where)
            return True
        if field_name == "result":
            self.admin["result"] = value
            self.d.at("/administrative/result", line.where)
            return True
        if field_name == "code":
            self.admin["code"] = value
            self.d.at("/administrative/code", line.where)
            return True
        return False

    def _dossier_table(self, grid: Grid) -> bool:
        """The dossier table of a one-stop procedure: STT | Tên giấy tờ | Hình thức | Số lượng."""
        head = [fold(x).strip(" .:") for x in grid.cells[0]] if grid.cells else []
        c_name = next((c for c, h in enumerate(head) if "giay to" in h or "thanh phan" in h or h == "document"), -1)
        if c_name < 0:
            return False
        c_form = next((c for c, h in enumerate(head) if "hinh thuc" in h or h == "form"), -1)
        c_copies = next((c for c, h in enumerate(head) if "so luong" in h or h in ("so ban", "copies")), -1)
        items: list[dict[str, Any]] = self.admin.setdefault("dossier", [])
        for r, row in enumerate(grid.cells[1:], start=1):
            where = _row(grid.where, r + 1)
            name = row[c_name].strip() if c_name < len(row) else ""
            if not name:
                if any(x.strip() for x in row):
                    self.d.keep_unmapped(where, " | ".join(x for x in row if x.strip()))
                continue
            name, _nl, note = name.partition("\n")  # the writer puts a note on the cell's second line
            item: dict[str, Any] = {"name": name.strip()}
            if note.strip():
                item["note"] = " ".join(note.split())
            form = fold(row[c_form]).strip(" .") if 0 <= c_form < len(row) else ""
            kind = dossier_form(form)
            if kind is not None:
                item["form"] = kind
            elif form:
                self.d.note(where, f"{_('form as written')}: {row[c_form].strip()}", "verification",
                            f"/administrative/dossier/{len(items)}")
            copies = re.fullmatch(r"\s*0*(\d+)\s*", row[c_copies]) if 0 <= c_copies < len(row) else None
            if copies is not None and int(copies.group(1)) >= 1:
                item["copies"] = int(copies.group(1))
            items.append(item)
            self.d.at(f"/administrative/dossier/{len(items) - 1}", where)
        self.used_tables.add(id(grid))
        return True

    def _agencies(self, value: str, where: str) -> None:
        """ "Cơ quan phối hợp: A; B": the participating agencies of a liên thông procedure."""
        agencies: list[dict[str, Any]] = self.admin.setdefault("agencies", [])
        for name in (x.strip(" .") for x in value.split(";")):
            if not name:
                continue
            ident = self.roles.match_agency(name) or role_id(name)
            agencies.append({"id": ident, "name": name})
            self.roles.add_agency(ident, name)
            self.d.at(f"/administrative/agencies/{len(agencies) - 1}", where)

    def _content(self) -> None:
        blocks = self.sections.get("content", [])
        lines: list[Line] = []
        dossier_mode = False
        pending: Line | None = None  # a one-stop heading ("5.2. Số lượng hồ sơ") whose value follows
        for block in blocks:
            if isinstance(block, Grid):
                if not (dossier_mode and self._dossier_table(block)):
                    self._other_table(block)
                continue
            if pending is not None:
                label = re.sub(r"^[\s\d.)]*", "", pending.text).strip().rstrip(":")
                pending = None
                if self._admin_line(Line(f"{label}: {block.text}", block.where, block.style)):
                    continue
            if re.fullmatch(r"\s*(?:\d+(?:\.\d+)*\.?\s+)?[^:]{2,60}", block.text) and \
                    self._admin_line(Line(f"{_HEADING_NUMBER.sub('', block.text.strip(), count=1)}: x", block.where,
                                          block.style), probe=True):
                pending = block
                dossier_mode = False
                continue
            f = block.folded
            if f.strip().rstrip(".") in voc.FLOWCHART_AT_END:
                continue  # where qms's Word export says its landscape flowchart is
            if _DOSSIER_HEADING.match(f):
                dossier_mode = True
                rest = block.text.split(":", 1)[1].strip() if ":" in block.text else ""
                if rest:
                    self.admin.setdefault("dossier", []).append({"name": rest})
                self.d.at("/administrative/dossier", block.where)
                continue
            if self._admin_line(block):
                dossier_mode = False
                continue
            if dossier_mode and re.match(r"^\s*[-–•+*]|^\s*\(?[a-zđ\d]\)", block.text):
                name = re.sub(r"^\s*(?:[-–•+*]|\(?[a-zđ\d]\))\s*", "", block.text).strip().rstrip(";.")
                item: dict[str, Any] = {"name": name}
                kind = dossier_form(fold(name))
                if kind is not None and kind != "original":  # the default: a line says "original" only in passing
                    item["form"] = kind
                self.admin.setdefault("dossier", []).append(item)
                continue
            dossier_mode = False
            lines.append(block)
        left = self._steps_paragraphs(lines)
        if not self.steps:  # no steps table and no "Bước N": a numbered list 1., 2., 3. is the steps
            left = self._steps_paragraphs(_numbered_as_steps(left))
        for line in left:
            self.d.clauses_cited.extend(_clauses(line.text))
            self.d.keep_unmapped(line.where, line.text)

    # -- the whole document -----------------------------------------------------------------
    def map(self) -> Draft:
        for block in self.r.header:
            if isinstance(block, Grid):
                self._meta_table(block)
            elif not self.header.get("title") and re.match(_TITLE_WORD, block.folded):
                self.header["title"] = (block.text, block.where)
        preamble = self._split_sections()
        for block in preamble:
            if isinstance(block, Grid):
                self._other_table(block)
            elif re.match(_TITLE_WORD, block.folded) and "title" not in self.header:
                self.header["title"] = (block.text, block.where)
            elif block.folded.strip(" .:") in ("quy trinh", "thu tuc", "quy trinh thu tuc", "procedure") or (
                    "title" in self.header and fold(self.header["title"][0]).strip() == block.folded.strip()):
                self.d.kept.append(f"{block.where}: {block.text}")  # the cover repeats the header's title
            elif self._owner_line(block):
                pass
            elif block.folded.startswith(voc.COVER_LINES) or any(k in block.folded for k in voc.COVER_CONTAINS) or \
                    re.fullmatch(r"[\s\-_*]*", block.text):
                self.d.kept.append(f"{block.where}: {block.text}")
            else:
                self.d.keep_unmapped(block.where, block.text)
        self._content()
        for name in ("forms", "records"):
            for block in self.sections.get(name, []):
                if isinstance(block, Grid):
                    if not self._forms_records(block):
                        self._other_table(block)
                else:
                    self._list_item(name, block)
        for block in self.sections.get("responsibility", []):
            if isinstance(block, Grid):
                self._other_table(block)
            else:
                self.d.keep_unmapped(block.where, block.text)
        # tables outside any section still count (a steps table placed after the outline)
        for name, blocks in self.sections.items():
            if name == "definitions":
                continue  # a glossary table (Thuật ngữ | Giải thích) is read by _definitions
            for block in blocks:
                if isinstance(block, Grid):
                    self._other_table(block)
        self._finish_steps()
        if self.opts.comments:
            self._other_comments()
        self._references()
        self._definitions()
        self.d.clauses_cited.extend(_clauses("\n".join(b.text for b in self.r.blocks if isinstance(b, Line))))
        text = "\n".join(b.text for b in self.r.blocks if isinstance(b, Line))
        if re.search(r"9001\s*:\s*2008", text):
            self.d.edition = "2008"
        return self.d

    def _owner_line(self, line: Line) -> bool:
        """ "Đơn vị chủ trì: Phòng Tư pháp" and "Người chịu trách nhiệm: Trưởng phòng Tư pháp" on the cover."""
        fm = _FIELD_LINE.match(line.text)
        if fm is None:
            return False
        label = fold(fm.group("label")).strip()
        if label in voc.UNIT_LINES:
            self.header["unit"] = (fm.group("value").strip(), line.where)
            return True
        if label in voc.OWNER_LINES:
            self.header["owner"] = (fm.group("value").strip(), line.where)
            return True
        return False

    def _list_item(self, key: str, line: Line) -> None:
        text = line.text.lstrip("-–•*+ ").strip().rstrip(";.")
        text = re.sub(r"^\d+[.)]\s*", "", text)
        if fold(text).strip(" .") in _NONE:
            return
        m = _CODE.search(text)
        if not text:
            return
        if m is None:
            self.d.keep_unmapped(line.where, line.text)
            return
        code = m.group(1)
        title = (text[:m.start()] + text[m.end():]).strip(" :-–()")
        items: list[dict[str, Any]] = self.d.data.setdefault(key, [])
        if any(item.get("code") == code for item in items):  # listed again below its table: one entry
            self.d.kept.append(f"{line.where}: {line.text}")
            return
        item: dict[str, Any] = {"code": code, "title": title or code}
        if key == "records":
            item["retention"] = "until_superseded"
            item["location"] = _(PLACEHOLDER_TEXT)
            self.d.placeholders.append(f"/records/{len(items)}/retention")
            self.d.at(f"/records/{len(items)}/retention", line.where, _("placeholder: the document states no retention"))
        items.append(item)
        self.d.at(f"/{key}/{len(items) - 1}", line.where)


def _without_code(title: str, code: str) -> str:
    """``title`` without a leading or trailing ``code`` ("Sổ tiếp nhận đơn (BM-01)", "BM-01 – Sổ …",
    "Sổ … - BM-01"); ``title`` unchanged when nothing else is left."""
    c = re.escape(code.strip())
    stripped = re.sub(rf"^\s*[(\[]?\s*{c}(?![\w.-])\s*[)\]]?\s*[:.–-]?\s*", "", title, flags=re.IGNORECASE)
    stripped = re.sub(rf"\s*[:–-]?\s*[(\[]?\s*(?<![\w.-]){c}\s*[)\]]?\s*$", "", stripped, flags=re.IGNORECASE)
    return stripped.strip() or title


_INLINE_FIELD = re.compile(r"(?:^|[.;,]\s+|\s+[-–]\s+)(?P<label>" + "|".join(voc.INLINE_FIELDS) + r")\s*:\s*",
                           re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(\d{1,2})[.)]\s+(\S.*)$", re.DOTALL)


def _inline_fields(text: str) -> tuple[str, list[tuple[str, str]]]:
    """ "Phát hiện … Trách nhiệm: Thư ký ISO. Thời gian: 02 ngày" → the name and the (label, value) pairs."""
    found = list(_INLINE_FIELD.finditer(text))
    if not found or found[0].start() == 0:
        return text, []
    fields = [(m.group("label"), text[m.end():nxt.start() if nxt is not None else len(text)].strip().rstrip(".;,").strip())
              for m, nxt in zip(found, [*found[1:], None], strict=True)]
    return text[:found[0].start()].strip().rstrip(".;,"), [(label, value) for label, value in fields if value]


def _numbered_as_steps(lines: list[Line]) -> list[Line]:
    """Lines numbered 1., 2., 3. … (by Word's automatic numbering or typed) as "Bước N: …" lines; ``lines``
    unchanged when they are not such a list (fewer than two, or not numbered from 1 in order)."""
    numbered = [(i, _NUMBERED.match(line.text)) for i, line in enumerate(lines)]
    hits = [(i, m) for i, m in numbered if m is not None]
    if len(hits) < 2 or [int(m.group(1)) for _i, m in hits] != list(range(1, len(hits) + 1)):
        return lines
    out = list(lines)
    for i, m in hits:
        line = lines[i]
        out[i] = Line(f"Bước {m.group(1)}: {m.group(2)}", line.where, line.style, line.number, line.comments)
    return out


def _retention_data(ret: Any) -> Any:
    if ret.permanent:
        return "permanent"
    if ret.until_superseded:
        return "until_superseded"
    out: dict[str, Any] = {"years": ret.years} if ret.years is not None else {"months": ret.months}
    if ret.after is not None:
        out["after"] = {"vi": ret.after.vi, "en": ret.after.en}
    return out


def _admin_field(label: str) -> str | None:
    """The one-stop field a folded "Label" names (``vocabulary.ADMIN_LABELS``), or None."""
    words = label.split()
    for name, contained, whole_words in voc.ADMIN_LABELS:
        if any(k in label for k in contained) or any(w in words for w in whole_words):
            return name
        if name == "result" and "ket qua" in label and "giai quyet" in label:
            return name  # "Kết quả giải quyết (TTHC)"; "Kết quả" alone is a step's result
    return None


def _fee(text: str) -> dict[str, Any]:
    english = re.match(r"^\s*VND\s*(\d{1,3}(?:,\d{3})+|\d+)\s*(?:;\s*(.+))?$", text, re.DOTALL)
    if english is not None:  # "VND 50,000; Fee for a copy", as the English layout writes it
        out: dict[str, Any] = {"amount_vnd": int(english.group(1).replace(",", ""))}
        if english.group(2):
            out["text"] = english.group(2).strip()
        return out
    both = re.match(r"^\s*(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:đồng|đ|VND)\s*;\s*(.+)$", text, re.IGNORECASE | re.DOTALL)
    if both is not None:  # "50.000 đồng; Lệ phí cấp bản sao": the amount, then the text
        return {"amount_vnd": int(re.sub(r"[.,]", "", both.group(1))), "text": both.group(2).strip()}
    if re.fullmatch(r"\s*(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:đồng|đ|VND)\s*\.?\s*", text, re.IGNORECASE):
        return {"amount_vnd": int(re.sub(r"[^\d]", "", text))}
    f = fold(text)
    words = re.sub(r"[^\w ]+", " ", f).split()
    if (words[:1] == ["khong"] or words[:1] == ["mien"]) and len(words) <= 6 and not re.search(r"[;(]", text):
        return {"amount_vnd": 0, "text": text}  # "Miễn lệ phí", "Không thu phí"; not "Miễn …; quá hạn nộp …"
    m = re.search(r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:d|dong|vnd)\b(?!\s*/)", f)  # not "2.000 đồng/trang"
    if m:
        return {"amount_vnd": int(re.sub(r"[.,]", "", m.group(1))), "text": text}
    return {"text": text}


#: the mechanism after the place, as the national layout writes it
_MECHANISMS = {"mot cua": "one_stop", "mot cua lien thong": "interconnected", "lien thong": "interconnected",
               "khong qua bo phan mot cua": "none", **voc.MECHANISMS_EN}


_DOSSIER_FORM_RE = tuple((kind, re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![a-z])"))
                         for kind, phrases in voc.DOSSIER_FORM_WORDS)
_DOSSIER_HEADING = re.compile(r"^[\s\d.)-]*(?:" + "|".join(re.escape(h) for h in voc.DOSSIER_HEADINGS) + r")(?![a-z])")


def dossier_form(folded: str) -> str | None:
    """The form of a dossier item (``original``, ``certified_copy``, …) a folded text names, or None."""
    for kind, regex in _DOSSIER_FORM_RE:
        if regex.search(folded):
            return kind
    return None


def _branches(text: str, by_number: dict[int, str]) -> list[tuple[str, str]] | None:
    """ "Có: 5; Không: 3" → [("Có", B5), ("Không", B3)]; None when the text is not two labelled targets."""
    parts = [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]
    out: list[tuple[str, str]] = []
    for part in parts:
        m = re.match(r"^(?P<label>[^:→=]+?)\s*[:→=]\s*(?:bước|b)?\s*(?P<n>\d+)\s*$", part, re.IGNORECASE)
        if m is None:
            return None
        n = int(m.group("n"))
        if n not in by_number:
            return None
        out.append((m.group("label").strip(), by_number[n]))
    return out or None


def _parse_date(text: str) -> str | None:
    m = _DATE.search(text)
    if m is None:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
    except ValueError:
        return None


def map_reading(reading: Reading, roles: RoleMatcher, opts: Options) -> tuple[_Mapper, Draft]:
    mapper = _Mapper(reading, roles, opts)
    return mapper, mapper.map()
