"""From a drawn Figure to cached, deterministic, accessible SVG (and PNG) bytes.

Matplotlib is used through ``matplotlib.figure.Figure`` and the SVG/Agg canvases only, never
pyplot, and no backend is chosen globally. Its rcParams are process-global, so drawing and saving
happen inside one lock and one ``rc_context`` (restored afterwards); ``svg.hashsalt`` is the chart's
cache key, which makes the bytes depend only on the numbers and keeps matplotlib's generated ids
apart between charts.

Matplotlib writes no ``<title>``/``<desc>``; :func:`accessible_svg` adds them, with
``role="img"``, ``aria-labelledby`` and ``lang``, drops the XML prolog (so the SVG can be inlined in
HTML) and prefixes every id with the chart's id, so several charts can share one page.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from functools import cache, lru_cache
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ft2font import FT2Font, LoadFlags
from matplotlib.transforms import Affine2D, Transform

from wijscan.charts.data import Chart, ChartData, Table

#: bump when the drawing changes, so cached or stored charts of the same numbers are redrawn
CHARTS_VERSION = 2

#: how many rendered charts the process keeps (a class report has 3–4)
CACHE_SIZE = 256

FONT = "DejaVu Sans"  # ships with matplotlib, so widths measured here match the drawing

_RC = {
    "font.family": FONT,
    "font.size": 9,
    "svg.fonttype": "none",  # real <text>: small files, selectable and searchable words
    "hatch.linewidth": 0.8,
}

_render_lock = threading.Lock()  # matplotlib's rcParams and font caches are process-global
_cache_lock = threading.Lock()
_cache: OrderedDict[str, object] = OrderedDict()
_renders = 0

D = TypeVar("D", bound=ChartData)


def cache_key(data: ChartData, *extra: object) -> str:
    """sha256 (hex) of the canonical JSON of the chart's input (and of ``extra``)."""
    payload = {
        "chart": type(data).__name__,
        "data": dataclasses.asdict(data),
        "extra": list(extra),
        "version": CHARTS_VERSION,
    }
    text = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_count() -> int:
    """How many charts (SVG or PNG) this process has drawn; a cache hit draws nothing."""
    return _renders


def clear_cache() -> None:
    """Forget every cached chart (for tests, and after a change of content)."""
    with _cache_lock:
        _cache.clear()


def _cached(key: str, make: Callable[[], object]) -> object:
    global _renders
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = make()
    with _cache_lock:
        _renders += 1
        _cache[key] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def render_svg(data: D, draw: Callable[[D], Figure], table: Callable[[D], Table]) -> Chart | None:
    """The chart of ``data`` drawn by ``draw``, or ``None`` when the group is suppressed."""
    if data.suppressed:
        return None
    key = cache_key(data)

    def make() -> Chart:
        chart_id = "wc-" + key[:12]
        with _render_lock, matplotlib.rc_context({**_RC, "svg.hashsalt": key}):
            figure = draw(data)
            FigureCanvasSVG(figure)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        svg = accessible_svg(
            buffer.getvalue().decode("utf-8"),
            chart_id=chart_id,
            title=data.title,
            description=data.description,
            lang=data.lang,
        )
        return Chart(svg=svg, table=table(data), key=key, id=chart_id)

    return _cached(key, make)  # type: ignore[return-value]


def render_png(data: D, draw: Callable[[D], Figure], *, dpi: int) -> bytes | None:
    """The chart of ``data`` as PNG bytes (for documents that cannot take SVG), or ``None``."""
    if data.suppressed:
        return None
    key = cache_key(data, "png", dpi)

    def make() -> bytes:
        with _render_lock, matplotlib.rc_context(_RC):
            figure = draw(data)
            FigureCanvasAgg(figure)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        return buffer.getvalue()

    return _cached(key, make)  # type: ignore[return-value]


_TAG = re.compile(r"<[^<>]+>")  # text content is escaped by matplotlib, so this finds only tags
_ID = re.compile(r'(\sid=")([^"]+)(")')
_REF = re.compile(r"(url\(#|href=\"#)([^)\"]+)")
# a browser without DejaVu Sans would fall back to its default (often a serif): offer Verdana
# (DejaVu's metrics) and narrower sans fonts, in which the labels measured here still fit
_FAMILY = f"font-family: '{FONT}'"
_FAMILIES = f"font-family: '{FONT}', Verdana, Arial, Helvetica, sans-serif"


_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.S)


