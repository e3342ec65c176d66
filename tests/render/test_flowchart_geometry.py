"""Issue 13 items 2 and 3: the flowcharts and the interaction map are geometrically clean.

Over every example procedure (the root organisation and ``examples/``) in both languages and a
generated stress set (1 to 10 lanes, 40 steps, 150-character names, decisions with 4 branches,
loops back), on the SVG as rendered:

* no two text blocks overlap, and no text falls outside its box (box, diamond, connector, lane header);
* no line crosses a box or a text (a line may only end on the boxes it joins);
* no two edges share a segment;
* no line leaves the frame;
* no text is smaller than 7 pt.

Text is measured here with the bundled font's own advance widths and vertical metrics, read with
fontTools in this file: the layout's estimate is never consulted.
"""

from __future__ import annotations

import io
import itertools
import random
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from qms.render.svg import FlowStep, Lane, MapEdge, MapNode, interaction_map, swimlane

ROOT = Path(__file__).resolve().parents[2]
NS = "{http://www.w3.org/2000/svg}"
EPS = 0.35  # points: rounding of coordinates in the SVG


# ----------------------------------------------------------------------------- independent metrics


@cache
def _font(bold: bool) -> tuple[dict[int, int], int, float, float, float]:
    from fontTools.ttLib import TTFont

    from qms.render.assets import asset_bytes

    font = TTFont(io.BytesIO(asset_bytes("fonts/NotoSans-Bold.ttf" if bold else "fonts/NotoSans-Regular.ttf", None)))
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    widths = {code: hmtx[name][0] for code, name in cmap.items()}
    upm = float(font["head"].unitsPerEm)
    return widths, hmtx[".notdef"][0], upm, font["hhea"].ascent / upm, -font["hhea"].descent / upm


def measure(text: str, size: float, bold: bool) -> float:
    widths, notdef, upm, _a, _d = _font(bold)
    return sum(widths.get(ord(c), notdef) for c in text) * size / upm


# ----------------------------------------------------------------------------- geometry


Point = tuple[float, float]


@dataclass
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Rect, slack: float = EPS) -> bool:
        return (min(self.x1, other.x1) - max(self.x0, other.x0) > slack
                and min(self.y1, other.y1) - max(self.y0, other.y0) > slack)

    def corners(self) -> list[Point]:
        return [(self.x0, self.y0), (self.x1, self.y0), (self.x1, self.y1), (self.x0, self.y1)]

    def polygon(self) -> list[Point]:
        return self.corners()


@dataclass
class Text:
    lines: list[Rect]
    size: float
    content: str
    container: list[Point] | None  # the polygon of its box, or None for a free label

    @property
    def bbox(self) -> Rect:
        return Rect(min(r.x0 for r in self.lines), min(r.y0 for r in self.lines),
                    max(r.x1 for r in self.lines), max(r.y1 for r in self.lines))


@dataclass
class Drawing:
    frame: Rect
    shapes: list[tuple[str, list[Point]]]
    texts: list[Text]
    edges: list[list[Point]]


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.replace(",", " ").split()]


def _shape_polygon(el: ET.Element) -> list[Point]:
    tag = el.tag.removeprefix(NS)
    if tag == "rect":
        x, y, w, h = (float(el.get(k, "0")) for k in ("x", "y", "width", "height"))
        return Rect(x, y, x + w, y + h).polygon()
    if tag == "polygon":
        v = _floats(el.get("points", ""))
        return list(zip(v[::2], v[1::2], strict=True))
    if tag == "circle":  # the inscribed octagon: a line that misses it misses the circle's core
        import math

        cx, cy, r = float(el.get("cx", "0")), float(el.get("cy", "0")), float(el.get("r", "0"))
        return [(cx + r * 0.92 * math.cos(k * math.pi / 4), cy + r * 0.92 * math.sin(k * math.pi / 4))
                for k in range(8)]
    raise AssertionError(f"unexpected shape {tag}")


