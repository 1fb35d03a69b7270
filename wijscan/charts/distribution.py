"""Per theme, the students spread over the six levels: one 100 % stacked bar per theme.

Segments run from level 1 (left) to level 6 (right) in the level colours; each has its level
number (small) over its count (bold) written in it. A segment too narrow for that gets the same
label in a lane under the bar, joined by a short line and pushed apart so labels never overlap.
A suppressed theme keeps its row, hatched grey with the caller's text and no numbers. With
``weakest_first`` (the default) themes are ordered by mean, lowest first, suppressed ones last.
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from wijscan.charts.artists import Label, Labels, Shape, Shapes, box, segments_line
from wijscan.charts.data import LEVELS, Chart, DistributionData, Table, ThemeBar
from wijscan.charts.palette import (
    BLACK,
    GRID,
    SUPPRESSED_FILL,
    SUPPRESSED_HATCH,
    WHITE,
    level_colour,
    text_colour,
)
from wijscan.charts.render import points, render_png, render_svg, text_width, wrap

WIDTH = 468.0
MARGIN = 10.0
BAR = 30.0  # height of a bar
ROW_GAP = 12.0
LANE = 24.0  # the label lane under a bar with narrow segments
LEVEL_SIZE, COUNT_SIZE, NAME_SIZE, LEGEND_SIZE = 7.0, 9.5, 9.0, 8.0
SWATCH = 9.0
PAD = 6.0  # room a label needs around it inside a segment
MAX_NAME = 150.0  # theme names wrap beyond this width


def ordered(data: DistributionData) -> tuple[ThemeBar, ...]:
    """The themes in the order the chart and table show them.

    With ``weakest_first``: shown themes by mean score, lowest first (by mean level of their
    counts when any shown theme lacks a mean), then suppressed themes in the given order. Ties
    keep the given order.
    """
    if not data.weakest_first:
        return data.themes
    shown = [theme for theme in data.themes if data.shown(theme)]
    hidden = [theme for theme in data.themes if not data.shown(theme)]
    by_mean = all(theme.mean is not None for theme in shown)
    return (*sorted(shown, key=_mean if by_mean else _mean_level), *hidden)


def _mean(theme: ThemeBar) -> float:
    assert theme.mean is not None
    return theme.mean


def _mean_level(theme: ThemeBar) -> float:
    assert theme.counts is not None
    weighted = sum(level * count for level, count in zip(LEVELS, theme.counts, strict=True))
    return weighted / sum(theme.counts)


def _label_width(level: int, count: int) -> float:
    return max(text_width(str(level), LEVEL_SIZE), text_width(str(count), COUNT_SIZE, bold=True))


def _spread(centres: list[float], widths: list[float], low: float, high: float) -> list[float]:
    """Label centres moved apart as little as needed so none overlap, kept within low–high."""
    gap = 4.0
    placed = list(centres)
    for i in range(1, len(placed)):
        least = placed[i - 1] + (widths[i - 1] + widths[i]) / 2 + gap
        placed[i] = max(placed[i], least)
    if placed and placed[-1] + widths[-1] / 2 > high:
        placed[-1] = high - widths[-1] / 2
        for i in range(len(placed) - 2, -1, -1):
            most = placed[i + 1] - (widths[i + 1] + widths[i]) / 2 - gap
            placed[i] = min(placed[i], most)
    if placed and placed[0] - widths[0] / 2 < low:  # more labels than room: start at the left
        shift = low - (placed[0] - widths[0] / 2)
        placed = [x + shift for x in placed]
    return placed


def _legend_rows(data: DistributionData, width: float) -> list[list[tuple[float, int]]]:
    """The legend items (x offset, level) broken into rows that fit ``width``."""
    rows: list[list[tuple[float, int]]] = [[]]
    x = text_width(data.level_header, LEGEND_SIZE, bold=True) + 8
    start = x
    for level, name in zip(LEVELS, data.level_names, strict=True):
        item = SWATCH + 3 + text_width(f"{level} {name}", LEGEND_SIZE) + 9
        if rows[-1] and x + item > width:
            rows.append([])
            x = start
        rows[-1].append((x, level))
        x += item
    return rows


def draw(data: DistributionData) -> Figure:
    """The stacked bars as a Figure (no Axes: shapes and labels laid out in points, each drawn
    as one artist; a segment is still its own ``<g id>`` and path in the SVG)."""
    themes = ordered(data)
    names = {theme.name: wrap(theme.name, MAX_NAME, NAME_SIZE) for theme in themes}
    name_width = max(text_width(line, NAME_SIZE) for lines in names.values() for line in lines)
    x0 = MARGIN + min(name_width, MAX_NAME) + 8
    x1 = WIDTH - MARGIN
    span = x1 - x0

    # lay the rows out first (top to bottom), then size the figure to them
    legend = _legend_rows(data, WIDTH - 2 * MARGIN)
    legend_height = len(legend) * 14.0 + 6
    rows: list[tuple[ThemeBar, float, list[tuple[int, int, float, float]], bool]] = []
    y = legend_height + MARGIN  # distance from the top
    for theme in themes:
        segments: list[tuple[int, int, float, float]] = []  # level, count, left, width
        narrow = False
        if data.shown(theme):
            assert theme.counts is not None
            total = sum(theme.counts)
            left = x0
            for level, count in zip(LEVELS, theme.counts, strict=True):
                if count:
                    width = span * count / total
                    segments.append((level, count, left, width))
                    narrow |= width < _label_width(level, count) + PAD
                    left += width
        rows.append((theme, y, segments, narrow))
        y += BAR + (LANE if narrow else 0) + ROW_GAP
    height = y - ROW_GAP + MARGIN

    figure = Figure(figsize=(WIDTH / 72, height / 72), facecolor=WHITE)
    to_display = points(figure)
    labels: list[Label] = []
    shapes: list[Shape] = []

    def text(x: float, top: float, s: str, size: float, **style: object) -> None:
        labels.append(Label(x, height - top, s, size, **style))  # type: ignore[arg-type]

    for row_number, row in enumerate(legend):
        top = MARGIN + row_number * 14.0 + 5
        if row_number == 0:
            text(MARGIN, top, data.level_header, LEGEND_SIZE, bold=True, va="center")
        for offset, level in row:
            x = MARGIN + offset
            shapes.append(
                box(
                    x,
                    height - top - SWATCH / 2,
                    SWATCH,
                    SWATCH,
                    level_colour(level),
                    edgecolour=BLACK,
                    linewidth=0.5,
                    gid=f"legend-{level}",
                )
            )
            text(
                x + SWATCH + 3,
                top,
                f"{level} {data.level_names[level - 1]}",
                LEGEND_SIZE,
                va="center",
            )

    connectors: list[tuple[float, float, float, float]] = []
    for index, (theme, top, segments, _narrow) in enumerate(rows):
        bar_bottom = height - top - BAR
        text(
            x0 - 8,
            top + BAR / 2,
            "\n".join(names[theme.name]),
            NAME_SIZE,
            ha="right",
            va="center",
            linespacing=1.1,
            gid=f"theme-{index}-name",
        )
        if not segments:
            figure.add_artist(
                Rectangle(
                    (x0, bar_bottom),
                    span,
                    BAR,
                    facecolor=SUPPRESSED_FILL,
                    edgecolor=SUPPRESSED_HATCH,
                    hatchcolor=SUPPRESSED_HATCH,
                    hatch="///",
                    linewidth=0.8,
                    transform=to_display,
                    gid=f"theme-{index}-suppressed",
                )
            )
            text(
                x0 + span / 2,
                top + BAR / 2,
                data.suppressed_text,
                NAME_SIZE,
                ha="center",
                va="center",
                backing=WHITE,
                pad=2.0,
                gid=f"theme-{index}-suppressed-text",
            )
            continue
        outside: list[tuple[int, int, float, float]] = []
        for level, count, left, width in segments:
            fill = level_colour(level)
            shapes.append(
                box(
                    left,
                    bar_bottom,
                    width,
                    BAR,
                    fill,
                    edgecolour=WHITE,
                    linewidth=0.8,
                    gid=f"theme-{index}-level-{level}",
                )
            )
            if width >= _label_width(level, count) + PAD:
                _label(
                    text,
                    left + width / 2,
                    top + BAR / 2,
                    level,
                    count,
                    text_colour(fill),
                    f"theme-{index}-label-{level}",
                )
            else:
                outside.append((level, count, left, width))
        if outside:
            widths = [_label_width(level, count) for level, count, _, _ in outside]
            centres = [left + width / 2 for _, _, left, width in outside]
            placed = _spread(centres, widths, x0, x1)
            for (level, count, _, _), centre, x in zip(outside, centres, placed, strict=True):
                label_top = top + BAR + 4
                connectors.append((centre, bar_bottom, x, height - label_top))
                _label(
                    text,
                    x,
                    label_top + LANE / 2 - 2,
                    level,
                    count,
                    BLACK,
                    f"theme-{index}-label-{level}",
                )
    if connectors:  # the short lines from a narrow segment to its label: one artist
        figure.add_artist(
            segments_line(connectors, color=GRID, linewidth=0.8, transform=to_display)
        )
    figure.add_artist(Shapes(shapes, transform=to_display, gid="shapes"))
    figure.add_artist(Labels(labels, transform=to_display, gid="labels"))
    return figure


def _label(
    text: Callable[..., None], x: float, middle: float, level: int, count: int, ink: str, gid: str
) -> None:
    """The level number (small) over the count (bold), centred on x and middle."""
    text(
        x,
        middle - 1,
        str(level),
        LEVEL_SIZE,
        ha="center",
        va="bottom",
        colour=ink,
        gid=f"{gid}-level",
    )
    text(
        x,
        middle - 1,
        str(count),
        COUNT_SIZE,
        bold=True,
        ha="center",
        va="top",
        colour=ink,
        gid=f"{gid}-count",
    )


def table(data: DistributionData) -> Table:
    """One row per theme in chart order: the name and the count on each level, or, for a
    suppressed theme, the suppressed text and empty cells."""
    rows: list[tuple[str | int, ...]] = []
    for theme in ordered(data):
        if data.shown(theme):
            assert theme.counts is not None
            rows.append((theme.name, *theme.counts))
        else:
            rows.append((theme.name, data.suppressed_text, *("",) * (len(LEVELS) - 1)))
    columns = (
        data.theme_header,
        *(f"{level} {name}" for level, name in zip(LEVELS, data.level_names, strict=True)),
    )
    return Table(caption=data.title, columns=columns, rows=tuple(rows))


def distribution_chart(data: DistributionData) -> Chart | None:
    """The per-theme distribution as an accessible SVG and a table; ``None`` when every theme
    is suppressed."""
    return render_svg(data, draw, table)


def distribution_png(data: DistributionData, *, dpi: int = 150) -> bytes | None:
    """The per-theme distribution as PNG bytes; ``None`` when every theme is suppressed."""
    return render_png(data, draw, dpi=dpi)
