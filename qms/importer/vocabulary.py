"""The words a Word procedure uses for its headings and table headers, in Vietnamese and in English.

Data, not branches: the importer looks the words up here, so that a document written in either language
(or a new synonym) is read by adding an entry, not by adding code. Every key is folded (lower case,
without diacritics: ``qms.analysis.legacy.fold``), numbering and punctuation stripped.
"""

from __future__ import annotations

#: section → language → the headings that open it. A heading is the key itself or, when the key is not in
#: ``EXACT_HEADINGS``, a heading that starts with it ("Nội dung quy trình thực hiện").
SECTION_HEADINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "purpose": {"vi": ("muc dich",),
                "en": ("purpose", "objective", "objectives", "aim")},
    "scope": {"vi": ("pham vi", "pham vi ap dung", "doi tuong ap dung"),
              "en": ("scope", "scope of application", "field of application", "application")},
    "references": {"vi": ("tai lieu vien dan", "tai lieu tham khao", "tai lieu lien quan", "can cu phap ly",
                          "co so phap ly", "van ban phap ly", "tai lieu ap dung"),
                   "en": ("references", "reference documents", "referenced documents", "related documents",
                          "normative references", "legal basis")},
    "definitions": {"vi": ("dinh nghia", "viet tat", "thuat ngu", "giai thich tu ngu", "dinh nghia va tu viet tat",
                           "dinh nghia va chu viet tat", "dinh nghia viet tat", "tu viet tat", "chu viet tat"),
                    "en": ("definitions", "definitions and abbreviations", "terms and definitions", "abbreviations",
                           "glossary", "terms and abbreviations")},
    "content": {"vi": ("noi dung", "noi dung quy trinh", "trinh tu thuc hien", "quy trinh thuc hien", "luu do",
                       "mo ta quy trinh", "dien giai", "cach thuc thuc hien"),
                "en": ("procedure", "content", "process", "process description", "procedure description",
                       "description of the procedure", "method", "activities", "steps", "flowchart")},
    "forms": {"vi": ("bieu mau", "cac bieu mau", "bieu mau ap dung", "phu luc", "cac phu luc", "bieu mau kem theo"),
              "en": ("forms", "appendices", "annexes", "attachments", "forms and templates")},
    "records": {"vi": ("ho so", "ho so can luu", "ho so luu", "luu ho so", "ho so luu tru"),
                "en": ("records", "records to keep", "records to be kept", "quality records")},
    "responsibility": {"vi": ("trach nhiem",),
                       "en": ("responsibilities", "responsibility", "responsibilities and authorities")},
}

#: the headings a warning names when a document has none of them (as documents write them)
EXPECTED = {"vi": "Mục đích, Phạm vi, Tài liệu viện dẫn, Định nghĩa, Nội dung, Biểu mẫu, Hồ sơ",
            "en": "Purpose, Scope, References, Definitions, Procedure, Forms, Records"}

#: headings that are also the first word of a title ("Procedure for handling complaints"): only the
#: heading alone opens the section
EXACT_HEADINGS = frozenset({"procedure", "process", "content", "method", "activities", "steps", "application"})

#: the columns of a steps table: (kind, header equal to one of these, header containing one of these),
#: looked up in this order (a "Bước tiếp theo" column is "next", not "step")
STEP_COLUMNS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("next", ("chuyen den", "buoc ke tiep", "next"), ("tiep theo", "next step")),
    ("step", ("buoc", "tt", "stt", "so tt", "b", "buoc thuc hien", "step", "no", "step no", "#"), ()),
    ("responsible", ("thuc hien", "who"),
     ("trach nhiem", "nguoi thuc hien", "don vi thuc hien", "responsib", "performed by", "carried out by")),
    ("time", (), ("thoi gian", "thoi han", "time", "duration", "deadline")),
    ("forms", (), ("bieu mau", "ket qua", "ho so", "tai lieu", "form", "record", "result", "output", "document")),
    ("content", (), ("noi dung", "trinh tu", "cong viec", "mo ta", "dien giai", "description", "activit", "content",
                     "task", "action")),
    ("flowchart", (), ("luu do", "flowchart", "flow chart")),
)

#: the line qms's own Word export writes where a landscape flowchart would be (it closes the procedure),
#: folded: the importer passes over it as over the flowchart's pictures
FLOWCHART_AT_END = ("luu do duoc trinh bay tren cac trang kho ngang o cuoi quy trinh",
                    "the flowchart is on landscape pages at the end of the procedure")

#: the one-stop fields of an administrative procedure written as "Label: value" or as a heading whose value
#: follows: (field, label containing one of these, label with one of these words), looked up in this order
ADMIN_LABELS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("agencies", ("co quan phoi hop", "participating agencies"), ()),
    ("time_limit", ("thoi han giai quyet", "time limit", "processing time"), ()),
    ("dossier_sets", ("so luong ho so", "so bo", "number of dossier sets", "number of sets"), ()),
    ("code", ("ma tthc", "ma thu tuc", "administrative procedure code", "procedure code"), ()),
    ("fee", ("le phi",), ("phi", "fee", "fees")),
    ("place", ("noi tiep nhan", "dia diem", "noi nop", "place of receipt"), ()),
    ("result", (), ("result",)),
)

