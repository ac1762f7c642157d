"""Small server-side SVG charts: bars and lines with axis labels, readable on a phone.

Our own few lines of SVG rather than a charting library: the output is plain markup with
presentation attributes only (no inline script or style, so the panel's Content-Security-Policy
holds), it scales with ``viewBox`` to any width, and every label is escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

#: A narrow canvas with large text: on a phone it is drawn about 330 px wide, and the labels
#: stay about 10 px high.
WIDTH, HEIGHT = 480, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 14, 66
FONT = 14
#: At most this many labels along the x axis (every n-th day is labelled).
X_LABELS = 6
#: Colours of the series, in order (readable on white, distinct for common colour blindness).
COLOURS = ("#b3261e", "#1f6feb", "#2e7d32", "#9a6700", "#6f42c1", "#00838f")


def _nice_max(value: float) -> float:
    """The top of the y axis: four round whole steps reaching at least ``value``."""
    if value <= 4:
        return 4.0
    quarter = value / 4
    exponent = 10 ** math.floor(math.log10(quarter))
    for step in (1, 2, 2.5, 5, 10):
        if quarter <= step * exponent and (step * exponent) == int(step * exponent):
            return float(4 * step * exponent)
    return float(40 * exponent)


def _number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _frame(
    labels: Sequence[str], top: float, *, title: str, y_label: str, x_label: str
) -> list[str]:
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="{FONT}">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = top * i / 4
        y = TOP + inner_h - inner_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d9dee6" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#5b6575">'
            f"{_number(value)}</text>"
        )
    count = max(len(labels), 1)
    every = max(1, math.ceil(count / X_LABELS))
    slot = inner_w / count
    for i, label in enumerate(labels):
        if (count - 1 - i) % every:
            continue  # the last label (today) always shows
        x = LEFT + slot * (i + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{TOP + inner_h + 18}" text-anchor="middle" fill="#5b6575">'
            f"{escape(label)}</text>"
        )
    parts.append(
        f'<text x="{LEFT + inner_w / 2:.1f}" y="{HEIGHT - 26}" text-anchor="middle" '
        f'fill="#1d2430">{escape(x_label)}</text>'
        f'<text transform="translate(12 {TOP + inner_h / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle" fill="#1d2430">{escape(y_label)}</text>'
    )
    return parts


def _legend(names: Sequence[str]) -> list[str]:
    """The series' colours and names in one line under the chart, in a smaller type when the
    names at the chart's type would not fit its width."""
    widths = [sum(FONT if ord(c) > 0x2E80 else FONT * 0.62 for c in name) for name in names]
    needed = sum(28 + wide for wide in widths)
    scale = min(1.0, (WIDTH - 8) / needed) if needed else 1.0
    size = f' font-size="{FONT * scale:.1f}"' if scale < 1.0 else ""
    parts, x = [], 4.0
    for i, (name, wide) in enumerate(zip(names, widths, strict=True)):
        colour = COLOURS[i % len(COLOURS)]
        parts.append(
            f'<rect x="{x:.1f}" y="{HEIGHT - 14}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16:.1f}" y="{HEIGHT - 3}" fill="#1d2430"{size}>{escape(name)}</text>'
        )
        x += (28 + wide) * scale
    return parts


def bar_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    y_label: str,
    x_label: str = "",
) -> Markup:
    """Grouped bars: one group per label, one bar per series."""
    names = list(series)
    top = _nice_max(max((v for values in series.values() for v in values), default=0))
    parts = _frame(labels, top, title=title, y_label=y_label, x_label=x_label)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = inner_w / max(len(labels), 1)
    bar = slot * 0.8 / max(len(names), 1)
    for s, name in enumerate(names):
        colour = COLOURS[s % len(COLOURS)]
        for i, value in enumerate(series[name]):
            h = inner_h * value / top
            x = LEFT + slot * i + slot * 0.1 + bar * s
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + inner_h - h:.1f}" width="{max(bar - 1, 1):.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{escape(labels[i])} · '
                f"{escape(name)}: {_number(value)}</title></rect>"
            )
    parts.extend(_legend(names) if len(names) > 1 else [])
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    y_label: str,
    x_label: str = "",
) -> Markup:
    """One line per series over the labels (days, weeks)."""
    names = list(series)
    top = _nice_max(max((v for values in series.values() for v in values), default=0))
    parts = _frame(labels, top, title=title, y_label=y_label, x_label=x_label)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = inner_w / max(len(labels), 1)
    for s, name in enumerate(names):
        colour = COLOURS[s % len(COLOURS)]
        points = " ".join(
            f"{LEFT + slot * (i + 0.5):.1f},{TOP + inner_h - inner_h * v / top:.1f}"
            for i, v in enumerate(series[name])
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2">'
            f"<title>{escape(name)}</title></polyline>"
        )
    parts.extend(_legend(names))
    parts.append("</svg>")
    return Markup("".join(parts))
