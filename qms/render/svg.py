"""Generated SVG diagrams: the swimlane flowchart (lưu đồ) of a procedure and the process
interaction map (ISO 9001:2015 4.4).

Pure functions of their inputs: same input, same bytes. Every text node and attribute is escaped.
One SVG unit prints as one point (a sheet is as wide as the page's text block), so the sizes below
are the printed sizes; no text is smaller than 7 pt. Text is measured with the bundled fonts' real
metrics (:mod:`qms.render.textmetrics`) and wrapped, never cut.

The flowchart is laid out so that its geometry is correct by construction (and
``tests/render/test_flowchart_geometry.py`` checks it on the rendered SVG):

* lanes are columns, each step is a row of its own, so a row holds one box;
* the edge to the step of the next row leaves the box at the bottom and enters the next box at
  the top, bending (if the lanes differ) in the gap between the two rows;
* every other edge leaves the box on its right side at a port of its own, runs to a vertical track
  of its own in the routing channel at the right of the frame, and enters its target at a port of
  its own on the right side: ports of a sheet never share a height and tracks are shared only by
  edges whose spans do not meet, so no two edges share a segment and every line stays inside the
  frame; a branch label sits above its own port line, right of its box, where no other line runs;
* an edge to a step on another sheet ends in a lettered off-page connector next to its box, and the
  same letter starts the edge on the target's sheet (A→A, B→B).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import escape

from qms.errors import QmsError
from qms.i18n import N_, _, translate
from qms.render import textmetrics as tm

FONT = "QmsSans, 'Noto Sans', sans-serif"
#: The text block of an A4 page in points (170 mm portrait, 257 mm landscape)
PORTRAIT_WIDTH = 481.0
LANDSCAPE_WIDTH = 728.0
#: The tallest sheet that fits under the section heading of a page (245 mm / 158 mm text blocks)
PORTRAIT_HEIGHT = 655.0
LANDSCAPE_HEIGHT = 410.0
WIDTH = PORTRAIT_WIDTH
#: More lanes than this turn the flowchart's pages to landscape
MAX_PORTRAIT_LANES = 6
#: The smallest text printed, in points
MIN_TEXT_PT = 7.0

NAME_PT = 8.0
LANE_PT = 8.0
LABEL_PT = 7.5
DURATION_PT = 7.5
NOTE_PT = 7.0
CONNECTOR_PT = 7.5
#: How a step annotated with a severity is drawn (``swimlane(levels=...)``): fill, border width, border
#: dashes. The border tells the levels apart in black-and-white print as the fill does on screen.
LEVEL_STYLE: dict[str, tuple[str, float, str]] = {
    "high": ("#f4c7c3", 2.6, ""),
    "medium": ("#fce8b2", 1.6, "5 2"),
    "low": ("#e6f4ea", 1.0, ""),
}
_R = 8.5  # connector radius
_TRACK = 6.0  # distance between channel tracks


def _e(text: str) -> str:
    return str(escape(text))


def _n(value: float) -> str:
    """A number without float noise (deterministic output)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def wrap(text: str, width: float, size: float = NAME_PT, bold: bool = False) -> list[str]:
    """``text`` wrapped to ``width`` points at ``size`` (measured with the bundled font); nothing is cut."""
    return tm.wrap(text, width, size, bold)


def _text(lines: Sequence[str], x: float, top: float, size: float, *, bold: bool = False,
          anchor: str = "middle", cls: str = "") -> str:
    """A block of lines whose first line's ascent starts at ``top``."""
    if not lines:
        return ""
    asc = tm.ascent(size, bold)
    lh = size * tm.LINE_HEIGHT
    spans = "".join(f'<tspan x="{_n(x)}" y="{_n(top + asc + i * lh)}">{_e(line)}</tspan>'
                    for i, line in enumerate(lines))
    return (f'<text class="{cls}" font-family="{FONT}" font-size="{_n(size)}" '
            f'font-weight="{"bold" if bold else "normal"}" text-anchor="{anchor}" fill="#111">{spans}</text>')


def _points(pts: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_n(a)},{_n(b)}" for a, b in pts)


def _arrow_head(x: float, y: float, direction: str, s: float = 3.2) -> str:
    pts = {
        "down": [(x, y), (x - s, y - s * 1.8), (x + s, y - s * 1.8)],
        "up": [(x, y), (x - s, y + s * 1.8), (x + s, y + s * 1.8)],
        "left": [(x, y), (x + s * 1.8, y - s), (x + s * 1.8, y + s)],
        "right": [(x, y), (x - s * 1.8, y - s), (x - s * 1.8, y + s)],
    }[direction]
    return f'<polygon class="arrow" points="{_points(pts)}" fill="#222"/>'


def _polyline(points: Sequence[tuple[float, float]], *, dashed: bool = False, width: float = 0.9) -> str:
    extra = ' stroke-dasharray="4 2.5"' if dashed else ""
    return (f'<polyline class="edge" points="{_points(points)}" fill="none" stroke="#222" '
            f'stroke-width="{_n(width)}"{extra}/>')


def _label(lines: Sequence[str], x: float, top: float, size: float = LABEL_PT) -> str:
    """A free label (branch name) on a white ground, left-aligned at ``x``."""
    if not lines:
        return ""
    w = tm.block_width(list(lines), size)
    h = tm.block_height(len(lines), size)
    return (f'<rect class="label-bg" x="{_n(x - 1)}" y="{_n(top)}" width="{_n(w + 2)}" height="{_n(h)}" '
            f'fill="#fff"/>' + _text(lines, x, top, size, anchor="start", cls="label"))


def _title_desc(title: str, desc: str) -> str:
    return f"<title>{_e(title)}</title><desc>{_e(desc)}</desc>"


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


#: The most rows a sheet carries even when they are short
ROWS_PER_SHEET = 40
_PAD = 3.0  # space above and below a box inside its row
_GAP = 8.0  # space between two rows
_PORT_GAP = 3.0


