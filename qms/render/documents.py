"""Building and rendering the document kinds: manual, procedure, matrix, records (PDF or HTML site)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from markupsafe import Markup

from qms.analysis.people import Directory
from qms.errors import QmsError, UsageError
from qms.i18n import _, translate
from qms.models.organisation import Manifest
from qms.models.process import Process
from qms.render import viewmodels as vm
from qms.render.assemble import SigField, Stamps
from qms.render.assets import FONT_FACES, SCHEME, asset_bytes, prepare_fonts
from qms.render.cache import RenderCache, render_key
from qms.render.env import render_template
from qms.render.parallel import Job, Progress, render_jobs
from qms.render.pdf import (
    PdfAttachment,
    check_variant,
    find_sig_field,
    html_to_pdf,
    layout,
    merge_pdfs,
    write_document,
)
from qms.store.atomic import atomic_write_bytes, atomic_write_text
from qms.store.safe_open import read_yaml_bytes
from qms.store.workspace import LoadedDoc, Workspace, load_workspace

KINDS = ("manual", "procedure", "matrix", "records")


@dataclass(slots=True)
class RenderOptions:
    lang: str = "vi"
    fmt: str = "pdf"
    variant: str | None = None
    tagged: bool = False
    jobs: int = 1
    progress: bool = False
    refused: list[str] = field(default_factory=list)
    # what the reader should know about the output, each a full sentence with its fix (the CLI prints them)
    warnings: list[str] = field(default_factory=list)
    # --drafts: every document carries the draft watermark and prints its internal notes
    drafts: bool = False
    # --flowchart-paper a3: landscape flowchart pages (more than six lanes) on A3
    a3: bool = False

    def key_parts(self) -> list[str]:
        return [f"lang={self.lang}", f"variant={self.variant}", f"tagged={self.tagged}", f"drafts={self.drafts}"]


@dataclass(slots=True)
class RenderStats:
    """What a render did (for the CLI summary and the benchmark)."""

    pages: int = 0
    rendered: int = 0
    cached: int = 0
    front_passes: int = 0
    outputs: list[Path] = field(default_factory=list)


def css_text() -> Markup:
    text = (resources.files("qms.render") / "assets" / "css" / "print.css").read_text(encoding="utf-8")
    return Markup(text)


def document_context(context: dict[str, Any], *, site: bool = False) -> dict[str, Any]:
    return {"css": css_text(), "asset_base": "assets/" if site else SCHEME, "site": site, **context}


def _first_problem(doc: Any) -> str:
    problems = [*doc.load_problems, *doc.schema_problems]
    if not problems:
        return str(doc.path)
    first = problems[0]
    return f"{doc.path}:{first.line}:{first.column}: {first.message}"


def load_for_render(root: Path) -> Workspace:
    """Load the repository; refuse to render documents whose YAML does not load."""
    ws = load_workspace(root)
    broken = [d for d in ws.docs if d.kind in ("manifest", "process", "record-register") and d.model is None]
    if broken:
        # each file with its first problem (path:line:col: what), so the user need not run `qms check` to learn it
        shown = "; ".join(_first_problem(d) for d in broken[:5]) + (
            f" (+{len(broken) - 5})" if len(broken) > 5 else "")
        problems: list[Any] = [*broken[0].load_problems, *broken[0].schema_problems]
        fix: str = problems[0].hint if problems and hasattr(problems[0], "hint") else ""
        hint = _("run `qms check` and fix the errors first")
        if len(broken) == 1 and fix:
            hint = f"{fix} ({hint})"
        raise QmsError(_("cannot render: these files do not load: {files}").format(files=shown), hint=hint)
    if ws.manifest is None:
        raise QmsError(_("cannot render: qms.yaml is missing or invalid"), hint=_("run `qms check`"))
    return ws


def _manifest(ws: Workspace) -> Manifest:
    assert ws.manifest is not None
    return ws.manifest


def _attachment(root: Path, rel: str) -> PdfAttachment:
    """A repository file as an attachment; paths that leave the repository are refused."""
    path = (root / rel).resolve()
    try:
        path.relative_to(root.resolve())
    except ValueError:
        raise QmsError(_("refusing to attach {path!r}: it is outside the repository").format(path=rel)) from None
    if not path.is_file():
        raise QmsError(_("refusing to attach {path!r}: not a regular file in the repository").format(path=rel))
    return PdfAttachment(path.relative_to(root.resolve()).as_posix(), read_yaml_bytes(path),
                         "source YAML")


def procedure_views(ws: Workspace, lang: str, drafts: bool = False,
                    a3: bool = False) -> list[tuple[vm.ProcedureView, Process, str]]:
    manifest = _manifest(ws)
    citations = vm.citations_of(ws)
    out = []
    for doc, proc in sorted(ws.processes(), key=lambda dp: (dp[1].document.code, dp[1].id)):
        out.append((vm.procedure_view(proc, manifest, lang, doc.path, drafts=drafts, raw=doc.raw, a3=a3,
                                      citations=citations), proc, doc.path))
    return out


def procedure_html(view: vm.ProcedureView, lang: str, *, site: bool = False) -> str:
    return render_template("procedure.j2", document_context({"p": view}, site=site), lang)


def procedure_refit(view: vm.ProcedureView, lang: str) -> Callable[[float], str] | None:
    """The procedure's HTML with its flowchart's first sheet at most ``height`` points tall
    (:func:`qms.render.pdf.html_to_pdf`, ``refit``), or None when its flowchart cannot be split."""
    remake = view.refit_flowchart
    if remake is None:
        return None

    def refit(height: float) -> str:
        return procedure_html(replace(view, flowchart=remake(height)), lang)

    return refit


def _sections(lang: str, with_procedures: bool) -> list[tuple[int, str, str]]:
    labels = [
        ("Context of the organisation", "sec-context"), ("Scope and applicability", "sec-scope"),
        ("Quality policy and objectives", "sec-policy"), ("Processes and their interaction", "sec-processes"),
        ("Roles, responsibilities and authorities", "sec-roles"), ("Clause and process matrix", "sec-matrix"),
        ("List of documents", "sec-documents"), ("Record register", "sec-records"),
    ]
    if with_procedures:
        labels.append(("Procedures", "sec-procedures"))
    return [(i + 1, translate(label, lang), anchor) for i, (label, anchor) in enumerate(labels)]


def manual_html(ws: Workspace, lang: str, toc: list[vm.TocEntry], *, site: bool = False,
                inline: list[vm.ProcedureView] | None = None, view: vm.ManualView | None = None,
                drafts: bool = False) -> str:
    m = view or vm.manual_view(ws, lang, drafts)
    m.procedures = toc
    ctx = {"m": m, "sections": _sections(lang, bool(toc)), "inline_procedures": inline or []}
    return render_template("manual.j2", document_context(ctx, site=site), lang)


def _standalone(ws: Workspace, kind: str, lang: str, *, site: bool = False, drafts: bool = False,
                org: vm.OrgView | None = None) -> str:
    manifest = _manifest(ws)
    org = org or vm.org_view(manifest, lang)
    code = manifest.document_codes.manual_code
    ctx: dict[str, Any]
    if kind == "matrix":
        title = translate("Clause and process matrix", lang)
        control = vm.control_view(manifest.manual, code, lang, drafts, Directory.of(manifest))
        ctx = {"matrix": vm.matrix_view(ws, lang)}
        template = "matrix.j2"
    else:
        title = translate("Record register", lang)
        control = vm.control_view(manifest.manual, code, lang, drafts, Directory.of(manifest))
        ctx = {"records": vm.record_rows(ws, lang)}
        template = "records.j2"
    ctx.update({"control": control, "org": org, "doc_kind": translate("Quality manual annex", lang),
                "doc_title": title})
    return render_template(template, document_context(ctx, site=site), lang)


def _source_paths(ws: Workspace, kind: str, proc_path: str | None = None) -> list[str]:
    if kind == "procedure" and proc_path:
        return [proc_path]
    paths = [d.path for d in ws.docs if d.kind in ("manifest", "record-register")]
    if kind in ("manual", "matrix"):
        paths += [d.path for d, _p in ws.processes()]
    return sorted(paths)


# ------------------------------------------------------------------------------------------ PDF


def _render_one(root: Path, html: str, out: Path, opts: RenderOptions, attachments: list[PdfAttachment],
                stats: RenderStats, refit: Callable[[float], str] | None = None) -> None:
    cache = RenderCache(root)
    key = render_key(html, opts.key_parts(), [a.data for a in attachments] + [a.name.encode() for a in attachments])
    pages = cache.pages(key)
    if pages is None:
        result = html_to_pdf(html, root, attachments=attachments, variant=opts.variant, tagged=opts.tagged,
                             refit=refit)
        opts.refused.extend(result.refused)
        data, pages = result.data, result.pages
        if result.sig_field is not None:  # the empty approver field in the approval block
            data = merge_pdfs(data, [], sig_field=result.sig_field)
        cache.write(key, data, pages)
        stats.rendered += 1
    else:
        data = cache.read(key)
        stats.cached += 1
    atomic_write_bytes(out, data)
    stats.pages += pages
    stats.outputs.append(out)


def _sig_to_meta(field: SigField | None) -> dict[str, Any]:
    return {} if field is None else {"sig": [field.name, field.page, *field.rect]}


def _sig_from_meta(meta: dict[str, Any]) -> SigField | None:
    sig = meta.get("sig")
    if not (isinstance(sig, list) and len(sig) == 6):
        return None
    name, page, x1, y1, x2, y2 = sig
    return SigField(str(name), int(page), (float(x1), float(y1), float(x2), float(y2)))


def find_procedure(ws: Workspace, proc_id: str) -> tuple[LoadedDoc[Process], Process]:
    """The procedure ``proc_id`` names (any case, when unambiguous), or a usage error listing the ids."""
    from qms.analysis.ids import closest_first, did_you_mean, match_id

    by_id = ws.process_by_id()
    found = match_id(proc_id, by_id)
    if found is None:
        close = did_you_mean(proc_id, by_id)
        raise UsageError(_("no procedure with id {id!r}").format(id=proc_id),
                         _("did you mean `{value}`?").format(value=close) if close else
                         _("known procedures: {choices}").format(choices=", ".join(closest_first(proc_id, by_id))))
    return by_id[found]


def render_procedure_pdf(root: Path, ws: Workspace, proc_id: str, out: Path, opts: RenderOptions) -> RenderStats:
    doc, proc = find_procedure(ws, proc_id)
    view = vm.procedure_view(proc, _manifest(ws), opts.lang, doc.path, drafts=opts.drafts, raw=doc.raw, a3=opts.a3,
                             citations=vm.citations_of(ws))
    stats = RenderStats()
    prepare_fonts(root)
    attachments = [_attachment(root, doc.path)] if opts.variant else []
    _render_one(root, procedure_html(view, opts.lang), out, opts, attachments, stats,
                procedure_refit(view, opts.lang))
    return stats


def render_standalone_pdf(root: Path, ws: Workspace, kind: str, out: Path, opts: RenderOptions) -> RenderStats:
    stats = RenderStats()
    prepare_fonts(root)
    attachments = [_attachment(root, p) for p in _source_paths(ws, kind)] if opts.variant else []
    _render_one(root, _standalone(ws, kind, opts.lang, drafts=opts.drafts), out, opts, attachments, stats)
    return stats


def render_manual_pdf(root: Path, ws: Workspace, out: Path, opts: RenderOptions) -> RenderStats:
    """Render every procedure separately (cached, in parallel), then the front matter with a table of
    contents whose procedure page numbers come from the procedures' page counts, then merge."""
    check_variant(opts.variant)
    prepare_fonts(root)
    stats = RenderStats()
    cache = RenderCache(root)
    lang = opts.lang
    views = procedure_views(ws, lang, opts.drafts, opts.a3)
    proc_keys: list[tuple[vm.ProcedureView, str]] = []
    jobs: list[Job] = []
    # The parts are appended untagged (their structure trees are not merged), so they are rendered
    # untagged whatever --tagged says.
    part_options = [f"lang={lang}", f"variant={opts.variant}", "tagged=False", "part"]
    for view, _proc, _path in views:
        html = procedure_html(view, lang)
        key = render_key(html, part_options)
        proc_keys.append((view, key))
        if cache.pages(key) is None and all(j.key != key for j in jobs):
            jobs.append(Job(key, html, (), opts.variant, False, procedure_refit(view, lang)))
    stats.rendered += len(jobs)
    stats.cached += len(views) - len(jobs)
    progress = Progress(len(jobs), translate("rendering procedures", lang), opts.progress)
    manual_view = vm.manual_view(ws, lang, opts.drafts)
    hint_name = f"manual-front-{lang}" + ("-drafts" if opts.drafts else "")
    hinted = cache.hint(hint_name)
    measured: list[int] = []

    def measure_front() -> None:
        # No page count from an earlier run: lay the front matter out with placeholder numbers while
        # the workers render the procedures (its length does not depend on the numbers, see below).
        toc = [vm.TocEntry(view.control.code, view.title, "", 0, pages=0) for view, _key in proc_keys]
        document, _fetcher = layout(manual_html(ws, lang, toc, view=manual_view), root, tagged=opts.tagged)
        measured.append(len(document.pages))
        stats.front_passes += 1

    in_parallel = hinted is None and opts.jobs > 1 and len(jobs) > 1
    render_jobs(root, jobs, opts.jobs, progress, opts.refused.append,
                while_waiting=measure_front if in_parallel else None)
    proc_pages = []
    for _view, key in proc_keys:
        pages = cache.pages(key)
        if pages is None:  # pragma: no cover - a worker always writes its result
            raise QmsError(_("a rendered procedure is missing from the render cache"), hint=_("rerun the command"))
        proc_pages.append(pages)

    # The front matter's table of contents needs its own page count. The page-number column has a
    # fixed width, so the count does not depend on the numbers: a pass whose guess (the count of
    # the previous run, kept in hints.json, or measured while the workers ran) was wrong is laid out
    # but never written, and the second pass is certain to settle.
    attachments = [_attachment(root, p) for p in _source_paths(ws, "manual")] if opts.variant else []
    att_parts = [a.data for a in attachments] + [a.name.encode() for a in attachments]
    guess = hinted or (measured[0] if measured else 1)
    front_key = ""
    front_pages = 0
    sig_field: SigField | None = None
    for _attempt in range(3):
        toc: list[vm.TocEntry] = []
        page = guess + 1
        for (view, _key), n in zip(proc_keys, proc_pages, strict=True):
            toc.append(vm.TocEntry(view.control.code, view.title, "", page, pages=n))
            page += n
        html = manual_html(ws, lang, toc, view=manual_view)
        front_key = render_key(html, [*opts.key_parts(), "front"], att_parts)
        cached_pages = cache.pages(front_key)
        if cached_pages is not None:
            front_pages = cached_pages
            sig_field = _sig_from_meta(cache.meta(front_key))
        else:
            document, fetcher = layout(html, root, tagged=opts.tagged)
            stats.front_passes += 1
            front_pages = len(document.pages)
            if front_pages == guess:
                data = write_document(document, fetcher, attachments=attachments, variant=opts.variant,
                                      tagged=opts.tagged)
                opts.refused.extend(fetcher.refused)
                stats.rendered += 1
                sig_field = find_sig_field(document)
                cache.write(front_key, data, front_pages, _sig_to_meta(sig_field))
            del document
        if front_pages == guess:
            break
        guess = front_pages
    else:  # pragma: no cover - the front matter's length does not depend on its page numbers
        raise QmsError(_("the table of contents did not settle"), hint=_("report this as a bug"))
    cache.set_hint(hint_name, front_pages)
    parts = [(f"{view.control.code} {view.title}", cache.read(key)) for view, key in proc_keys]
    stamps = _page_stamps(root, cache, lang, front_pages + 1, sum(proc_pages)) if parts else None
    merged = merge_pdfs(cache.read(front_key), parts, outline_title=translate("Procedures", lang),
                        sig_field=sig_field, stamps=stamps)
    atomic_write_bytes(out, merged)
    stats.pages = front_pages + sum(proc_pages)
    stats.outputs.append(out)
    return stats