def _text(el: ET.Element, container: list[Point] | None) -> Text:
    size = float(el.get("font-size", "0"))
    bold = el.get("font-weight") == "bold"
    anchor = el.get("text-anchor", "start")
    _w, _n, _u, asc, desc = _font(bold)
    lines: list[Rect] = []
    content: list[str] = []
    for span in el.iter(f"{NS}tspan"):
        s = span.text or ""
        x, y = float(span.get("x", "0")), float(span.get("y", "0"))
        w = measure(s, size, bold)
        x0 = x - w / 2 if anchor == "middle" else (x - w if anchor == "end" else x)
        lines.append(Rect(x0, y - asc * size, x0 + w, y + desc * size))
        content.append(s)
    assert lines, "a text element without lines"
    return Text(lines, size, " ".join(content), container)


def parse(svg: str) -> Drawing:
    root = ET.fromstring(svg)
    frame: Rect | None = None
    shapes: list[tuple[str, list[Point]]] = []
    texts: list[Text] = []
    edges: list[list[Point]] = []
    for el in root.iter():
        cls = (el.get("class") or "").split()
        tag = el.tag.removeprefix(NS)
        if tag == "rect" and "frame" in cls:
            frame = Rect(*(float(el.get(k, "0")) for k in ("x", "y")), 0, 0)
            frame.x1 = frame.x0 + float(el.get("width", "0"))
            frame.y1 = frame.y0 + float(el.get("height", "0"))
        if tag == "g" and ({"node", "connector", "lane-header"} & set(cls)):
            shape = next(c for c in el if "shape" in (c.get("class") or ""))
            poly = _shape_polygon(shape)
            shapes.append((" ".join(cls), poly))
            texts.extend(_text(t, poly) for t in el.iter(f"{NS}text"))
        elif tag == "text" and ({"label", "legend-text", "band-text"} & set(cls)):
            texts.append(_text(el, None))
        elif tag == "polyline" and "edge" in cls:
            v = _floats(el.get("points", ""))
            edges.append(list(zip(v[::2], v[1::2], strict=True)))
    assert frame is not None, "no frame"
    return Drawing(frame, shapes, texts, edges)


def _inside_convex(poly: list[Point], p: Point, slack: float) -> bool:
    """``p`` inside the convex polygon ``poly`` (either winding), allowing ``slack`` points outside."""
    import math

    sign = 0.0
    n = len(poly)
    area = sum(poly[i][0] * poly[(i + 1) % n][1] - poly[(i + 1) % n][0] * poly[i][1] for i in range(n))
    sign = 1.0 if area > 0 else -1.0
    for i in range(n):
        (ax, ay), (bx, by) = poly[i], poly[(i + 1) % n]
        cross = (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax)
        if sign * cross / math.hypot(bx - ax, by - ay) < -slack:
            return False
    return True


def _clip_length(poly: list[Point], a: Point, b: Point, inset: float) -> float:
    """Length of segment ab inside the convex polygon shrunk by ``inset`` (Cyrus-Beck)."""
    import math

    n = len(poly)
    area = sum(poly[i][0] * poly[(i + 1) % n][1] - poly[(i + 1) % n][0] * poly[i][1] for i in range(n))
    sign = 1.0 if area > 0 else -1.0
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for i in range(n):
        (ax, ay), (bx, by) = poly[i], poly[(i + 1) % n]
        ex, ey = bx - ax, by - ay
        length = math.hypot(ex, ey)
        # inward normal (sign makes it point inside)
        nx, ny = -ey * sign / length, ex * sign / length
        # inside: n . (p - a) >= inset
        num = nx * (a[0] - ax) + ny * (a[1] - ay) - inset
        den = nx * dx + ny * dy
        if abs(den) < 1e-12:
            if num < 0:
                return 0.0
            continue
        t = -num / den
        if den > 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 >= t1:
            return 0.0
    return (t1 - t0) * math.hypot(dx, dy)


def _segments(edge: list[Point]) -> Iterator[tuple[Point, Point]]:
    for a, b in itertools.pairwise(edge):
        if a != b:
            yield a, b