def landscape(lanes: Sequence[Lane]) -> bool:
    """Whether the flowchart of ``lanes`` is printed on landscape pages (more than six lanes)."""
    return len(lanes) > MAX_PORTRAIT_LANES


@dataclass(slots=True)
class _Edge:
    src: int  # row of the source step
    dst: int  # row of the target step
    label: str
    back: bool  # a loop back (drawn dashed)
    letter: str = ""  # off-page connector letter, when the two steps are on different sheets
    down: bool = False  # drawn from the bottom of src to the top of dst (dst is the next row)


@dataclass(slots=True)
class _Port:
    edge: int
    out: bool
    label: list[str]
    connector: str  # letter of an off-page connector drawn at this port, or ""
    above: float = 0.0
    below: float = 0.0
    y: float = 0.0


@dataclass(slots=True)
class _Box:
    row: int
    step: FlowStep
    cx: float
    half_w: float
    name: list[str]
    duration: list[str]
    note: list[str]
    text_h: float
    ports: list[_Port] = field(default_factory=list)
    top: float = 0.0
    height: float = 0.0
    down_label: list[str] = field(default_factory=list)
    out_edges: list[int] = field(default_factory=list)
    in_edges: list[int] = field(default_factory=list)
    name_pt: float = NAME_PT
    level: str = ""  # a key of LEVEL_STYLE, or ""

    @property
    def decision(self) -> bool:
        return self.step.kind == "decision"

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def cy(self) -> float:
        return self.top + self.height / 2

    def edge_x(self, y: float) -> float:
        """Where a horizontal line at height ``y`` meets the right side of the shape."""
        if not self.decision:
            return self.cx + self.half_w
        b = self.height / 2
        return self.cx + self.half_w * (1 - min(abs(y - self.cy) / b, 1.0))


@dataclass(slots=True)
class _Geometry:
    width: float
    lane_w: float
    box_w: float
    label_zone: float
    channel_x: float
    tracks: int
    header_lines: list[list[str]]
    header_h: float
    max_h: float
    lanes: int


def _port_extent(port: _Port) -> None:
    lh = tm.block_height(len(port.label), LABEL_PT)
    if port.out:
        port.above = max(lh + 3 if port.label else 3.5, _R + 1.5 if port.connector else 0)
        port.below = _R + 1.5 if port.connector else 3.5
    else:
        port.above = port.below = _R + 1.5 if port.connector else 4.0


def _ports_height(ports: Sequence[_Port]) -> float:
    return sum(p.above + p.below for p in ports) + _PORT_GAP * max(len(ports) - 1, 0)


def _size_box(box: _Box, ports_h: float) -> None:
    """Height of the shape: its text, and its ports on the right side."""
    if box.decision:
        a = box.half_w
        w = tm.block_width(box.name + box.duration + box.note, box.name_pt) + 6
        need_b = (box.text_h + 6) / (2 * max(1 - w / (2 * a), 0.2))
        b = max(need_b, ports_h / 2 + 6, 16.0)
        box.height = 2 * b
    else:
        box.height = max(box.text_h + 10, ports_h + 6, 24.0)


def _text_height(box: _Box) -> float:
    h = tm.block_height(len(box.name), box.name_pt)
    if box.duration:
        h += 3 + tm.block_height(len(box.duration), DURATION_PT)
    if box.note:
        h += 3 + tm.block_height(len(box.note), NOTE_PT)
    return h


def _tracks(spans: Sequence[tuple[float, float]]) -> list[int]:
    """Greedy interval colouring: spans that meet never share a track (optimal for intervals)."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], spans[i][1], i))
    ends: list[float] = []
    assigned = [0] * len(spans)
    for i in order:
        lo, hi = spans[i]
        for k, end in enumerate(ends):
            if end < lo:
                ends[k] = hi
                assigned[i] = k
                break
        else:
            assigned[i] = len(ends)
            ends.append(hi)
    return assigned


def _nested_tracks(spans: Sequence[tuple[float, float]]) -> list[int]:
    """First-fit by length: short spans take the tracks nearest the boxes, long ones run outside them,
    so that lines cross less; spans that meet never share a track."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][1] - spans[i][0], spans[i][0], i))
    taken: list[list[tuple[float, float]]] = []
    assigned = [0] * len(spans)
    for i in order:
        lo, hi = spans[i]
        for k, held in enumerate(taken):
            if all(hi < a or lo > b for a, b in held):
                held.append((lo, hi))
                assigned[i] = k
                break
        else:
            assigned[i] = len(taken)
            taken.append([(lo, hi)])
    return assigned


