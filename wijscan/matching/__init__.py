"""Matching: which lesbrieven and interventions fit a result, in which order, and why (pure).

The rules are DESIGN.md's. For a class result: take each theme whose class level is below 6,
weakest mean first; for each, the lesbrieven whose theme matches, whose levels contain the class
level and whose grades and streams fit the class; prefer lesbrieven this class has not done yet,
then those written for exactly this level, then shorter ones. For a student with a signal: the
individual-scope interventions for the weak themes. For the school scan: school-scope
interventions, weakest theme first.

Every match carries its :class:`Reason` (the facts a sentence for the mentor is made of) and an
empty list carries an :class:`Empty` that names the filter that emptied it, so a page never shows
a blank. Turning these into words in the reader's language is the web layer's job.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from wijscan.content.models import Intervention, Lesbrief

#: The highest pyramid level: a theme at this level needs no lesson.
TOP_LEVEL = 6
EFFORT_ORDER = {"licht": 0, "middel": 1, "zwaar": 2}

#: The filter that emptied a list, in the order they are applied.
Filter = Literal["theme", "level", "grade", "stream", "scope"]


@dataclass(frozen=True)
class ThemeResult:
    """A group's result on one theme: its level (1–6) and mean (0–100)."""

    theme: str
    level: int
    mean: float


@dataclass(frozen=True)
class Reason:
    """Why an item was chosen: it fits this theme at this level (for this grade and stream)."""

    theme: str
    level: int
    grade: int | None = None
    stream: str | None = None
    #: The item is written for exactly this level (not also for neighbouring ones).
    exact: bool = False
    #: The class did this lesbrief before.
    done: bool = False


@dataclass(frozen=True)
class Empty:
    """Why nothing was found: ``filter`` is the first rule that left no candidate."""

    theme: str
    level: int
    filter: Filter
    grade: int | None = None
    stream: str | None = None


@dataclass(frozen=True)
class Match:
    item: Lesbrief | Intervention
    reason: Reason


@dataclass(frozen=True)
class ThemeMatches:
    """What fits one weak theme: the lesbrieven (or interventions) in order, or why none."""

    result: ThemeResult
    matches: list[Match]
    empty: Empty | None = None
    interventions: list[Match] = field(default_factory=list)


def weak_themes(results: Iterable[ThemeResult]) -> list[ThemeResult]:
    """The themes below the top level, weakest mean first (ties: lower level, then theme id)."""
    return sorted(
        (r for r in results if r.level < TOP_LEVEL), key=lambda r: (r.mean, r.level, r.theme)
    )


def lesbrieven_for(
    result: ThemeResult,
    lesbrieven: Sequence[Lesbrief],
    *,
    grade: int,
    stream: str,
    done: Collection[str] = (),
) -> tuple[list[Match], Empty | None]:
    """The lesbrieven for one theme result of a class in ``grade`` and ``stream``, best first."""
    filters: list[tuple[Filter, object]] = [
        ("theme", lambda b: b.theme == result.theme),
        ("level", lambda b: result.level in b.levels),
        ("grade", lambda b: grade in b.grades),
        ("stream", lambda b: stream in b.streams),
    ]
    candidates = list(lesbrieven)
    for name, keep in filters:
        candidates = [b for b in candidates if keep(b)]
        if not candidates:
            return [], Empty(result.theme, result.level, name, grade, stream)

    def exact(b: Lesbrief) -> bool:
        return list(b.levels) == [result.level]

    ranked = sorted(candidates, key=lambda b: (b.id in done, not exact(b), b.duration, b.id))
    return [
        Match(b, Reason(result.theme, result.level, grade, stream, exact(b), b.id in done))
        for b in ranked
    ], None


def interventions_for(
    result: ThemeResult, interventions: Sequence[Intervention], scope: str
) -> tuple[list[Match], Empty | None]:
    """The interventions of ``scope`` for one theme result: exact level first, then lighter."""
    filters: list[tuple[Filter, object]] = [
        ("scope", lambda i: i.scope == scope),
        ("theme", lambda i: result.theme in i.themes),
        ("level", lambda i: result.level in i.levels),
    ]
    candidates = list(interventions)
    for name, keep in filters:
        candidates = [i for i in candidates if keep(i)]
        if not candidates:
            return [], Empty(result.theme, result.level, name)

    def exact(i: Intervention) -> bool:
        return list(i.levels) == [result.level]

    ranked = sorted(candidates, key=lambda i: (not exact(i), EFFORT_ORDER[i.effort], i.id))
    return [Match(i, Reason(result.theme, result.level, exact=exact(i))) for i in ranked], None


def match_class(
    results: Iterable[ThemeResult],
    lesbrieven: Sequence[Lesbrief],
    interventions: Sequence[Intervention] = (),
    *,
    grade: int,
    stream: str,
    done: Collection[str] = (),
) -> list[ThemeMatches]:
    """Per weak theme of a class (weakest first): its lesbrieven and its klas interventions."""
    out = []
    for result in weak_themes(results):
        matches, empty = lesbrieven_for(result, lesbrieven, grade=grade, stream=stream, done=done)
        klas_interventions, _ = interventions_for(result, interventions, "klas")
        out.append(ThemeMatches(result, matches, empty, klas_interventions))
    return out


def match_student(
    results: Iterable[ThemeResult], interventions: Sequence[Intervention]
) -> list[ThemeMatches]:
    """Individual follow-up for a student with a signal: per weak theme, weakest first."""
    out = []
    for result in weak_themes(results):
        matches, empty = interventions_for(result, interventions, "individu")
        out.append(ThemeMatches(result, matches, empty))
    return out


def match_school(
    results: Iterable[ThemeResult], interventions: Sequence[Intervention]
) -> list[ThemeMatches]:
    """School-scope interventions for the staff scan, weakest theme first."""
    out = []
    for result in weak_themes(results):
        matches, empty = interventions_for(result, interventions, "school")
        out.append(ThemeMatches(result, matches, empty))
    return out