#: a dossier item's form (Hình thức) as `qms render --lang en` writes it
DOSSIER_FORMS_EN = {"original": "original", "copy": "copy", "certified_copy": "certified copy",
                    "original_or_copy": "original or copy", "show_original": "original shown for comparison"}

#: a dossier item's form as documents write it, in a "Hình thức" / "Form" cell or inside the item's line
#: ("Bản sao có chứng thực giấy khai sinh", "Certified true copy of the birth certificate"): form → folded
#: phrases, tried in this order (the first form one of whose phrases the text holds as whole words), so that
#: "original or a certified copy" is `original_or_copy`, not `certified_copy`
DOSSIER_FORM_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("original_or_copy", ("ban chinh hoac ban sao", "ban sao hoac ban chinh", "original or copy", "original or a copy",
                          "original or certified copy", "original or a certified copy", "copy or original",
                          "original or photocopy", "original or a photocopy")),
    ("show_original", ("xuat trinh ban chinh", "ban chinh de doi chieu", "ban chinh doi chieu", "original shown",
                       "original to be shown", "original to show", "show the original", "shown for comparison",
                       "original for comparison", "present the original", "original presented",
                       "original for inspection", "original for verification")),
    ("certified_copy", ("ban sao co chung thuc", "ban sao chung thuc", "ban chung thuc", "certified copy",
                        "certified copies", "certified true copy", "certified true copies", "notarised copy",
                        "notarized copy", "notarised copies", "notarized copies", "attested copy",
                        "authenticated copy", "legalised copy", "legalized copy")),
    ("copy", ("ban sao", "ban chup", "ban photo", "copy", "copies", "photocopy", "photocopies", "scanned copy",
              "duplicate")),
    ("original", ("ban chinh", "original", "originals")),
)

#: the line that opens the list of a one-stop procedure's dossier items (folded, after any numbering)
DOSSIER_HEADINGS = ("thanh phan ho so", "thanh phan, so luong ho so", "thanh phan so luong ho so",
                    "dossier components", "components of the dossier", "dossier comprises", "the dossier comprises",
                    "required documents", "documents required", "documents to submit", "documents to be submitted")

#: durations written in English, as the Vietnamese words the duration reader knows (folded text)
DURATION_WORDS_EN: tuple[tuple[str, str], ...] = (
    (r"^(?:the )?same (?:working )?day\b", "trong ngay"),
    (r"\b(?:working|business) days?\b", "ngay lam viec"),
    (r"\b(?:calendar )?days?\b", "ngay"),
    (r"\bhours?\b|(?<=\d) ?h\b", "gio"),
    (r"\bminutes?\b|(?<=\d) ?min\b", "phut"),
    (r"\bweeks?\b", "tuan"),
    (r"\bmonths?\b", "thang"),
    (r"\b(?:no more than|not more than|at most|within)\b", "khong qua"),
)

#: the mechanism after the place of receipt, as an English document writes it ("… (one-stop)")
MECHANISMS_EN = {"one-stop": "one_stop", "one stop": "one_stop", "interconnected one-stop": "interconnected",
                 "interconnected": "interconnected", "not through the one-stop desk": "none"}

#: the glossary table's header row (Thuật ngữ | Giải thích), first cell
GLOSSARY_HEADS = ("tu viet tat", "thuat ngu", "chu viet tat", "tu ngu", "stt", "tt", "term", "abbreviation", "no")

#: the cover's "Label: value" lines naming the lead unit and the process owner
UNIT_LINES = ("don vi chu tri", "don vi chu quan", "don vi thuc hien chinh", "lead unit", "unit")
OWNER_LINES = ("nguoi chiu trach nhiem", "chu tri quy trinh", "nguoi chu tri", "chu so huu quy trinh", "process owner",
               "owner")

#: cover lines kept as they are (the agency, the national motto, the revision table's title): they start
#: with one of COVER_LINES or contain one of COVER_CONTAINS
COVER_LINES = ("uy ban", "ubnd", "cong hoa", "doc lap", "so ", "phong ", "theo doi sua doi", "bang theo doi",
               "noi nhan", "revision history")
COVER_CONTAINS = ("people's committee", "people s committee")

