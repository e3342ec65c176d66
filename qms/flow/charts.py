"""A deterministic SVG bar chart of working time per agency (within steps and waiting before the
hand-over), in the style of :mod:`qms.kpi.charts`."""

from __future__ import annotations

from collections.abc import Sequence

from qms.i18n import format_number
from qms.kpi.charts import FONT, PALETTE, _e, _n, _short

WAIT_COLOUR = "#ff7f0e"


def agency_chart(items: Sequence[tuple[str, float, float]], *, title: str, within_label: str, waiting_label: str,
                 width: float = 720.0) -> str:
    """One stacked bar per agency: (label, working days within its steps, working days waiting before it)."""
    left, right, top, bar, gap = 250.0, 60.0, 44.0, 12.0, 4.0
    height = top + len(items) * (bar + gap) + 24
    plot_w = width - left - right
    peak = max((a + b for _k, a, b in items), default=0.0) or 1.0

    def w(v: float) -> float:
        return plot_w * v / peak

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{_e(FONT)}" font-size="10" role="img" '
        f'aria-label="{_e(title)}">',
        f"<title>{_e(title)}</title>",
        f'<text x="8" y="16" font-size="12" font-weight="bold">{_e(title)}</text>',
        f'<rect x="8" y="24" width="10" height="10" fill="{PALETTE[0]}"/>',
        f'<text x="22" y="33">{_e(within_label)}</text>',
        f'<rect x="{_n(left + 120)}" y="24" width="10" height="10" fill="{WAIT_COLOUR}" stroke="#222" '
        f'stroke-width="0.6" stroke-dasharray="2 1"/>',
        f'<text x="{_n(left + 134)}" y="33">{_e(waiting_label)}</text>',
    ]
    for i, (key, within, waiting) in enumerate(items):
        yy = top + i * (bar + gap)
        out.append(f'<text x="{_n(left - 6)}" y="{_n(yy + bar - 2)}" text-anchor="end">{_e(_short(key, 46))}</text>')
        out.append(f'<rect x="{_n(left)}" y="{_n(yy)}" width="{_n(max(0.5, w(within)))}" height="{_n(bar)}" '
                   f'fill="{PALETTE[0]}"/>')
        if waiting > 0:
            # outlined with dashes: told apart from the time within steps in black-and-white print too
            out.append(f'<rect x="{_n(left + w(within))}" y="{_n(yy)}" width="{_n(w(waiting))}" height="{_n(bar)}" '
                       f'fill="{WAIT_COLOUR}" stroke="#222" stroke-width="0.6" stroke-dasharray="2 1"/>')
        out.append(f'<text x="{_n(left + w(within + waiting) + 4)}" y="{_n(yy + bar - 2)}">'
                   f'{_e(format_number(within + waiting, digits=1))}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