def _letter(n: int) -> str:
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def swimlane(doc_id: str, steps: Sequence[FlowStep], lanes: Sequence[Lane], *,
             rows_per_sheet: int = ROWS_PER_SHEET, lang: str = "en",
             annotations: Mapping[str, str] | None = None, levels: Mapping[str, str] | None = None,
             a3: bool = False, first_height: float | None = None) -> list[str]:
    """One SVG per sheet: lanes are columns, each step is one row, flow goes downwards.

    ``annotations`` (step id → text) are printed under the step's name; ``levels`` (step id → a key of
    :data:`LEVEL_STYLE`) colour the step's shape and set its border. More than six lanes turn
    the sheets to landscape (:func:`landscape`); ``a3`` lays them out for A3 pages instead.
    ``first_height`` (points) caps the first sheet, so that it fits the rest of the page where the
    flowchart starts (:func:`qms.render.pdf.html_to_pdf`, ``refit``)."""
    if not steps:
        return []
    lane_index = {lane.key: i for i, lane in enumerate(lanes)}
    n_lanes = max(len(lanes), 1)
    wide = landscape(lanes)
    scale = 1.414 if a3 else 1.0
    width = (LANDSCAPE_WIDTH if wide else PORTRAIT_WIDTH) * scale
    max_h = (LANDSCAPE_HEIGHT if wide else PORTRAIT_HEIGHT) * scale
    row_of = {s.id: i for i, s in enumerate(steps)}
    edges: list[_Edge] = []
    for i, s in enumerate(steps):
        for target, label in s.exits:
            if target in row_of:
                j = row_of[target]
                edges.append(_Edge(i, j, label, j <= i))
    has_labels = any(e.label for e in edges)
    # widths are the same on every sheet (lanes line up from page to page): the channel is sized for
    # the worst case, every edge on one sheet
    all_spans: list[tuple[float, float]] = []
    down_from: set[int] = set()
    for e in edges:
        if e.dst == e.src + 1 and e.src not in down_from:
            down_from.add(e.src)
            continue
        all_spans.append((float(min(e.src, e.dst)), float(max(e.src, e.dst))))
    n_tracks = max(_tracks(all_spans), default=-1) + 1 if all_spans else 0
    # the label zone right of the lanes holds what leaves a box of the last lane to its right: branch
    # labels and off-page connectors (a box in another lane has the empty lanes right of it)
    label_zone = 10.0
    incoming_far = {e.dst for e in edges if e.dst != e.src + 1}
    for i, s in enumerate(steps):
        if lane_index.get(s.lane, 0) == len(lanes) - 1 or len(lanes) <= 1:
            if any(label for _t, label in s.exits):
                label_zone = 86.0
            elif any(row_of.get(t, i + 1) != i + 1 for t, _l in s.exits) or i in incoming_far or len(steps) > 8:
                label_zone = max(label_zone, 34.0)
    if has_labels and lanes and len(lanes) == 1:
        label_zone = 86.0
    channel_w = (n_tracks * _TRACK + 6.0) if n_tracks else 0.0
    lane_w = (width - label_zone - channel_w) / n_lanes
    box_w = min(max(lane_w - 8.0, 36.0), 220.0)
    header_lines = [wrap(lane.label, lane_w - 8, LANE_PT, True) for lane in lanes] or [[]]
    header_h = max(tm.block_height(len(lines), LANE_PT, True) for lines in header_lines) + 10
    if header_h > max_h * 0.75:
        tallest = max(range(len(lanes)), key=lambda i: len(header_lines[i]))
        raise QmsError(
            _("the flowchart of {code} cannot be printed: the names of its lanes take three quarters "
              "of a page (the longest: {lane})").format(code=doc_id, lane=lanes[tallest].label[:80]),
            hint=_("shorten the names of the roles or units that are responsible for its steps"))
    geo = _Geometry(width, lane_w, box_w, label_zone, width - channel_w, n_tracks, header_lines, header_h, max_h,
                    n_lanes)
    notes = annotations or {}

    boxes: list[_Box] = []
    for i, s in enumerate(steps):
        col = lane_index.get(s.lane, 0)
        cx = col * lane_w + lane_w / 2
        if s.kind == "decision":
            box = _decision_box(i, s, cx, lane_w, geo, notes.get(s.id, ""))
        else:
            box = _task_box(i, s, cx, geo, notes.get(s.id, ""))
        box.level = (levels or {}).get(s.id, "")
        boxes.append(box)

    for k, e in enumerate(edges):
        boxes[e.src].out_edges.append(k)
        boxes[e.dst].in_edges.append(k)
    # sheets: each takes rows while its measured height stays under the page's (an edge that leaves the
    # sheet ends in a connector, which may make its row taller: the sheet is measured as it will be drawn)
    sheets_rows: list[list[int]] = []
    start = 0
    while start < len(steps):
        end = start + 1
        limit = min(first_height, max_h) if first_height and not sheets_rows else max_h
        while (end < len(steps) and end - start < rows_per_sheet
               and _place(list(range(start, end + 1)), boxes, edges, geo) <= limit):
            end += 1
        sheets_rows.append(list(range(start, end)))
        start = end
    for rows in sheets_rows:
        if len(rows) == 1 and _place(rows, boxes, edges, geo) > max_h:
            s = steps[rows[0]]
            raise QmsError(
                _("the flowchart of {code} cannot be printed: step {step} ({n}) is taller than a page, "
                  "even spread over the lanes beside it").format(code=doc_id, step=s.id, n=s.number),
                hint=_("shorten the step's name or its branch labels (the steps table prints its `description` "
                       "in full), or the names of the lanes' roles"))
    sheet_of = {i: k for k, rows in enumerate(sheets_rows) for i in rows}
    letters = 0
    for e in edges:
        e.letter = ""
        if sheet_of[e.src] != sheet_of[e.dst]:
            e.letter = _letter(letters)
            letters += 1
    return [_sheet(doc_id, k, len(sheets_rows), rows, boxes, edges, lanes, geo, lang)
            for k, rows in enumerate(sheets_rows)]


def _name_pt(lanes: int) -> float:
    """Step names print at 8 pt; at 7.5 pt on 7 or 8 lanes and 7 pt (the floor) on more."""
    return NAME_PT if lanes <= MAX_PORTRAIT_LANES else (7.5 if lanes <= 8 else MIN_TEXT_PT)


def _text_box(row: int, s: FlowStep, cx: float, half: float, inner: float, note: str, lanes: int) -> _Box:
    size = _name_pt(lanes)
    box = _Box(row, s, cx, half, wrap(f"{s.number}. {s.label}", inner, size),
               wrap(s.duration, inner, DURATION_PT) if s.duration else [],
               wrap(note, inner, NOTE_PT) if note else [], 0.0)
    box.name_pt = size
    box.text_h = _text_height(box)
    return box


#: A box taller than this widens (over the empty neighbouring lanes of its row), so that a long name fits a page
_BOX_TALL = 150.0