#: The size of the manual-wide page number, in points (the pieces are set in it, and measured in it)
STAMP_SIZE = 7.0
DIGITS = "0123456789"


def _page_stamps(root: Path, cache: RenderCache, lang: str, first: int, count: int) -> Stamps:
    """The manual-wide page numbers of the procedure pages ("Page 37 of the manual").

    Each procedure keeps its own "Page 1/N" and is rendered (and cached) without knowing where it
    lands in the manual; its pages get the manual-wide number when the manual is assembled. The
    numbers are composed from twelve pieces (the words before the number, the ten digits, the
    words after it), rendered once per language and cached, so a manual of any length costs one
    small document; each line is laid out with the bundled font's advance widths."""
    from qms.render.textmetrics import text_width

    before, _sep, after = translate("Page {n} of the manual", lang).partition("{n}")
    pieces = [before, *DIGITS, after]
    html = render_template("page_stamps.j2", document_context({"pieces": pieces, "size": STAMP_SIZE}), lang)
    key = render_key(html, ["stamps"])
    if cache.pages(key) is None:
        result = html_to_pdf(html, root)
        cache.write(key, result.data, result.pages)
    widths = [text_width(piece, STAMP_SIZE) for piece in pieces]
    lines: list[tuple[float, tuple[tuple[int, float], ...]]] = []
    for n in range(first, first + count):
        x, placed = 0.0, []
        for piece in (0, *(1 + DIGITS.index(d) for d in str(n)), len(pieces) - 1):
            if pieces[piece]:
                placed.append((piece, x))
                x += widths[piece]
        lines.append((x, tuple(placed)))
    return Stamps(cache.read(key), lines)


