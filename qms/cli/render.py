"""``qms render``: the quality manual, a procedure, the clause matrix or the record register as PDF or HTML."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from qms.cli.common import document_language, force_option, repo_root
from qms.i18n import _, ngettext


@click.command("render")
@click.argument("kind", type=click.Choice(["manual", "procedure", "matrix", "records"]))
@click.argument("proc_id", required=False, metavar="[ID]")
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path),
              help="Output PDF or Word file, or directory for --format html.")
@click.option("--lang", "doc_lang", type=click.Choice(["vi", "en"]), default=None,
              help="Document language (default: organisation.default_language).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html", "docx"]), default="pdf", show_default=True,
              help="pdf, an HTML site, or a Word document (docx: the manual or a procedure).")
@click.option("--pdf-variant", "variant", type=click.Choice(["pdf/a-3b"]), default=None,
              help="Archival PDF/A-3b with the source YAML attached.")
@click.option("--tagged", is_flag=True, help="Tagged PDF (accessibility structure).")
@click.option("--drafts", is_flag=True,
              help="Draft mode: the 'Draft' watermark on every page and the internal notes printed; never for issue.")
@click.option("--flowchart-paper", "flowchart_paper", type=click.Choice(["a4", "a3"]), default="a4", show_default=True,
              help="Paper of the landscape flowchart pages (procedures with more than six lanes): A4 or A3.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes for rendering procedures.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal).")
@click.option("--sign", "sign", is_flag=True,
              help="Sign the PDF as it is rendered (PAdES, after PDF/A conversion); needs --p12.")
@click.option("--p12", "p12", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PKCS#12 file (.p12/.pfx) with the signer's key and certificate (with --sign).")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File whose first line is the PKCS#12 password (with --sign).")
@click.option("--field", "sig_field", default=None,
              help="Visible signature in this field, e.g. approver (the approval block's empty field); "
                   "default: an invisible signature.")
@force_option
@click.pass_context
def render(ctx: click.Context, kind: str, proc_id: str | None, out: Path, doc_lang: str | None, fmt: str,
           variant: str | None, tagged: bool, drafts: bool, flowchart_paper: str, jobs: int, progress: bool | None, sign: bool, p12: Path | None,
           password_file: Path | None, sig_field: str | None, force: bool) -> None:
    """Render controlled documents.

    \b
    qms render manual -o out/manual-vi.pdf --lang vi
    qms render procedure QT-HT-01 -o out/QT-HT-01.pdf --pdf-variant pdf/a-3b
    qms render manual --format html -o out/site
    qms render procedure QT-HT-01 --format docx -o out/QT-HT-01.docx
    qms render procedure QT-HT-01 -o out/QT-HT-01.pdf --sign --p12 me.p12 --password-file pw --field approver
    """
    from qms.errors import UsageError
    from qms.render.documents import RenderOptions, load_for_render
    from qms.render.documents import render as do_render

    if kind != "procedure" and proc_id:
        raise UsageError(_("`qms render {kind}` takes no ID (got {id!r})").format(kind=kind, id=proc_id))
    if fmt in ("html", "docx") and (variant or tagged or sign):
        raise UsageError(_("--pdf-variant, --tagged and --sign apply to PDF output only"))
    if fmt == "docx" and kind not in ("manual", "procedure"):
        raise UsageError(_("`--format docx` renders the manual or a procedure, not {kind}").format(kind=kind))
    if sign and p12 is None:
        raise UsageError(_("--sign needs --p12 FILE (and --password-file F if the file has a password)"))
    if not sign and (p12 is not None or password_file is not None or sig_field is not None):
        raise UsageError(_("--p12, --password-file and --field are options of --sign"))
    from qms.store.outputs import guard_output, guard_site_dir, mark_site

    root = repo_root(ctx)
    if fmt == "html":
        guard_site_dir(out, inputs=[p12, password_file], root=root, force=force)
    else:
        guard_output(out, "docx" if fmt == "docx" else "pdf", inputs=[p12, password_file], root=root, force=force)
    password = None
    if sign:
        from qms.cli.sign import _read_password
        from qms.signing.sign import load_signer

        password = _read_password(password_file)
        assert p12 is not None
        load_signer(p12, password)  # a wrong password fails before the (long) render
    ws = load_for_render(root)
    assert ws.manifest is not None
    lang = document_language(ctx, doc_lang, manifest=ws.manifest)
    show = progress if progress is not None else sys.stderr.isatty()
    opts = RenderOptions(lang=lang, fmt=fmt, variant=variant, tagged=tagged, jobs=jobs, progress=show,
                         drafts=drafts, a3=flowchart_paper == "a3")
    out = out if out.is_absolute() else Path.cwd() / out
    stats = do_render(root, kind, proc_id, out, opts, ws=ws)
    for url in sorted(set(opts.refused)):
        click.echo(_("warning: refused to fetch {url}").format(url=url), err=True)
    for text in dict.fromkeys(opts.warnings):
        click.echo(_("warning: {message}").format(message=text), err=True)
    _warn_untranslated(ws, kind, proc_id, lang)
    _warn_unresolved(ws, kind, proc_id)
    if fmt == "html":
        mark_site(out)
        click.echo(ngettext("Rendered {n} HTML page into {path}", "Rendered {n} HTML pages into {path}",
                            len(stats.outputs)).format(n=len(stats.outputs), path=out))
        return
    if fmt == "docx":
        click.echo(_("Rendered {path} (Word document)").format(path=out))
        return
    click.echo(_("Rendered {path} ({pages} pages; {rendered} rendered, {cached} from cache)").format(
        path=out, pages=stats.pages, rendered=stats.rendered, cached=stats.cached))
    if sign:
        from qms.signing import sign_pdf

        assert p12 is not None
        # every produced PDF is final here (merged, PDF/A): the signature is the last incremental update
        for path in stats.outputs:
            result = sign_pdf(path, path, p12, password, sig_field)
            kind_text = _("visible") if result.visible else _("invisible")
            click.echo(_("signed {path} as {signer} ({kind} field {field})").format(
                path=result.out_path, signer=result.signer, kind=kind_text, field=result.field))


def _warn_unresolved(ws: Any, kind: str, proc_id: str | None) -> None:
    """Warn, with path:line:col and a hint, of each id the document prints as written because it names no
    role, unit, person or participating agency (a typo such as ``thu_ky_isoo``)."""
    from qms.analysis.unresolved import unresolved_parties

    if kind not in ("manual", "procedure"):
        return
    for doc, proc in ws.processes():
        if kind == "procedure" and proc.id != proc_id:
            continue
        for ptr, ident, close in unresolved_parties(proc, ws.manifest):
            mark, _found = doc.source_map.locate(ptr)
            click.echo(_("warning: {where}: `{id}` is no role, unit, person or participating agency; the document "
                         "prints the id as written").format(where=f"{doc.path}:{mark.line}:{mark.column}", id=ident),
                       err=True)
            hint = (_("  hint: did you mean `{id}`? (`qms check` reports it)").format(id=close) if close else
                    _("  hint: use the id of a role or unit of qms.yaml, or of an agency in `administrative.agencies` "
                      "(`qms check` reports it)"))
            click.echo(hint, err=True)


#: At most this many untranslated texts are listed; the rest are counted
_UNTRANSLATED_SHOWN = 8


def _warn_untranslated(ws: Any, kind: str, proc_id: str | None, lang: str) -> None:
    """Warn when the document prints texts in the other language because they were given in one only
    (``{vi: ...}`` without ``en``): path:line:col of each, then a hint."""
    from qms.analysis.translations import untranslated

    docs: list[tuple[Any, str]] = []
    for doc, proc in ws.processes():
        if kind == "manual" or (kind == "procedure" and proc.id == proc_id):
            docs.append((doc, ""))
    if kind in ("manual", "procedure") and ws.manifest_doc is not None:
        docs.append((ws.manifest_doc, "" if kind == "manual" else "/organisation"))
    found: list[str] = []
    for doc, base in docs:
        model = doc.model if not base else getattr(doc.model, base.strip("/"))
        for ptr in untranslated(model, lang, base):
            mark, _found = doc.source_map.locate(ptr)
            found.append(f"{doc.path}:{mark.line}:{mark.column}: `{ptr.lstrip('/')}`")
    if not found:
        return
    other = "vi" if lang == "en" else "en"
    message = (_("warning: {where} has no English text; the English document prints the Vietnamese") if lang == "en"
               else _("warning: {where} has no Vietnamese text; the Vietnamese document prints the English"))
    for where in found[:_UNTRANSLATED_SHOWN]:
        click.echo(message.format(where=where), err=True)
    if len(found) > _UNTRANSLATED_SHOWN:
        click.echo(_("warning: … and {n} more such texts").format(n=len(found) - _UNTRANSLATED_SHOWN), err=True)
    click.echo(_("  hint: add `{lang}:` beside `{other}:` in these texts (`qms check --profile strict` lists the "
                 "main ones as QMS253)").format(lang=lang, other=other), err=True)
