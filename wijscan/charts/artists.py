"""Cheap artists the charts draw with: many labels as one artist, many shapes as one artist.

A matplotlib ``Text`` costs about a millisecond: its own artist, properties and graphics
context, a font look-up and table read on every draw, and a text measurement (about 0.4 ms in
FreeType's layout) that is cached per renderer only, so every chart drawn measures every string
again; a heat map of 60 classes has hundreds of them. :class:`Labels` draws any number of labels
in one artist, laid out from per-character metrics cached for the process, and puts each line
where a ``Text`` with the same properties puts it: the same baseline (the font's ascent, descent
and line spacing rules of ``Text``) and, in SVG, the same ``<text>`` element (real text, its
``text-anchor`` at the label's x, a ``<g id>`` per label that has a ``gid``), written directly
instead of through the renderer's ``draw_text`` (see below). tests/charts/test_artists.py holds
both to ``Figure.text``'s output.

:class:`Shapes` draws many filled polygons (each its own ``<g id>`` and ``<path>``, as a
``Polygon`` patch writes it) as one artist; :func:`rectangles` makes one compound path of many
rectangles for a single ``PathPatch``, and :func:`segments_line` one ``Line2D`` of many straight
segments.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import Any, NamedTuple

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.colors import to_hex, to_rgba
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import Kerning
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

from wijscan.charts.palette import BLACK
from wijscan.charts.render import FONT, chart_font, glyph

SCALE = 100.0  # metrics at 100 pt, 72 dpi, unhinted (render.glyph): they scale linearly


class Label(NamedTuple):
    """One text: where (points, in the artist's transform), what and how, as ``Figure.text``
    takes it. ``va``: ``baseline``, ``bottom``, ``center`` or ``top``; ``linespacing``:
    ``None`` for matplotlib's "normal" (the font's own line gap), else a multiple of the
    font's height; ``backing``: a box of this colour ``pad`` points around the text (as
    ``Text(bbox={"facecolor": ..., "edgecolor": "none", "pad": ...})``)."""

    x: float
    y: float
    text: str
    size: float
    bold: bool = False
    colour: str = BLACK
    ha: str = "left"
    va: str = "baseline"
    rotation: float = 0.0
    linespacing: float | None = None
    gid: str | None = None
    backing: str | None = None
    pad: float = 0.0


@cache
def _vertical(bold: bool) -> tuple[float, float, float]:
    """The font's ascent, descent and line gap at 100 pt, from its OS/2 table (as ``Text``)."""
    font = chart_font(bold)
    table, head = font.get_sfnt_table("OS/2"), font.get_sfnt_table("head")
    assert table is not None
    assert head is not None
    scale = SCALE / head["unitsPerEm"]
    return (
        table["sTypoAscender"] * scale,
        -table["sTypoDescender"] * scale,
        table["sTypoLineGap"] * scale,
    )


@cache
def _kerning(left: int, right: int, bold: bool) -> float:
    font = chart_font(bold)
    font.set_size(SCALE, 72)
    return font.get_kerning(left, right, Kerning.DEFAULT) / 64


@lru_cache(maxsize=8192)
def metrics(text: str, bold: bool = False) -> tuple[float, float, float]:
    """Width (advances and kerning), height and descent of one line at 100 pt: what
    FreeType's layout (``FT2Font.set_text``, used by ``Text``) measures, without its cost. The
    height is exact; the width within a fraction of a percent (FreeType rounds each advance,
    and joins ligatures such as "fi", which are measured here as their letters)."""
    width, bottom, top, previous = 0.0, math.inf, -math.inf, None
    for char in text:
        index, advance, low, high = glyph(char, bold)
        if previous is not None:
            width += _kerning(previous, index, bold)
        width += advance
        bottom, top, previous = min(bottom, low), max(top, high), index
    if previous is None:
        return 0.0, 0.0, 0.0
    return width, top - bottom, -bottom


def _rotate(angle: float, x: float, y: float) -> tuple[float, float]:
    if not angle:
        return x, y
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return x * cos - y * sin, x * sin + y * cos