# ----------------------------------------------------------------------------------------- HTML


def search_index_script(views: list[tuple[vm.ProcedureView, Process, str]]) -> str:
    """The site's search index as a script (a page opened from file:// cannot fetch() a JSON file):
    per procedure its code, title, page and the text of its steps."""
    import json

    entries = [{"code": v.control.code, "title": v.title, "href": f"{p.id}.html",
                "text": " ".join([v.purpose, v.scope, *(f"{s.name} {s.description}" for s in v.steps)])}
               for v, p, _path in views]
    data = json.dumps(entries, ensure_ascii=True, separators=(",", ":"))
    return "window.QMS_SEARCH = " + data.replace("</", "<\\/") + ";\n"


def _site_logo(root: Path, org: vm.OrgView, warnings: list[str]) -> bytes | None:
    """The logo's bytes, or None (with one warning naming the file, why and the fix) when it is refused:
    the same checks as the PDF fetcher (inside the repository, bounded, a real image)."""
    if not org.logo:
        return None
    from qms.store.images import read_repository_image
    from qms.store.limits import current
    from qms.store.safe_open import FileRefused

    try:
        return read_repository_image(root, org.logo, current())
    except FileRefused as exc:
        warnings.append(_("the logo {path} is refused and left out: {reason}. To fix: {hint} "
                          "(organisation.logo in qms.yaml)").format(path=org.logo, reason=exc.reason, hint=exc.hint))
        return None


