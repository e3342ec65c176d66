"""Assemble the process draft: header and approval block, defaults, placeholders, the 2008 → 2015 step."""

from __future__ import annotations

import datetime as dt
import re
import typing
from typing import Any

from qms.analysis.documents import IMPORT_PLACEHOLDER
from qms.analysis.legacy import fold
from qms.i18n import _
from qms.importer.edition import migrate_draft
from qms.importer.mapping import PLACEHOLDER_ROLE, PLACEHOLDER_TEXT, Draft, Options, _Mapper, _parse_date
from qms.models.process import Process
from qms.safe_regex import compile_untrusted

_ORDER = ("id", "title", "kind", "owner", "unit", "purpose", "scope", "references", "definitions", "clauses",
          "inputs", "outputs", "administrative", "steps", "forms", "records", "document", "proposed_roles", "internal_notes")


def process_id(code: str, filename: str, pattern: str) -> str:
    """The draft's id: the document code when it fits the repository's pattern, else one made from the
    file name, else ``QT-IMPORT``-something that fits."""
    regex = compile_untrusted(pattern)
    candidates = [code.strip().upper(), re.sub(r"\.(docx|docm)$", "", filename, flags=re.IGNORECASE).upper()]
    for c in candidates:
        c = re.sub(r"[^A-Z0-9.-]+", "-", fold(c).upper()).strip("-.")
        if c and regex.search(c):
            return c
    stem = re.sub(r"[^A-Z0-9]+", "-", fold(candidates[1]).upper()).strip("-") or "IMPORT"
    for c in (f"QT-{stem}", f"QT-IMPORT-{stem}"):
        if regex.search(c):
            return c[:80]
    return (candidates[1] or "IMPORT")[:80] if re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", candidates[1]) else "IMPORT"


def _signatory(raw: dict[str, Any], d: Draft, ptr: str) -> dict[str, Any] | None:
    if "name" not in raw:
        return None
    name, where = raw["name"]
    out: dict[str, Any] = {"name": name}
    d.at(ptr, where)
    if "title" in raw:
        out["title"] = raw["title"][0]
    return out