def layout(
    label: Label, pixels: float
) -> tuple[list[tuple[str, float, float]], tuple[float, float, float, float]]:
    """The lines of ``label`` as (text, dx, dy): each line's start on its baseline relative to
    the anchor, in pixels (``pixels`` per point, y up), and the unrotated box around the text
    (x, y, width, height) relative to the anchor. ``Text._get_layout``'s rules: every line is
    at least the font's ascent and descent high, lines are aligned like the whole (``ha``)."""
    size = label.size * pixels / SCALE
    ascent, descent, gap = (value * size for value in _vertical(label.bold))
    lines = label.text.split("\n")
    if len(lines) == 1:
        gap = 0.0
    placed = []
    y = 0.0
    for line in lines:
        width, height, low = (value * size for value in metrics(line, label.bold))
        high = height - low
        if label.linespacing is None:
            high, low = max(high, ascent) + gap / 2, max(low, descent) + gap / 2
        else:
            leading = label.linespacing * (ascent + descent) - (high + low)
            high, low = high + leading / 2, low + leading / 2
        y -= high
        placed.append((line, width, y))
        y -= low
    bottom = y  # the last baseline less its descent
    width = max(line_width for _, line_width, _ in placed)
    share = {"left": 0.0, "center": 0.5, "right": 1.0}[label.ha]
    offset_x = width * share
    offset_y = {
        "bottom": bottom,
        "top": 0.0,
        "center": bottom / 2,
        "baseline": placed[-1][2],
    }[label.va]
    offset_x, offset_y = _rotate(label.rotation, offset_x, offset_y)
    result = []
    for line, line_width, base in placed:
        dx, dy = _rotate(label.rotation, (width - line_width) * share, base)
        result.append((line, dx - offset_x, dy - offset_y))
    return result, (-width * share, bottom - offset_y, width, -bottom)


@cache
def _properties(size: float, bold: bool) -> FontProperties:
    return FontProperties(family=FONT, size=size, weight="bold" if bold else "normal")


class Labels(Artist):
    """Many labels drawn as one artist (see the module's docstring), over patches and lines
    like ``Text``."""

    zorder = 3

    def __init__(self, labels: Iterable[Label], *, transform, gid: str | None = None) -> None:
        super().__init__()
        self.labels: tuple[Label, ...] = tuple(labels)
        self.set_transform(transform)
        self.set_gid(gid)

    def draw(self, renderer: RendererBase) -> None:
        if not self.get_visible() or not self.labels:
            return
        renderer.open_group("labels", self.get_gid())
        pixels = renderer.points_to_pixels(1.0)
        height = renderer.get_canvas_width_height()[1]
        anchors = self.get_transform().transform(
            np.array([(label.x, label.y) for label in self.labels], dtype=float)
        )
        # The SVG renderer writes x, text-anchor and rotation from the Text it is given (the
        # anchor of a label); other renderers draw from the start of the line.
        anchor = Text(rotation_mode="anchor")
        anchor.set_transform(IdentityTransform())
        gc = renderer.new_gc()
        writer = _svg_writer(renderer)
        for label, (x, y) in zip(self.labels, anchors, strict=True):
            if label.gid:
                renderer.open_group("text", label.gid)
            lines, (bx, by, bw, bh) = layout(label, pixels)
            if label.backing:
                _backing(renderer, label, x + bx, y + by, bw, bh, pixels)
            if writer is not None and not label.rotation:
                style = _svg_style(label.size, label.bold, label.colour, label.ha)
                for line, _dx, dy in lines:
                    if line:
                        _svg_text(writer, line, style, x, height - (y + dy))
            else:
                gc.set_foreground(to_rgba(label.colour), isRGBA=True)
                anchor.set_x(x)
                anchor.set_y(y)
                anchor.set_horizontalalignment(label.ha)
                font = _properties(label.size, label.bold)
                for line, dx, dy in lines:
                    if line:
                        renderer.draw_text(
                            gc, x + dx, height - (y + dy), line, font, label.rotation, mtext=anchor
                        )
            if label.gid:
                renderer.close_group("text")
        gc.restore()
        renderer.close_group("labels")
        self.stale = False


# --- SVG: the <text> elements RendererSVG.draw_text writes, without its cost per call --------
#
# With ``svg.fonttype: none`` the SVG renderer writes a label as
# ``<text style="..." x=".." y=".." transform="rotate(-0 x y)">``: the anchor, the baseline and
# the text-anchor of the label's ``ha``. It takes about 60 µs a call (CSS built from the font
# properties, NumPy on two-element vectors); a heat map has hundreds of labels. The same element
# is written here directly, its style built once per size, weight, colour and alignment;
# tests/charts/test_artists.py checks that the bytes are those ``Figure.text`` writes.

_ANCHOR = {"left": "start", "center": "middle", "right": "end"}


def _svg_writer(renderer: RendererBase) -> Any:
    """The SVG renderer's XML writer when text goes out as <text> elements, else ``None``.
    (Figures are drawn through a ``MixedModeRenderer`` that hands drawing on to the SVG
    renderer: its ``draw_text`` is the SVG renderer's own.)"""
    svg = getattr(renderer.draw_text, "__self__", None)
    writer = getattr(svg, "writer", None)
    if (
        isinstance(svg, RendererSVG)
        and mpl.rcParams["svg.fonttype"] == "none"
        and callable(getattr(writer, "element", None))
    ):
        return writer
    return None


