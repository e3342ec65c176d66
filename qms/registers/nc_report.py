"""The register as a controlled document (HTML or PDF) through :mod:`qms.render.api`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qms.errors import ConfigError
from qms.i18n import _, code_text, use_language
from qms.registers.nc import get_nc, list_ncs
from qms.store.nc_store import RecordError


def _labels() -> dict[str, str]:
    return {
        "id": _("ID"), "raised": _("Raised"), "process": _("Process"), "clause": _("Clause"),
        "source": _("Source"), "severity": _("Severity"), "title": _("Title"), "status": _("Status"),
        "closed": _("Closed on"), "raised_by": _("Raised by"), "audit": _("Audit"), "evidence": _("Evidence"),
        "correction": _("Correction"), "cause": _("Cause analysis"), "root_cause": _("Root cause"),
        "similar": _("Similar nonconformities"), "actions": _("Corrective actions"),
        "review": _("Effectiveness review"), "effective": _("effective"), "not_effective": _("not effective"),
        "risks": _("Risks and opportunities"), "qms_change": _("Change to the QMS"), "rejected": _("Rejected"),
        "history": _("History"), "cause_n": _("Cause analysis {n} of {total}"), "superseded": _("superseded"),
        "recorded": _("recorded"),
    }


def render_html(root: Path, lang: str) -> str:
    from qms.render import api
    from qms.store.workspace import FILE_KINDS, load_document

    root = root.resolve()
    kind = next(k for k in FILE_KINDS if k.name == "manifest")
    manifest = load_document(root, root / "qms.yaml", kind).model
    if manifest is None:
        raise ConfigError(_("qms.yaml does not validate; run `qms check`"))
    from qms.analysis.people import Directory

    directory = Directory.of(manifest)
    rows, bad = list_ncs(root)
    if bad:  # a register that silently leaves a record out is not the register
        from qms.output.safe import one_line

        raise RecordError(
            _("the register cannot be written: {files} cannot be read as records").format(
                files=", ".join(one_line(f"records/nonconformities/{name}") for name in bad)),
            _("run `qms check` and correct the file(s); nothing was written"))
    records = [get_nc(root, r.id) for r in rows if r.file == f"{r.id}.yaml"]
    with use_language(lang):
        title = _("Register of nonconformities and corrective actions")
        context: dict[str, Any] = {
            "control": api.control_view(None, "NC-REGISTER", lang), "org": api.org_view(manifest, lang),
            "doc_kind": _("Register"), "doc_title": title, "rows": rows, "records": records,
            "labels": _labels(), "code_label": code_text,
            "who": lambda text: directory.display(text, lang),
        }
        return api.render_html_document("nc_register.j2", context, root, lang, search_package="qms.registers")


def write_report(root: Path, out: Path, lang: str, fmt: str) -> int:
    """Write the register as HTML or PDF; returns the page count (0 for HTML)."""
    html = render_html(root, lang)
    if fmt == "html":
        from qms.store.atomic import atomic_write_text

        atomic_write_text(out, html)
        return 0
    from qms.render import api

    return api.write_pdf(html, out, root)
