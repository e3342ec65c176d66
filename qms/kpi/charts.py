"""Deterministic SVG charts of the on-time rate: monthly lines per group, and bars per group.

Pure functions: the same input gives the same bytes. All text is escaped; numbers are written
with fixed precision; no external program is involved.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from markupsafe import escape

from qms.i18n import format_percent

FONT = "QmsSans, 'Noto Sans', sans-serif"
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
TARGET_COLOUR = "#b22222"


def shown_percent(value: float, targets: Iterable[float | None] = ()) -> float:
    """A percentage as printed, to two decimals: rounded, except that it is cut instead when rounding would
    carry it up to 100 % or up to a target it misses (97.997 % against 98 % is 97.99 %, not 98.00 %; one
    late dossier in 200,000 is 99.99 %, not 100.00 %). The 1e-9 absorbs float noise only: a rate of
    counts below 10**8 is at least 1e-8 from the next hundredth when not on it."""
    rounded = round(value, 2)
    if rounded > value and any(t is not None and value < t <= rounded for t in (100.0, *targets)):
        return math.floor(value * 100 + 1e-9) / 100
    return rounded


def _e(text: str) -> str:
    return str(escape(text))


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def y_floor(values: Sequence[float | None], target: float | None) -> float:
    """The bottom of the rate axis: 0, or a multiple of 10 below every value (and the target)."""
    known = [v for v in values if v is not None]
    if target is not None:
        known.append(target)
    if not known:
        return 0.0
    low = min(known)
    return max(0.0, math.floor((low - 1) / 10) * 10)


def line_chart(
    months: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    target: float | None = None,
    width: float = 720.0,
    height: float = 300.0,
) -> str:
    """One line per key (rates in percent per month; None = no resolved dossier that month)."""
    left, right, top, bottom = 48.0, 170.0, 30.0, 46.0
    plot_w, plot_h = width - left - right, height - top - bottom
    floor = y_floor([v for vals in series.values() for v in vals], target)
    span = 100.0 - floor or 100.0

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / max(1, len(months)))

    def y(v: float) -> float:
        return top + plot_h * (100.0 - v) / span

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{_e(FONT)}" font-size="10" role="img" '
        f'aria-label="{_e(title)}">',
        f"<title>{_e(title)}</title>",
        f'<text x="{_n(left)}" y="16" font-size="12" font-weight="bold">{_e(title)}</text>',
    ]
    for step in range(6):
        v = floor + span * step / 5
        out.append(f'<line x1="{_n(left)}" y1="{_n(y(v))}" x2="{_n(left + plot_w)}" y2="{_n(y(v))}" '
                   f'stroke="#ddd" stroke-width="0.5"/>')
        out.append(f'<text x="{_n(left - 4)}" y="{_n(y(v) + 3)}" text-anchor="end">{_n(v)}%</text>')
    label_every = max(1, math.ceil(len(months) / 12))
    for i, m in enumerate(months):
        if i % label_every == 0:
            out.append(f'<text x="{_n(x(i))}" y="{_n(top + plot_h + 14)}" text-anchor="middle">{_e(m)}</text>')
    if target is not None and floor <= target <= 100:
        out.append(f'<line x1="{_n(left)}" y1="{_n(y(target))}" x2="{_n(left + plot_w)}" y2="{_n(y(target))}" '
                   f'stroke="{TARGET_COLOUR}" stroke-dasharray="4 3" stroke-width="1"/>')
        out.append(f'<text x="{_n(left + plot_w - 2)}" y="{_n(y(target) - 3)}" text-anchor="end" '
                   f'fill="{TARGET_COLOUR}">{format_percent(target)}</text>')
    for k, (key, values) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        runs: list[list[str]] = [[]]
        shown = values[: len(months)]
        for i, val in enumerate(shown):
            if val is None:
                runs.append([])
                continue
            runs[-1].append(f"{_n(x(i))},{_n(y(val))}")
            # a month with no neighbour has no line through it: a larger dot, so that it can be seen
            alone = (i == 0 or shown[i - 1] is None) and (i + 1 >= len(shown) or shown[i + 1] is None)
            out.append(f'<circle cx="{_n(x(i))}" cy="{_n(y(val))}" r="{3.2 if alone else 1.8}" fill="{colour}"/>')
        for run in runs:
            if len(run) > 1:
                out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.4" points="{" ".join(run)}"/>')
        ly = top + 12 * k + 4
        out.append(f'<rect x="{_n(left + plot_w + 10)}" y="{_n(ly - 7)}" width="10" height="8" fill="{colour}"/>')
        out.append(f'<text x="{_n(left + plot_w + 24)}" y="{_n(ly)}">{_e(_short(key, 26))}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def bar_chart(
    items: Sequence[tuple[str, float | None]],
    *,
    title: str,
    target: float | None = None,
    width: float = 720.0,
) -> str:
    """Horizontal bars of the on-time rate per group; bars below the target are red."""
    left, right, top, bar, gap = 190.0, 60.0, 30.0, 12.0, 4.0
    height = top + len(items) * (bar + gap) + 24
    plot_w = width - left - right
    floor = y_floor([v for _k, v in items], target)
    span = 100.0 - floor or 100.0

    def x(v: float) -> float:
        return left + plot_w * (v - floor) / span

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{_e(FONT)}" font-size="10" role="img" '
        f'aria-label="{_e(title)}">',
        f"<title>{_e(title)}</title>",
        f'<text x="8" y="16" font-size="12" font-weight="bold">{_e(title)}</text>',
    ]
    for i, (key, v) in enumerate(items):
        yy = top + i * (bar + gap)
        out.append(f'<text x="{_n(left - 6)}" y="{_n(yy + bar - 2)}" text-anchor="end">{_e(_short(key, 34))}</text>')
        if v is None:
            out.append(f'<text x="{_n(left + 4)}" y="{_n(yy + bar - 2)}" fill="#777">–</text>')
            continue
        low = target is not None and v + 1e-9 < target
        colour = TARGET_COLOUR if low else PALETTE[0]
        out.append(f'<rect x="{_n(left)}" y="{_n(yy)}" width="{_n(max(0.5, x(v) - left))}" height="{_n(bar)}" '
                   f'fill="{colour}"/>')
        label = format_percent(shown_percent(v, (target,)), fixed=True)
        out.append(f'<text x="{_n(x(v) + 4)}" y="{_n(yy + bar - 2)}">{label}</text>')
    bottom = top + len(items) * (bar + gap)
    for step in range(6):
        v = floor + span * step / 5
        out.append(f'<text x="{_n(x(v))}" y="{_n(bottom + 12)}" text-anchor="middle">{_n(v)}%</text>')
    if target is not None and floor <= target <= 100:
        out.append(f'<line x1="{_n(x(target))}" y1="{_n(top - 4)}" x2="{_n(x(target))}" y2="{_n(bottom)}" '
                   f'stroke="{TARGET_COLOUR}" stroke-dasharray="4 3"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