#: steps written as paragraphs: "Bước 1: …" / "Step 1: …", and the "Label: value" lines below a step
#: (kind, label containing one of these), looked up in this order
STEP_WORDS = ("bước", "buoc", "b", "step")
STEP_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("next", ("tiep theo", "next")),
    ("responsible", ("trach nhiem", "thuc hien", "nguoi", "responsib", "performed by", "who")),
    ("time", ("thoi gian", "thoi han", "time", "duration", "deadline")),
    ("forms", ("bieu mau", "ket qua", "ho so", "form", "record", "output", "result")),
)
#: the same labels inside the step's own paragraph ("… Trách nhiệm: X. Thời gian: Y"), as written
INLINE_FIELDS = ("trách nhiệm", "người thực hiện", "đơn vị thực hiện", "thời gian", "thời hạn", "biểu mẫu", "kết quả",
                 "bước tiếp theo", "responsibility", "responsible", "time", "duration", "forms?", "records?",
                 "outputs?", "next step")
#: "Nếu … thì …" / "If … then …": a decision, and the labels of its two branches
IF_THEN = {"nếu": ("thì",), "if": ("then",)}
BRANCH_LABELS = {"neu": ("Có", "Không"), "if": ("Yes", "No")}

#: the header table's labels (regular expressions over folded text)
CODE_LABELS = ("ma hieu", "ma so", "so hieu", "ky hieu", "ma tai lieu")  # anywhere in the cell's line
CODE_LABELS_EN = ("code", "document code", "document no", "doc no", "reference no")  # the whole label only
ISSUE_LABELS_EN = ("issue", "issue no", "revision", "edition")  # at the start of a cell line only
ISSUED_LABELS = ("ngay ban hanh", "date issued", "issue date", "date of issue", "issued on")
EFFECTIVE_LABELS = ("ngay (?:co )?hieu luc", "effective date", "effective from", "date effective")
TITLE_WORDS = ("quy trinh", "thu tuc", "procedure")

#: the approval block's column labels, and its row labels (name, position)
APPROVAL_LABELS = {"soan thao": "prepared_by", "nguoi soan thao": "prepared_by", "nguoi viet": "prepared_by",
                   "kiem tra": "reviewed_by", "xem xet": "reviewed_by", "nguoi kiem tra": "reviewed_by",
                   "nguoi xem xet": "reviewed_by", "phe duyet": "approved_by", "nguoi phe duyet": "approved_by",
                   "duyet": "approved_by",
                   "prepared by": "prepared_by", "written by": "prepared_by", "reviewed by": "reviewed_by",
                   "checked by": "reviewed_by", "approved by": "approved_by"}
NAME_ROWS = ("ho ten", "ho va ten", "full name", "name")
POSITION_ROWS = ("chuc vu", "chuc danh", "position", "title", "job title")

#: a forms or records table: which header says records, which says forms, and the columns
RECORD_TABLE_MARKS = ("thoi gian luu", "noi luu", "thoi han luu", "retention", "kept by", "storage")
FORM_TABLE_MARKS = ("bieu mau", "ma hieu", "ma so", "form name", "form")
TABLE_HEAD_MARKS = ("ten", "ma", "thoi gian luu", "name", "code", "record", "form", "retention")
COLUMN_NAME = ("ten ho so", "ten bieu mau", "ten tai lieu", "ten", "record", "form name", "title", "name")
COLUMN_CODE = ("ma hieu", "ma so", "ky hieu", "ma", "code")
COLUMN_WHERE = ("noi luu", "bo phan luu", "trach nhiem luu", "don vi luu", "place", "location", "stored at", "storage")
COLUMN_RETENTION = ("thoi gian luu", "thoi han luu", "retention", "retention period")
COLUMN_KEPT_BY = ("trach nhiem", "nguoi luu", "kept by", "responsible")


def heading_keys() -> list[tuple[str, str, str]]:
    """(folded heading, section, language) for every heading, in the order they are tried."""
    return [(key, section, lang) for section, langs in SECTION_HEADINGS.items()
            for lang, words in langs.items() for key in words]

#: judging the language a document is written in (``qms.importer.language``): the share of letters that
#: carry a Vietnamese diacritic from which a text is Vietnamese whatever its words (Vietnamese prose has about
#: a quarter; an English procedure that names Vietnamese people and agencies a few hundredths). Below it, the
#: frequent words decide
VIETNAMESE_LETTER_SHARE = 0.15
#: frequent words, folded, that tell the two languages apart when a text carries no diacritics ("Muc dich")
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "vi": frozenset({"va", "cua", "cac", "trong", "theo", "cho", "duoc", "nguoi", "thuc", "hien", "buoc", "thoi",
                     "gian", "ho", "so", "ban", "phong", "quy", "trinh", "muc", "dich", "pham", "vi", "noi", "dung",
                     "tiep", "nhan", "ket", "qua", "khong", "co", "cong", "viec", "trach", "nhiem", "ngay", "lam"}),
    "en": frozenset({"the", "and", "of", "to", "in", "for", "is", "are", "by", "with", "on", "be", "this", "that",
                     "from", "step", "procedure", "purpose", "scope", "records", "forms", "responsibility", "time",
                     "working", "days", "day", "if", "not", "all", "each"}),
}
