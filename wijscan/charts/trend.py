"""The mean score per theme over the rounds of the school year: one line per theme.

The y axis is the 0–100 score with the pyramid's level bands behind the lines (alternately
shaded, each band's level number and name written at the right), so a reader sees which level a
mean is on without relying on colour. Each theme has its own colour, marker and line style and is
named in the legend below. A missing or suppressed mean (``None``) leaves a gap: the line breaks
there and a point between two gaps is still drawn as its marker.
"""

from __future__ import annotations

import math

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from wijscan.charts.artists import Label, Labels, Shape, Shapes, box, segments_line
from wijscan.charts.data import LEVELS, Chart, Table, TrendData
from wijscan.charts.palette import GRID, LINE_STYLES, WHITE
from wijscan.charts.render import points, render_png, render_svg, text_width

WIDTH = 468.0
PLOT_HEIGHT = 190.0
MARGIN = 10.0
TICK_SIZE, BAND_SIZE, LEGEND_SIZE = 8.0, 7.5, 8.0
BAND_SHADE = "#F2F2F2"
AXIS = "#767676"  # 4.5:1 on white
LEGEND_ROW = 15.0
SAMPLE = 30.0  # length of a legend's line sample
LINE = 1.2  # line height as a share of the font size


def draw(data: TrendData) -> Figure:
    """The trend lines as a Figure laid out by hand in points: no Axes, whose ticks, spines and
    legend machinery would cost more than all the rest of the chart."""
    band_labels = [f"{level} {name}" for level, name in zip(LEVELS, data.level_names, strict=True)]
    right = MARGIN + max(text_width(label, BAND_SIZE) for label in band_labels) + 6
    left = MARGIN + TICK_SIZE * LINE + 6 + text_width("100", TICK_SIZE) + 4
    legend = _legend_layout(data, WIDTH - 2 * MARGIN)
    legend_height = len(legend) * LEGEND_ROW
    bottom = MARGIN + legend_height + 6 + TICK_SIZE * LINE + 8  # legend, round names, ticks
    height = bottom + PLOT_HEIGHT + MARGIN
    x_left, x_right = left, WIDTH - right
    step = (x_right - x_left) / max(1, len(data.rounds))

    def y_of(score: float) -> float:
        return bottom + PLOT_HEIGHT * score / 100

    def x_of(index: int) -> float:
        return x_left + (index + 0.5) * step

    figure = Figure(figsize=(WIDTH / 72, height / 72), facecolor=WHITE)
    to_display = points(figure)

    labels: list[Label] = []
    shapes: list[Shape] = []

    def text(x: float, y: float, s: str, size: float, **style: object) -> None:
        labels.append(Label(x, y, s, size, **style))  # type: ignore[arg-type]

    bounds = (*data.level_bounds, 100.0)
    for level in LEVELS:
        low, high = y_of(bounds[level - 1]), y_of(bounds[level])
        if level % 2:
            shapes.append(
                box(x_left, low, x_right - x_left, high - low, BAND_SHADE, gid=f"band-{level}")
            )
        text(
            x_right + 6,
            (low + high) / 2,
            band_labels[level - 1],
            BAND_SIZE,
            va="center",
            gid=f"band-{level}-label",
        )
    grid = [(x_left, y_of(bound), x_right, y_of(bound)) for bound in bounds]
    ticks = [(x_left - 3, y_of(bound), x_left, y_of(bound)) for bound in bounds]
    ticks += [(x_of(i), bottom, x_of(i), bottom - 3) for i in range(len(data.rounds))]
    axes = [(x_left, bottom, x_left, bottom + PLOT_HEIGHT), (x_left, bottom, x_right, bottom)]
    figure.add_artist(
        segments_line(grid + ticks, color=GRID, linewidth=0.6, transform=to_display, gid="grid")
    )
    figure.add_artist(
        segments_line(axes, color=AXIS, linewidth=0.8, transform=to_display, gid="axes")
    )
    for bound in bounds:
        text(x_left - 5, y_of(bound), f"{bound:g}", TICK_SIZE, ha="right", va="center")
    for index, name in enumerate(data.rounds):
        text(
            x_of(index),
            bottom - 5,
            name,
            TICK_SIZE,
            ha="center",
            va="top",
            gid=f"round-{index}",
        )
    text(
        MARGIN,
        bottom + PLOT_HEIGHT / 2,
        data.score_label,
        TICK_SIZE,
        rotation=90,
        ha="center",
        va="top",
    )

    for index, line in enumerate(data.lines):
        colour, marker, style = LINE_STYLES[index % len(LINE_STYLES)]
        xs = [x_of(i) for i in range(len(line.means))]
        ys = [math.nan if mean is None else y_of(mean) for mean in line.means]
        figure.add_artist(
            Line2D(
                xs,
                ys,
                color=colour,
                marker=marker,
                linestyle=style,
                linewidth=2.0,
                markersize=6,
                transform=to_display,
                gid=f"line-{index}",
            )
        )
    for row_number, row in enumerate(legend):
        y = MARGIN + legend_height - (row_number + 0.5) * LEGEND_ROW
        for offset, index in row:
            colour, marker, style = LINE_STYLES[index % len(LINE_STYLES)]
            x = MARGIN + offset
            figure.add_artist(
                Line2D(
                    [x, x + SAMPLE / 2, x + SAMPLE],
                    [y, y, y],
                    color=colour,
                    marker=marker,
                    markevery=[1],
                    linestyle=style,
                    linewidth=2.0,
                    markersize=6,
                    transform=to_display,
                    gid=f"legend-{index}",
                )
            )
            text(
                x + SAMPLE + 4,
                y,
                data.lines[index].name,
                LEGEND_SIZE,
                va="center",
                gid=f"legend-{index}-name",
            )
    figure.add_artist(Shapes(shapes, transform=to_display, gid="bands"))
    figure.add_artist(Labels(labels, transform=to_display, gid="labels"))
    return figure


def _legend_layout(data: TrendData, width: float) -> list[list[tuple[float, int]]]:
    """Legend items (x offset, line index) in rows: in columns of equal width when they fit."""
    if not data.lines:
        return []
    item_widths = [SAMPLE + 4 + text_width(line.name, LEGEND_SIZE) + 14 for line in data.lines]
    columns = len(data.lines)
    while columns > 1 and max(item_widths) * columns > width:
        columns -= 1
    column = max(item_widths) if max(item_widths) * columns <= width else width
    rows: list[list[tuple[float, int]]] = []
    for index in range(len(data.lines)):
        if index % columns == 0:
            rows.append([])
        rows[-1].append(((index % columns) * column, index))
    return rows


def table(data: TrendData) -> Table:
    """One row per theme: its name and its mean per round, rounded to a whole number (as pages
    show them), or the missing text."""
    rows = tuple(
        (line.name, *(data.missing_text if mean is None else round(mean) for mean in line.means))
        for line in data.lines
    )
    return Table(caption=data.title, columns=(data.theme_header, *data.rounds), rows=rows)


def trend_chart(data: TrendData) -> Chart | None:
    """The trend per theme as an accessible SVG and a table; ``None`` when no mean is shown."""
    return render_svg(data, draw, table)


def trend_png(data: TrendData, *, dpi: int = 150) -> bytes | None:
    """The trend per theme as PNG bytes; ``None`` when no mean is shown."""
    return render_png(data, draw, dpi=dpi)
