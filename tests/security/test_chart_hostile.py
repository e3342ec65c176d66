"""Hostile text in the diagrams: markup stays text, huge names neither break the layout nor hang it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from qms.render.svg import FlowStep, Lane, MapEdge, MapNode, interaction_map, swimlane

NS = "{http://www.w3.org/2000/svg}"
EVIL = '</text></svg><script>alert(1)</script><svg onload="x()">&amp;'


def _tags(svg: str) -> set[str]:
    return {el.tag.removeprefix(NS) for el in ET.fromstring(svg).iter()}


def test_markup_in_names_lanes_labels_stays_text() -> None:
    """C1: step names, lane names, branch labels and annotations holding markup are escaped: every sheet
    is well-formed SVG with no script element and no event attribute, and the text reads as written."""
    steps = [FlowStep("a", 1, EVIL, "start", "x", EVIL, (("b", EVIL),)),
             FlowStep("b", 2, EVIL, "decision", "y", "", (("c", EVIL), ("a", EVIL))),
             FlowStep("c", 3, EVIL, "end", "x")]
    sheets = swimlane(EVIL, steps, [Lane("x", EVIL), Lane("y", EVIL)], lang="vi", annotations={"a": EVIL})
    nodes = [MapNode("P1", EVIL, "core"), MapNode("P2", EVIL, "support")]
    sheets += interaction_map(nodes, {"core": EVIL, "support": EVIL}, edges=[MapEdge("P1", "P2", EVIL)])
    assert len(sheets) >= 2
    for sheet in sheets:
        assert "script" not in _tags(sheet)
        root = ET.fromstring(sheet)
        assert not any(k.startswith("on") for el in root.iter() for k in el.attrib)
        assert "alert(1)" in "".join(root.itertext())  # shown as text, not dropped


def test_a_huge_unbroken_name_wraps_without_loss() -> None:
    """C2: a 3,000-character name without a space and 120 steps on 10 lanes are laid out (wrapped at the
    measured width, nothing cut) in a bounded number of sheets."""
    word = "X" * 3000
    steps = [FlowStep(f"s{i}", i + 1, word if i == 5 else f"Bước {i}", "task", f"L{i % 10}", "",
                      ((f"s{i + 1}", ""),) if i < 119 else ()) for i in range(120)]
    sheets = swimlane("QT-1", steps, [Lane(f"L{i}", f"Làn {i}") for i in range(10)])
    assert 1 < len(sheets) < 120
    text = "".join("".join(ET.fromstring(s).itertext()) for s in sheets)
    assert text.count("X") >= 3000
    assert "…" not in text
