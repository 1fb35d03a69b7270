"""The class pyramid: six stacked layers, level 1 at the base to level 6 at the top.

Each layer is a trapezoid in its level's colour with the level (number and name) and the number
of students on it written inside; the class's level has a thick outline and an arrow with the
caller's label beside it. The layers have a fixed shape (the pyramid is the model, not a bar
chart): the numbers are written, and repeated in the table.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from wijscan.charts.artists import Label, Labels, Shape, Shapes
from wijscan.charts.data import LEVELS, Chart, PyramidData, Table
from wijscan.charts.palette import BLACK, WHITE, level_colour, text_colour
from wijscan.charts.render import points, render_png, render_svg, text_width, wrap

WIDTH, HEIGHT = 468.0, 262.0  # points (6.5 × 3.6 inch)
MARGIN = 10.0
BASE = 300.0  # width of the base of level 1
TOP = 0.32  # the top of level 6 is this share of the base
GAP = 3.0  # between layers
LEFT = 14.0
NAME_SIZE, COUNT_SIZE, MARK_SIZE = 8.5, 11.0, 9.0


def _half_width(y: float, bottom: float, height: float) -> float:
    return BASE / 2 * (1 - (1 - TOP) * (y - bottom) / height)


def draw(data: PyramidData) -> Figure:
    """The pyramid as a Figure (no Axes: the layers and their words laid out in points, as
    one artist of shapes and one of labels)."""
    assert data.counts is not None
    figure = Figure(figsize=(WIDTH / 72, HEIGHT / 72), facecolor=WHITE)
    labels: list[Label] = []
    shapes: list[Shape] = []
    centre = LEFT + BASE / 2
    bottom, height = MARGIN, HEIGHT - 2 * MARGIN
    layer = (height - GAP * (len(LEVELS) - 1)) / len(LEVELS)
    for level, name, count in zip(LEVELS, data.level_names, data.counts, strict=True):
        y0 = bottom + (level - 1) * (layer + GAP)
        y1 = y0 + layer
        w0, w1 = _half_width(y0, bottom, height), _half_width(y1, bottom, height)
        marked = level == data.class_level
        fill = level_colour(level)
        shapes.append(
            Shape(
                ((centre - w0, y0), (centre + w0, y0), (centre + w1, y1), (centre - w1, y1)),
                fill,
                edgecolour=BLACK if marked else WHITE,
                linewidth=2.5 if marked else 1.0,
                gid=f"layer-{level}",
            )
        )
        ink = text_colour(fill)
        middle = (y0 + y1) / 2
        labels.append(
            Label(
                centre,
                middle + 1,
                f"{level} {name}",
                NAME_SIZE,
                colour=ink,
                ha="center",
                va="bottom",
                gid=f"layer-{level}-name",
            )
        )
        labels.append(
            Label(
                centre,
                middle - 1,
                f"{count}",
                COUNT_SIZE,
                bold=True,
                colour=ink,
                ha="center",
                va="top",
                gid=f"layer-{level}-count",
            )
        )
        if marked:
            _mark(shapes, labels, data.class_level_label, centre + w0 + 4, middle, layer)
    to_display = points(figure)
    figure.add_artist(Shapes(shapes, transform=to_display, gid="layers"))
    figure.add_artist(Labels(labels, transform=to_display, gid="labels"))
    return figure


def _mark(
    shapes: list[Shape], labels: list[Label], label: str, x: float, y: float, layer: float
) -> None:
    """An arrow pointing left at the class's layer, with the label beside it."""
    arrow = 9.0
    shapes.append(
        Shape(
            ((x, y), (x + arrow, y + arrow * 0.6), (x + arrow, y - arrow * 0.6)),
            BLACK,
            edgecolour=BLACK,
            linewidth=1.0,  # a patch's default
            gid="class-level-arrow",
        )
    )
    room = WIDTH - MARGIN - (x + arrow + 4)
    lines = wrap(label, room, MARK_SIZE, bold=True)
    if len(lines) * MARK_SIZE * 1.25 > layer + 2 * GAP:  # too tall: the line may run long
        lines = [label]
    widest = max(text_width(line, MARK_SIZE, bold=True) for line in lines)
    size = MARK_SIZE if widest <= room else max(6.0, MARK_SIZE * room / widest)
    labels.append(
        Label(
            x + arrow + 4,
            y,
            "\n".join(lines),
            size,
            bold=True,
            va="center",
            linespacing=1.1,
            gid="class-level-label",
        )
    )


def table(data: PyramidData) -> Table:
    """Levels from the top (6) down, as the pyramid reads, with the count on each."""
    assert data.counts is not None
    rows = tuple(
        (f"{level} {data.level_names[level - 1]}", data.counts[level - 1])
        for level in reversed(LEVELS)
    )
    notes: tuple[str, ...] = ()
    if data.class_level is not None:
        name = data.level_names[data.class_level - 1]
        notes = (f"{data.class_level_label}: {data.class_level} {name}",)
    return Table(
        caption=data.title, columns=(data.level_header, data.count_header), rows=rows, notes=notes
    )


def pyramid_chart(data: PyramidData) -> Chart | None:
    """The class pyramid as an accessible SVG and a table; ``None`` when suppressed."""
    return render_svg(data, draw, table)


def pyramid_png(data: PyramidData, *, dpi: int = 150) -> bytes | None:
    """The class pyramid as PNG bytes; ``None`` when suppressed."""
    return render_png(data, draw, dpi=dpi)
