"""Issue 14, item 7: Word out, then Word in, gives the procedure back.

For every example procedure (the organisation at the repository root and the ISO 9001:2008 city
under ``examples/iso2008-city``), ``qms render procedure ID --format docx`` is followed by
``qms import docx`` into a temporary folder, and the imported draft is compared with the source:

- steps: order and ids (by position), names, descriptions, kind, responsibility (role, unit or
  participating agency id), duration, forms, records, ``next``, a decision's question and branches
  (labels and targets);
- the one-stop fields: dossier items (name, form, copies), number of sets, time limit and its note,
  fee, place, mechanism, result, participating agencies (ids and names);
- forms (code, title) and records (code, title, retention, location, responsible);
- the header: code, revision, issued_on, effective_date, the approval block (names and titles); the
  title, owner, unit, purpose, scope, references (id, legal basis) and definitions;
- a handover step's kind and its ``handover_to`` / ``handover_from`` agency.

The Vietnamese .docx carries only Vietnamese text, so bilingual fields compare their Vietnamese
side. Out of scope, because Word never holds them or holds them in another form: every English
text; ``kind`` (Word never holds it: item 12); step outputs written as plain text beside
form codes; ``clauses``, ``inputs``/``outputs``, interactions, KPIs, risks, resources and
evaluation, which the national layout does not print; the purpose and scope of a 2008 document,
whose wording the import migrates to 2015 on purpose (item 4). Each procedure is rendered and imported
once, in-process; one case runs both through the real CLI in subprocesses.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from qms.importer.build import _dates
from qms.importer.run import import_docx
from qms.models.common import Text
from qms.models.process import Process
from qms.render.documents import RenderOptions, render_docx
from qms.store.workspace import Workspace, load_workspace

REPO = Path(__file__).resolve().parents[2]
ROOTS = {"org": REPO, "iso2008": REPO / "examples" / "iso2008-city"}
_WS: dict[str, Workspace] = {}


def _ws(name: str) -> Workspace:
    if name not in _WS:
        _WS[name] = load_workspace(ROOTS[name])
    return _WS[name]


def _cases() -> list[Any]:
    out = []
    for name, root in ROOTS.items():
        for path in sorted((root / "processes").glob("*.yaml")):
            out.append(pytest.param(name, path.stem, id=f"{name}-{path.stem}"))
    return out


def vi(value: Text | str | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.vi


def _load(path: Path) -> Process:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return Process.model_validate(_dates(data))


def _facts(p: Process, source: Process) -> dict[str, Any]:
    """What the round trip must give back, in a form both sides share (targets by position)."""
    pos = {s.id: i + 1 for i, s in enumerate(p.steps)}
    steps = []
    for s in p.steps:
        steps.append({
            "position": pos[s.id], "name": vi(s.name), "kind": s.kind, "responsible": s.responsible,
            "duration": s.duration, "forms": list(s.forms), "records": list(s.records),
            "handover": (s.handover_to, s.handover_from),
            "next": [pos.get(n, n) for n in s.next],
            "branches": [(vi(b.label), pos.get(b.next, b.next)) for b in s.decision.branches] if s.decision else None,
            "question": vi(s.decision.question) if s.decision else None,
            "description": vi(s.description), "outputs": [vi(o) for o in s.outputs],
        })
    adm = p.administrative
    admin = None
    if adm is not None:
        admin = {
            "code": adm.code,
            "dossier": [(vi(d.name), d.form, d.copies, vi(d.note)) for d in adm.dossier],
            "dossier_sets": adm.dossier_sets, "time_limit": adm.time_limit,
            "time_limit_note": vi(adm.time_limit_note),
            "fee": (adm.fee.amount_vnd, vi(adm.fee.text)) if adm.fee is not None else None,
            "place": vi(adm.place), "mechanism": adm.mechanism, "result": vi(adm.result),
            "agencies": [(a.id, vi(a.name)) for a in adm.agencies],
        }
    doc = p.document
    # the Forms section lists every form a step uses, the organisation's too: compare the source's own
    source_forms = {f.code for f in source.forms}
    return {
        "title": vi(p.title), "owner": p.owner, "unit": p.unit,
        "purpose": vi(p.purpose), "scope": vi(p.scope),
        "references": [(r.id, r.legal_basis) for r in p.references],
        "definitions": sorted((d.term, vi(d.meaning)) for d in p.definitions),
        "steps": steps,
        "administrative": admin,
        "forms": [(f.code, vi(f.title)) for f in p.forms if f.code in source_forms],
        "records": [(r.code, vi(r.title), r.retention_text("vi"), vi(r.location), r.responsible) for r in p.records],
        "header": {
            "code": doc.code, "revision": doc.revision, "issued_on": doc.issued_on,
            "effective_date": doc.effective_date,
            **{k: (getattr(doc, k).name, vi(getattr(doc, k).title)) if getattr(doc, k) is not None else None
               for k in ("prepared_by", "reviewed_by", "approved_by")},
        },
    }


def _source_facts(ws: Workspace, proc: Process) -> dict[str, Any]:
    facts = _facts(proc, proc)
    # section 4 prints the glossary entries the text uses besides the procedure's own definitions
    from qms.render import viewmodels as vm

    assert ws.manifest is not None
    facts["definitions"] = sorted(vm.definitions(proc, ws.manifest, None, "vi"))
    return facts


def _differences(want: dict[str, Any], got: dict[str, Any], path: str = "") -> list[str]:
    out: list[str] = []
    if isinstance(want, dict) and isinstance(got, dict):
        for k in want:
            out += _differences(want[k], got.get(k), f"{path}/{k}")
        return out
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for i, (a, b) in enumerate(zip(want, got, strict=True)):
            out += _differences(a, b, f"{path}/{i}")
        return out
    if want != got:
        out.append(f"{path}: source {want!r}, imported {got!r}")
    return out


def _round_trip(name: str, pid: str, tmp: Path) -> tuple[Process, Process]:
    ws = _ws(name)
    proc = ws.process_by_id()[pid][1]
    docx = tmp / f"{pid}.docx"
    render_docx(ROOTS[name], ws, "procedure", pid, docx, RenderOptions(lang="vi", fmt="docx"))
    out = tmp / "imported"
    run = import_docx(ROOTS[name], [docx], out=out)
    assert run.written and not run.results[0].problems, run.results[0].problems
    return proc, _load(out / f"{pid}.yaml")


@pytest.mark.parametrize(("name", "pid"), _cases())
def test_render_docx_then_import_gives_the_procedure_back(name: str, pid: str, tmp_path: Path) -> None:
    """Item 7: every example procedure survives render --format docx → import docx (fields above)."""
    proc, back = _round_trip(name, pid, tmp_path)
    want, got = _source_facts(_ws(name), proc), _facts(back, proc)
    if name == "iso2008":
        # importing a 2008 document migrates its wording to 2015 ("thủ tục dạng văn bản" → "thông tin
        # dạng văn bản"), by design (item 4): the free texts differ, the structure does not
        for key in ("purpose", "scope"):
            want.pop(key)
    diffs = _differences(want, got)
    assert not diffs, "\n".join(diffs)


def test_round_trip_through_the_real_commands(tmp_path: Path) -> None:
    """Item 7 through the CLI: `qms render procedure QT-DD-01 --format docx -o X.docx` then
    `qms import docx X.docx --out DIR` in subprocesses; the liên thông procedure gives back its
    steps, the agencies' ids in the lanes, and the one-stop fields."""
    docx = tmp_path / "QT-DD-01.docx"
    out = tmp_path / "drafts"
    for args in (["render", "procedure", "QT-DD-01", "--format", "docx", "-o", str(docx)],
                 ["import", "docx", str(docx), "--out", str(out)]):
        done = subprocess.run([sys.executable, "-m", "qms", *args], cwd=REPO, capture_output=True, text=True,
                              timeout=600, check=False,  # the Word file in the organisation's language
                              env={k: v for k, v in os.environ.items() if k != "QMS_LANG"})
        assert done.returncode == 0, done.stderr
    proc = _ws("org").process_by_id()["QT-DD-01"][1]
    back = _load(out / "QT-DD-01.yaml")
    diffs = _differences(_source_facts(_ws("org"), proc), _facts(back, proc))
    assert not diffs, "\n".join(diffs)
    assert back.administrative is not None and {a.id for a in back.administrative.agencies} == {
        "vpdkdd", "chi_cuc_thue"}