@lru_cache(maxsize=1024)
def _presentation(style: str) -> str:
    """``fill: #fff; stroke: none`` as SVG presentation attributes ``fill="#fff" stroke="none"``:
    the page's Content-Security-Policy (style-src 'self') refuses inline style, not these.
    Cached: a chart repeats a handful of styles hundreds of times."""
    style = style.replace(_FAMILY, _FAMILIES)
    pairs = (part.split(":", 1) for part in style.split(";") if ":" in part)
    return "".join(f" {name.strip()}={quoteattr(value.strip())}" for name, value in pairs)


def accessible_svg(svg: str, *, chart_id: str, title: str, description: str, lang: str) -> bytes:
    """Matplotlib's SVG with the XML prolog dropped, ids prefixed by ``chart_id``, every inline
    style written as presentation attributes (the SVG is inlined in pages with a strict CSP),
    and a ``<title>``/``<desc>`` that ``role="img"`` and ``aria-labelledby`` point at."""
    svg = svg[svg.index("<svg") :]
    # matplotlib's one stylesheet (``*{stroke-linejoin: round; stroke-linecap: butt}``) moves to
    # the root, whose presentation attributes every element inherits.
    sheet = _STYLE_ELEMENT.search(svg)
    inherited = ""
    if sheet:
        inherited = _presentation(sheet[1].strip().removeprefix("*{").removesuffix("}"))
        svg = svg[: sheet.start()] + svg[sheet.end() :]
        svg = re.sub(r"<defs>\s*</defs>", "", svg)

    def prefix(tag: re.Match[str]) -> str:
        text = tag[0]  # most tags have only a style: test before running each substitution
        if 'id="' in text:
            text = _ID.sub(lambda m: f"{m[1]}{chart_id}-{m[2]}{m[3]}", text)
        if "#" in text:
            text = _REF.sub(lambda m: f"{m[1]}{chart_id}-{m[2]}", text)
        if 'style="' in text:
            text = _STYLE_ATTRIBUTE.sub(lambda m: _presentation(m[1]), text)
        return text

    svg = _TAG.sub(prefix, svg)
    root_end = svg.index(">")
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    attributes = (
        f' id="{chart_id}" role="img" aria-labelledby="{title_id} {desc_id}"'
        f" lang={quoteattr(lang)} xml:lang={quoteattr(lang)}{inherited}"
    )
    labels = (
        f'\n <title id="{title_id}">{escape(title)}</title>'
        f'\n <desc id="{desc_id}">{escape(description)}</desc>'
    )
    svg = svg[:root_end] + attributes + svg[root_end] + labels + svg[root_end + 1 :]
    return svg.encode("utf-8")


# --- layout helpers shared by the chart modules: everything is laid out in points ------------


def points(figure: Figure) -> Transform:
    """A transform from points (1/72 inch, origin bottom left) to the figure's display."""
    return Affine2D().scale(1 / 72) + figure.dpi_scale_trans


def chart_font(bold: bool = False) -> FT2Font:
    """The chart font (regular or bold) as matplotlib's FreeType font object."""
    return get_font(findfont(FontProperties(family=FONT, weight="bold" if bold else "normal")))


@cache
def glyph(char: str, bold: bool = False) -> tuple[int, float, float, float]:
    """One character's glyph index, advance and ink bottom and top at 100 pt, unhinted (so they
    scale linearly). A character the font lacks (a class named in another script, a tab) is
    measured as FreeType would draw it, without the warning: its first look-up can fail, so it
    is tried twice, and as a last resort it is the font's empty-box glyph."""
    font = chart_font(bold)
    loaded = None
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        for _ in range(2):
            font.set_size(100, 72)
            try:
                loaded = font.load_char(ord(char), flags=LoadFlags.NO_HINTING)
                break
            except RuntimeError:
                continue
        if loaded is None:
            loaded = font.load_glyph(0, flags=LoadFlags.NO_HINTING)
    _, bottom, _, top = loaded.bbox
    return font.get_char_index(ord(char)), loaded.linearHoriAdvance / 65536, bottom / 64, top / 64


@lru_cache(maxsize=8192)
def _width(text: str, bold: bool) -> float:
    return sum(glyph(char, bold)[1] for char in text)


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width in points of one line of ``text`` in the chart font: the sum of the glyphs'
    advances, which is a little wider than the ink (kerning is ignored), so layouts built on it
    keep their room. Per-character and cached: matplotlib's own measuring costs about a
    millisecond per string."""
    return _width(text, bold) * size / 100


def wrap(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines at most ``width`` points wide; a word wider than
    that on its own is broken with a hyphen ("Identiteitsontwik-", "keling")."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(candidate, size, bold=bold) <= width:
            lines[-1] = candidate
            continue
        while text_width(word, size, bold=bold) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and text_width(word[:cut] + "-", size, bold=bold) > width:
                cut -= 1
            lines.append(word[:cut] + "-")
            word = word[cut:]
        lines.append(word)
    return lines or [""]
