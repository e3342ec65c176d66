"""Generated SVG diagrams: the swimlane flowchart (lưu đồ) of a procedure and the process
interaction map (ISO 9001:2015 4.4).

Pure functions of their inputs: same input, same bytes. Every text node and attribute is escaped.
Both diagrams are cut into *sheets* that each fit on one A4 page, so that a 60-step procedure or a
240-process map stays readable; edges that leave a sheet end in a numbered connector.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import escape

FONT = "QmsSans, 'Noto Sans', sans-serif"
WIDTH = 720.0


def _e(text: str) -> str:
    return str(escape(text))


def _n(value: float) -> str:
    """A number without float noise (deterministic output)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def wrap(text: str, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap to ``width`` characters, at most ``max_lines`` lines (ellipsis if cut)."""
    width = max(width, 4)
    words: list[str] = []
    for word in text.split():
        while len(word) > width:
            words.append(word[:width])
            word = word[width:]
        if word:
            words.append(word)
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        lines[-1] = (last[: width - 1] if len(last) >= width else last) + "…"
    return lines


def _text_block(lines: Sequence[str], cx: float, cy: float, size: float, weight: str = "normal",
                anchor: str = "middle") -> str:
    if not lines:
        return ""
    lh = size * 1.25
    top = cy - lh * (len(lines) - 1) / 2 + size * 0.35
    spans = "".join(
        f'<tspan x="{_n(cx)}" y="{_n(top + i * lh)}">{_e(line)}</tspan>' for i, line in enumerate(lines)
    )
    return (f'<text font-family="{FONT}" font-size="{_n(size)}" font-weight="{weight}" '
            f'text-anchor="{anchor}" fill="#111">{spans}</text>')


def _arrow_head(x: float, y: float, direction: str, colour: str = "#333") -> str:
    s = 5.0
    pts = {
        "down": [(x, y), (x - s, y - s * 1.6), (x + s, y - s * 1.6)],
        "left": [(x, y), (x + s * 1.6, y - s), (x + s * 1.6, y + s)],
        "right": [(x, y), (x - s * 1.6, y - s), (x - s * 1.6, y + s)],
    }[direction]
    return f'<polygon points="{" ".join(f"{_n(a)},{_n(b)}" for a, b in pts)}" fill="{colour}"/>'


def _polyline(points: Sequence[tuple[float, float]], colour: str = "#333", width: float = 1.1,
              dash: str = "") -> str:
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
    return f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{_n(width)}"{extra}/>'


# --------------------------------------------------------------------------- swimlane flowchart


@dataclass(frozen=True, slots=True)
class FlowStep:
    id: str
    number: int
    label: str
    kind: str  # start | task | decision | handover | end
    lane: str
    duration: str = ""
    exits: tuple[tuple[str, str], ...] = ()  # (target step id, branch label or "")


@dataclass(frozen=True, slots=True)
class Lane:
    key: str
    label: str


ROWS_PER_SHEET = 10
_HEADER = 46.0
_ROW = 78.0
_GUTTER = 70.0


def swimlane(doc_id: str, steps: Sequence[FlowStep], lanes: Sequence[Lane], *,
             rows_per_sheet: int = ROWS_PER_SHEET) -> list[str]:
    """One SVG per sheet: lanes are columns, each step is one row, flow goes downwards."""
    if not steps:
        return []
    lane_index = {lane.key: i for i, lane in enumerate(lanes)}
    n_lanes = max(len(lanes), 1)
    width = max(WIDTH, n_lanes * 112.0 + _GUTTER)
    lane_w = (width - _GUTTER) / n_lanes
    box_w = min(lane_w - 16, 170.0)
    chars = int(box_w / 6.4)
    row_of = {s.id: i for i, s in enumerate(steps)}
    sheets: list[str] = []
    n_sheets = (len(steps) + rows_per_sheet - 1) // rows_per_sheet
    incoming_cross: dict[str, list[int]] = {}
    for s in steps:
        for tid, _label in s.exits:
            if tid in row_of and row_of[tid] // rows_per_sheet != row_of[s.id] // rows_per_sheet:
                incoming_cross.setdefault(tid, []).append(s.number)
    for sheet in range(n_sheets):
        first = sheet * rows_per_sheet
        chunk = steps[first: first + rows_per_sheet]
        height = _HEADER + len(chunk) * _ROW + 10
        out: list[str] = []
        sid = f"{_safe_id(doc_id)}-s{sheet + 1}"
        out.append(f'<svg xmlns="http://www.w3.org/2000/svg" class="flowchart" id="{_e(sid)}" '
                   f'viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}" '
                   f'role="img">')
        # lanes
        for i, lane in enumerate(lanes):
            x = i * lane_w
            fill = "#f4f6f8" if i % 2 == 0 else "#ffffff"
            out.append(f'<rect x="{_n(x)}" y="0" width="{_n(lane_w)}" height="{_n(height)}" fill="{fill}" '
                       f'stroke="#9aa5b1" stroke-width="0.6"/>')
            out.append(f'<rect x="{_n(x)}" y="0" width="{_n(lane_w)}" height="{_n(_HEADER)}" fill="#dde3ea" '
                       f'stroke="#9aa5b1" stroke-width="0.6"/>')
            out.append(_text_block(wrap(lane.label, int(lane_w / 6.6), 3), x + lane_w / 2, _HEADER / 2, 10,
                                   "bold"))

        def centre(step: FlowStep, first: int = first) -> tuple[float, float]:
            col = lane_index.get(step.lane, 0)
            row = row_of[step.id] - first
            return col * lane_w + lane_w / 2, _HEADER + row * _ROW + _ROW / 2

        half_h = 25.0
        # edges first, boxes on top
        channel = 0
        for step in chunk:
            cx, cy = centre(step)
            bottom = cy + half_h
            right = cx + (box_w / 2 if step.kind != "decision" else box_w / 2 * 0.9)
            for target_id, label in step.exits:
                if target_id not in row_of:
                    continue
                target = steps[row_of[target_id]]
                same_sheet = row_of[target_id] // rows_per_sheet == sheet
                if same_sheet and row_of[target_id] == row_of[step.id] + 1:
                    tx, ty = centre(target)
                    top = ty - half_h
                    mid = bottom + (top - bottom) / 2
                    pts = [(cx, bottom), (cx, top)] if abs(tx - cx) < 0.5 else \
                        [(cx, bottom), (cx, mid), (tx, mid), (tx, top)]
                    out.append(_polyline(pts))
                    out.append(_arrow_head(tx, top, "down"))
                    if label:
                        out.append(_text_block([label], cx + 4, bottom + 9, 9, anchor="start"))
                    continue
                gx = width - _GUTTER + 10 + (channel % 6) * 9
                channel += 1
                if same_sheet:
                    tx, ty = centre(target)
                    tright = tx + (box_w / 2 if target.kind != "decision" else box_w / 2 * 0.9)
                    out.append(_polyline([(right, cy), (gx, cy), (gx, ty), (tright, ty)],
                                         dash="" if row_of[target_id] > row_of[step.id] else "4 2"))
                    out.append(_arrow_head(tright, ty, "left"))
                else:
                    out.append(_polyline([(right, cy), (gx, cy)]))
                    out.append(f'<circle cx="{_n(gx + 8)}" cy="{_n(cy)}" r="8" fill="#fff" stroke="#333"/>')
                    out.append(_text_block([str(target.number)], gx + 8, cy, 9, "bold"))
                if label:
                    out.append(_text_block([label], right + 3, cy - 7, 9, anchor="start"))
        for step in chunk:
            cx, cy = centre(step)
            name = f"{step.number}. {step.label}"
            if step.kind == "decision":
                hw = box_w / 2 * 0.9
                pts = [(cx, cy - half_h - 4), (cx + hw, cy), (cx, cy + half_h + 4), (cx - hw, cy)]
                out.append(f'<polygon points="{" ".join(f"{_n(a)},{_n(b)}" for a, b in pts)}" '
                           f'fill="#fff7e0" stroke="#8a6d00" stroke-width="1"/>')
                lines = wrap(name, int(chars * 0.7), 2)
            else:
                rx = 16.0 if step.kind in ("start", "end") else 3.0
                fill = "#e8f1fb" if step.kind in ("start", "end") else "#ffffff"
                if step.kind == "handover":
                    fill = "#eef8ee"
                out.append(f'<rect x="{_n(cx - box_w / 2)}" y="{_n(cy - half_h)}" width="{_n(box_w)}" '
                           f'height="{_n(half_h * 2)}" rx="{_n(rx)}" fill="{fill}" stroke="#1f4e79" '
                           f'stroke-width="1"/>')
                lines = wrap(name, chars, 2)
            out.append(_text_block(lines, cx, cy - (5 if step.duration else 0), 10))
            if step.duration:
                out.append(_text_block([step.duration], cx, cy + half_h - 6, 8.5))
            for source_number in incoming_cross.get(step.id, []):
                out.append(f'<circle cx="{_n(cx - box_w / 2 - 2)}" cy="{_n(cy - half_h)}" r="8" fill="#fff" '
                           f'stroke="#333"/>')
                out.append(_text_block([str(source_number)], cx - box_w / 2 - 2, cy - half_h, 9, "bold"))
                break
        out.append("</svg>")
        sheets.append("".join(out))
    return sheets


# --------------------------------------------------------------------------- interaction map


@dataclass(frozen=True, slots=True)
class MapNode:
    id: str
    label: str
    kind: str  # management | core | support
    links: tuple[str, ...] = field(default=())


_KIND_ORDER = ("management", "core", "support")
_KIND_FILL = {"management": "#fdecea", "core": "#e8f1fb", "support": "#eef8ee"}


def interaction_map(nodes: Sequence[MapNode], band_labels: dict[str, str], *, columns: int = 4,
                    rows_per_sheet: int = 8) -> list[str]:
    """Processes as boxes in management / core / support bands; interactions as lines.

    Lines are drawn between processes on the same sheet; a process whose partners are on another
    sheet lists them as ``↔ id, id (+n)`` under its title.
    """
    ordered = sorted(nodes, key=lambda n: (_KIND_ORDER.index(n.kind) if n.kind in _KIND_ORDER else 9, n.id))
    if not ordered:
        return []
    gap_x, gap_y, band_head = 14.0, 22.0, 20.0
    box_w = (WIDTH - gap_x * (columns + 1)) / columns
    box_h = 58.0
    # place: (sheet, y) per node, band headers per sheet
    placements: dict[str, tuple[int, float, float]] = {}
    headers: dict[int, list[tuple[float, str, float]]] = {}
    heights: dict[int, float] = {}
    sheet, y, rows_used = 0, 8.0, 0
    for kind in (*_KIND_ORDER, "other"):
        members = [n for n in ordered if (n.kind if n.kind in _KIND_ORDER else "other") == kind]
        if not members:
            continue
        rows = [members[i: i + columns] for i in range(0, len(members), columns)]
        band_start_y = y
        headers.setdefault(sheet, []).append((y, kind, 0.0))
        y += band_head
        for row in rows:
            if rows_used >= rows_per_sheet:
                heights[sheet] = y + 4
                sheet, y, rows_used = sheet + 1, 8.0, 0
                band_start_y = y
                headers.setdefault(sheet, []).append((y, kind, 0.0))
                y += band_head
            for c, node in enumerate(row):
                placements[node.id] = (sheet, gap_x + c * (box_w + gap_x), y)
            y += box_h + gap_y
            rows_used += 1
            headers[sheet][-1] = (band_start_y, kind, y - band_start_y - gap_y / 2)
        y += 6
    heights[sheet] = y + 4
    ids = {n.id for n in ordered}
    pairs = sorted({tuple(sorted((n.id, m))) for n in ordered for m in n.links if m in ids and m != n.id})
    partners: dict[str, set[str]] = {n.id: set() for n in ordered}
    for a, b in pairs:
        partners[a].add(b)
        partners[b].add(a)
    out_sheets: list[str] = []
    for s in range(sheet + 1):
        h = heights.get(s, 100.0)
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="process-map" viewBox="0 0 {_n(WIDTH)} {_n(h)}" '
               f'width="{_n(WIDTH)}" height="{_n(h)}" role="img">']
        for by, kind, bh in headers.get(s, []):
            out.append(f'<rect x="2" y="{_n(by)}" width="{_n(WIDTH - 4)}" height="{_n(bh)}" '
                       f'fill="{_KIND_FILL.get(kind, "#f4f4f4")}" fill-opacity="0.45" stroke="#9aa5b1" '
                       f'stroke-width="0.6" rx="4"/>')
            out.append(_text_block([band_labels.get(kind, kind)], 10, by + 11, 10, "bold", anchor="start"))
        for a, b in pairs:
            sa, xa, ya = placements[a]
            sb, xb, yb = placements[b]
            if sa == sb == s:
                out.append(f'<line x1="{_n(xa + box_w / 2)}" y1="{_n(ya + box_h / 2)}" x2="{_n(xb + box_w / 2)}" '
                           f'y2="{_n(yb + box_h / 2)}" stroke="#5b6b7b" stroke-width="0.8" '
                           f'stroke-opacity="0.7"/>')
        for node in ordered:
            ns, x, ny = placements[node.id]
            if ns != s:
                continue
            out.append(f'<rect x="{_n(x)}" y="{_n(ny)}" width="{_n(box_w)}" height="{_n(box_h)}" rx="4" '
                       f'fill="#fff" stroke="#1f4e79" stroke-width="1"/>')
            elsewhere = sorted(p for p in partners[node.id] if placements[p][0] != s)
            lines = [node.id, *wrap(node.label, int(box_w / 6.0), 2 if not elsewhere else 1)]
            if elsewhere:
                shown = ", ".join(elsewhere[:2]) + (f" (+{len(elsewhere) - 2})" if len(elsewhere) > 2 else "")
                lines.append("↔ " + shown)
            out.append(_text_block(lines, x + box_w / 2, ny + box_h / 2, 9.5))
        out.append("</svg>")
        out_sheets.append("".join(out))
    return out_sheets
