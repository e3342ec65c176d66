"""``qms flow report`` pictures and the people-facing outputs (issue 18 items 4 and 5).

The annotated swimlane flowchart in HTML and PDF (both languages, severity readable without colour),
agency and step names wherever people read the report, the monthly trend with ``--compare``, and
the bottleneck summary in the management-review pack.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import REPO, SHIPPED_LOG, Run

Flow = Callable[..., Run]
NS = "{http://www.w3.org/2000/svg}"
AS_OF = ("--as-of", "2026-07-31")
#: names of the land procedure's agencies in qms.yaml / processes/QT-DD-01.yaml
AGENCY_NAMES = {"en": ("Area branch of the land registration office", "Local tax office"),
                "vi": ("Chi nhánh Văn phòng đăng ký đất đai khu vực", "Thuế cơ sở quản lý địa bàn")}


def _geometry() -> ModuleType:
    """The flowchart geometry checker of tests/render, loaded by path (its conftest is not needed)."""
    path = REPO / "tests" / "render" / "test_flowchart_geometry.py"
    spec = importlib.util.spec_from_file_location("flowchart_geometry_checker", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _flowcharts(html: str) -> list[str]:
    return re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" class="flowchart".*?</svg>', html, re.S)


def _nodes(sheets: list[str]) -> dict[str, tuple[str, str, Any]]:
    """step id -> (class of its group, its text, its shape element) over every sheet."""
    out: dict[str, tuple[str, str, Any]] = {}
    for sheet in sheets:
        for g in ET.fromstring(sheet).iter(f"{NS}g"):
            if "node" in (g.get("class") or "").split():
                shape = next(e for e in g if (e.get("class") or "") == "shape")
                out[g.get("data-step", "")] = (g.get("class", ""), " ".join(" ".join(g.itertext()).split()), shape)
    return out


def _json(qms_flow: Flow, *args: str) -> dict[str, Any]:
    res = qms_flow(SHIPPED_LOG, "--format", "json", *AS_OF, *args)
    assert res.code == 0, res.err
    data: dict[str, Any] = res.json()
    return data


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_html_flowchart_annotated_with_times_and_severity(qms_flow: Flow, tmp_path: Path, lang: str) -> None:
    """Item 4: the HTML shows each procedure's swimlane flowchart; every step that dossiers went through
    carries its median, its 90th percentile and its share over budget; the step's shape is filled and
    bordered by severity, and the severity is also written as a word (black-and-white print); the
    legend is on the page with every sheet; the flowchart passes the geometry checks of tests/render
    (annotations overlap no box, line or label)."""
    out = tmp_path / f"flow-{lang}.html"
    res = qms_flow(SHIPPED_LOG, "--format", "html", "-o", out, "--procedure", "QT-DD-01", *AS_OF, lang=lang)
    assert res.code == 0, res.err
    html = out.read_text(encoding="utf-8")
    sheets = _flowcharts(html)
    assert sheets, "no flowchart in the report"
    data = _json(qms_flow, "--procedure", "QT-DD-01")
    steps = {s["step"]: s for s in data["procedures"][0]["steps"]}
    nodes = _nodes(sheets)
    assert set(steps) <= set(nodes)
    words = {"vi": {"high": "(cao)", "medium": "(trung bình)", "low": "(thấp)"},
             "en": {"high": "(high)", "medium": "(medium)", "low": "(low)"}}[lang]
    median_word = "trung vị" if lang == "vi" else "median"
    seen_levels = set()
    for sid, s in steps.items():
        cls, text, shape = nodes[sid]
        assert median_word in text and "P90" in text.upper(), (sid, text)
        share = s["over_budget"] / s["count"]
        level = "high" if share > 0.25 else "medium" if share > 0.10 else "low" if share > 0 else None
        if level is None:
            continue
        seen_levels.add(level)
        assert f"level-{level}" in cls.split(), (sid, cls)
        assert words[level] in text, (sid, text)  # the level as a word, not colour alone
        width = float(shape.get("stroke-width"))
        assert width == {"high": 2.6, "medium": 1.6, "low": 1.0}[level]
        assert (shape.get("stroke-dasharray") is not None) == (level == "medium")
    assert {"high", "medium"} <= seen_levels  # the shipped log has both (B5 is slow by construction)
    # the legend follows every sheet, with the level words
    assert html.count('class="legend"') >= len(sheets)
    assert all(w.strip("()") in html for w in words.values())
    checker = _geometry()
    for k, sheet in enumerate(sheets):
        found = checker.problems(sheet)
        assert not found, f"sheet {k + 1}:\n" + "\n".join(found[:10])
    # the bottlenecks are named with their steps' own numbers ("5. …"): none sits in a numbered list,
    # which would read "1. 5. …"
    for items in re.findall(r"<ol[^>]*>(.*?)</ol>", html, re.S):
        for item in re.findall(r"<li>(.*?)</li>", items, re.S):
            assert not re.match(r"\s*\d+\.", item), item
    assert re.search(r"<li>5\. [^<]*</li>", html), "the slowest step of the shipped log is not listed"


def test_pdf_flowchart_and_legend_in_both_languages(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 4: the PDF (document pipeline) holds the annotated flowchart, its legend, the agency chart
    with agency names and the monthly trend, in Vietnamese and in English."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext is missing (Debian package poppler-utils, installed by make setup)")
        pytest.skip("pdftotext not installed")
    expected = {
        "vi": ("Lưu đồ với thời gian của từng bước", "trung vị", "cao:", "Số ngày làm việc theo cơ quan",
               "Hồ sơ không trễ hạn theo tháng"),
        "en": ("Flowchart with the time of each step", "median", "high:", "Working days per agency",
               "Dossiers not late, per month"),
    }
    for lang, phrases in expected.items():
        pdf = tmp_path / f"flow-{lang}.pdf"
        res = qms_flow(SHIPPED_LOG, "--format", "pdf", "-o", pdf, "--procedure", "QT-DD-01", *AS_OF, lang=lang)
        assert res.code == 0, res.err
        text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        flat = " ".join(text.split())
        for phrase in (*phrases, *AGENCY_NAMES[lang]):
            assert phrase in flat, (lang, phrase)
        assert "vpdkdd" not in flat and "chi_cuc_thue" not in flat


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_agency_names_for_people_ids_in_json(qms_flow: Flow, tmp_path: Path, lang: str) -> None:
    """Outputs meant for people (text, CSV, HTML) name the agencies (procedure's administrative.agencies,
    the organisation by its name) and the steps; the JSON keeps the ids."""
    ids = ("vpdkdd", "chi_cuc_thue")
    text = qms_flow(SHIPPED_LOG, "--by", "agency", "--procedure", "QT-DD-01", *AS_OF, lang=lang)
    assert text.code == 0, text.err
    assert all(n in text.out for n in AGENCY_NAMES[lang]) and not any(i in text.out for i in ids)
    table = list(csv.reader(io.StringIO(qms_flow(SHIPPED_LOG, "--by", "agency", "--format", "csv",
                                                 "--procedure", "QT-DD-01", *AS_OF, lang=lang).out)))
    assert table[0][-1] == "agency_name"
    assert {r[-1] for r in table[1:]} >= set(AGENCY_NAMES[lang])
    assert {r[1] for r in table[1:]} >= set(ids)  # the id column stays, for spreadsheets that join on it
    steps = list(csv.reader(io.StringIO(qms_flow(SHIPPED_LOG, "--format", "csv", "--procedure", "QT-DD-01",
                                                 *AS_OF, lang=lang).out)))
    first = {"vi": "Tiếp nhận và kiểm tra hồ sơ", "en": "Receive and check the dossier"}[lang]
    assert steps[0][-1] == "step_name" and steps[1][1] == "B1" and steps[1][-1] == first
    html = tmp_path / "flow.html"
    qms_flow(SHIPPED_LOG, "--format", "html", "-o", html, "--procedure", "QT-DD-01", *AS_OF, lang=lang)
    body = html.read_text(encoding="utf-8")
    chart = re.search(r'<svg[^>]*class="chart".*?</svg>', body, re.S)
    assert chart is not None and all(n in chart.group(0) for n in AGENCY_NAMES[lang])
    assert not any(i in chart.group(0) for i in ids)
    data = _json(qms_flow, "--procedure", "QT-DD-01")
    assert {a["agency"] for a in data["procedures"][0]["agencies"]} >= {"organisation", *ids}


def test_compare_shows_both_periods_and_the_monthly_trend(qms_flow: Flow, tmp_path: Path) -> None:
    """Decisions (--compare): the HTML sets the compared period's figures beside each step and the monthly
    trend runs over both periods (to judge whether a corrective action worked, 10.2.1 d)."""
    html = tmp_path / "compare.html"
    res = qms_flow(SHIPPED_LOG, "--format", "html", "-o", html, "--period", "2026-04..2026-06", "--compare",
                   "2026-01..2026-03", "--procedure", "QT-DD-01", *AS_OF)
    assert res.code == 0, res.err
    body = html.read_text(encoding="utf-8")
    assert "01/04/2026 – 30/06/2026" in body and "01/01/2026 – 31/03/2026" in body
    assert "Median (h), compared" in body
    trend = re.search(r'<svg[^>]*aria-label="Dossiers not late, per month \(%\)".*?</svg>', body, re.S)
    assert trend is not None
    months = set(re.findall(r">(2026-0\d)<", trend.group(0)))
    assert {"2026-02", "2026-05"} <= months  # a month of each period


def test_review_pack_has_the_bottleneck_summary(example_copy: Path, tmp_path: Path) -> None:
    """Item 5 (9.3.2 c): `qms review pack --flow-logs LOG` gives, under process performance, each procedure's
    worst steps (id, name, dossiers over budget, hours over), the waiting between agencies and the dossiers
    off the map; without the option the pack says the summary is missing."""
    def pack(*extra: str | Path, lang: str = "en") -> str:
        out = tmp_path / f"pack-{lang}-{len(extra)}.html"
        proc = subprocess.run([sys.executable, "-m", "qms", "--lang", lang, "review", "pack", "--period",
                               "2026-01..2026-06", "-o", str(out), "--as-of", "2026-07-31", *map(str, extra)],
                              cwd=example_copy, capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr
        return out.read_text(encoding="utf-8")

    body = pack("--flow-logs", SHIPPED_LOG)
    section = body[body.index('id="process_performance"'):]
    section = section[:section.index("</section>")]
    assert "Where dossiers lose time" in section
    assert re.search(r"5\. Confirm land status[^<]*: over budget in \d+ of \d+ dossiers, [\d,.]+ h over", section)
    assert "QT-DD-01" in section and "Waiting between agencies (working days)" in section
    vi = pack("--flow-logs", SHIPPED_LOG, lang="vi")
    assert "Hồ sơ bị chậm ở đâu" in vi and "Điểm nghẽn" in vi and "vượt định mức ở" in vi
    without = pack()
    assert "No hand-over log was given (--flow-logs)" in without


def test_steps_matched_by_the_sequence_of_agencies(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 1: a log that names only the agency of each hand-over (no step, no person) is matched to the
    steps along the map: the organisation's own steps by the organisation's name, a participating
    agency's by its name; consecutive hand-overs of one agency walk on to the next step it does."""
    rows = list(csv.reader(io.StringIO(SHIPPED_LOG.read_text(encoding="utf-8"))))
    keep = [rows[0].index(c) for c in ("Mã hồ sơ", "Mã thủ tục", "Cơ quan", "Thời gian nhận", "Thời gian giao",
                                       "Ngày hẹn trả")]
    log = tmp_path / "agencies-only.csv"
    buf = io.StringIO()
    csv.writer(buf).writerows([[r[i] for i in keep] for r in rows])
    log.write_text(buf.getvalue(), encoding="utf-8")
    by_agency = qms_flow(log, "--format", "json", "--procedure", "QT-DD-01", *AS_OF).json()["procedures"][0]
    by_step = _json(qms_flow, "--procedure", "QT-DD-01")["procedures"][0]
    assert by_agency["unmatched_events"] == 0
    steps = {s["step"]: s for s in by_agency["steps"]}
    assert [f"B{i}" for i in range(1, 13)] == list(steps)[:12]
    truth = {s["step"]: s for s in by_step["steps"]}
    assert steps["B5"]["count"] == truth["B5"]["count"] and steps["B5"]["median_hours"] == truth["B5"]["median_hours"]
    assert by_agency["bottlenecks"][0] == "B5"
    assert by_agency["nonconforming"] / by_agency["dossiers"] < 0.2  # no false 'map out of date' finding


