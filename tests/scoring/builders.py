"""Small helpers to build scoring specs and answer matrices by hand in the tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wijscan.scoring import CriticalRule, ScoringSpec

CUTOFFS = (0.0, 20.0, 35.0, 50.0, 65.0, 80.0)
NA = np.nan


@dataclass(frozen=True)
class It:
    """One item: id, theme id, reverse-keyed, weight and an optional critical (answers, cap)."""

    id: str
    theme: str
    rev: bool = False
    w: float = 1.0
    crit: tuple[Sequence[int], int] | None = None


def make_spec(
    items: Sequence[It],
    *,
    points: int = 5,
    min_answered: float = 2 / 3,
    min_group_size: int = 5,
    cutoffs: Sequence[float] = CUTOFFS,
    themes: Sequence[str] | None = None,
) -> ScoringSpec:
    theme_ids = list(themes) if themes is not None else list(dict.fromkeys(i.theme for i in items))
    return ScoringSpec(
        instrument_id="test",
        instrument_version=1,
        points=points,
        item_ids=tuple(i.id for i in items),
        item_theme=np.array([theme_ids.index(i.theme) for i in items], dtype=np.intp),
        theme_ids=tuple(theme_ids),
        reverse=np.array([i.rev for i in items], dtype=bool),
        weights=np.array([i.w for i in items], dtype=float),
        min_answered=min_answered,
        criticals=tuple(
            CriticalRule(j, frozenset(i.crit[0]), i.crit[1])
            for j, i in enumerate(items)
            if i.crit is not None
        ),
        cutoffs=np.array(cutoffs, dtype=float),
        min_group_size=min_group_size,
    )


def answers(rows: Sequence[Sequence[float | None]]) -> np.ndarray:
    """A float answer matrix from rows with None (or NaN) for missing answers."""
    return np.array([[NA if v is None else v for v in row] for row in rows], dtype=float)


def permuted(spec: ScoringSpec, order: Sequence[int]) -> ScoringSpec:
    """The spec with its items in ``order`` (new item j is old item ``order[j]``)."""
    order = np.asarray(order, dtype=np.intp)
    new_index = np.empty_like(order)
    new_index[order] = np.arange(order.size)
    return ScoringSpec(
        instrument_id=spec.instrument_id,
        instrument_version=spec.instrument_version,
        points=spec.points,
        item_ids=tuple(spec.item_ids[j] for j in order),
        item_theme=spec.item_theme[order],
        theme_ids=spec.theme_ids,
        reverse=spec.reverse[order],
        weights=spec.weights[order],
        min_answered=spec.min_answered,
        criticals=tuple(
            CriticalRule(int(new_index[r.item_index]), r.answers, r.cap) for r in spec.criticals
        ),
        cutoffs=spec.cutoffs,
        min_group_size=spec.min_group_size,
    )