def _number(value: float) -> str:
    return f"{value:f}".rstrip("0").rstrip(".")  # as the SVG renderer writes numbers


@cache
def _svg_style(size: float, bold: bool, colour: str, ha: str) -> str:
    parts = ["font-weight: 700"] if bold else []
    parts += [f"font-size: {_number(size)}px", f"font-family: '{FONT}'"]
    parts.append(f"text-anchor: {_ANCHOR[ha]}")
    fill = to_hex(colour)
    if fill != "#000000":
        parts.append(f"fill: {fill}")
    return "; ".join(parts)


def _svg_text(writer: Any, line: str, style: str, x: float, baseline: float) -> None:
    ax, ay = _number(x), _number(baseline)
    attributes = {"style": style, "x": ax, "y": ay, "transform": f"rotate(-0 {ax} {ay})"}
    writer.element("text", line, attrib=attributes)


def _backing(
    renderer: RendererBase,
    label: Label,
    x: float,
    y: float,
    width: float,
    height: float,
    pixels: float,
) -> None:
    """The box behind a label: its text box grown by ``pad`` points (the "square" box of
    ``Text(bbox=...)``); unrotated labels only."""
    # Text keeps the pad as a share of the font size written with two decimals ("%0.2f")
    pad = float(f"{label.pad / label.size:0.2f}") * label.size * pixels
    x0, y0, x1, y1 = x - pad, y - pad, x + width + pad, y + height + pad
    gc = renderer.new_gc()
    gc.set_linewidth(0)
    gc.set_joinstyle("miter")
    path = Path(
        [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)],
        [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY],
    )
    renderer.draw_path(gc, path, IdentityTransform(), to_rgba(label.backing))
    gc.restore()


class Shape(NamedTuple):
    """One filled polygon (points, in the artist's transform), drawn like a ``Polygon`` patch
    with the same colours and width; ``edgecolour=None``: no outline."""

    corners: tuple[tuple[float, float], ...]
    fill: str
    edgecolour: str | None = None
    linewidth: float = 0.0
    gid: str | None = None


def box(x: float, y: float, width: float, height: float, fill: str, **style: object) -> Shape:
    """A rectangle as a :class:`Shape`, corners in the order of ``Rectangle``."""
    corners = ((x, y), (x + width, y), (x + width, y + height), (x, y + height))
    return Shape(corners, fill, **style)  # type: ignore[arg-type]


class Shapes(Artist):
    """Many polygons drawn as one artist, each in its own ``<g id>`` when it has a ``gid``:
    what a ``Rectangle``/``Polygon`` per shape draws, without an artist (and its graphics
    context, transforms and properties) per shape. Drawn under lines and text, like patches."""

    zorder = 1

    def __init__(self, shapes: Iterable[Shape], *, transform, gid: str | None = None) -> None:
        super().__init__()
        self.shapes: tuple[Shape, ...] = tuple(shapes)
        self.set_transform(transform)
        self.set_gid(gid)

    def draw(self, renderer: RendererBase) -> None:
        if not self.get_visible() or not self.shapes:
            return
        renderer.open_group("shapes", self.get_gid())
        transform = self.get_transform()
        gc = renderer.new_gc()
        gc.set_joinstyle("miter")  # a patch's default
        gc.set_capstyle("butt")
        for shape in self.shapes:
            if shape.gid:
                renderer.open_group("patch", shape.gid)
            outline = shape.edgecolour is not None and shape.linewidth > 0
            gc.set_linewidth(shape.linewidth if outline else 0)  # points, as a patch's
            gc.set_foreground(to_rgba(shape.edgecolour or "none"), isRGBA=True)
            path = Path([*shape.corners, shape.corners[0]], closed=True)
            renderer.draw_path(gc, path, transform, to_rgba(shape.fill))
            if shape.gid:
                renderer.close_group("patch")
        gc.restore()
        renderer.close_group("shapes")
        self.stale = False


def segments_line(segments: Iterable[tuple[float, float, float, float]], **style: object) -> Line2D:
    """Many straight segments (x0, y0, x1, y1) as one Line2D, NaN between them: one artist."""
    xs: list[float] = []
    ys: list[float] = []
    for x0, y0, x1, y1 in segments:
        xs += [x0, x1, math.nan]
        ys += [y0, y1, math.nan]
    return Line2D(xs, ys, **style)  # type: ignore[arg-type]


def rectangles(boxes: Sequence[tuple[float, float, float, float]]) -> Path:
    """One compound path of rectangles (x, y, width, height), for one patch instead of many."""
    corners = [
        [(x, y), (x + width, y), (x + width, y + height), (x, y + height)]
        for x, y, width, height in boxes
    ]
    return Path.make_compound_path_from_polys(np.array(corners, dtype=float).reshape(-1, 4, 2))