def assemble(m: _Mapper, opts: Options) -> Draft:
    d = m.d
    data = d.data
    defaults = opts.defaults
    code, code_where = m.header.get("code", ("", ""))
    pid = str(defaults.get("id") or process_id(code, d.source, opts.process_pattern))
    out: dict[str, Any] = {"id": pid}
    d.at("/id", code_where, _("imported from {file}").format(file=d.source))
    title, twhere = m.header.get("title", ("", ""))
    if title:
        title = re.sub(r"(?i)^\s*(?:quy\s+trình|procedure(?:\s+(?:for|on|of))?)\s*:?\s*", "", title).strip() or title
        title = title[:1].upper() + title[1:].lower() if title.isupper() else title
        out["title"] = title
        d.at("/title", twhere)
    else:
        out["title"] = _(PLACEHOLDER_TEXT)
        d.placeholders.append("/title")
        d.at("/title", "", _("placeholder: no title found"))
    out["kind"] = defaults.get("kind", "core")
    if "kind" not in defaults:
        d.placeholders.append("/kind")
        d.at("/kind", "", _("placeholder: Word never holds it; set it with --defaults"))
    owner = defaults.get("owner")
    if owner is None and "owner" in m.header:  # "Người chịu trách nhiệm: …" on the cover
        owner = m.roles.match(m.header["owner"][0], "role")
        if owner is not None:
            d.at("/owner", m.header["owner"][1], f'"{m.header["owner"][0]}"')
    if owner is None:
        approver = m.signatories.get("reviewed_by", {}).get("title") or m.signatories.get("approved_by", {}).get("title")
        owner = m.roles.match(approver[0], "role") if approver else None
        if owner is not None:
            d.at("/owner", approver[1] if approver else "", _("matched from the approval block"))
    if owner is None:
        owner = PLACEHOLDER_ROLE
        d.placeholders.append("/owner")
        d.at("/owner", "", _("placeholder: Word never holds it; set it with --defaults"))
    out["owner"] = owner
    unit = defaults.get("unit")
    if unit is None and "unit" in m.header:  # "Đơn vị chủ trì: …" on the cover
        unit = m.roles.match(m.header["unit"][0], "unit")
        if unit is not None:
            d.at("/unit", m.header["unit"][1], f'"{m.header["unit"][0]}"')
    if unit is None:
        agency = m.header.get("agency")
        unit = m.roles.match(agency[0], "unit") if agency else None
    if unit is None:  # the reviewer signs as the head of a unit ("Trưởng phòng Tư pháp"): the lead unit
        approver = m.signatories.get("reviewed_by", {}).get("title") or m.signatories.get("approved_by", {}).get("title")
        unit = m.roles.match(approver[0], "unit") if approver else None
        if unit is not None and approver:
            d.at("/unit", approver[1], _("matched from the approval block"))
    if unit is None:
        unit = PLACEHOLDER_ROLE
        d.placeholders.append("/unit")
        d.at("/unit", "", _("placeholder: Word never holds it; set it with --defaults"))
    out["unit"] = unit
    for key in ("purpose", "scope"):
        text = m._text_of(key, f"/{key}")
        if not text:
            text = _(PLACEHOLDER_TEXT)
            d.placeholders.append(f"/{key}")
            d.at(f"/{key}", "", _("placeholder: the document has no such section"))
        out[key] = text
    for key in ("references", "definitions"):
        if key in data:
            out[key] = data[key]
    clauses = list(dict.fromkeys(c for c in d.clauses_cited))
    if clauses:
        out["clauses"] = clauses
        d.at("/clauses", "", _("clause numbers cited in the text"))
    admin = dict(m.admin)
    written = admin.pop("_time_written", None)
    if admin:
        if "time_limit" not in admin:
            admin["time_limit"] = "1d"
            d.placeholders.append("/administrative/time_limit")
            d.at("/administrative/time_limit", written[1] if written else "",
                 _("placeholder: time limit not read") + (f': "{written[0]}"' if written else ""))
        out["administrative"] = admin
    if "steps" in data:
        out["steps"] = data["steps"]
    for key in ("forms", "records"):
        if key in data:
            out[key] = data[key]
    _forms_of_steps(out, d, opts.org_forms)
    document: dict[str, Any] = {"code": code or pid, "state": "draft"}
    if "revision" in m.header:
        document["revision"] = int(m.header["revision"][0])
        d.at("/document/revision", m.header["revision"][1])
    for key in ("issued_on", "effective_date"):
        if key in m.header:
            day = _parse_date(m.header[key][0])
            if day:
                document[key] = day
                d.at(f"/document/{key}", m.header[key][1])
    for key in ("prepared_by", "reviewed_by", "approved_by"):
        sig = _signatory(m.signatories.get(key, {}), d, f"/document/{key}")
        if sig:
            document[key] = sig
    doc_defaults = defaults.get("document")
    if isinstance(doc_defaults, dict):
        for k, v in doc_defaults.items():
            document.setdefault(k, v)
    if m.history:
        document["history"] = m.history
    elif "revision" in document and (document.get("issued_on") or document.get("effective_date")):
        # no revision table: the row the header supports (its issue and date), never a made-up "first issue"
        rev = document["revision"]
        document["history"] = [{"revision": rev, "date": document.get("issued_on") or document["effective_date"],
                                "summary": _("First issue (imported from Word)") if rev <= 1 else
                                _("Reissued (imported from Word)")}]
        d.at("/document/history/0", m.header["revision"][1])
    out["document"] = document
    d.at("/document/code", code_where)
    edition = opts.edition or d.edition
    d.edition = edition
    if edition == "2008" and opts.repo_edition == "2008":
        # the repository is still 2008: 2015 numbers in the draft would be read as 2008 ones by `qms check`
        # and migrated a second time by `qms migrate apply` (7.5.2 → 8.5.1); that command migrates the draft
        d.warnings.append(_("{file}: the repository still declares ISO 9001:2008, so the draft keeps the 2008 "
                            "clause numbers and terms; `qms migrate apply` moves it to ISO 9001:2015 with the rest "
                            "of the system").format(file=d.source))
    elif edition == "2008":
        migrate_draft(out, d)
    if d.proposed:  # the document prints the words of the Word file for them, never their ids
        out["proposed_roles"] = [{"id": rid, "title": prop.title} for rid, prop in d.proposed.items()]
    notes = list(d.notes)
    for ptr in d.placeholders:
        notes.append({"kind": "verification", "about": ptr, "text": _(IMPORT_PLACEHOLDER)})
    for rid, prop in d.proposed.items():
        notes.append({"kind": "verification", "about": rid,
                      "text": _("proposed role {id} (\"{title}\"): add it with --add-roles or map it").format(
                          id=rid, title=prop.title)})
    if notes:  # each is a working note to resolve before the draft is reviewed (`qms doc approve` refuses)
        out["internal_notes"] = [{**n, "from_import": True} for n in notes]
    data.clear()
    data.update({k: out[k] for k in _ORDER if k in out})
    return d