def _shared(s1: tuple[Point, Point], s2: tuple[Point, Point]) -> float:
    """Length two axis-parallel segments share (0 unless collinear and overlapping)."""
    (a, b), (c, d) = s1, s2
    if abs(a[0] - b[0]) < 1e-6 and abs(c[0] - d[0]) < 1e-6 and abs(a[0] - c[0]) < 0.5:
        return min(max(a[1], b[1]), max(c[1], d[1])) - max(min(a[1], b[1]), min(c[1], d[1]))
    if abs(a[1] - b[1]) < 1e-6 and abs(c[1] - d[1]) < 1e-6 and abs(a[1] - c[1]) < 0.5:
        return min(max(a[0], b[0]), max(c[0], d[0])) - max(min(a[0], b[0]), min(c[0], d[0]))
    return 0.0


def lane_problems(svg: str) -> list[str]:
    """A flowchart's columns are its named lanes: every full-height column (a rect from the top to the
    bottom of the frame, whatever its class) lies under a lane header with a name, and the named
    headers cover the frame's width with no gap, so no empty, unlabelled lane is drawn."""
    root = ET.fromstring(svg)
    if "flowchart" not in (root.get("class") or "").split():
        return []
    d = parse(svg)
    f = d.frame
    headers: list[tuple[float, float]] = []
    for g in root.iter(f"{NS}g"):
        if "lane-header" in (g.get("class") or "").split():
            rect = next(c for c in g if c.tag == f"{NS}rect")
            x0 = float(rect.get("x", "0"))
            name = "".join("".join(t.itertext()) for t in g.iter(f"{NS}text")).strip()
            if name:
                headers.append((x0, x0 + float(rect.get("width", "0"))))
    out: list[str] = []
    height = float(root.get("height", "0"))
    for el in root.iter(f"{NS}rect"):
        if "frame" in (el.get("class") or "").split():
            continue
        x0, y0 = float(el.get("x", "0")), float(el.get("y", "0"))
        x1, h = x0 + float(el.get("width", "0")), float(el.get("height", "0"))
        if y0 <= EPS and h >= height - 2 and not any(a - EPS <= x0 and x1 <= b + EPS for a, b in headers):
            out.append(f"an unlabelled lane column from x={x0:.1f} to {x1:.1f}")
    edge = f.x0
    for a, b in sorted(headers):
        if a > edge + 1.5:
            out.append(f"an unlabelled lane column from x={edge:.1f} to {a:.1f}")
        edge = max(edge, b)
    if headers and edge < f.x1 - 1.5:
        out.append(f"an unlabelled lane column from x={edge:.1f} to {f.x1:.1f}")
    return out


