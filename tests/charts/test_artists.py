"""The cheap artists draw what matplotlib's own would: a Label the SVG text of ``Figure.text``
with the same properties, a Shape the path and style of a ``Polygon`` patch."""

from __future__ import annotations

import io
import re

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ft2font import LoadFlags
from matplotlib.patches import Polygon, Rectangle

from wijscan.charts.artists import Label, Labels, Shape, Shapes, box, metrics
from wijscan.charts.render import _RC, points

SINGLE = [
    Label(100, 50, "Meetmoment 1", 8.0, ha="center", va="top"),
    Label(100, 50, "4 Afzijdig", 8.0, colour="#FFFFFF", ha="center", va="center"),
    Label(100, 50, "12", 9.5, bold=True, ha="center", va="top"),
    Label(100, 50, "3", 7.0, colour="#364B9A", ha="center", va="bottom"),
    Label(100, 50, "Ëlk Üur, jij?", 8.5, ha="right", va="center"),  # taller than the font
    Label(100, 50, "Niveau", 8.0, bold=True, va="center"),
    Label(100, 50, "Klas <2B> & 'x'", 8.0, va="baseline"),
    Label(100, 50, "Gemiddelde score (0–100)", 8.0, ha="center", va="top", rotation=90),
]
MULTI = [
    Label(100, 50, "Persoonlijke\nen sociale\nvaardigheden", 6.5, bold=True, ha="center",
          va="bottom", linespacing=1.1),
    Label(100, 50, "Verborgen: te weinig\ndeelnemers", 8.0, va="bottom", linespacing=1.2),
    Label(100, 50, "Persoonlijke en sociale\nvaardigheden", 9.0, ha="right", va="center",
          linespacing=1.1),
    Label(100, 50, "Niveau van\nde klas", 9.0, bold=True, va="center", linespacing=1.1),
    Label(100, 50, "twee\nregels", 8.0, ha="center", va="top"),  # "normal" line spacing
]  # fmt: skip


def _svg(figure: Figure) -> str:
    with matplotlib.rc_context({**_RC, "svg.hashsalt": "test"}):
        FigureCanvasSVG(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg")
    return buffer.getvalue().decode()


def _tags(svg: str, name: str) -> list[str]:
    return re.findall(rf"<{name}\b[^>]*>(?:[^<]*</{name}>)?", svg.split("</metadata>")[1])


def _with_text(label: Label) -> str:
    """The SVG of the same label drawn by ``Figure.text``."""
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(3, 2))
        style: dict[str, object] = {
            "fontsize": label.size,
            "fontweight": "bold" if label.bold else "normal",
            "ha": label.ha,
            "va": label.va,
            "color": label.colour,
            "rotation": label.rotation,
            "rotation_mode": "anchor",
        }
        if label.linespacing is not None:
            style["linespacing"] = label.linespacing
        if label.backing:
            style["bbox"] = {"facecolor": label.backing, "edgecolor": "none", "pad": label.pad}
        figure.text(label.x, label.y, label.text, transform=points(figure), **style)
    return _svg(figure)


def _with_labels(*labels: Label) -> str:
    figure = Figure(figsize=(3, 2))
    figure.add_artist(Labels(labels, transform=points(figure)))
    return _svg(figure)


@pytest.mark.parametrize("label", SINGLE, ids=lambda label: label.text)
def test_a_label_writes_the_svg_text_of_figure_text(label):
    assert _tags(_with_labels(label), "text") == _tags(_with_text(label), "text")


def _baselines(svg: str) -> list[float]:
    return [
        float(y) for y in re.findall(r"<text\b[^>]*?(?:\sy=\"|translate\([-\d.]+ )([-\d.]+)", svg)
    ]


@pytest.mark.parametrize("label", MULTI, ids=lambda label: label.text.split("\n")[0])
def test_the_lines_of_a_label_sit_on_the_baselines_of_figure_text_anchored_at_its_x(label):
    """``Text`` starts each line where DejaVu Sans puts it; a label anchors each line at its x
    (``text-anchor``), which is the same place in DejaVu Sans and still aligned in a fallback."""
    mine, theirs = _with_labels(label), _with_text(label)
    assert len(_baselines(mine)) == len(label.text.split("\n"))
    assert _baselines(mine) == pytest.approx(_baselines(theirs), abs=1e-6)
    anchor = {"left": "start", "center": "middle", "right": "end"}[label.ha]
    for tag in _tags(mine, "text"):
        assert f"text-anchor: {anchor}" in tag
        assert ' x="100"' in tag