def _spread(cx: float, half: float, geo: _Geometry, off_centre: bool) -> float | None:
    """Where the centre of a box ``2 * half`` wide goes in a row it has to itself: in its own lane, left of
    the room kept for branch labels and connectors (60 pt before the routing channel). With
    ``off_centre`` (the box would otherwise take half a page) it may leave its lane, as long as it still
    covers half of it. None when it does not fit."""
    room_right = geo.channel_x - 60
    left, right = cx - geo.lane_w / 2 + 4, cx + geo.lane_w / 2 - 4
    moved = min(max(cx, half + 3), room_right - half, right)
    if moved >= left and moved - half >= 3 and moved + half <= room_right:
        return moved
    if not off_centre:
        return None
    moved = min(max(cx, half + 3), room_right - half)
    overlap = min(moved + half, cx + geo.lane_w / 2) - max(moved - half, cx - geo.lane_w / 2)
    if moved - half < 3 or overlap < geo.lane_w / 2:
        return None
    return moved


def _task_box(row: int, s: FlowStep, cx: float, geo: _Geometry, note: str) -> _Box:
    """A box as wide as its lane allows; a name that would make it taller than :data:`_BOX_TALL` spreads it
    over the neighbouring lanes (its row holds no other box, :func:`_spread`), so that it fits a page."""
    inset = 16 if s.kind in ("start", "end", "handover") else 8
    half, centre = geo.box_w / 2, cx
    box = _text_box(row, s, centre, half, 2 * half - inset, note, geo.lanes)
    wider = half
    while box.text_h + 10 > _BOX_TALL and wider < (geo.channel_x - 63) / 2:
        wider += 12
        moved = _spread(cx, wider, geo, box.text_h + 10 > (geo.max_h - geo.header_h) / 2)
        if moved is not None:
            half, centre = wider, moved
            box = _text_box(row, s, centre, half, 2 * half - inset, note, geo.lanes)
    return box


#: A diamond taller than this widens (over the empty neighbouring lanes of its row) to hold its question
_DIAMOND_TALL = 150.0


def _decision_box(row: int, s: FlowStep, cx: float, lane_w: float, geo: _Geometry, note: str) -> _Box:
    """A diamond sized to its question and duration: as wide as its lane, wider when the question would
    make it taller than :data:`_DIAMOND_TALL` (up to 1.6 lanes wide; wider, as :func:`_spread` allows, when it
    would still take half a page). Its row holds no other box, so it may spread over the neighbouring lanes;
    its centre stays in its own lane (unless it would take half a page), and room is left on its right for
    labels."""
    half = min(lane_w / 2 - 3, 125.0)
    centre = cx
    # a word cut in two inside a diamond reads badly ("comple-te?"): widen for the longest word too
    longest = max((tm.text_width(word, _name_pt(geo.lanes)) for word in f"{s.number}. {s.label}".split()),
                  default=0.0)
    while True:
        box = _text_box(row, s, centre, half, half - 4, note, geo.lanes)
        w = tm.block_width(box.name + box.duration + box.note, box.name_pt) + 6
        b = (box.text_h + 6) / (2 * max(1 - w / (2 * half), 0.2))
        if 2 * b <= _DIAMOND_TALL and half - 4 >= longest:
            return box
        big = 2 * b > (geo.max_h - geo.header_h) / 2  # past 1.6 lanes only a diamond this tall widens on
        wider, moved = half, None
        while moved is None and wider < (geo.channel_x - 63) / 2 and (wider + 12 <= 1.6 * lane_w or big):
            wider += 12
            moved = _spread(cx, wider, geo, big)
        if moved is None:
            return box
        half, centre = wider, moved


def _assign_ports(box: _Box, edges: Sequence[_Edge], sheet_rows: set[int], geo: _Geometry) -> None:
    """The ports on the right side of ``box``: every edge but the one drawn down to the next row."""
    ports: list[_Port] = []
    bottom_used = False
    xr = box.cx + box.half_w
    box.down_label = []
    for k in box.out_edges:
        e = edges[k]
        same = e.dst in sheet_rows
        e.down = False
        if e.dst == e.src + 1 and not bottom_used and same:
            e.down, bottom_used = True, True
            box.down_label = wrap(e.label, geo.channel_x - (box.cx + 4) - 6, LABEL_PT) if e.label else []
            continue
        conn = (e.letter or "?") if not same else ""
        room = geo.channel_x - 3 - (xr + 4) - (2 * _R + 8 if conn else 0)
        ports.append(_Port(k, True, wrap(e.label, room, LABEL_PT) if e.label else [], conn))
    for k in box.in_edges:
        e = edges[k]
        if e.dst == e.src + 1 and e.down and e.src in sheet_rows:
            continue
        conn = (e.letter or "?") if e.src not in sheet_rows else ""
        ports.append(_Port(k, False, [], conn))
    # entries first (by source row), then exits (by target row)
    ports.sort(key=lambda p: (p.out, edges[p.edge].dst if p.out else edges[p.edge].src, p.edge))
    for p in ports:
        _port_extent(p)
    box.ports = ports


def _place(rows: list[int], boxes: list[_Box], edges: list[_Edge], geo: _Geometry) -> float:
    """Ports, sizes and heights of the boxes of a sheet holding ``rows``; returns the sheet's height."""
    sheet_rows = set(rows)
    for i in rows:
        for k in boxes[i].out_edges:
            edges[k].down = False
    y = geo.header_h
    for i in rows:
        box = boxes[i]
        _assign_ports(box, edges, sheet_rows, geo)
        _size_box(box, _ports_height(box.ports))
        box.top = y + _PAD
        y = box.top + box.height + _PAD + _gap(box)
        start = (box.top + 3) if not box.decision else box.cy - _ports_height(box.ports) / 2
        for p in box.ports:
            p.y = start + p.above
            start = p.y + p.below + _PORT_GAP
    return y + 4


def _gap(box: _Box) -> float:
    if box.down_label:
        return max(_GAP, tm.block_height(len(box.down_label), LABEL_PT) + 14)
    return _GAP