def problems(svg: str) -> list[str]:
    d = parse(svg)
    out: list[str] = lane_problems(svg)
    f = d.frame
    for t in d.texts:
        if t.size < 7.0:
            out.append(f"text under 7 pt: {t.content!r} at {t.size}")
        for line in t.lines:
            if t.container is not None:
                if not all(_inside_convex(t.container, c, EPS) for c in line.corners()):
                    out.append(f"text outside its box: {t.content!r}")
                    break
            elif not all(f.x0 - EPS <= x <= f.x1 + EPS and f.y0 - EPS <= y <= f.y1 + EPS for x, y in line.corners()):
                out.append(f"label outside the frame: {t.content!r}")
                break
    for i, a in enumerate(d.texts):
        for b in d.texts[i + 1:]:
            if any(la.overlaps(lb) for la in a.lines for lb in b.lines):
                out.append(f"texts overlap: {a.content!r} / {b.content!r}")
        if a.container is None:
            for cls, poly in d.shapes:
                for line in a.lines:
                    if any(_clip_length(poly, p, q, 0.5) > EPS for p, q in
                           zip(line.corners(), line.corners()[1:] + line.corners()[:1], strict=True)) or \
                            _inside_convex(poly, ((line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2), -0.5):
                        out.append(f"label {a.content!r} over a box ({cls})")
                        break
    segs = [(k, s) for k, e in enumerate(d.edges) for s in _segments(e)]
    for _k, (p, q) in segs:
        for x, y in (p, q):
            if not (f.x0 - EPS <= x <= f.x1 + EPS and f.y0 - EPS <= y <= f.y1 + EPS):
                out.append(f"line leaves the frame at ({x}, {y})")
        for cls, poly in d.shapes:
            if "lane-header" in cls:
                continue  # headers are checked as texts below
            if _clip_length(poly, p, q, 0.6) > EPS:
                out.append(f"line {p}-{q} crosses a box ({cls})")
        for t in d.texts:
            for line in t.lines:
                shrunk = Rect(line.x0 + 0.3, line.y0 + 0.3, line.x1 - 0.3, line.y1 - 0.3)
                if shrunk.x1 > shrunk.x0 and shrunk.y1 > shrunk.y0 and _clip_length(shrunk.polygon(), p, q, 0) > EPS:
                    out.append(f"line {p}-{q} crosses the text {t.content!r}")
                    break
    for i, (k1, s1) in enumerate(segs):
        for k2, s2 in segs[i + 1:]:
            if k1 != k2 and _shared(s1, s2) > 0.5:
                out.append(f"edges {k1} and {k2} share the segment {s1} / {s2}")
    return out


# ----------------------------------------------------------------------------- inputs


def _example_flowcharts() -> Iterator[tuple[str, str]]:
    from qms.render.viewmodels import procedure_view
    from qms.store.workspace import load_workspace

    for root in (ROOT, ROOT / "examples" / "iso2008-city"):
        ws = load_workspace(root)
        manifest = ws.manifest
        assert manifest is not None
        for doc, proc in ws.processes():
            for lang in ("vi", "en"):
                view = procedure_view(proc, manifest, lang, str(doc.path))
                for k, sheet in enumerate(view.flowchart):
                    yield f"{proc.id}/{lang}/sheet {k + 1}", str(sheet)


_WORDS = ("tiếp nhận", "hồ sơ", "thẩm định", "phê duyệt", "đăng ký", "khai sinh", "chứng thực", "bản sao",
          "trả kết quả", "theo", "NĐ 123/2015/NĐ-CP", "QT-CT-01", "kiểm tra", "điều kiện", "Ủy ban nhân dân",
          "phường", "công chức", "địa chính", "xây dựng", "BM-02")


def _name(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while len(" ".join(words)) < length:
        words.append(rng.choice(_WORDS))
    return " ".join(words)[:length].strip()


def stress_steps(n_lanes: int, n_steps: int = 40, seed: int = 0) -> tuple[list[FlowStep], list[Lane]]:
    rng = random.Random(seed * 100 + n_lanes)
    lanes = [Lane(f"L{i}", _name(rng, 60 if i % 3 == 0 else 20)) for i in range(n_lanes)]
    steps: list[FlowStep] = []
    for i in range(n_steps):
        sid = f"S{i + 1}"
        kind = "start" if i == 0 else ("end" if i == n_steps - 1 else ("decision" if i % 4 == 2 else "task"))
        exits: tuple[tuple[str, str], ...] = ()
        if kind == "decision":
            targets = [i + 1, min(i + 2 + rng.randrange(6), n_steps - 1), max(i - 1 - rng.randrange(8), 0),
                       n_steps - 1]
            exits = tuple((f"S{t + 1}", _name(rng, rng.choice((4, 18, 40)))) for t in dict.fromkeys(targets))
        elif kind != "end":
            exits = ((f"S{i + 2}", ""),)
            if i % 7 == 5:
                exits += ((f"S{max(i - 4, 1)}", ""),)  # a loop back without a label
        kind = "handover" if kind == "task" and i % 9 == 4 else kind
        steps.append(FlowStep(sid, i + 1, _name(rng, 150 if i % 3 else rng.randrange(5, 60)), kind,
                              f"L{rng.randrange(n_lanes)}", "15 ngày làm việc" if i % 2 else "", exits))
    return steps, lanes


# ----------------------------------------------------------------------------- tests


def test_every_example_flowchart_is_clean() -> None:
    """Item 2: every example procedure's flowchart, in both languages, passes the geometry checks."""
    seen = 0
    for name, sheet in _example_flowcharts():
        seen += 1
        found = problems(sheet)
        assert not found, f"{name}:\n" + "\n".join(found[:20])
    assert seen >= 20


def test_no_word_of_an_example_step_name_is_cut() -> None:
    """Item 2: a step's name is wrapped between words; a word is never cut in two (a narrow diamond
    widens for its longest word: "Is the dossier complete?" once printed "comple" / "te?"); prose may
    break after a hyphen between two letters ("sub-" / "department"), a code never does."""
    from qms.render.viewmodels import procedure_view
    from qms.render.viewmodels import t as text_of
    from qms.store.workspace import load_workspace

    checked = 0
    for root in (ROOT, ROOT / "examples" / "iso2008-city"):
        ws = load_workspace(root)
        assert ws.manifest is not None
        for doc, proc in ws.processes():
            for lang in ("vi", "en"):
                view = procedure_view(proc, ws.manifest, lang, str(doc.path))
                printed: set[str] = set()
                for sheet in view.flowchart:
                    for el in ET.fromstring(str(sheet)).iter("{http://www.w3.org/2000/svg}text"):
                        joined = ""  # a line ending in a hyphen ("sub-") goes on with the next line's word
                        for line in el.iter("{http://www.w3.org/2000/svg}tspan"):
                            joined += (line.text or "") if joined.endswith("-") else " " + (line.text or "")
                        printed.update(joined.split())
                for step in proc.steps:
                    missing = [w for w in text_of(step.name, lang).split() if w not in printed]
                    assert not missing, f"{proc.id}/{lang} step {step.id}: cut words {missing}"
                    checked += 1
    assert checked > 200


@pytest.mark.parametrize("n_lanes", range(1, 11))
def test_stress_flowcharts_are_clean(n_lanes: int) -> None:
    """Item 2: 40 steps, 150-character names, 4-branch decisions and loops back, on 1 to 10 lanes."""
    steps, lanes = stress_steps(n_lanes)
    notes = {s.id: "Ghi chú: " + s.label[:50] for s in steps[::5]}
    sheets = swimlane("QT-STRESS-01", steps, lanes, lang="vi", annotations=notes)
    assert len(sheets) >= 2
    for k, sheet in enumerate(sheets):
        found = problems(sheet)
        assert not found, f"{n_lanes} lanes, sheet {k + 1}:\n" + "\n".join(found[:20])
        root = ET.fromstring(sheet)
        # one sheet per page: past six lanes the page is landscape, and the sheet fits under the heading
        wide = root.get("data-orientation") == "landscape"
        assert wide == (n_lanes > 6)
        assert float(root.get("height", "0")) <= (410 if wide else 655)
        assert float(root.get("width", "0")) == (728 if wide else 481)
        assert root.find(f"{NS}title") is not None and root.find(f"{NS}desc") is not None
    # every step appears with its whole name, wrapped but never cut
    text = " ".join(" ".join(t.content for t in parse(s).texts) for s in sheets)
    assert "…" not in text
    for s in steps:
        assert f"{s.number}." in text
    # off-page connectors pair: each letter appears exactly twice over the sheets
    letters: dict[str, int] = {}
    for sheet in sheets:
        for g in ET.fromstring(sheet).iter(f"{NS}g"):
            if g.get("class") == "connector":
                letter = "".join(g.itertext()).split(":")[0].split()[-1]
                letters[letter] = letters.get(letter, 0) + 1
    assert letters and all(v == 2 for v in letters.values()), letters


#: A role title with no space in it (hostile input): 190 characters that can only break between letters
NO_SPACE = "CôngchứcĐịachínhXâydựngĐôthịvàMôitrườngphụtráchtiếpnhậnhồsơđấtđaiKinhtếHạtầngvàĐôthịphường" * 2


@pytest.mark.parametrize("n_lanes", [7, 12])
def test_a_300_character_step_name_fits_a_page(n_lanes: int) -> None:
    """Hostile input: step names of 300 characters and a lane named by a word of 190 letters with no space,
    on 7 and 12 lanes (landscape). The box of such a step once grew taller than the page, so WeasyPrint cut
    it at the page's foot (and left the "Lưu đồ" heading alone on the page before). Now every sheet fits
    its page, the geometry stays clean and every word of the names is printed."""
    from dataclasses import replace

    steps, lanes = stress_steps(n_lanes, n_steps=14, seed=7)
    rng = random.Random(n_lanes)
    for k in (0, 4, 7, n_lanes % 5 + 8):
        steps[k] = replace(steps[k], label=_name(rng, 300))
    lanes[-1] = Lane(lanes[-1].key, NO_SPACE)
    lanes[1] = Lane(lanes[1].key, _name(rng, 120))
    sheets = swimlane("QT-STRESS-02", steps, lanes, lang="vi")
    text = " ".join(" ".join(t.content for t in parse(s).texts) for s in sheets)
    for k, sheet in enumerate(sheets):
        found = problems(sheet)
        assert not found, f"sheet {k + 1}:\n" + "\n".join(found[:20])
        assert float(ET.fromstring(sheet).get("height", "0")) <= 410, f"sheet {k + 1} is taller than the page"
    for s in steps:
        missing = [w for w in s.label.split() if w not in text]
        assert not missing, (s.number, missing)


def test_a_step_too_long_for_any_page_is_a_clear_error() -> None:
    """Hostile input: a step name no page can hold (5,000 characters), or lane names taking three quarters of a page,
    are refused with the step or the lane and a hint, not printed cut at the page's foot."""
    from dataclasses import replace

    from qms.errors import QmsError

    steps, lanes = stress_steps(12, n_steps=6, seed=1)
    steps[2] = replace(steps[2], label=_name(random.Random(5), 5000))
    with pytest.raises(QmsError) as caught:
        swimlane("QT-STRESS-03", steps, lanes, lang="en")
    assert steps[2].id in str(caught.value) and "QT-STRESS-03" in str(caught.value)
    assert caught.value.hint
    # lane names that alone take more than half a page leave no room for the steps: the lane is named
    steps, lanes = stress_steps(12, n_steps=6, seed=1)
    lanes[3] = Lane(lanes[3].key, "Vai trò " + NO_SPACE * 3)
    with pytest.raises(QmsError, match="Vai trò") as caught:
        swimlane("QT-STRESS-03", steps, lanes, lang="en")
    assert caught.value.hint


def test_the_checker_is_not_vacuous() -> None:
    """The checks fail on what they must catch: overlapping text, a line across a box, a shared segment,
    a line out of the frame, text outside its box, text under 7 pt."""
    head = '<svg xmlns="http://www.w3.org/2000/svg"><rect class="frame" x="0" y="0" width="200" height="200"/>'
    box = ('<g class="node"><rect class="shape" x="10" y="10" width="60" height="30"/>'
           '<text font-size="8" text-anchor="middle"><tspan x="40" y="28">{t}</tspan></text></g>')
    cases = {
        "overlap": head + box.format(t="A") + '<text class="label" font-size="8"><tspan x="38" y="28">B</tspan>'
                   "</text></svg>",
        "crosses a box": head + box.format(t="A") + '<polyline class="edge" points="0,20 100,20"/></svg>',
        "share": head + '<polyline class="edge" points="100,0 100,50"/><polyline class="edge" points="100,40 100,90"/>'
                 "</svg>",
        "leaves": head + '<polyline class="edge" points="100,0 100,250"/></svg>',
        "outside its box": head + box.format(t="a much longer text than the box can hold") + "</svg>",
        "under 7": head + box.replace('font-size="8"', 'font-size="6"').format(t="A") + "</svg>",
        "crosses the text": head + '<text class="label" font-size="8"><tspan x="100" y="100">Label</tspan></text>'
                            '<polyline class="edge" points="110,60 110,140"/></svg>',
        # a named lane, then a full-height column with an empty header (the old routing channel)
        "unlabelled lane": head.replace("<svg ", '<svg class="flowchart" height="200" ')
        + '<rect class="lane" x="0" y="0" width="150" height="200"/>'
        '<g class="lane-header"><rect class="shape" x="0" y="0" width="150" height="20"/>'
        '<text font-size="8" text-anchor="middle"><tspan x="75" y="14">Lane</tspan></text></g>'
        '<rect class="channel" x="150" y="0" width="50" height="200"/></svg>',
    }
    for what, svg in cases.items():
        found = problems(svg)
        assert any(what in p for p in found), (what, found)
    assert measure("W", 10, False) > measure("i", 10, False)  # real metrics, not a character count


def _map_nodes(n: int, per_node: int, seed: int = 1) -> tuple[list[MapNode], list[MapEdge]]:
    rng = random.Random(seed)
    kinds = ("management", "core", "support")
    nodes = [MapNode(f"QT-{i:03d}", _name(rng, 25 + (i * 7) % 40), kinds[i % 3]) for i in range(n)]
    edges = [MapEdge(nodes[i].id, nodes[(i * 7 + k + 1) % n].id, "hồ sơ") for i in range(n) for k in range(per_node)]
    return nodes, edges


BANDS = {"management": "Quá trình quản lý", "core": "Quá trình chính", "support": "Quá trình hỗ trợ"}


def test_the_example_interaction_map_is_clean() -> None:
    """Item 3: the example's map is drawn (17 processes) with directed edges, a legend and the customer."""
    from qms.render.viewmodels import manual_view
    from qms.store.workspace import load_workspace

    ws = load_workspace(ROOT)
    for lang in ("vi", "en"):
        view = manual_view(ws, lang)
        assert view.process_map, f"no map drawn ({lang}): {view.process_map_note}"
        for sheet in view.process_map:
            found = problems(str(sheet))
            assert not found, "\n".join(found[:20])
            assert 'class="arrow"' in str(sheet)
            assert "legend-text" in str(sheet)
            assert ("9.1.2" in str(sheet)) and ("4.4" in str(sheet))


@pytest.mark.parametrize(("n", "per_node"), [(12, 3), (17, 2), (17, 3), (24, 1)])
def test_generated_maps_are_clean(n: int, per_node: int) -> None:
    """Item 3: maps up to 40 edges are drawn and pass the geometry checks."""
    nodes, edges = _map_nodes(n, per_node)
    sheets = interaction_map(nodes, BANDS, edges=edges, lang="vi")
    assert sheets, "a map of at most 40 interactions must be drawn"
    drawn = 0
    for sheet in sheets:
        found = problems(sheet)
        assert not found, "\n".join(found[:20])
        edges_here = len(parse(sheet).edges) - 3  # the customer's two arrows and the legend's sample
        assert edges_here <= 40
        drawn += edges_here
    assert drawn == len({(e.source, e.target) for e in edges if e.source != e.target})  # each once


def test_a_map_past_40_edges_or_240_processes_is_not_drawn() -> None:
    """Item 3: past 40 interactions on a page the map is not drawn (the manual gives tables instead)."""
    nodes, edges = _map_nodes(240, 2)
    assert interaction_map(nodes, BANDS, edges=edges, lang="vi") == []
    nodes, edges = _map_nodes(45, 3)  # 135 interactions: more than three sheets of 40
    assert interaction_map(nodes, BANDS, edges=edges, lang="vi") == []


def test_a_map_that_runs_past_its_page_spreads_over_more_sheets() -> None:
    """21 processes sending 42 interactions: packed 40 + 2, the first sheet ran past its page and the
    whole map became tables. The interactions are now spread evenly over more sheets, each clean."""
    nodes, edges = _map_nodes(21, 2)
    sheets = interaction_map(nodes, BANDS, edges=edges, lang="vi")
    assert 2 <= len(sheets) <= 3
    for sheet in sheets:
        assert not problems(sheet)
        assert float(ET.fromstring(sheet).get("height", "0")) <= 655
        assert len(parse(sheet).edges) - 3 <= 40


#: A real administrative procedure's full name (162 characters) and its English title (149)
LONG_TITLE = {"vi": "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan tổ chức có thẩm quyền của Việt Nam "
                    "cấp hoặc chứng nhận, và chứng thực chữ ký trong các giấy tờ văn bản",
              "en": "Certifying copies from originals of papers and documents issued or certified by competent "
                    "Vietnamese authorities, and certifying signatures on papers"}


def test_a_long_process_title_keeps_the_map_a_drawing(tmp_path: Path) -> None:
    """One process of the example titled with a real procedure's full name (162 characters): the manual
    gave up the interaction map and printed tables. The map is drawn again, the title wrapped whole in its
    box (every word printed, nothing outside the box), in both languages."""
    from example_repo import copy_example

    from qms.render.viewmodels import manual_view
    from qms.store.workspace import load_workspace

    org = copy_example(tmp_path / "org")
    path = org / "processes" / "QT-CT-01.yaml"
    text = path.read_text(encoding="utf-8")
    short = "title: {vi: Chứng thực bản sao từ bản chính, en: Certifying copies from originals}"
    assert short in text
    path.write_text(text.replace(short, f'title: {{vi: "{LONG_TITLE["vi"]}", en: "{LONG_TITLE["en"]}"}}'),
                    encoding="utf-8")
    ws = load_workspace(org)
    for lang in ("vi", "en"):
        view = manual_view(ws, lang)
        assert view.process_map and not view.process_map_note, lang
        for sheet in view.process_map:
            assert not problems(str(sheet)), lang
            node = next(g for g in ET.fromstring(str(sheet)).iter("{http://www.w3.org/2000/svg}g")
                        if g.get("data-process") == "QT-CT-01")
            printed = " ".join(t.text or "" for t in node.iter("{http://www.w3.org/2000/svg}tspan"))
            assert printed.split() == ["QT-CT-01", *LONG_TITLE[lang].split()], lang


def test_the_manual_says_when_the_map_becomes_a_table() -> None:
    """Item 3: when no drawing stays readable the page says so, and the table gives each process's
    "receives from" and "sends to" with what passes."""
    from qms.render import viewmodels as vm

    note = vm._map_note([], 240, 480, "vi")
    assert "240" in note and "40" in note and "7 pt" in note and "quá trình" in note
    assert vm._map_note([], 240, 480, "en").startswith("The 240 processes")
    edges = [vm.InteractionView("A", "a", "B", "b", "hồ sơ", True), vm.InteractionView("C", "c", "A", "a", "", False)]
    receives, sends = vm._relations("A", edges)
    assert sends == ["B: hồ sơ"]
    assert receives == ["↔ C"]


def test_a_lane_title_breaks_after_the_hyphen_of_a_compound_word() -> None:
    """A 9-lane English flowchart (an interconnected procedure) headed a lane "Vice-Chairperso" / "n of the
    Ward PC": the example's role title "Vice-Chairperson of the Ward PC" was cut between letters because the
    hyphen sat before a capital. A compound word of prose breaks after its hyphen ("Vice-" / "Chairperson");
    a code (QT-CT-01, NĐ-CP) still never does."""
    from dataclasses import replace

    from qms.render.textmetrics import wrap

    titles = ["Officer of the public administrative service centre", "Justice and civil-status officer",
              "Deputy Chief of Office (justice and civil status)", "Provincial police",
              "Provincial social insurance", "Chief of Office", "Vice-Chairperson of the Ward PC",
              "Chairperson of the Ward PC", "ISO secretary"]
    lanes = [Lane(f"L{i}", title) for i, title in enumerate(titles)]
    steps = [FlowStep(f"S{i}", i + 1, f"Step {i + 1}", "start" if i == 0 else ("end" if i == 8 else "task"),
                      f"L{i}", "2 h", () if i == 8 else ((f"S{i + 1}", ""),)) for i in range(9)]
    # two loops back (a refused signature, an incomplete dossier) take a channel and narrow the lanes
    steps[7] = replace(steps[7], kind="decision", exits=(("S8", "Yes"), ("S1", "No")))
    steps[6] = replace(steps[6], kind="decision", exits=(("S7", "Yes"), ("S2", "No")))
    sheets = swimlane("QT-ST-01", steps, lanes, lang="en")
    assert not problems(sheets[0])
    headers = [t for t in ET.fromstring(sheets[0]).iter(f"{NS}text") if "Chairperson" in "".join(t.itertext())]
    assert headers
    for el in headers:
        lines = [line.text or "" for line in el.iter(f"{NS}tspan")]
        joined = ""
        for line in lines:
            joined += line if joined.endswith("-") else " " + line
        assert "Chairperson" in joined.split() or "Vice-Chairperson" in joined.split(), lines
    # codes keep their hyphens whole; a capitalised compound breaks after its hyphen only when it must
    assert wrap("QT-CT-01 NĐ-CP", 40, 8) == ["QT-CT-01", "NĐ-CP"]
    assert wrap("Vice-Chairperson", 60, 8) == ["Vice-", "Chairperson"]
    assert wrap("Vice-Chairperson", 200, 8) == ["Vice-Chairperson"]