def test_steps_matched_by_people_and_agencies_without_a_step_column(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 1 and the Decisions, on the shipped log without its step column (people and agencies only):
    - the staff of the participating agencies are not in organisation.people: their hand-overs are matched
      by the agency the log names, so none is left unmatched;
    - each dossier gets the route the map finds fewest faults with, and a finished one ends at an end step
      (B13 "ask to supplement" after B2, not B3): the land procedure's figures are those of the step column;
    - a ward official not in organisation.people stays unmatched (counted), and the dossier is not
      checked against the map rather than called off it."""
    rows = list(csv.reader(io.StringIO(SHIPPED_LOG.read_text(encoding="utf-8"))))
    head = rows[0]
    keep = [i for i, c in enumerate(head) if c != "Bước"]
    who, code = head.index("Người xử lý"), head.index("Mã hồ sơ")
    for r in rows[1:]:
        if r[code] == "DD26-0000005" and r[head.index("Bước")] == "B12":
            r[who] = "Người Lạ"  # its last hand-over
    buf = io.StringIO()
    csv.writer(buf).writerows([[r[i] for i in keep] for r in rows])
    log = tmp_path / "people-only.csv"
    log.write_text(buf.getvalue(), encoding="utf-8")
    data = qms_flow(log, "--format", "json", *AS_OF).json()
    assert data["unknown_people"] == 1 and data["findings"] == []
    land = next(p for p in data["procedures"] if p["procedure"] == "QT-DD-01")
    truth = _json(qms_flow, "--procedure", "QT-DD-01")["procedures"][0]
    assert land["unmatched_events"] == 1 and land["unchecked_dossiers"] == 1
    assert land["nonconforming"] == truth["nonconforming"]
    assert [(d["kind"], d["count"]) for d in land["deviations"]] == [(d["kind"], d["count"]) for d in truth["deviations"]]
    assert not any("DD26-0000005" in d["examples"] for d in land["deviations"])
    mine, theirs = ({s["step"]: s["count"] for s in p["steps"]} for p in (land, truth))
    assert mine["B13"] == theirs["B13"] and mine["B5"] == theirs["B5"] and mine["B8"] == theirs["B8"]
    text = qms_flow(log, "--procedure", "QT-DD-01", *AS_OF, lang="vi").out
    assert "1 hồ sơ chưa được đối chiếu với sơ đồ quy trình" in text


def test_no_applicant_data_in_any_output(qms_flow: Flow, example_copy: Path, tmp_path: Path) -> None:
    """Decisions: the shipped log carries the applicants' names and phone numbers; none of them reaches the
    text, JSON, CSV, HTML or PDF report (by step and by agency, with --compare) or the review pack."""
    rows = list(csv.DictReader(io.StringIO(SHIPPED_LOG.read_text(encoding="utf-8"))))
    names = {r["Họ tên người nộp"] for r in rows}
    phones = {r["Số điện thoại"] for r in rows}
    assert len(names) > 20 and len(phones) > 20
    outputs: dict[str, str] = {}
    for fmt in ("text", "json", "csv"):
        for by in ("step", "agency"):
            res = qms_flow(SHIPPED_LOG, "--format", fmt, "--by", by, "--period", "2026-04..2026-06", "--compare",
                           "2026-01..2026-03", *AS_OF)
            assert res.code == 0, res.err
            outputs[f"{fmt}/{by}"] = res.out + res.err
    html = tmp_path / "flow.html"
    qms_flow(SHIPPED_LOG, "--format", "html", "-o", html, *AS_OF, lang="vi")
    outputs["html"] = html.read_text(encoding="utf-8")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is not None:
        pdf = tmp_path / "flow.pdf"
        qms_flow(SHIPPED_LOG, "--format", "pdf", "-o", pdf, *AS_OF)
        outputs["pdf"] = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True,
                                        check=True).stdout
    elif os.environ.get("CI") == "true":
        pytest.fail("pdftotext is missing (Debian package poppler-utils, installed by make setup)")
    pack = tmp_path / "pack.html"
    proc = subprocess.run([sys.executable, "-m", "qms", "review", "pack", "--period", "2026-01..2026-06", "-o",
                           str(pack), "--flow-logs", str(SHIPPED_LOG), "--as-of", "2026-07-31"],
                          cwd=example_copy, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    outputs["review pack"] = pack.read_text(encoding="utf-8")
    for where, text in outputs.items():
        flat = " ".join(text.split())
        leaked = sorted(n for n in names | phones if n in flat)
        assert not leaked, (where, leaked[:5])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_text_report_names_the_bottlenecks_and_the_steps_late_dossiers_lost_time_at(qms_flow: Flow, lang: str) -> None:
    """The terminal report lists the bottlenecks, worst first, and the steps where late dossiers lost most
    time, one a line, by each step's number on the flowchart and its name, never by its id (an agency
    view has no step table beside it to decode ids)."""
    from qms.flow.labels import HOME, load_labels

    data = _json(qms_flow, "--procedure", "QT-DD-01")["procedures"][0]
    labels = load_labels(REPO, lang, HOME)
    res = qms_flow(SHIPPED_LOG, "--by", "agency", "--procedure", "QT-DD-01", *AS_OF, lang=lang)
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    heading = {"vi": "Điểm nghẽn (vượt định mức nhiều giờ làm việc nhất trước):",
               "en": "Bottlenecks (most working time over budget first):"}[lang]
    at = [ln.strip() for ln in lines].index(heading)
    listed = [ln.strip() for ln in lines[at + 1:at + 1 + len(data["bottlenecks"])]]
    assert data["bottlenecks"] and listed == [labels.step("QT-DD-01", s) for s in data["bottlenecks"]]
    assert all(re.fullmatch(r"\d+\. \S.*", ln) for ln in listed), listed
    late_heading = {"vi": "Hồ sơ trễ hạn theo bước làm mất nhiều thời gian nhất:",
                    "en": "Late dossiers by the step where each lost most time:"}[lang]
    at = [ln.strip() for ln in lines].index(late_heading)
    worst, count = max(data["late_by_step"].items(), key=lambda kv: kv[1])
    assert lines[at + 1].strip() == f"{labels.step('QT-DD-01', worst)}: {count}"
    assert not re.search(r"\bB\d+\b", "\n".join(lines[at:])), "a step id in the text report"