def _without_refused_logo(root: Path, ws: Workspace, opts: RenderOptions) -> Workspace:
    """``ws`` with the organisation's logo left out when it is refused (one warning), so that no document,
    PDF or site, prints a broken image or the logo's alternative text beside the agency's name."""
    manifest_doc = ws.manifest_doc
    manifest = ws.manifest
    if manifest_doc is None or manifest is None or not manifest.organisation.logo:
        return ws
    if _site_logo(root, vm.org_view(manifest, opts.lang), opts.warnings) is not None:
        return ws
    org = manifest.organisation.model_copy(update={"logo": None})
    plain = replace(manifest_doc, model=manifest.model_copy(update={"organisation": org}))
    return replace(ws, docs=[plain if d is manifest_doc else d for d in ws.docs])


def _write_site_assets(root: Path, outdir: Path, org: vm.OrgView, logo: bytes | None) -> None:
    for name in FONT_FACES:
        atomic_write_bytes(outdir / "assets" / name, asset_bytes(name, root))
    atomic_write_bytes(outdir / "assets" / "search.js", asset_bytes("js/search.js", root))
    if logo is not None:
        atomic_write_bytes(outdir / org.logo_site, logo)


def render_site(root: Path, ws: Workspace, kind: str, proc_id: str | None, outdir: Path,
                opts: RenderOptions) -> RenderStats:
    """A self-contained static site: ``index.html``, one page per procedure, ``assets/fonts``."""
    if outdir.exists() and not outdir.is_dir():
        raise QmsError(_("{path} is a file; HTML output needs a directory").format(path=outdir),
                       hint=_("give a directory with -o"))
    stats = RenderStats()
    lang = opts.lang
    views = procedure_views(ws, lang, opts.drafts)
    if kind == "procedure":
        wanted = find_procedure(ws, proc_id or "")[1].id
        views = [v for v in views if v[1].id == wanted]
    org = vm.org_view(_manifest(ws), lang)
    logo = _site_logo(root, org, opts.warnings)
    if logo is None:  # a refused logo is left out of every page, never a broken image
        org.logo = ""
        for view, _proc, _path in views:
            view.org.logo = ""
    pages: dict[str, str] = {}
    if kind in ("manual", "procedure"):
        for view, proc, _path in views:
            pages[f"{proc.id}.html"] = procedure_html(view, lang, site=True)
    if kind == "manual":
        toc = [vm.TocEntry(v.control.code, v.title, "", None, f"{p.id}.html") for v, p, _ in views]
        manual = vm.manual_view(ws, lang, opts.drafts)
        manual.org.logo = org.logo
        pages["index.html"] = manual_html(ws, lang, toc, site=True, view=manual)
    elif kind in ("matrix", "records"):
        pages["index.html"] = _standalone(ws, kind, lang, site=True, drafts=opts.drafts, org=org)
    else:
        only = f"{views[0][1].id}.html"
        pages["index.html"] = pages[only]
    prepare_fonts(root)
    _write_site_assets(root, outdir, org, logo)
    if kind == "manual":
        atomic_write_text(outdir / "assets" / "search-index.js", search_index_script(views))
    for name, html in sorted(pages.items()):
        atomic_write_text(outdir / name, html)
        stats.outputs.append(outdir / name)
    stats.rendered = len(pages)
    return stats


