"""The inline SVG line chart: valid XML, accessible, escaped, points inside the view box, gaps for None."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from certify.bank.charts import line_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_the_chart_is_valid_accessible_svg_with_every_text_escaped():
    chart = line_chart_svg(
        {"Facility <b>": [("2026 & <x>", 0.5), ("B", 0.9)]},
        y_range=(0, 1),
        thresholds=[(0.2, "low <0.2>")],
        title='Q 7 "facility" & <discrimination>',
    )
    root = _parse(chart)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-label") == 'Q 7 "facility" & <discrimination>'
    assert root.find(f"{SVG}title").text == 'Q 7 "facility" & <discrimination>'
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "low <0.2>" in texts and "Facility <b>" in texts
    assert "<b>" not in str(chart).replace("&lt;b&gt;", "")


def test_points_lie_inside_the_view_box_and_out_of_range_values_sit_on_the_edge():
    root = _parse(line_chart_svg({"a": [("1", -3.0), ("2", 0.4), ("3", 7.0)]}, y_range=(0, 1)))
    _x0, _y0, width, height = (float(v) for v in root.get("viewBox").split())
    circles = [(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(f"{SVG}circle")]
    assert len(circles) == 3
    for x, y in circles:
        assert 0 <= x <= width and 0 <= y <= height
    ys = sorted(y for _x, y in circles)
    assert ys[0] < ys[1] < ys[2]  # 7 clamped to the top, -3 to the bottom, 0.4 between
    xs = [x for x, _y in circles]
    assert xs == sorted(xs) and len(set(xs)) == 3


def test_none_values_are_skipped_and_break_the_line():
    root = _parse(line_chart_svg({"a": [("1", 0.1), ("2", 0.2), ("3", None), ("4", 0.4), ("5", 0.5)]}))
    assert len(list(root.iter(f"{SVG}circle"))) == 4
    lines = [p.get("points").split() for p in root.iter(f"{SVG}polyline")]
    assert [len(points) for points in lines] == [2, 2]


def test_thresholds_draw_lines_only_within_the_range_and_several_series_differ():
    root = _parse(
        line_chart_svg(
            {"facility": [("1", 0.5)], "discrimination": [("1", 0.3)]},
            y_range=(0, 1),
            thresholds=[(0.9, "0.9"), (0.2, "0.2"), (1.5, "off the chart")],
        )
    )
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray") == "3 3"]
    assert len(dashed) == 2
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "off the chart" not in texts
    colours = {c.get("fill") for c in root.iter(f"{SVG}circle")}
    assert len(colours) == 2


def test_an_empty_chart_is_still_valid():
    root = _parse(line_chart_svg({}, y_range=(1, 1)))
    assert root.get("role") == "img" and not list(root.iter(f"{SVG}circle"))


def test_many_long_labels_are_thinned_and_shortened_with_the_full_text_as_a_tooltip():
    labels = [f"2026-{n:02d} 文物修复师高级工理论知识考试" for n in range(1, 31)]
    root = _parse(line_chart_svg({"facility": [(label, 0.5) for label in labels]}))
    axis = [t for t in root.iter(f"{SVG}text") if t.find(f"{SVG}title") is not None]
    assert 2 <= len(axis) <= 12
    for text in axis:
        full, shown = text.find(f"{SVG}title").text, text.find(f"{SVG}title").tail
        assert full in labels and shown.endswith("…") and full.startswith(shown[:-1])
