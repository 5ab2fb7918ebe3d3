"""Charts drawn on the server as SVG by pygal: the one place that imports it, so the rest of the
app deals in labels, figures and a data: URL.

The page shows each chart as an `<img>` with the SVG in a data: URL, not as inline `<svg>`:
pygal puts a `<style>` element (and a `<script>` of its settings) in every chart, and the
production Content-Security-Policy allows styles only from the site's own files
(`style-src 'self'`) and scripts only with a nonce. An SVG shown as an image is a document of
its own: its styles apply inside it, it runs no script and loads nothing, and `img-src` allows
`data:`. The chart is decorative (alt=""): the table beside it holds the same figures and is
the accessible version.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence

import pygal
from pygal.style import Style

# GOV.UK Design System colours: blue, green, purple, orange (each 3:1 or more on white).
COLOURS = ("#1d70b8", "#00703c", "#4c2c92", "#f47738", "#d4351c")
_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#0b0c0c",
    foreground_strong="#0b0c0c",
    foreground_subtle="#505a5f",
    colors=COLOURS,
    font_family="Arial, Helvetica, sans-serif",
    # The chart is drawn 640 wide and shown in half the page (about 450 pixels): these sizes
    # come out at 14 to 16 pixels or so on screen.
    label_font_size=19,
    major_label_font_size=19,
    value_font_size=19,
    legend_font_size=20,
    title_font_size=20,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
WIDTH, HEIGHT = 640, 320


def _options(series: int, labels: int, height: int = HEIGHT) -> dict[str, object]:
    return {
        "style": _STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "width": WIDTH,
        "height": height,
        "show_legend": series > 1,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 1,
        "truncate_legend": -1,
        "x_label_rotation": 40 if labels > 6 else 0,
        "print_values": False,
        "min_scale": 1,
        "max_scale": 10,
    }


def _short(label: str, most: int = 24) -> str:
    """pygal gives long category labels the room of the bars: cut to fit (the table has them
    in full)."""
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def _data_url(chart: object) -> str:
    svg: str = chart.render(is_unicode=True)  # type: ignore[attr-defined]
    svg = _SCRIPT.sub("", svg)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def bar_chart(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, horizontal: bool
) -> str:
    """A bar chart as a data: URL (horizontal for long labels such as school names)."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    # A horizontal bar per label needs room for the label: the chart grows with them.
    height = max(HEIGHT, 110 + 40 * len(labels)) if horizontal else HEIGHT
    chart = kind(**_options(len(series), len(labels), height))
    # pygal draws horizontal bars bottom up: reversed, they read top down as the table does.
    order = (lambda items: list(reversed(items))) if horizontal else list
    chart.x_labels = order([_short(label) for label in labels])
    for name, values in series:
        chart.add(name, order(list(values)))
    return _data_url(chart)


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> str:
    # From zero, so a rise from 40 to 45 does not look like a doubling.
    chart = pygal.Line(
        **_options(len(series), len(labels)), show_dots=True, fill=False, include_x_axis=True
    )
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _data_url(chart)