def render(root: Path, kind: str, proc_id: str | None, out: Path, opts: RenderOptions,
           ws: Workspace | None = None) -> RenderStats:
    if kind not in KINDS:
        raise QmsError(_("unknown document kind {kind!r}").format(kind=kind),
                       hint=_("use one of: {choices}").format(choices=", ".join(KINDS)))
    if kind == "procedure" and not proc_id:
        raise QmsError(_("`qms render procedure` needs a procedure id"),
                       hint=_("e.g. qms render procedure QT-HT-01 -o x.pdf"))
    if proc_id:
        from qms.store.paths import PROCESS, check_id

        proc_id = check_id(PROCESS, proc_id)
    opts.variant = check_variant(opts.variant)
    ws = _without_refused_logo(root, ws or load_for_render(root), opts)
    if opts.fmt == "html":
        return render_site(root, ws, kind, proc_id, out, opts)
    if opts.fmt == "docx":
        return render_docx(root, ws, kind, proc_id, out, opts)
    if out.is_dir():
        raise QmsError(_("{path} is a directory; PDF output needs a file name").format(path=out),
                       hint=_("e.g. -o out/manual.pdf"))
    dispatch: dict[str, Callable[[], RenderStats]] = {
        "manual": lambda: render_manual_pdf(root, ws, out, opts),
        "procedure": lambda: render_procedure_pdf(root, ws, proc_id or "", out, opts),
        "matrix": lambda: render_standalone_pdf(root, ws, "matrix", out, opts),
        "records": lambda: render_standalone_pdf(root, ws, "records", out, opts),
    }
    return dispatch[kind]()


