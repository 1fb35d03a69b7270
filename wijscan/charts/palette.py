"""Colours of the charts and the WCAG contrast rules they are chosen by.

Levels use six steps of Paul Tol's colour-blind-safe diverging scheme "sunset"
(https://personal.sron.nl/~pault/#sec:diverging), warm and dark at level 1 ("care needed") to calm
blue at level 6. Colour is never the only cue: every layer, segment and cell also has its level
written on it. Text on a fill is black or white, whichever contrasts most (all are ≥ 7.9:1 here).

The trend lines (one per theme, not per level) use six colours of Tol's colour-blind-safe
qualitative scheme "muted" that keep ≥ 3:1 against white (WCAG 1.4.11, graphical objects), each
with its own marker and line style as a second cue.
"""

from __future__ import annotations

from functools import cache

#: fill of levels 1..6 (index 0 = level 1): Tol "sunset" steps 11, 9, 7, 5, 3, 1 of 11
LEVEL_COLOURS = ("#A50026", "#F67E4B", "#FEDA8B", "#C2E4EF", "#6EA6CD", "#364B9A")

#: a suppressed cell: white with a grey hatch, never a level colour
SUPPRESSED_FILL = "#FFFFFF"
SUPPRESSED_HATCH = "#8C8C8C"

BLACK = "#000000"
WHITE = "#FFFFFF"
#: lines and outlines that are not data (grid, band edges)
GRID = "#BBBBBB"

#: (colour, marker, line style) per trend line: Tol "muted", darker half
LINE_STYLES = (
    ("#332288", "o", "-"),
    ("#CC6677", "s", "--"),
    ("#117733", "^", "-."),
    ("#882255", "D", ":"),
    ("#999933", "v", "-"),
    ("#AA4499", "P", "--"),
)


def level_colour(level: int) -> str:
    """The fill of a level (1–6)."""
    return LEVEL_COLOURS[level - 1]


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a ``#RRGGBB`` colour (0 = black, 1 = white)."""
    hex_digits = colour.lstrip("#")
    if len(hex_digits) != 6:
        raise ValueError(f"expected #RRGGBB, got {colour!r}")
    red, green, blue = (int(hex_digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.x contrast ratio of two ``#RRGGBB`` colours, 1 to 21."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@cache
def text_colour(fill: str) -> str:
    """Black or white, whichever reads best on ``fill`` (cached: a heat map asks per cell)."""
    return BLACK if contrast_ratio(fill, BLACK) >= contrast_ratio(fill, WHITE) else WHITE
