"""``qms import xlsx``: the list of administrative procedures a provincial decision publishes → skeletons.

Headers are Vietnamese, in any order, found in the first rows (a title row above them is common):
STT, mã TTHC, tên TTHC, lĩnh vực, thời hạn giải quyết, địa điểm, phí / lệ phí, căn cứ pháp lý, cơ chế.
Each row becomes a process with the administrative fields filled in and no steps; its id follows
the repository's ``document_codes.process_pattern``; the mã TTHC is kept in ``administrative.code``.
A skeleton is a draft, so ``qms check`` reports its missing steps as a warning, not an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qms.analysis.documents import IMPORT_HEADERS
from qms.analysis.legacy import fold
from qms.analysis.people import Directory
from qms.errors import QmsError
from qms.i18n import _, use_language
from qms.importer.build import wrap_text
from qms.importer.durations import read_duration
from qms.importer.mapping import PLACEHOLDER_ROLE, PLACEHOLDER_TEXT, _fee
from qms.importer.run import _legal_index, shown_name
from qms.safe_regex import compile_untrusted
from qms.store import import_store
from qms.store.paths import PROCESS, check_id
from qms.store.raw_yaml import raw_mappings
from qms.store.workspace import MANIFEST, load_manifest
from qms.store.yaml_dump import dump_yaml_commented

COLUMNS: dict[str, tuple[str, ...]] = {
    "stt": ("stt", "tt", "so tt", "so thu tu"),
    "code": ("ma tthc", "ma thu tuc", "ma so", "ma so tthc", "ma thu tuc hanh chinh", "ma"),
    "title": ("ten tthc", "ten thu tuc", "ten thu tuc hanh chinh", "thu tuc hanh chinh", "ten"),
    "field": ("linh vuc",),
    "time": ("thoi han giai quyet", "thoi gian giai quyet", "thoi han"),
    "place": ("dia diem", "dia diem thuc hien", "noi tiep nhan", "co quan thuc hien", "noi thuc hien"),
    "fee": ("phi le phi", "phi", "le phi", "phi va le phi"),
    "basis": ("can cu phap ly", "co so phap ly", "van ban quy dinh"),
    "mechanism": ("co che", "co che giai quyet", "hinh thuc", "co che thuc hien", "mot cua lien thong"),
}


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


def header_columns(row: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for c, cell in enumerate(row):
        key = _key(cell)
        for name, synonyms in COLUMNS.items():
            if name not in found and (key in synonyms or any(key.startswith(s + " ") for s in synonyms if len(s) > 4)):
                found[name] = c
                break
    return found


@dataclass(slots=True)
class Skeleton:
    at: str
    id: str
    data: dict[str, Any]
    target: Path
    text: str
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class XlsxRun:
    skeletons: list[Skeleton] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    written: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"skeletons": [{"at": s.at, "id": s.id, "title": s.data["title"], "draft": str(s.target),
                               "code": s.data["administrative"].get("code", ""), "warnings": s.warnings}
                              for s in self.skeletons],
                "skipped": [{"at": a, "reason": r} for a, r in self.skipped], "written": self.written}


_ROMAN = re.compile(r"^(?:[IVXLC]+|[A-Z])[.)]?$")
_GROUP = re.compile(r"^(?:(?:[IVXLC]+|[A-Z]|\d+)[.)]?\s+)?(?:lĩnh\s+vực\s*:?\s*)?(?P<name>\S.*)$", re.IGNORECASE)


def _group_field(row: list[str], cols: dict[str, int]) -> str | None:
    """The lĩnh vực a group row names ("I | LĨNH VỰC HỘ TỊCH", "II. Lĩnh vực Chứng thực"), or None."""
    cells = [" ".join(str(x).split()) for x in row]
    texts = [x for x in cells if x]
    if not texts:
        return None
    stt = cols.get("stt")
    roman = stt is not None and stt < len(cells) and bool(_ROMAN.match(cells[stt]))
    joined = " ".join(texts)
    if not (roman or fold(joined).split()[:1] == ["linh"] or "linh vuc" in fold(joined)[:12]):
        return None
    m = _GROUP.match(joined)
    name = m.group("name").strip(" :.-") if m is not None else ""
    if not name or re.search(r"\d+\.\d{3,}", name):  # a mã TTHC: a procedure row without its name
        return None
    return name[:1].upper() + name[1:].lower() if name.isupper() else name


def skeleton_id(pattern: str, n: int, field_name: str, taken: set[str]) -> str:
    """An id that fits ``pattern``: its literal prefix ("QT-") + the field's initials + a number."""
    regex = compile_untrusted(pattern)
    prefix = re.match(r"^\^?([A-Za-z0-9-]*)", pattern)
    lit = prefix.group(1) if prefix else ""
    initials = "".join(w[0] for w in _key(field_name).split()).upper()[:4] or "TTHC"
    for form in ("{lit}{initials}-{k:02d}", "{lit}TTHC-{k:03d}", "{lit}{k:03d}", "QT-TTHC-{k:03d}"):
        for k in range(n, n + 1000):
            cand = form.format(lit=lit, initials=initials, k=k)
            if cand not in taken and regex.search(cand):
                return cand
    raise QmsError(_("no procedure id fits document_codes.process_pattern {pattern!r}").format(pattern=pattern),
                   _("give the skeletons a pattern such as ^QT-[A-Z0-9]+(-[A-Z0-9]+)*$ in qms.yaml"))