def _sheet(doc_id: str, k: int, n_sheets: int, rows: list[int], boxes: list[_Box], edges: list[_Edge],
           lanes: Sequence[Lane], geo: _Geometry, lang: str) -> str:
    height = _place(rows, boxes, edges, geo)
    width = geo.width
    first, last = boxes[rows[0]].step.number, boxes[rows[-1]].step.number
    sid = f"{_safe_id(doc_id)}-s{k + 1}"
    o: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flowchart" id="{_e(sid)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}" role="img" '
        f'aria-labelledby="{_e(sid)}-t" data-orientation="{"landscape" if geo.width > PORTRAIT_WIDTH + 1 else "portrait"}">',
        f'<title id="{_e(sid)}-t">{_e(translate(N_("Flowchart of {code}, sheet {k} of {n}"), lang).format(code=doc_id, k=k + 1, n=n_sheets))}</title>',
        f"<desc>{_e(translate(N_('Steps {first} to {last}. Lanes: {lanes}. Rectangles are tasks, diamonds decisions, rounded boxes start and end; dashed lines loop back; lettered circles connect to the same letter on another sheet.'), lang).format(first=first, last=last, lanes='; '.join(lane.label for lane in lanes)))}</desc>",
    ]
    # lanes and the frame: the last lane reaches the frame's right edge, so the label zone and the
    # routing channel (right of the lanes) belong to it and never read as an empty, unnamed lane
    lane_w = geo.lane_w
    for i in range(len(lanes)):
        x = i * lane_w
        w = width - x if i == len(lanes) - 1 else lane_w
        fill = "#f2f4f7" if i % 2 == 0 else "#ffffff"
        o.append(f'<rect class="lane" x="{_n(x)}" y="0" width="{_n(w)}" height="{_n(height)}" fill="{fill}" '
                 f'stroke="#8a96a3" stroke-width="0.5"/>')
        o.append(f'<g class="lane-header"><rect class="shape" x="{_n(x)}" y="0" width="{_n(w)}" '
                 f'height="{_n(geo.header_h)}" fill="#dfe5ec" stroke="#8a96a3" stroke-width="0.5"/>')
        lines = geo.header_lines[i]
        o.append(_text(lines, x + lane_w / 2, (geo.header_h - tm.block_height(len(lines), LANE_PT, True)) / 2,
                       LANE_PT, bold=True, cls="lane-text") + "</g>")
    o.append(f'<rect class="frame" x="0.5" y="0.5" width="{_n(width - 1)}" height="{_n(height - 1)}" fill="none" '
             f'stroke="#333" stroke-width="1"/>')
    # channel edges: spans on this sheet, then tracks
    channel: list[int] = []
    port_of: dict[tuple[int, bool], tuple[_Box, _Port]] = {}
    for i in rows:
        for p in boxes[i].ports:
            port_of[(p.edge, p.out)] = (boxes[i], p)
    for idx, e in enumerate(edges):
        if (idx, True) in port_of and (idx, False) in port_of and not e.letter:
            channel.append(idx)
    spans = [(min(port_of[(i, True)][1].y, port_of[(i, False)][1].y) - 1.5,
              max(port_of[(i, True)][1].y, port_of[(i, False)][1].y) + 1.5) for i in channel]
    track_of = dict(zip(channel, _tracks(spans), strict=True))
    for idx in channel:
        e = edges[idx]
        sbox, sp = port_of[(idx, True)]
        tbox, tp = port_of[(idx, False)]
        tx = geo.channel_x + 4 + track_of[idx] * _TRACK
        x1, x2 = sbox.edge_x(sp.y), tbox.edge_x(tp.y)
        o.append(_polyline([(x1, sp.y), (tx, sp.y), (tx, tp.y), (x2, tp.y)], dashed=e.back))
        o.append(_arrow_head(x2, tp.y, "left"))
    # off-page connectors
    for i in rows:
        box = boxes[i]
        for p in box.ports:
            if not p.connector:
                continue
            e = edges[p.edge]
            xe = box.edge_x(p.y)
            xr = box.cx + box.half_w
            if p.out:
                lw = tm.block_width(p.label, LABEL_PT) if p.label else 0.0
                ccx = xr + 4 + max(lw + 4, 8.0) + _R
                o.append(_polyline([(xe, p.y), (ccx - _R, p.y)], dashed=e.back))
                o.append(_arrow_head(ccx - _R, p.y, "right"))
            else:
                ccx = xr + 10 + _R
                o.append(_polyline([(ccx - _R, p.y), (xe, p.y)], dashed=e.back))
                o.append(_arrow_head(xe, p.y, "left"))
            target = boxes[e.dst].step.number
            hint = translate(N_("Off-page connector {letter}: step {n}"), lang).format(letter=p.connector, n=target)
            o.append(f'<g class="connector"><title>{_e(hint)}</title><circle class="shape" cx="{_n(ccx)}" '
                     f'cy="{_n(p.y)}" r="{_n(_R)}" fill="#fff" stroke="#222" stroke-width="1"/>')
            size = CONNECTOR_PT if len(p.connector) == 1 else MIN_TEXT_PT
            o.append(_text([p.connector], ccx, p.y - tm.block_height(1, size, True) / 2, size, bold=True,
                           cls="connector-text") + "</g>")
    # edges down to the next row
    for i in rows:
        box = boxes[i]
        for e in edges:
            if e.src == i and e.down:
                nxt = boxes[e.dst]
                x1, y1, x2, y2 = box.cx, box.bottom, nxt.cx, nxt.top
                if abs(x1 - x2) < 0.5:
                    pts = [(x1, y1), (x2, y2)]
                else:
                    bend = y1 + (_PAD + tm.block_height(len(box.down_label), LABEL_PT) + 6 if box.down_label
                                 else (y2 - y1) / 2)
                    pts = [(x1, y1), (x1, bend), (x2, bend), (x2, y2)]
                o.append(_polyline(pts, dashed=e.back))
                o.append(_arrow_head(x2, y2, "down"))
                if box.down_label:
                    o.append(_label(box.down_label, x1 + 4, y1 + 3))
    # branch labels of the right-side ports
    for i in rows:
        box = boxes[i]
        for p in box.ports:
            if p.out and p.label:
                o.append(_label(p.label, box.cx + box.half_w + 4, p.y - 2 - tm.block_height(len(p.label), LABEL_PT)))
    # the shapes, on top
    for i in rows:
        o.append(_shape(boxes[i]))
    o.append("</svg>")
    return "".join(o)


