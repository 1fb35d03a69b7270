"""The scoring specification: everything the scoring rules need to know about an instrument.

:class:`ScoringSpec` is a plain, frozen value built from numpy arrays, so the scoring core never
depends on how the content files are read. :func:`spec_from_content` is the only place that
touches the content objects of :mod:`wijscan.content`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Bumped whenever a rule in this package changes the numbers it produces; stored with every result.
SCORING_VERSION: str = "1"

#: Largest scale this package accepts (answers are stored compactly while grouping).
MAX_POINTS = 65_535


@dataclass(frozen=True)
class CriticalRule:
    """A worrying answer on one item.

    When a respondent's *raw* answer (before reversing) to item ``item_index`` is one of
    ``answers``, the respondent gets a signal naming that item, and their level on the item's theme
    and their overall level become at most ``cap``.
    """

    item_index: int
    answers: frozenset[int]
    cap: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "answers", frozenset(int(a) for a in self.answers))
        object.__setattr__(self, "item_index", int(self.item_index))
        object.__setattr__(self, "cap", int(self.cap))


def _readonly(array: np.ndarray) -> np.ndarray:
    array = np.array(array, copy=True)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class ScoringSpec:
    """What the scoring rules need to know about one instrument and the pyramid.

    ``item_theme[j]`` is the index in ``theme_ids`` of the theme of item ``j``; ``cutoffs`` are the
    ``from`` values of levels 1..L (rising, the first one 0). Arrays are copied and made read-only.
    Two specs compare equal only when they are the same object.
    """

    instrument_id: str
    instrument_version: int
    points: int
    item_ids: tuple[str, ...]
    item_theme: np.ndarray
    theme_ids: tuple[str, ...]
    reverse: np.ndarray
    weights: np.ndarray
    min_answered: float
    criticals: tuple[CriticalRule, ...]
    cutoffs: np.ndarray
    min_group_size: int = 5
    # Derived, for the scoring core; not part of the constructor.
    _theme_items: tuple[np.ndarray, ...] = field(init=False, repr=False)
    _theme_need: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "item_ids", tuple(str(i) for i in self.item_ids))
        set_(self, "theme_ids", tuple(str(t) for t in self.theme_ids))
        set_(self, "criticals", tuple(self.criticals))
        set_(self, "points", int(self.points))
        set_(self, "instrument_version", int(self.instrument_version))
        set_(self, "min_answered", float(self.min_answered))
        set_(self, "min_group_size", int(self.min_group_size))
        k, n_themes = len(self.item_ids), len(self.theme_ids)

        item_theme = np.asarray(self.item_theme)
        if item_theme.shape != (k,) or (k and item_theme.dtype.kind not in "iu"):
            raise ValueError("item_theme must hold one integer theme index per item")
        reverse = np.asarray(self.reverse)
        if reverse.shape != (k,) or (k and reverse.dtype != np.bool_):
            raise ValueError("reverse must hold one bool per item")
        weights = np.asarray(self.weights, dtype=np.float64)
        if weights.shape != (k,):
            raise ValueError("weights must hold one number per item")
        cutoffs = np.asarray(self.cutoffs, dtype=np.float64)
        set_(self, "item_theme", _readonly(item_theme.astype(np.intp)))
        set_(self, "reverse", _readonly(reverse.astype(bool)))
        set_(self, "weights", _readonly(weights))
        set_(self, "cutoffs", _readonly(cutoffs))

        if k == 0:
            raise ValueError("an instrument needs at least one item")
        if len(set(self.item_ids)) != k:
            raise ValueError("item ids must be unique")
        if n_themes == 0 or len(set(self.theme_ids)) != n_themes:
            raise ValueError("theme ids must be unique and there must be at least one")
        if item_theme.min() < 0 or item_theme.max() >= n_themes:
            raise ValueError("item_theme holds an index outside theme_ids")
        counts = np.bincount(self.item_theme, minlength=n_themes)
        if (counts == 0).any():
            empty = self.theme_ids[int(np.flatnonzero(counts == 0)[0])]
            raise ValueError(f"theme {empty} has no items")
        if not 2 <= self.points <= MAX_POINTS:
            raise ValueError(f"points must be 2..{MAX_POINTS}")
        if not (np.isfinite(weights).all() and (weights > 0).all()):
            raise ValueError("weights must be finite and greater than 0")
        if not 0 < self.min_answered <= 1:
            raise ValueError("min_answered must be in (0, 1]")
        if cutoffs.ndim != 1 or cutoffs.size == 0 or not np.isfinite(cutoffs).all():
            raise ValueError("cutoffs must be a non-empty list of numbers")
        if cutoffs.size > 100:
            raise ValueError("at most 100 levels")
        if cutoffs[0] != 0 or (np.diff(cutoffs) <= 0).any():
            raise ValueError("cutoffs must rise strictly and start at 0")
        if self.min_group_size < 1:
            raise ValueError("min_group_size must be at least 1")
        for rule in self.criticals:
            if not 0 <= rule.item_index < k:
                raise ValueError(f"critical rule names item index {rule.item_index}")
            if not rule.answers or not all(1 <= a <= self.points for a in rule.answers):
                raise ValueError(
                    f"critical answers of {self.item_ids[rule.item_index]} must be 1..{self.points}"
                )
            if rule.cap < 1:
                raise ValueError("a critical cap must be at least 1")

        set_(
            self,
            "_theme_items",
            tuple(_readonly(np.flatnonzero(self.item_theme == t)) for t in range(n_themes)),
        )
        set_(self, "_theme_need", _readonly(answered_needed(counts, self.min_answered)))

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_themes(self) -> int:
        return len(self.theme_ids)

    @property
    def n_levels(self) -> int:
        return int(self.cutoffs.size)

    def theme_items(self, theme: int) -> np.ndarray:
        """Indices of the items of theme number ``theme``, in item order."""
        return self._theme_items[theme]

    @property
    def theme_need(self) -> np.ndarray:
        """Per theme, the number of answered items needed for a theme score (rule 4)."""
        return self._theme_need

    @property
    def overall_need(self) -> int:
        """The number of theme scores needed for an overall score (rule 7): half, rounded up."""
        return (self.n_themes + 1) // 2


def answered_needed(n_items: np.ndarray | int, min_answered: float) -> np.ndarray:
    """``ceil(min_answered * n_items)``, at least 1, robust to binary fractions.

    ``0.75 * 4`` is exactly 3 but ``2/3 * 3`` may land a hair above 2; a small epsilon is taken off
    before rounding up so that both give the intended whole number.
    """
    raw = np.asarray(n_items, dtype=np.float64) * float(min_answered)
    return np.maximum(1, np.ceil(raw - 1e-9)).astype(np.intp)


def spec_from_content(
    instrument: Any, pyramid: Any, *, min_group_size: int | None = None
) -> ScoringSpec:
    """Build the :class:`ScoringSpec` of a loaded instrument and pyramid (wijscan.content objects).

    Themes keep the instrument's order; items keep file order. ``min_group_size`` overrides the
    pyramid's value when given.
    """
    items = list(instrument.items)
    theme_ids = tuple(theme.id for theme in instrument.themes)
    index = {theme_id: i for i, theme_id in enumerate(theme_ids)}
    item_theme = np.array([index[t] for t in instrument.item_theme], dtype=np.intp)
    criticals = tuple(
        CriticalRule(item_index=j, answers=frozenset(item.critical.answers), cap=item.critical.cap)
        for j, item in enumerate(items)
        if item.critical is not None
    )
    return ScoringSpec(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        points=instrument.scale.points,
        item_ids=tuple(item.id for item in items),
        item_theme=item_theme,
        theme_ids=theme_ids,
        reverse=np.array([bool(item.reverse) for item in items], dtype=bool),
        weights=np.array([float(item.weight) for item in items], dtype=np.float64),
        min_answered=instrument.min_answered,
        criticals=criticals,
        cutoffs=np.array(list(pyramid.cutoffs), dtype=np.float64),
        min_group_size=pyramid.min_group_size if min_group_size is None else min_group_size,
    )
