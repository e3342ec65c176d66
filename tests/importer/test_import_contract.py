"""The layout ``qms render --format docx`` writes (agreed with the writer): a steps table with the columns
"Bước", "Nội dung công việc", "Trách nhiệm", "Thời gian", "Biểu mẫu/Hồ sơ", "Bước tiếp theo" (step numbers,
comma-separated; "Có: 5; Không: 3" for a decision's outcomes). This builds such a file from every example
process with python-docx and imports it back: the steps, the graph, the durations and the roles return
(item 7 from the importer's side; the full round trip runs once the writer lands)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from docx import Document

from qms.analysis.people import Directory
from qms.models.common import Duration
from qms.store.workspace import load_manifest

REPO = Path(__file__).resolve().parents[2]
PROCESSES = sorted((REPO / "processes").glob("*.yaml"))
HEADERS = ["Bước", "Nội dung công việc", "Trách nhiệm", "Thời gian", "Biểu mẫu/Hồ sơ", "Bước tiếp theo"]


def _duration(text: str) -> str:
    d = Duration.model_validate(text)
    if d.calendar_days:
        return f"{d.calendar_days} ngày"
    parts = []
    if d.days:
        parts.append(f"{d.days:g}".replace(".", ",") + " ngày làm việc")
    if d.hours:
        parts.append(f"{d.hours:g}".replace(".", ",") + " giờ")
    return " ".join(parts)


def _write(proc: dict, path: Path, directory: Directory) -> None:
    doc = Document()
    head = doc.add_table(rows=1, cols=2)
    head.cell(0, 0).text = "QUY TRÌNH\n" + proc["title"]["vi"] if isinstance(proc["title"], dict) else proc["title"]
    head.cell(0, 1).text = f"Mã hiệu: {proc['document']['code']}\nLần ban hành: {proc['document'].get('revision', 1):02d}"
    doc.add_paragraph("1. Mục đích")
    doc.add_paragraph(proc["purpose"]["vi"] if isinstance(proc["purpose"], dict) else proc["purpose"])
    doc.add_paragraph("5. Nội dung")
    number = {s["id"]: str(i + 1) for i, s in enumerate(proc["steps"])}
    table = doc.add_table(rows=1 + len(proc["steps"]), cols=len(HEADERS))
    for c, h in enumerate(HEADERS):
        table.cell(0, c).text = h
    for r, s in enumerate(proc["steps"], start=1):
        name = s["name"]["vi"] if isinstance(s["name"], dict) else s["name"]
        if s.get("decision"):
            nxt = "; ".join(f"{(b['label']['vi'] if isinstance(b['label'], dict) else b['label'])}: {number[b['next']]}"
                            for b in s["decision"]["branches"])
        else:
            nxt = ", ".join(number[n] for n in s.get("next", []))
        cells = [number[s["id"]], name, directory.label(s.get("responsible") or "", "vi"),
                 _duration(s["duration"]) if s.get("duration") else "",
                 ", ".join(s.get("forms", []) + s.get("records", [])), nxt]
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    doc.save(path)


@pytest.mark.parametrize("source", PROCESSES, ids=lambda p: p.stem)
def test_contract_layout_gives_the_steps_back(source: Path, example_copy: Path, run_qms, tmp_path: Path) -> None:
    proc = yaml.safe_load(source.read_text(encoding="utf-8"))
    if not proc.get("steps"):
        pytest.skip("no steps")
    directory = Directory.of(load_manifest(REPO))
    docx_path = tmp_path / f"{proc['id']}.docx"
    _write(proc, docx_path, directory)
    out = tmp_path / "out"
    r = run_qms("import", "docx", str(docx_path), "--out", str(out), "--format", "json", cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    report = json.loads(r.stdout)["documents"][0]
    back = yaml.safe_load(Path(report["draft"]).read_text(encoding="utf-8"))
    assert back["id"] == proc["id"]
    number = {s["id"]: f"B{i + 1}" for i, s in enumerate(proc["steps"])}
    got = {s["id"]: s for s in back["steps"]}
    for s in proc["steps"]:
        g = got[number[s["id"]]]
        name = s["name"]["vi"] if isinstance(s["name"], dict) else s["name"]
        assert g["name"] == name
        assert g.get("responsible") == s.get("responsible")
        if s.get("duration"):
            assert Duration.model_validate(g["duration"]) == Duration.model_validate(s["duration"])
        if s.get("decision"):
            assert [b["next"] for b in g["decision"]["branches"]] == [number[b["next"]] for b in s["decision"]["branches"]]
        else:
            assert g.get("next", []) == [number[n] for n in s.get("next", [])]
        assert g.get("forms", []) == s.get("forms", [])
        assert g.get("records", []) == s.get("records", [])
