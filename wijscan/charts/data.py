"""The plain inputs and outputs of the charts: frozen dataclasses of numbers and strings.

Every word a reader sees (titles, level names, headers, "te weinig respondenten") is passed in by
the caller, already translated; this package knows no language. A suppressed group carries no
numbers at all (``counts=None`` / a ``None`` cell), and a group whose counts add up to fewer than
``min_group_size`` is treated as suppressed too, so a chart cannot show what DESIGN.md forbids.

Lists and numpy integers are accepted and stored as tuples of ``int``/``float``, so the data is
hashable and its canonical JSON (the cache key) does not depend on how the caller built it.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field

#: The pyramid has six levels, 1 (uitsluiten) at the base to 6 (verbonden) at the top.
LEVELS = (1, 2, 3, 4, 5, 6)


def _texts(value: Iterable[str], what: str, length: int | None = None) -> tuple[str, ...]:
    texts = tuple(value)
    if not all(isinstance(text, str) for text in texts):
        raise TypeError(f"{what}: every entry must be a string")
    if length is not None and len(texts) != length:
        raise ValueError(f"{what}: expected {length} entries, got {len(texts)}")
    return texts


def _count(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{what}: a count must be an integer, not {value!r}")
    number = operator.index(value)  # type: ignore[call-overload]  # numpy ints have __index__
    if number < 0:
        raise ValueError(f"{what}: a count cannot be negative ({number})")
    return number


def _counts(value: Iterable[object] | None, what: str) -> tuple[int, ...] | None:
    if value is None:
        return None
    counts = tuple(_count(count, what) for count in value)
    if len(counts) != len(LEVELS):
        raise ValueError(f"{what}: expected {len(LEVELS)} counts (levels 1–6), got {len(counts)}")
    return counts


def _level(value: object, what: str) -> int | None:
    if value is None:
        return None
    level = _count(value, what)
    if level not in LEVELS:
        raise ValueError(f"{what}: a level is 1–6, got {level}")
    return level


def _mean(value: object, what: str) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    if math.isnan(number):
        return None
    if not math.isfinite(number):
        raise ValueError(f"{what}: a mean must be finite, got {number}")
    return number


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)  # normalising a frozen dataclass in __post_init__


@dataclass(frozen=True, kw_only=True)
class PyramidData:
    """The class pyramid: how many students are on each level, and the class's own level."""

    #: students per level, levels 1..6; ``None`` = suppressed (no chart)
    counts: tuple[int, int, int, int, int, int] | None
    #: the class's level (the level of its mean), marked on the pyramid; ``None`` = not marked
    class_level: int | None
    #: groups smaller than this are suppressed (piramide.yaml ``min_group_size``)
    min_group_size: int
    #: the names of levels 1..6 in the reader's language
    level_names: tuple[str, str, str, str, str, str]
    #: the chart's <title> and the table's caption
    title: str
    #: the chart's <desc>: one or two sentences saying what the chart shows
    description: str
    #: table header of the level column, e.g. "Niveau"
    level_header: str
    #: table header of the count column, e.g. "Aantal leerlingen"
    count_header: str
    #: the mark beside the class's level, e.g. "Niveau van de klas"
    class_level_label: str
    #: language of the words, written as the SVG's ``lang``
    lang: str = "nl"

    def __post_init__(self) -> None:
        _set(self, "counts", _counts(self.counts, "PyramidData.counts"))
        _set(self, "class_level", _level(self.class_level, "PyramidData.class_level"))
        _set(self, "level_names", _texts(self.level_names, "PyramidData.level_names", 6))
        _set(self, "min_group_size", _count(self.min_group_size, "PyramidData.min_group_size"))

    @property
    def suppressed(self) -> bool:
        return self.counts is None or sum(self.counts) < self.min_group_size


@dataclass(frozen=True, kw_only=True)
class ThemeBar:
    """One theme's distribution of students over the six levels."""

    #: the theme's name in the reader's language
    name: str
    #: students per level, levels 1..6; ``None`` = suppressed (the bar shows only the mark)
    counts: tuple[int, int, int, int, int, int] | None
    #: the group's mean score on the theme (0–100), used for "weakest first"; when missing the
    #: mean level of ``counts`` is used instead
    mean: float | None = None

    def __post_init__(self) -> None:
        _set(self, "counts", _counts(self.counts, f"ThemeBar({self.name!r}).counts"))
        _set(self, "mean", _mean(self.mean, f"ThemeBar({self.name!r}).mean"))


@dataclass(frozen=True, kw_only=True)
class DistributionData:
    """Per theme, how the students are spread over the levels (one stacked bar per theme)."""

    themes: tuple[ThemeBar, ...]
    min_group_size: int
    level_names: tuple[str, str, str, str, str, str]
    title: str
    description: str
    #: table header of the theme column, e.g. "Thema"
    theme_header: str
    #: the legend's heading, e.g. "Niveau"
    level_header: str
    #: written on (and in the table row of) a suppressed theme, e.g. "te weinig respondenten"
    suppressed_text: str
    #: True: themes weakest first (lowest mean), suppressed themes last; False: the given order
    weakest_first: bool = True
    lang: str = "nl"

    def __post_init__(self) -> None:
        themes = tuple(self.themes)
        if not all(isinstance(theme, ThemeBar) for theme in themes):
            raise TypeError("DistributionData.themes: every entry must be a ThemeBar")
        _set(self, "themes", themes)
        _set(self, "level_names", _texts(self.level_names, "DistributionData.level_names", 6))
        _set(self, "min_group_size", _count(self.min_group_size, "DistributionData.min_group_size"))

    def shown(self, theme: ThemeBar) -> bool:
        """Whether a theme's numbers may be shown (not suppressed, large enough)."""
        return theme.counts is not None and sum(theme.counts) >= self.min_group_size

    @property
    def suppressed(self) -> bool:
        return not any(self.shown(theme) for theme in self.themes)