# ----------------------------------------------------------------------------------------- Word


def render_docx(root: Path, ws: Workspace, kind: str, proc_id: str | None, out: Path,
                opts: RenderOptions) -> RenderStats:
    """A procedure, or the whole manual, as one Word document (issue 14, item 6)."""
    from qms.render.docx import manual_docx, procedure_docx

    if kind not in ("manual", "procedure"):
        raise UsageError(_("`--format docx` renders the manual or a procedure, not {kind}").format(kind=kind))
    if out.is_dir():
        raise QmsError(_("{path} is a directory; Word output needs a file name").format(path=out),
                       hint=_("e.g. -o out/QT-HT-01.docx"))
    stats = RenderStats()
    if kind == "procedure":
        doc, proc = find_procedure(ws, proc_id or "")
        view = vm.procedure_view(proc, _manifest(ws), opts.lang, doc.path, drafts=opts.drafts, raw=doc.raw,
                              citations=vm.citations_of(ws))
        data = procedure_docx(view, proc, opts.lang, root, drafts=opts.drafts)
    else:
        views = procedure_views(ws, opts.lang, opts.drafts)
        m = vm.manual_view(ws, opts.lang, opts.drafts)
        data = manual_docx(m, _sections(opts.lang, bool(views)), [(v, p) for v, p, _path in views], opts.lang,
                           root, drafts=opts.drafts)
    atomic_write_bytes(out, data)
    stats.rendered = 1
    stats.outputs.append(out)
    return stats


def single_manual_html(ws: Workspace, lang: str) -> str:
    """The whole manual (front matter and every procedure) as one HTML document, for comparing
    against a plain WeasyPrint render of the same content."""
    views = [v for v, _p, _path in procedure_views(ws, lang)]
    toc = [vm.TocEntry(v.control.code, v.title, "", None) for v in views]
    return manual_html(ws, lang, toc, inline=views)


def content_digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(p.encode())
    return h.hexdigest()
