"""The generated diagrams: escaped, deterministic, cut into sheets, readable at scale."""

from __future__ import annotations

from qms.render.svg import FlowStep, Lane, MapNode, interaction_map, swimlane, wrap


def _steps(n: int, lanes: int = 3) -> list[FlowStep]:
    out = []
    for i in range(1, n + 1):
        exits: tuple[tuple[str, str], ...] = ((f"S{i + 1}", ""),) if i < n else ()
        kind = "decision" if i % 5 == 0 else ("start" if i == 1 else ("end" if i == n else "task"))
        if kind == "decision" and i + 3 <= n:
            exits = ((f"S{i + 1}", "Có"), (f"S{i + 3}", "Không"))
        out.append(FlowStep(f"S{i}", i, f"Bước số {i} <b>&", kind, f"L{i % lanes}", "2 giờ", exits))
    return out


def test_swimlane_escapes_and_is_deterministic() -> None:
    lanes = [Lane(f"L{i}", f"Đơn vị {i} <i>") for i in range(3)]
    a = swimlane("QT-1", _steps(9), lanes)
    assert a == swimlane("QT-1", _steps(9), lanes)
    svg = a[0]
    assert "<b>" not in svg
    assert "<i>" not in svg
    assert "&lt;b&gt;&amp;" in svg
    assert svg.count("<polygon") >= 2  # a diamond and arrow heads
    assert "Có" in svg
    assert "Không" in svg
    assert "2 giờ" in svg


def test_swimlane_splits_long_procedures_with_connectors() -> None:
    sheets = swimlane("QT-2", _steps(25), [Lane(f"L{i}", f"L{i}") for i in range(3)])
    assert len(sheets) == 3
    assert all("<circle" in s for s in sheets[:2])  # off-sheet connectors


def test_interaction_map_at_240_processes() -> None:
    kinds = ("management", "core", "support")
    nodes = [MapNode(f"QT-{i:03d}", f"Quá trình {i}", kinds[i % 3] if i % 10 else "management",
                     (f"QT-{(i + 1) % 240:03d}", f"QT-{(i * 7) % 240:03d}")) for i in range(240)]
    sheets = interaction_map(nodes, {"management": "Quản lý", "core": "Chính", "support": "Hỗ trợ"})
    assert sheets == interaction_map(list(reversed(nodes)), {"management": "Quản lý", "core": "Chính",
                                                             "support": "Hỗ trợ"})
    assert 7 <= len(sheets) <= 10  # 240 boxes, 32 per sheet
    body = "".join(sheets)
    for i in range(240):
        assert f">QT-{i:03d}<" in body
    assert "↔" in body


def test_wrap() -> None:
    assert wrap("một hai ba bốn năm", 7, 2) == ["một hai", "ba bốn…"]
    assert wrap("x" * 12, 5, 3) == ["xxxxx", "xxxxx", "xx"]
