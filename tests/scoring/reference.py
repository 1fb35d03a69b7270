"""A plain, per-respondent, pure-Python reading of DESIGN.md "Scoring (normative)" rules 1–8.

It is deliberately simple and independent of wijscan.scoring's vectorised code (it only reads the
fields of a ScoringSpec). The property tests check that both give the same results and the
benchmark uses it as the baseline. Missing answers are None.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any

TOLERANCE = 1e-9


@dataclass
class Respondent:
    theme_scores: list[float | None]
    theme_levels: list[int | None]
    overall_score: float | None
    overall_level: int | None
    signals: list[str] = field(default_factory=list)


@dataclass
class Stat:
    n: int
    suppressed: bool
    mean: float | None = None
    sd: float | None = None
    level: int | None = None
    distribution: dict[int, int] | None = None
    alpha: float | None = None


class Reference:
    """The rules for one spec, one respondent (or one group) at a time."""

    def __init__(self, spec: Any) -> None:
        self.points: int = spec.points
        self.item_ids: list[str] = list(spec.item_ids)
        self.item_theme: list[int] = [int(t) for t in spec.item_theme]
        self.n_themes: int = len(spec.theme_ids)
        self.reverse: list[bool] = [bool(r) for r in spec.reverse]
        self.weights: list[float] = [float(w) for w in spec.weights]
        self.min_answered: float = spec.min_answered
        self.cutoffs: list[float] = [float(c) for c in spec.cutoffs]
        self.min_group_size: int = spec.min_group_size
        self.criticals = [(r.item_index, set(r.answers), r.cap) for r in spec.criticals]
        self.theme_items: list[list[int]] = [
            [j for j, t in enumerate(self.item_theme) if t == theme]
            for theme in range(self.n_themes)
        ]

    # -- rules 2-7 ------------------------------------------------------------------------
    def level(self, score: float | None) -> int | None:
        if score is None:
            return None
        best = None
        for number, start in enumerate(self.cutoffs, start=1):
            if start <= score + TOLERANCE:
                best = number
        return best

    def check(self, row: list[int | None]) -> None:
        """Rule 1: every answer is None or an integer 1..points."""
        for j, answer in enumerate(row):
            if answer is not None and (type(answer) is not int or not 1 <= answer <= self.points):
                raise ValueError(f"item {self.item_ids[j]}: answer {answer!r}")

    def respondent(self, row: list[int | None]) -> Respondent:
        self.check(row)
        points = self.points
        theme_scores: list[float | None] = []
        for items in self.theme_items:
            total = 0.0
            weight = 0.0
            answered = 0
            for j in items:
                answer = row[j]
                if answer is None:
                    continue
                if self.reverse[j]:
                    answer = points + 1 - answer
                item_score = 100 * (answer - 1) / (points - 1)
                total += self.weights[j] * item_score
                weight += self.weights[j]
                answered += 1
            need = max(1, math.ceil(self.min_answered * len(items) - TOLERANCE))
            theme_scores.append(total / weight if answered >= need else None)

        existing = [s for s in theme_scores if s is not None]
        overall = (
            sum(existing) / len(existing) if len(existing) >= math.ceil(self.n_themes / 2) else None
        )

        theme_levels = [self.level(s) for s in theme_scores]
        overall_level = self.level(overall)
        signals = []
        for j, answers, cap in self.criticals:
            if row[j] is not None and row[j] in answers:
                signals.append(self.item_ids[j])
                theme = self.item_theme[j]
                if theme_levels[theme] is not None:
                    theme_levels[theme] = min(theme_levels[theme], cap)
                if overall_level is not None:
                    overall_level = min(overall_level, cap)
        return Respondent(theme_scores, theme_levels, overall, overall_level, signals)

    # -- rule 8 ---------------------------------------------------------------------------
    def group(
        self, rows: list[list[int | None]], scored: list[Respondent]
    ) -> tuple[list[Stat], Stat]:
        themes = []
        for t, items in enumerate(self.theme_items):
            scores = [r.theme_scores[t] for r in scored]
            levels = [r.theme_levels[t] for r in scored]
            complete = [
                [self._keyed(j, row[j]) for j in items]
                for row in rows
                if all(row[j] is not None for j in items)
            ]
            themes.append(self._stat(scores, levels, complete))
        overall = self._stat(
            [r.overall_score for r in scored], [r.overall_level for r in scored], None
        )
        return themes, overall

    def _keyed(self, j: int, answer: int) -> int:
        return self.points + 1 - answer if self.reverse[j] else answer

    def _stat(
        self, scores: list[float | None], levels: list[int | None], complete: list | None
    ) -> Stat:
        present = [s for s in scores if s is not None]
        n = len(present)
        if n < self.min_group_size or n == 0:
            return Stat(n=n, suppressed=True)
        mean = sum(present) / n
        sd = statistics.stdev(present) if n >= 2 else None
        distribution = dict.fromkeys(range(1, len(self.cutoffs) + 1), 0)
        for lv in levels:
            if lv is not None:
                distribution[lv] += 1
        return Stat(
            n=n,
            suppressed=False,
            mean=mean,
            sd=sd,
            level=self.level(mean),
            distribution=distribution,
            alpha=alpha(complete) if complete is not None else None,
        )


def alpha(rows: list[list[int]]) -> float | None:
    """Cronbach's alpha of complete rows, the textbook formula with ddof=1 variances."""
    if not rows or len(rows[0]) < 2 or len(rows) < 3:
        return None
    k = len(rows[0])
    item_var = sum(statistics.variance([row[i] for row in rows]) for i in range(k))
    total_var = statistics.variance([sum(row) for row in rows])
    if total_var == 0:
        return None
    return k / (k - 1) * (1 - item_var / total_var)


def score_all(spec: Any, rows: list[list[int | None]]) -> list[Respondent]:
    reference = Reference(spec)
    return [reference.respondent(row) for row in rows]