def import_xlsx(root: Path, path: Path, *, out: Path | None = None, dry_run: bool = False, force: bool = False,
                defaults: Path | None = None) -> XlsxRun:
    rows = import_store.read_sheet(path)
    manifest = load_manifest(root) if (root / MANIFEST).is_file() else None
    pattern = manifest.document_codes.process_pattern if manifest is not None else r"^QT-[A-Z0-9]+(-[A-Z0-9]+)*$"
    opts = import_store.read_defaults(defaults) if defaults is not None else {}
    head_row, cols = -1, {}
    for r, row in enumerate(rows[:15]):
        found = header_columns(row)
        if "title" in found and len(found) >= 3:
            head_row, cols = r, found
            break
    if head_row < 0:
        raise QmsError(_("{path}: no header row with the procedure name (Tên TTHC) and at least two other "
                         "known columns in the first 15 rows").format(path=path),
                       _("name the columns in Vietnamese: STT, Mã TTHC, Tên TTHC, Lĩnh vực, Thời hạn giải quyết, "
                         "Địa điểm, Phí/lệ phí, Căn cứ pháp lý, Cơ chế"))
    directory = Directory.of(manifest)
    lang = manifest.organisation.default_language if manifest is not None else "vi"
    legal = _legal_index(root)
    desk_units = sorted(u for u in directory.desk_owners() if u in directory.units)
    desk_roles = sorted(r for r in directory.desk_owners() if r in directory.roles)
    run = XlsxRun()
    out_dir = out if out is not None else root / "processes"
    by_code: dict[str, str] = {}
    taken: set[str] = set()
    for file, raw in raw_mappings(out_dir, ".", ("*.yaml", "*.yml")) if out_dir.is_dir() else []:
        taken.add(file.stem)
        adm = raw.get("administrative")
        if isinstance(adm, dict) and adm.get("code") and isinstance(raw.get("id"), str):
            by_code.setdefault(str(adm["code"]), raw["id"])
    per_field: dict[str, int] = {}
    current_field = ""
    for r in range(head_row + 1, len(rows)):
        row = rows[r]
        at = f"{shown_name(path)}, " + _("row {n}").format(n=r + 1)

        def get(name: str, row: list[str] = row) -> str:
            c = cols.get(name)
            return " ".join(str(row[c]).split()) if c is not None and c < len(row) else ""

        title = get("title")
        if not title:
            group = _group_field(row, cols)
            if group is not None:  # "I | LĨNH VỰC HỘ TỊCH": the lĩnh vực of the rows below
                current_field = group
            elif any(str(x).strip() for x in row):
                run.skipped.append((at, _("no procedure name")))
            continue
        field_name = get("field") or current_field
        per_field[field_name] = per_field.get(field_name, 0) + 1
        code = get("code")
        pid = by_code.get(code) if code else None
        while pid is None:
            cand = skeleton_id(pattern, per_field[field_name], field_name, taken)
            if cand in taken:  # pragma: no cover - skeleton_id skips taken ids
                per_field[field_name] += 1
                continue
            pid = cand
        taken.add(pid)
        check_id(PROCESS, pid)
        with use_language(lang):  # the skeleton speaks the organisation's language, the report the user's
            where = f"{shown_name(path)}, " + _("row {n}").format(n=r + 1)
            comments: dict[str, list[str]] = {"/id": [where]}
            admin: dict[str, Any] = {}
            if code:
                admin["code"] = code
                comments["/administrative/code"] = [where + ", " + _("administrative procedure code")]
            level = opts.get("level")
            if level in ("commune", "district", "province"):
                admin["level"] = level
            mech = fold(get("mechanism"))
            admin["mechanism"] = "one_stop"
            interconnected = "lien thong" in mech
            time = get("time")
            dur = read_duration(time) if time else None
            if dur is None:
                admin["time_limit"] = "1d"
                comments["/administrative/time_limit"] = [where + "; " + _("placeholder: time limit not read")]
            else:
                admin["time_limit"] = dur.value
                comments["/administrative/time_limit"] = [f'{where}; "{dur.written}"' +
                                                          (("; " + _("unit to confirm")) if dur.to_confirm else "")]
                if dur.note or dur.to_confirm:
                    admin["time_limit_note"] = time
            fee = get("fee")
            if fee:
                admin["fee"] = _fee(fee)
            place = get("place")
            if place:
                admin["place"] = place
            basis_col = cols.get("basis")
            basis = str(row[basis_col]) if basis_col is not None and basis_col < len(row) else ""
            refs = [{"id": ref, "legal_basis": True}  # one per line or per ";", without the list's dashes
                    for ref in (" ".join(x.split()).strip("-–•+* ").rstrip(".;,").strip()
                                for x in re.split(r"[;\n]+", basis)) if ref]
            data: dict[str, Any] = {
                "id": pid, "title": title, "kind": opts.get("kind", "core"),
                "owner": opts.get("owner") or (desk_roles[0] if desk_roles else PLACEHOLDER_ROLE),
                "unit": opts.get("unit") or (desk_units[0] if desk_units else PLACEHOLDER_ROLE),
                "purpose": (_("Handles the administrative procedure {title} (field: {field})") if field_name
                            else _("Handles the administrative procedure {title}")).format(title=title, field=field_name),
                "scope": _(PLACEHOLDER_TEXT),
            }
            if refs:
                data["references"] = refs
                for i, ref in enumerate(refs):
                    entry = legal.resolve(ref["id"]) if legal is not None else None
                    in_register = (_("legal register: {number}").format(number=entry.number) if entry is not None
                                   else _("not in the legal register") if legal is not None else "")
                    comments[f"/references/{i}"] = [where + ", " + _("legal basis") + (f"; {in_register}" if in_register else "")]
            data["administrative"] = admin
            data["steps"] = []
            data["document"] = {"code": pid, "state": "draft"}
            notes = [{"kind": "verification", "about": "/steps",
                      "text": _("skeleton from the list of administrative procedures: the steps are missing")}]
            if interconnected:
                notes.append({"kind": "verification", "about": "/administrative/mechanism",
                              "text": _("the list says liên thông (interconnected): add administrative.agencies, "
                                        "then set mechanism: interconnected")})
                comments["/administrative/mechanism"] = [where + "; " + _("liên thông: list the agencies, then set "
                                                                       "mechanism: interconnected")]
            for key in ("owner", "unit"):
                if key not in opts:
                    notes.append({"kind": "verification", "about": f"/{key}",
                                  "text": _("placeholder written by qms import: replace it")})
                    comments[f"/{key}"] = [_("placeholder: the one-stop desk; set it with --defaults")]
            data["internal_notes"] = [{**n, "from_import": True} for n in notes]
            if lang != "vi":  # the list is Vietnamese (its headers are): its own text goes into the `vi` slot
                made = {k: data[k] for k in ("purpose", "scope")}  # written by the import, in `lang`
                wrap_text(data, "vi", _(PLACEHOLDER_TEXT))
                data.update(made)
            target = out_dir / f"{pid}.yaml"
            header = [_(IMPORT_HEADERS[1]).format(file=shown_name(path))]
            text = dump_yaml_commented(data, comments, header)
        warnings: list[str] = []
        if dur is None:
            warnings.append(_("time limit not read ({text}): placeholder 1d").format(text=time or "-"))
        warnings.append(_("steps missing: import the procedure's Word document or write them"))
        run.skeletons.append(Skeleton(at, pid, data, target, text, warnings))
    if dry_run:
        return run
    import_store.check_targets([s.target for s in run.skeletons], force)
    import_store.write_drafts([(s.target, s.text) for s in run.skeletons])
    run.written = True
    return run
