"""What works: did classes that taught a lesbrief change more on its theme than the others?

For one lesbrief and its theme, every class with a shown class mean on that theme in two
consecutive rounds gives one change (after − before). The classes that taught the lesbrief between
the two rounds form one side, the others the second side. The difference of the two average changes
is clear when it is larger than 1.96 standard errors (the same rule as a class's change), with the
standard error of a difference of two means, sqrt(s1²/n1 + s2²/n2). Nothing is shown unless each
side has at least ``min_classes`` classes: with fewer, one class would be the whole answer.

This is an observation, not an experiment: classes choose what they teach. The page says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Z = 1.96


@dataclass(frozen=True)
class ClassChange:
    """One class's change on one theme between two consecutive rounds."""

    klas: int
    theme: str
    before: float
    after: float
    #: The lesbrieven the class taught between the two rounds.
    taught: frozenset[str]

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class Side:
    n: int
    mean: float | None
    sd: float | None


@dataclass(frozen=True)
class Effect:
    lesbrief: str
    theme: str
    taught: Side
    other: Side
    #: False when a side has fewer than ``min_classes`` classes: then nothing but n is shown.
    shown: bool
    difference: float | None = None
    se: float | None = None
    verdict: Literal["beter", "slechter", "geen"] | None = None


def _side(deltas: list[float], shown: bool) -> Side:
    n = len(deltas)
    if not shown or n == 0:
        return Side(n, None, None)
    mean = sum(deltas) / n
    sd = math.sqrt(sum((d - mean) ** 2 for d in deltas) / (n - 1)) if n > 1 else 0.0
    return Side(n, mean, sd)


def effect(
    lesbrief: str, theme: str, changes: Iterable[ClassChange], *, min_classes: int
) -> Effect:
    """The effect of one lesbrief on its theme, from the changes of all classes on that theme."""
    on_theme = [c for c in changes if c.theme == theme]
    with_it = [c.delta for c in on_theme if lesbrief in c.taught]
    without = [c.delta for c in on_theme if lesbrief not in c.taught]
    shown = len(with_it) >= min_classes and len(without) >= min_classes
    taught, other = _side(with_it, shown), _side(without, shown)
    if not shown:
        return Effect(lesbrief, theme, taught, other, shown=False)
    difference = taught.mean - other.mean
    se = math.sqrt(taught.sd**2 / taught.n + other.sd**2 / other.n)
    clear = abs(difference) > Z * se
    verdict = ("beter" if difference > 0 else "slechter") if clear else "geen"
    return Effect(lesbrief, theme, taught, other, True, difference, se, verdict)