def _shape(box: _Box) -> str:
    s = box.step
    cx, top, h, hw = box.cx, box.top, box.height, box.half_w
    level = LEVEL_STYLE.get(box.level)
    o = [f'<g class="node{" level-" + box.level if level else ""}" data-step="{_e(s.id)}">']
    dash = f' stroke-dasharray="{level[2]}"' if level and level[2] else ""
    if s.kind == "decision":
        pts = [(cx, top), (cx + hw, top + h / 2), (cx, top + h), (cx - hw, top + h / 2)]
        fill, width = (level[0], level[1]) if level else ("#fff8e5", 1.0)
        o.append(f'<polygon class="shape" points="{_points(pts)}" fill="{fill}" stroke="#222" '
                 f'stroke-width="{_n(width)}"{dash}/>')
    else:
        rx = min(h / 2, 9.0) if s.kind in ("start", "end") else 1.5
        fill = {"start": "#e6f0fa", "end": "#e6f0fa", "handover": "#edf7ed"}.get(s.kind, "#ffffff")
        width = 1.6 if s.kind in ("start", "end") else 1.0
        if level:
            fill, width = level[0], level[1]
        o.append(f'<rect class="shape" x="{_n(cx - hw)}" y="{_n(top)}" width="{_n(2 * hw)}" height="{_n(h)}" '
                 f'rx="{_n(rx)}" fill="{fill}" stroke="#222" stroke-width="{_n(width)}"{dash}/>')
        if s.kind == "handover":  # the "predefined process" mark: a bar inside each side
            for x in (cx - hw + 4, cx + hw - 4):
                o.append(f'<line class="mark" x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(top + h)}" '
                         f'stroke="#222" stroke-width="0.8"/>')
    text_h = box.text_h
    y = top + (h - text_h) / 2
    o.append(_text(box.name, cx, y, box.name_pt, cls="node-text"))
    y += tm.block_height(len(box.name), box.name_pt)
    if box.duration:
        y += 3
        o.append(_text(box.duration, cx, y, DURATION_PT, cls="node-text duration"))
        y += tm.block_height(len(box.duration), DURATION_PT)
    if box.note:
        y += 3
        o.append(_text(box.note, cx, y, NOTE_PT, cls="node-text note"))
    o.append("</g>")
    return "".join(o)


# --------------------------------------------------------------------------- interaction map


@dataclass(frozen=True, slots=True)
class MapNode:
    id: str
    label: str
    kind: str  # management | core | support
    links: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class MapEdge:
    """``source`` sends ``what`` to ``target``; ``directed`` False for the old undirected form."""

    source: str
    target: str
    what: str = ""
    directed: bool = True


_KIND_ORDER = ("management", "core", "support")
_KIND_FILL = {"management": "#fbeeee", "core": "#e9f1fa", "support": "#eef7ee", "other": "#f4f4f4"}
#: A drawn map carries at most this many interactions; past it (or when the text would have to
#: shrink under 7 pt to fit a page) the manual gives tables instead
MAX_MAP_EDGES = 40
MAX_MAP_SHEETS = 3
_MAP_PT = 8.0
_CUST_W = 88.0
_MAP_TRACK = 5.0
_MAP_PORT = 5.0


def map_edges(nodes: Sequence[MapNode], edges: Sequence[MapEdge] | None = None) -> list[MapEdge]:
    """The distinct drawable edges: both ends known, no self-loops, one edge per ordered pair (an
    undirected pair once)."""
    ids = {n.id for n in nodes}
    if edges is None:
        edges = [MapEdge(n.id, m, "", False) for n in nodes for m in n.links]
    seen: set[tuple[str, str]] = set()
    out: list[MapEdge] = []
    for e in edges:
        if e.source not in ids or e.target not in ids or e.source == e.target:
            continue
        key = (e.source, e.target) if e.directed else (min(e.source, e.target), max(e.source, e.target))
        if key in seen or (not e.directed and (e.target, e.source) in seen):
            continue
        seen.add(key)
        out.append(e)
    return out


def _ordered(nodes: Sequence[MapNode]) -> list[MapNode]:
    return sorted(nodes, key=lambda n: (_KIND_ORDER.index(n.kind) if n.kind in _KIND_ORDER else 9, n.id))


@dataclass(slots=True)
class _MapRow:
    node: MapNode
    id_line: list[str]
    title: list[str]
    ports: list[tuple[int, bool]]  # (edge index, out)
    top: float = 0.0
    height: float = 0.0


def interaction_map(nodes: Sequence[MapNode], band_labels: Mapping[str, str], *,
                    edges: Sequence[MapEdge] | None = None, lang: str = "en",
                    customer: bool = True) -> list[str]:
    """The processes in management / core / support bands, each interaction a directed line of its
    own (arrowhead at the receiving process), the customer's requirements in and satisfaction out.

    A sheet carries at most :data:`MAX_MAP_EDGES` interactions: more are spread over up to
    :data:`MAX_MAP_SHEETS` sheets, each showing every process and the interactions sent by some of
    them. Returns no sheet when the map cannot stay readable (more sheets than that, the processes
    do not fit a page, or text would fall under 7 pt): the caller then gives tables."""
    ordered = _ordered(nodes)
    if not ordered:
        return []
    drawn = map_edges(ordered, edges)
    order = {n.id: i for i, n in enumerate(ordered)}
    drawn.sort(key=lambda e: (order[e.source], order[e.target]))
    by_sender = [[e for e in drawn if e.source == source] for source in dict.fromkeys(e.source for e in drawn)]
    if any(len(sent) > MAX_MAP_EDGES for sent in by_sender):
        return []
    # Fill the sheets in turn; when a sheet then runs past its page (long titles wrap over more lines,
    # many ports make a box taller), spread the same interactions evenly over one more sheet, so fewer
    # ports per box: a long process title never turns the map into tables while sheets remain.
    first = _pack(by_sender, MAX_MAP_EDGES)
    tries = [first] + [_even(by_sender, n) for n in range(len(first), MAX_MAP_SHEETS + 1)]
    for k, groups in enumerate(tries):
        if len(groups) > MAX_MAP_SHEETS or groups in tries[:k]:
            continue
        sheets = _map_sheets(ordered, groups, band_labels, lang, customer)
        if sheets:
            return sheets
    return []