def _forms_of_steps(out: dict[str, Any], d: Draft, org_forms: dict[str, str]) -> None:
    """A step's form whose code the organisation's forms register also has, and which the Word file does not
    list with its title, gets an entry of its own in the draft with a placeholder title: the procedure must
    never print the register's form under that code ("BM-01 Giấy tiếp nhận hồ sơ …") for the form the Word
    file meant. The note says which form of the register has the code, to keep if it is the one meant."""
    listed = {str(f.get("code")) for f in out.get("forms", []) if isinstance(f, dict)}
    for i, step in enumerate(out.get("steps", [])):
        for j, code in enumerate(step.get("forms", [])):
            if code in listed or code not in org_forms:
                continue
            listed.add(code)
            forms = out.setdefault("forms", [])
            ptr = f"/forms/{len(forms)}"
            forms.append({"code": code, "title": _(PLACEHOLDER_TEXT)})
            d.placeholders.append(ptr + "/title")
            # the place of the step that names it: "QT-TTR-05.docx, table 2, row 2"
            where = next((loc for p, loc in d.mapped if p == f"/steps/{i}/forms/{j}"), "")
            prefix = f"{d.source}, "
            d.at(ptr + "/title", where[len(prefix):] if where.startswith(prefix) else "", _("placeholder: the Word file names form {code} without its title; the "
                                       "organisation's {code} is \"{title}\": write the title the Word file "
                                       "means, or delete this entry if it is that form").format(
                                           code=code, title=org_forms[code]))


def validate(d: Draft) -> list[str]:
    """The schema problems of the draft (a bug of the importer when not empty)."""
    from pydantic import ValidationError

    try:
        Process.model_validate(_dates(d.data))
    except ValidationError as exc:
        return [f"{'/'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    return []


def _dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates(v) for v in value]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.date.fromisoformat(value)
    return value


def localise(d: Draft, lang: str, org_lang: str) -> None:
    """Put the document's own text into the slot of ``lang``, the language it is written in, when that is not
    the organisation's (``org_lang``, whose text a plain string stands for): ``purpose: {en: ...}``. What the
    import writes itself (placeholders, notes) stays in the organisation's language."""
    if lang == org_lang:
        return
    wrap_text(d.data, lang, _(PLACEHOLDER_TEXT))


def wrap_text(data: dict[str, Any], lang: str, placeholder: str) -> None:
    """Every text field of the process draft ``data`` (plain strings) as ``{lang: ...}``, but ``placeholder``
    and the internal notes."""
    _wrap(data, Process, lang, placeholder)


def _wrap(data: Any, model: Any, lang: str, placeholder: str) -> None:
    from pydantic import BaseModel

    from qms.models.common import InternalNote, Text

    if not isinstance(data, dict):
        return
    for name, info in model.model_fields.items():
        key = info.alias or name
        value = data.get(key)
        if value is None:
            continue
        kinds = [info.annotation, *typing.get_args(info.annotation)]
        for kind in kinds:
            inner = typing.get_args(kind)[0] if typing.get_origin(kind) is list and typing.get_args(kind) else None
            target = inner if inner is not None else kind
            if target is Text:
                if inner is not None and isinstance(value, list):
                    data[key] = [{lang: v} if isinstance(v, str) and v != placeholder else v for v in value]
                elif inner is None and isinstance(value, str) and value != placeholder:
                    data[key] = {lang: value}
                break
            if isinstance(target, type) and issubclass(target, BaseModel) and target is not InternalNote:
                for item in (value if isinstance(value, list) else [value]):
                    _wrap(item, target, lang, placeholder)
                break
