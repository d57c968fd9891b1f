"""A tiny server-side line chart as inline SVG: no script, accessible (role="img", a title), every text escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 58
#: colour and dash per series, so that the lines differ without colour too
STYLES = (("#0b5cad", ""), ("#8c1d18", "6 4"), ("#1a7f37", "2 3"), ("#6f42c1", "8 3 2 3"))
MAX_X_LABELS = 12

Point = tuple[object, float | None]


def _label(value: float, digits: int = 2) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _fit(text: str, width: float) -> str:
    """`text`, shortened with an ellipsis to about `width` pixels."""
    if _text_width(text) <= width:
        return text
    while text and _text_width(text) + 12 > width:
        text = text[:-1]
    return text + "…"


def _text_width(text: str) -> int:
    """Roughly how wide `text` is at 12 px: CJK characters are about twice as wide as Latin ones."""
    return sum(12 if ord(char) > 0x2E7F else 7 for char in text)


def line_chart_svg(
    series: Mapping[str, Sequence[Point]],
    y_range: tuple[float, float] = (0.0, 1.0),
    thresholds: Sequence[tuple[float, str]] = (),
    *,
    title: str = "",
    x_title: str = "",
) -> Markup:
    """An inline SVG line chart of `series` (name → [(x label, value or None)]) on a shared x axis.

    The x labels are those of the first series; None values leave a gap. Values outside `y_range` are drawn
    at its edge. `thresholds` are dashed horizontal reference lines with their labels.
    """
    lo, hi = float(y_range[0]), float(y_range[1])
    if not hi > lo:
        hi = lo + 1.0
    names = list(series)
    labels = [str(label) for label, _value in (series[names[0]] if names else [])]
    count = max((len(points) for points in series.values()), default=0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_at(index: int) -> float:
        return LEFT + (plot_w / 2 if count <= 1 else plot_w * index / (count - 1))

    def y_at(value: float) -> float:
        clamped = min(max(value, lo), hi)
        return TOP + plot_h * (hi - clamped) / (hi - lo)

    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="chart" style="width:100%;max-width:{WIDTH}px;height:auto" '
        f'font-family="inherit" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#ffffff" stroke="#d0d7de"/>',
    ]
    for tick in sorted({lo, hi, *([0.0] if lo < 0 < hi else [])}):
        y = y_at(tick)
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#57606a">{_label(tick)}</text>')
    for value, text in thresholds:
        if not lo <= value <= hi:
            continue
        y = y_at(value)
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#57606a" '
            f'stroke-dasharray="3 3"/>'
            f'<text x="{LEFT + plot_w - 4}" y="{y - 3:.1f}" text-anchor="end" fill="#57606a">{escape(text)}</text>'
        )
    step = max(1, -(-len(labels) // MAX_X_LABELS))
    shown = list(range(0, len(labels), step))
    room = plot_w if len(shown) <= 1 else plot_w / max(2, len(shown) - 1)
    for index in shown:
        text = labels[index]
        # the outermost labels hang inwards from their point so that they stay inside the view box
        anchor = "middle" if len(shown) == 1 or 0 < index < shown[-1] else ("start" if index == 0 else "end")
        x = x_at(index) + {"start": -4, "end": 4, "middle": 0}[anchor]
        parts.append(
            f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="{anchor}" fill="#1b1f24">'
            f"<title>{escape(text)}</title>{escape(_fit(text, room - 8))}</text>"
        )
    if x_title:
        parts.append(
            f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 24}" text-anchor="middle" fill="#57606a">'
            f"{escape(x_title)}</text>"
        )
    legend_x = LEFT
    for number, name in enumerate(names):
        colour, dash = STYLES[number % len(STYLES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        points = series[name]
        segment: list[str] = []
        segments: list[list[str]] = []
        for index, (label, value) in enumerate(points):
            if value is None:
                segments.append(segment)
                segment = []
                continue
            x, y = x_at(index), y_at(float(value))
            segment.append(f"{x:.1f},{y:.1f}")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(name)} · {escape(str(label))}: {_label(float(value), 3)}</title></circle>"
            )
        segments.append(segment)
        for line in segments:
            if len(line) > 1:
                parts.append(
                    f'<polyline points="{" ".join(line)}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
                )
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="{HEIGHT - 8}" y2="{HEIGHT - 8}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
            f'<text x="{legend_x + 30}" y="{HEIGHT - 4}" fill="#1b1f24">{escape(name)}</text>'
        )
        legend_x += 44 + _text_width(name)
    parts.append("</svg>")
    return Markup("".join(parts))