def _pack(by_sender: list[list[MapEdge]], cap: int) -> list[list[MapEdge]]:
    """The senders' interactions in order, a new sheet each time the next sender's would pass ``cap``."""
    groups: list[list[MapEdge]] = [[]]
    for sent in by_sender:
        if groups[-1] and len(groups[-1]) + len(sent) > cap:
            groups.append([])
        groups[-1].extend(sent)
    return groups


def _even(by_sender: list[list[MapEdge]], n: int) -> list[list[MapEdge]]:
    """The senders' interactions in order on at most ``n`` sheets, the fullest sheet as light as it can be."""
    cap = max((len(sent) for sent in by_sender), default=0)
    while len(_pack(by_sender, cap)) > n:
        cap += 1
    return _pack(by_sender, cap)


def _map_sheets(ordered: list[MapNode], groups: list[list[MapEdge]], band_labels: Mapping[str, str], lang: str,
                customer: bool) -> list[str]:
    sheets: list[str] = []
    for k, group in enumerate(groups):
        caption = ""
        if len(groups) > 1:
            senders = list(dict.fromkeys(e.source for e in group))
            caption = translate(N_("Sheet {k} of {n}: the interactions sent by {first} to {last}"), lang).format(
                k=k + 1, n=len(groups), first=senders[0], last=senders[-1])
        sheet = _map_sheet(ordered, group, band_labels, lang, customer, caption)
        if sheet is None:
            return []
        sheets.append(sheet)
    return sheets