def test_a_backed_label_has_the_box_of_figure_text():
    label = Label(100, 50, "verborgen", 8.0, ha="center", va="center", backing="#FFFFFF", pad=1.5)
    mine, theirs = _with_labels(label), _with_text(label)
    assert _tags(mine, "text") == _tags(theirs, "text")
    box_mine, box_theirs = _tags(mine, "path")[-1], _tags(theirs, "path")[-1]  # after the page
    numbers = [
        re.findall(r"[-\d.]+", tag.split('d="')[1].split('"')[0]) for tag in (box_mine, box_theirs)
    ]
    assert [float(n) for n in numbers[0]] == pytest.approx([float(n) for n in numbers[1]], abs=0.05)
    assert 'style="fill: #ffffff"' in box_mine


def test_metrics_are_those_freetype_lays_out():
    for bold in (False, True):
        font = get_font(
            findfont(FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal"))
        )
        # (without ligatures: FreeType joins "fi", a label measures the two letters)
        for text in ("AVATAR", "Te Va", "Identiteitsontwikkeling", "Ëé Üur", "12"):
            font.set_size(100, 72)
            font.set_text(text, 0.0, flags=LoadFlags.NO_HINTING)
            width, height = (value / 64 for value in font.get_width_height())
            descent = font.get_descent() / 64
            # the width within 0.5 % (FreeType rounds each advance), the height exactly
            assert metrics(text, bold)[0] == pytest.approx(width, rel=5e-3)
            assert metrics(text, bold)[1:] == pytest.approx((height, descent), abs=1e-6)


def test_shapes_write_the_paths_of_patches():
    corners = ((10, 10), (90, 10), (70, 40), (30, 40))
    with matplotlib.rc_context(_RC):
        theirs = Figure(figsize=(3, 2))
        theirs.add_artist(
            Polygon(
                corners,
                closed=True,
                facecolor="#A50026",
                edgecolor="#000000",
                linewidth=2.5,
                transform=points(theirs),
            )
        )
        theirs.add_artist(
            Rectangle(
                (100, 20), 30, 12, facecolor="#F2F2F2", edgecolor="none", transform=points(theirs)
            )
        )
    mine = Figure(figsize=(3, 2))
    mine.add_artist(
        Shapes(
            [
                Shape(corners, "#A50026", edgecolour="#000000", linewidth=2.5),
                box(100, 20, 30, 12, "#F2F2F2"),
            ],
            transform=points(mine),
        )
    )
    assert _tags(_svg(mine), "path") == _tags(_svg(theirs), "path")


def _png_ink(figure: Figure) -> np.ndarray:
    """The white pixels of a figure drawn by Agg at 100 dpi."""
    with matplotlib.rc_context(_RC):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
    return (np.asarray(canvas.buffer_rgba())[:, :, :3] > 200).all(axis=2)


def test_in_png_a_label_is_drawn_where_figure_text_draws_it():
    label = Label(72, 36, "8 Open", 20, bold=True, colour="#FFFFFF", ha="center", va="center")
    mine = Figure(figsize=(2, 1))
    mine.add_artist(Shapes([box(0, 0, 144, 72, "#364B9A")], transform=points(mine)))
    mine.add_artist(Labels([label], transform=points(mine)))
    with matplotlib.rc_context(_RC):
        theirs = Figure(figsize=(2, 1))
        theirs.add_artist(
            Rectangle(
                (0, 0), 144, 72, facecolor="#364B9A", edgecolor="none", transform=points(theirs)
            )
        )
        theirs.text(
            72,
            36,
            label.text,
            transform=points(theirs),
            fontsize=20,
            fontweight="bold",
            color="#FFFFFF",
            ha="center",
            va="center",
        )
    ink_mine, ink_theirs = _png_ink(mine), _png_ink(theirs)
    assert ink_mine.sum() > 200
    assert abs(int(ink_mine.sum()) - int(ink_theirs.sum())) < 0.02 * ink_theirs.sum()
    for axis in (0, 1):  # the same place, within a pixel
        assert abs(np.nonzero(ink_mine)[axis].mean() - np.nonzero(ink_theirs)[axis].mean()) < 1