@dataclass(frozen=True, kw_only=True)
class TrendLine:
    """One theme's mean score (0–100) per round; ``None`` where suppressed or not measured."""

    name: str
    means: tuple[float | None, ...]

    def __post_init__(self) -> None:
        what = f"TrendLine({self.name!r}).means"
        _set(self, "means", tuple(_mean(mean, what) for mean in self.means))


@dataclass(frozen=True, kw_only=True)
class TrendData:
    """The mean score per theme over the rounds (meetmomenten) of the school year."""

    #: the rounds' names, in time order (the x axis)
    rounds: tuple[str, ...]
    lines: tuple[TrendLine, ...]
    #: lower bound of levels 1..6 on the 0–100 scale (piramide.yaml ``from``): the level bands
    level_bounds: tuple[float, float, float, float, float, float]
    level_names: tuple[str, str, str, str, str, str]
    title: str
    description: str
    #: the y axis, e.g. "Gemiddelde score (0–100)"
    score_label: str
    #: table header of the theme column, e.g. "Thema"
    theme_header: str
    #: table cell for a missing or suppressed mean, e.g. "te weinig respondenten"
    missing_text: str
    lang: str = "nl"

    def __post_init__(self) -> None:
        _set(self, "rounds", _texts(self.rounds, "TrendData.rounds"))
        lines = tuple(self.lines)
        if not all(isinstance(line, TrendLine) for line in lines):
            raise TypeError("TrendData.lines: every entry must be a TrendLine")
        for line in lines:
            if len(line.means) != len(self.rounds):
                raise ValueError(
                    f"TrendLine({line.name!r}): {len(line.means)} means for "
                    f"{len(self.rounds)} rounds"
                )
        _set(self, "lines", lines)
        bounds = tuple(float(bound) for bound in self.level_bounds)
        if len(bounds) != 6 or list(bounds) != sorted(bounds):
            raise ValueError("TrendData.level_bounds: six ascending lower bounds (levels 1–6)")
        _set(self, "level_bounds", bounds)
        _set(self, "level_names", _texts(self.level_names, "TrendData.level_names", 6))

    @property
    def suppressed(self) -> bool:
        return all(mean is None for line in self.lines for mean in line.means)


@dataclass(frozen=True, kw_only=True)
class HeatmapData:
    """Classes × themes, each cell the group's level; ``None`` = suppressed (marked, not coloured).

    The caller applies DESIGN.md's rule against recovery by subtraction (a second cell suppressed
    when only one would be hidden) before building this: a ``None`` here is simply drawn as one.
    """

    #: the row labels (e.g. the classes)
    rows: tuple[str, ...]
    #: the column labels (e.g. the themes)
    columns: tuple[str, ...]
    #: ``cells[r][c]``: the level 1–6 of row r on column c, or ``None`` (suppressed)
    cells: tuple[tuple[int | None, ...], ...]
    level_names: tuple[str, str, str, str, str, str]
    title: str
    description: str
    #: table header of the row labels, e.g. "Klas"
    row_header: str
    #: written in a suppressed cell, short, e.g. "n < 5"
    suppressed_mark: str
    #: the reason below the chart and the table, e.g. "n < 5: te weinig respondenten"
    suppressed_reason: str
    lang: str = "nl"

    def __post_init__(self) -> None:
        _set(self, "rows", _texts(self.rows, "HeatmapData.rows"))
        _set(self, "columns", _texts(self.columns, "HeatmapData.columns"))
        cells = tuple(
            tuple(_level(cell, f"HeatmapData.cells[{r}]") for cell in row)
            for r, row in enumerate(self.cells)
        )
        if len(cells) != len(self.rows) or any(len(row) != len(self.columns) for row in cells):
            raise ValueError("HeatmapData.cells: one row of len(columns) levels per row label")
        _set(self, "cells", cells)
        _set(self, "level_names", _texts(self.level_names, "HeatmapData.level_names", 6))

    @property
    def suppressed(self) -> bool:
        return all(cell is None for row in self.cells for cell in row)


ChartData = PyramidData | DistributionData | TrendData | HeatmapData


@dataclass(frozen=True)
class Table:
    """The numbers of a chart as a table, for screen readers (and for tests to compare)."""

    caption: str
    columns: tuple[str, ...]
    #: one tuple per row, as many cells as ``columns``; numbers stay numbers
    rows: tuple[tuple[str | int | float, ...], ...]
    #: sentences shown below the table (the class's level, what a suppression mark means)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chart:
    """A rendered chart: an accessible SVG and the same numbers as a :class:`Table`."""

    #: UTF-8 SVG starting with ``<svg``, with ``role="img"``, ``<title>`` and ``<desc>``;
    #: every id in it starts with :attr:`id` so several charts can share one HTML page
    svg: bytes
    table: Table
    #: sha256 (hex) of the canonical JSON of the input: the cache key
    key: str
    #: the prefix of every id in the SVG; ``{id}-title`` and ``{id}-desc`` are the labels
    id: str = field(default="")
