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
    """At 240 processes no drawing stays readable: none is made (the manual gives tables instead)."""
    kinds = ("management", "core", "support")
    nodes = [MapNode(f"QT-{i:03d}", f"Quá trình {i}", kinds[i % 3] if i % 10 else "management",
                     (f"QT-{(i + 1) % 240:03d}", f"QT-{(i * 7) % 240:03d}")) for i in range(240)]
    labels = {"management": "Quản lý", "core": "Chính", "support": "Hỗ trợ"}
    assert interaction_map(nodes, labels) == []
    few = nodes[:6]
    sheets = interaction_map(few, labels)
    assert sheets == interaction_map(list(reversed(few)), labels)  # the order given does not matter
    assert len(sheets) == 1
    for i in range(6):
        assert f">QT-{i:03d}<" in sheets[0]


def test_wrap() -> None:
    """Measured wrapping: nothing is cut, a narrower width gives more lines, long words break."""
    text = "một hai ba bốn năm"
    wide, narrow = wrap(text, 200, 8), wrap(text, 30, 8)
    assert wide == [text]
    assert len(narrow) > 1 and " ".join(narrow) == text
    assert "".join(wrap("x" * 60, 40, 8)) == "x" * 60
    # codes never break at a hyphen (on either side of it); legal symbols may break after "/"
    for line in wrap("QT-CT-01 QT-XD-01", 20, 8):
        assert not line.endswith("-") and not line.startswith("-")
    assert wrap("01/2018/TT-VPCP", 50, 8)[0].endswith("/")
