"""The school dashboard's heat map: classes (rows) × themes (columns), each cell its level.

A cell is filled with its level's colour and has the level written in it (number and name, or
the number alone when the name does not fit). A suppressed cell is never coloured: it is white
with a grey hatch and carries the caller's mark; the reason is written below the map.

The cells of a level are drawn as one path (``cells-level-N``, and ``cells-suppressed`` for the
hidden ones) and every word as one :class:`~wijscan.charts.artists.Labels` artist, each text in
its own group (``cell-R-C-text``, ``row-R``, ``column-C``, ``note``): a map of 60 classes is
some ten artists, not a thousand.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import PathPatch

from wijscan.charts.artists import Label, Labels, rectangles
from wijscan.charts.data import Chart, HeatmapData, Table
from wijscan.charts.palette import (
    BLACK,
    SUPPRESSED_FILL,
    SUPPRESSED_HATCH,
    WHITE,
    level_colour,
    text_colour,
)
from wijscan.charts.render import points, render_png, render_svg, text_width, wrap

WIDTH = 468.0  # the most; a map with few columns is narrower
MARGIN = 10.0
CELL_HEIGHT = 22.0
MAX_CELL = 96.0
CELL_SIZE, LABEL_SIZE, NOTE_SIZE = 8.0, 8.5, 8.0
LINE = 1.2  # line height as a share of the font size


#: Column headers shrink down to this size so that a theme's words fit whole ("Participatie",
#: not "Participati-e"); only a word that does not fit even then is broken with a hyphen.
MIN_HEADER_SIZE = 6.5


def _header_size(columns, width: float) -> float:
    size = LABEL_SIZE
    words = [word for column in columns for word in column.split()]
    while size > MIN_HEADER_SIZE and any(
        text_width(word, size, bold=True) > width for word in words
    ):
        size -= 0.5
    return size


def draw(data: HeatmapData) -> Figure:
    """The heat map as a Figure (no Axes: a patch per level and the labels, laid out in
    points)."""
    row_labels = data.rows  # class names are short; a long one widens the label column
    label_width = max((text_width(label, LABEL_SIZE) for label in row_labels), default=0)
    x0 = MARGIN + label_width + 6
    columns = max(1, len(data.columns))
    cell = min(MAX_CELL, (WIDTH - MARGIN - x0) / columns)
    width = x0 + cell * columns + MARGIN
    header_size = _header_size(data.columns, cell - 4)
    headers = [wrap(column, cell - 4, header_size, bold=True) for column in data.columns]
    header_height = max((len(lines) for lines in headers), default=1) * header_size * LINE + 6
    any_suppressed = any(level is None for row in data.cells for level in row)
    note_lines = (
        wrap(data.suppressed_reason, width - 2 * MARGIN, NOTE_SIZE) if any_suppressed else []
    )
    note_height = len(note_lines) * NOTE_SIZE * LINE + 6 if note_lines else 0
    height = MARGIN + header_height + CELL_HEIGHT * len(data.rows) + note_height + MARGIN

    figure = Figure(figsize=(width / 72, height / 72), facecolor=WHITE)
    to_display = points(figure)
    top = height - MARGIN - header_height  # top edge of the first row
    labels = [
        Label(
            x0 + (c + 0.5) * cell,
            top + 3,
            "\n".join(lines),
            header_size,
            bold=True,
            ha="center",
            va="bottom",
            linespacing=1.1,
            gid=f"column-{c}",
        )
        for c, lines in enumerate(headers)
    ]
    boxes: dict[int | None, list[tuple[float, float, float, float]]] = {}
    for r, (label, row) in enumerate(zip(row_labels, data.cells, strict=True)):
        y = top - (r + 1) * CELL_HEIGHT
        labels.append(
            Label(
                x0 - 6,
                y + CELL_HEIGHT / 2,
                label,
                LABEL_SIZE,
                ha="right",
                va="center",
                gid=f"row-{r}",
            )
        )
        for c, level in enumerate(row):
            x = x0 + c * cell
            boxes.setdefault(level, []).append((x, y, cell, CELL_HEIGHT))
            if level is None:
                words, ink, backing = data.suppressed_mark, BLACK, WHITE
            else:
                words = f"{level} {data.level_names[level - 1]}"
                if text_width(words, CELL_SIZE) > cell - 6:
                    words = str(level)
                ink, backing = text_colour(level_colour(level)), None
            labels.append(
                Label(
                    x + cell / 2,
                    y + CELL_HEIGHT / 2,
                    words,
                    CELL_SIZE,
                    colour=ink,
                    ha="center",
                    va="center",
                    gid=f"cell-{r}-{c}-text",
                    backing=backing,
                    pad=1.5,
                )
            )
    # one patch per level (and one for the hidden cells): the cells of a level share a colour
    for level in sorted(level for level in boxes if level is not None):
        figure.add_artist(
            PathPatch(
                rectangles(boxes[level]),
                facecolor=level_colour(level),
                edgecolor=WHITE,
                linewidth=1.0,
                snap=True,  # crisp edges in PNG however many cells share the path
                transform=to_display,
                gid=f"cells-level-{level}",
            )
        )
    if None in boxes:
        figure.add_artist(
            PathPatch(
                rectangles(boxes[None]),
                facecolor=SUPPRESSED_FILL,
                edgecolor=SUPPRESSED_HATCH,
                hatchcolor=SUPPRESSED_HATCH,
                hatch="///",
                linewidth=0.8,
                snap=True,
                transform=to_display,
                gid="cells-suppressed",
            )
        )
    if note_lines:
        labels.append(
            Label(
                MARGIN,
                MARGIN,
                "\n".join(note_lines),
                NOTE_SIZE,
                va="bottom",
                linespacing=LINE,
                gid="note",
            )
        )
    figure.add_artist(Labels(labels, transform=to_display, gid="labels"))
    return figure


def table(data: HeatmapData) -> Table:
    """One row per row label; each cell the level (number and name) or the suppressed mark."""
    rows = tuple(
        (
            label,
            *(
                data.suppressed_mark if level is None else f"{level} {data.level_names[level - 1]}"
                for level in row
            ),
        )
        for label, row in zip(data.rows, data.cells, strict=True)
    )
    notes = (data.suppressed_reason,) if any(None in row for row in data.cells) else ()
    return Table(
        caption=data.title, columns=(data.row_header, *data.columns), rows=rows, notes=notes
    )


def heatmap_chart(data: HeatmapData) -> Chart | None:
    """The heat map as an accessible SVG and a table; ``None`` when every cell is suppressed."""
    return render_svg(data, draw, table)


def heatmap_png(data: HeatmapData, *, dpi: int = 150) -> bytes | None:
    """The heat map as PNG bytes; ``None`` when every cell is suppressed."""
    return render_png(data, draw, dpi=dpi)