def _map_sheet(ordered: list[MapNode], drawn: list[MapEdge], band_labels: Mapping[str, str], lang: str,
               customer: bool, caption: str) -> str | None:
    width = PORTRAIT_WIDTH
    row_index = {n.id: i for i, n in enumerate(ordered)}
    spans = [(float(min(row_index[e.source], row_index[e.target])), float(max(row_index[e.source], row_index[e.target])))
             for e in drawn]
    n_tracks = (max(_nested_tracks(spans)) + 1) if spans else 0
    channel_x = width - (n_tracks * _MAP_TRACK + 8 if n_tracks else 4)
    band_x = (_CUST_W + 16) if customer else 4.0
    box_x, box_r = band_x + 6, channel_x - 14
    if box_r - box_x < 120:
        return None
    id_w = max(tm.text_width(n.id, _MAP_PT, True) for n in ordered) + 8
    inner = box_r - box_x - 10 - id_w
    if inner < 60:
        return None
    rows: list[_MapRow] = []
    for n in ordered:
        ports = [(k, True) for k, e in enumerate(drawn) if e.source == n.id] + \
                [(k, False) for k, e in enumerate(drawn) if e.target == n.id]
        ports.sort(key=lambda p: (row_index[drawn[p[0]].target if p[1] else drawn[p[0]].source], p[1], p[0]))
        rows.append(_MapRow(n, [n.id], wrap(n.label, inner, _MAP_PT), ports))
    cust_lines = (wrap(translate(N_("Customer requirements (4.4)"), lang), _CUST_W - 10, _MAP_PT, True),
                  wrap(translate(N_("Customer satisfaction (9.1.2)"), lang), _CUST_W - 10, _MAP_PT, True))
    cust_h = [tm.block_height(len(lines), _MAP_PT, True) + 10 for lines in cust_lines]
    # vertical layout: the caption, then bands, each a header and its processes
    caption_lines = wrap(caption, width - 12, _MAP_PT, True) if caption else []
    y = 6.0 + (tm.block_height(len(caption_lines), _MAP_PT, True) + 6 if caption_lines else 0)
    bands: list[tuple[str, float, float, list[str]]] = []  # kind, top, bottom, header lines
    kinds = [k for k in (*_KIND_ORDER, "other") if any((n.kind if n.kind in _KIND_ORDER else "other") == k
                                                      for n in ordered)]
    for kind in kinds:
        members = [r for r in rows if (r.node.kind if r.node.kind in _KIND_ORDER else "other") == kind]
        header = wrap(band_labels.get(kind, kind), box_r - box_x, _MAP_PT + 0.5, True)
        top = y
        y += tm.block_height(len(header), _MAP_PT + 0.5, True) + 6
        for r in members:
            text_h = max(tm.block_height(1, _MAP_PT, True), tm.block_height(len(r.title), _MAP_PT))
            r.height = max(text_h + 5, len(r.ports) * _MAP_PORT + 2)
            r.top = y
            y += r.height + 3
        if customer and kind == "core":
            y = max(y, top + cust_h[0] + cust_h[1] + 24)
        bands.append((kind, top, y, header))
        y += 8
    legend_top = y + 2
    directed_any = any(e.directed for e in drawn)
    undirected_any = any(not e.directed for e in drawn)
    legend: list[tuple[bool, list[str]]] = []
    if directed_any or not drawn:
        legend.append((True, wrap(translate(N_("sends to: from the dot at the process that sends to the arrowhead "
                                               "at the process that receives"), lang),
                                  width - 60, LABEL_PT)))
    if undirected_any:
        legend.append((False, wrap(translate(N_("interacts with (direction not yet given)"), lang), width - 60,
                                   LABEL_PT)))
    y = legend_top
    legend_rows: list[tuple[bool, list[str], float]] = []
    for directed, lines in legend:
        legend_rows.append((directed, lines, y))
        y += tm.block_height(len(lines), LABEL_PT) + 4
    height = y + 4
    if height > PORTRAIT_HEIGHT:
        return None
    o: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="process-map" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img">',
        _title_desc(translate(N_("Interaction of the processes"), lang),
                    translate(N_("{n} processes in bands; {m} interactions, each a line from the process that sends to "
                                 "the process that receives (arrowhead)."), lang).format(n=len(ordered), m=len(drawn))),
        f'<rect class="frame" x="0.5" y="0.5" width="{_n(width - 1)}" height="{_n(height - 1)}" fill="none" '
        f'stroke="#8a96a3" stroke-width="0.5"/>',
    ]
    if caption_lines:
        o.append(_text(caption_lines, 6, 6, _MAP_PT, bold=True, anchor="start", cls="band-text"))
    for kind, top, bottom, header in bands:
        pattern = {"management": "", "core": ' stroke-dasharray="0"', "support": ' stroke-dasharray="3 2"'}.get(kind, "")
        o.append(f'<rect class="band" x="{_n(band_x)}" y="{_n(top)}" width="{_n(channel_x - 4 - band_x)}" '
                 f'height="{_n(bottom - top)}" fill="{_KIND_FILL.get(kind, "#f4f4f4")}" stroke="#555" '
                 f'stroke-width="{_n(1.2 if kind == "core" else 0.6)}"{pattern} rx="3"/>')
        o.append(_text(header, box_x, top + 4, _MAP_PT + 0.5, bold=True, anchor="start", cls="band-text"))
    # edges: own ports and tracks
    port_y: dict[tuple[int, bool], float] = {}
    for r in rows:
        start = r.top + (r.height - (len(r.ports) - 1) * _MAP_PORT) / 2
        for j, p in enumerate(r.ports):
            port_y[p] = start + j * _MAP_PORT
    e_spans = [(min(port_y[(k, True)], port_y[(k, False)]) - 1.5, max(port_y[(k, True)], port_y[(k, False)]) + 1.5)
               for k in range(len(drawn))]
    tracks = _nested_tracks(e_spans)
    if tracks and max(tracks) >= n_tracks:  # never wider than planned: greedy colouring is optimal
        tracks = _tracks(e_spans)
    for k, e in enumerate(drawn):
        tx = channel_x + 4 + tracks[k] * _MAP_TRACK
        y1, y2 = port_y[(k, True)], port_y[(k, False)]
        o.append(_polyline([(box_r, y1), (tx, y1), (tx, y2), (box_r, y2)], width=0.8))
        o.append(f'<circle class="port" cx="{_n(box_r + 1.2)}" cy="{_n(y1)}" r="1.2" fill="#222"/>')
        if e.directed:
            o.append(_arrow_head(box_r, y2, "left", 2.2))
        else:
            o.append(_arrow_head(box_r, y2, "left", 2.2).replace('fill="#222"', 'fill="#fff" stroke="#222" '
                                                              'stroke-width="0.6"'))
    for r in rows:
        o.append(f'<g class="node" data-process="{_e(r.node.id)}"><rect class="shape" x="{_n(box_x)}" '
                 f'y="{_n(r.top)}" width="{_n(box_r - box_x)}" height="{_n(r.height)}" rx="2" fill="#fff" '
                 f'stroke="#1f2f3f" stroke-width="0.9"/>')
        title_h = tm.block_height(len(r.title), _MAP_PT)
        o.append(_text(r.id_line, box_x + 4, r.top + (r.height - title_h) / 2, _MAP_PT, bold=True, anchor="start",
                       cls="node-text"))
        o.append(_text(r.title, box_x + 4 + id_w, r.top + (r.height - title_h) / 2, _MAP_PT,
                       anchor="start", cls="node-text") + "</g>")
    if customer:
        core = next(((top, bottom) for kind, top, bottom, _h in bands if kind == "core"), None)
        top, bottom = core if core is not None else (bands[0][1], bands[-1][2])
        req_top = top + 6
        sat_top = max(bottom - 6 - cust_h[1], req_top + cust_h[0] + 8)
        for lines, btop, h in ((cust_lines[0], req_top, cust_h[0]), (cust_lines[1], sat_top, cust_h[1])):
            o.append(f'<g class="node customer"><rect class="shape" x="4" y="{_n(btop)}" width="{_n(_CUST_W)}" '
                     f'height="{_n(h)}" rx="9" fill="#fff" stroke="#222" stroke-width="1.4"/>')
            o.append(_text(lines, 4 + _CUST_W / 2, btop + 5, _MAP_PT, bold=True, cls="node-text") + "</g>")
        ry, sy = req_top + cust_h[0] / 2, sat_top + cust_h[1] / 2
        o.append(_polyline([(4 + _CUST_W, ry), (band_x, ry)], width=1.4))
        o.append(_arrow_head(band_x, ry, "right"))
        o.append(_polyline([(band_x, sy), (4 + _CUST_W, sy)], width=1.4))
        o.append(_arrow_head(4 + _CUST_W, sy, "left"))
    for directed, lines, ly in legend_rows:
        mid = ly + tm.block_height(1, LABEL_PT) / 2
        o.append(_polyline([(10, mid), (40, mid)], width=0.8))
        o.append(f'<circle class="port" cx="{_n(10 - 1.2)}" cy="{_n(mid)}" r="1.2" fill="#222"/>')
        head = _arrow_head(40, mid, "right", 2.2)
        o.append(head if directed else head.replace('fill="#222"', 'fill="#fff" stroke="#222" stroke-width="0.6"'))
        o.append(_text(lines, 48, ly, LABEL_PT, anchor="start", cls="legend-text"))
    o.append("</svg>")
    return "".join(o)
