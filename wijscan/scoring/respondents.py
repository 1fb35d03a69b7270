"""Respondent results: theme scores, levels, overall score and critical signals (rules 2–7).

Everything is computed for all respondents at once, a few thousand rows at a time so that the
temporaries stay in the CPU cache; there is no Python loop over respondents.

How a theme score is computed (rules 2–4). With ``x`` the raw answer (0 when missing), ``o`` 1
for an answered item and 0 otherwise, the reverse-keyed answer minus one is
``a' - 1 = x - 1`` (normal item) or ``points - x`` (reversed item), so on answered items
``w * (a' - 1) = w*sign*x + w*off*o`` with ``sign`` = ±1 and ``off`` = -1 or ``points``. Two
small matrix products give, per theme, ``N = sum w (a' - 1)``, ``W = sum w`` and the count of
answered items; the theme score is ``100 * N / ((points - 1) * W)``, which is the weighted mean
of the item scores ``100 * (a' - 1) / (points - 1)`` (the factors 100 and ``points - 1`` are
folded into the small matrices). When every weight is a whole number these sums are whole numbers
well below 2**24 and are computed exactly in float32; the score then has a single rounding (the
division). Otherwise the sums are float64, and a score that rounding puts a hair outside 0..100
is clipped back.

Choices where the rules are silent (documented in DESIGN's spirit, asserted by the tests):

* a theme without a score keeps level 0 ("none") even when a critical item of it fired; the
  signal is still given;
* a respondent without an overall score keeps overall level 0 even when a critical item fired;
* a critical rule fires on its raw answer whether or not the theme has a score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wijscan.scoring.answers import (
    CHUNK_ROWS,
    answer_codes,
    raise_code_above,
    raise_first_invalid,
    validate_answers,
)
from wijscan.scoring.spec import ScoringSpec

#: Tolerance of the level comparison (rule 5): a score counts as reaching ``from`` when
#: ``from <= score + LEVEL_TOLERANCE``.
LEVEL_TOLERANCE = 1e-9

#: "No cap" in the int8 cap arrays (above any level).
_NO_CAP = 127

#: Integers up to this bound are exact in float32.
_FLOAT32_EXACT = 2**24


@dataclass(eq=False)
class RespondentResults:
    """Per-respondent results, one row per respondent in answer order.

    ``theme_scores`` (n × T, NaN = no score), ``theme_levels`` (n × T, 0 = no level; capped by
    critical items), ``overall_score`` (n, NaN = none), ``overall_level`` (n, 0 = none; capped),
    ``signals`` (n × C bool, one column per ``spec.criticals``), ``theme_answered`` (n × T, the
    number of answered items per theme) and ``signal_item_ids`` (the item id of each signals
    column). Levels are int8, counts int16. The score and level arrays may be views of one
    larger array; treat them as read-only.
    """

    theme_scores: np.ndarray
    theme_levels: np.ndarray
    overall_score: np.ndarray
    overall_level: np.ndarray
    signals: np.ndarray
    theme_answered: np.ndarray
    signal_item_ids: tuple[str, ...] = ()
    # Kept for the group statistics: scores and levels theme-major ((T+1) × n, overall last),
    # the answers these results came from and those answers as small integers (0 = missing).
    _scores: np.ndarray | None = field(default=None, repr=False, compare=False)
    _levels: np.ndarray | None = field(default=None, repr=False, compare=False)
    _source: np.ndarray | None = field(default=None, repr=False, compare=False)
    _codes: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return int(self.overall_score.shape[0])

    def signal_items(self, i: int) -> list[str]:
        """Ids of the critical items that fired for respondent ``i`` (spec order, no repeats)."""
        fired = [self.signal_item_ids[c] for c in np.flatnonzero(self.signals[i])]
        return list(dict.fromkeys(fired))

    def scores_and_levels(self) -> tuple[np.ndarray, np.ndarray]:
        """Scores and levels theme-major: (T+1) × n arrays, the overall score and level last."""
        if self._scores is not None and self._levels is not None:
            return self._scores, self._levels
        scores = np.vstack([np.asarray(self.theme_scores).T, self.overall_score])
        levels = np.vstack([np.asarray(self.theme_levels).T, self.overall_level]).astype(np.int8)
        return scores, levels


def level_of(scores: Any, cutoffs: Any) -> np.ndarray:
    """Rule 5: the level of each score, the highest level whose ``from`` is at most the score
    (with a tolerance of 1e-9); 0 for NaN or for a score below the first cut-off.

    Returns an int8 array of the shape of ``scores`` (0-d for a single number).
    """
    values = np.asarray(scores, dtype=np.float64)
    levels = np.zeros(values.shape, dtype=np.int8)
    _levels_into(values + LEVEL_TOLERANCE, np.asarray(cutoffs, dtype=np.float64), levels)
    return levels


def _levels_into(tolerant: np.ndarray, cutoffs: np.ndarray, out: np.ndarray) -> None:
    """Count the cut-offs reached (NaN reaches none); ``out`` must start at zero."""
    for cut in cutoffs:
        out += tolerant >= cut


class _Plan:
    """Small matrices and tables derived from a spec, shared by every chunk."""

    def __init__(self, spec: ScoringSpec) -> None:
        k, n_themes, points = spec.n_items, spec.n_themes, spec.points
        member = np.zeros((k, n_themes))
        member[np.arange(k), spec.item_theme] = 1.0
        weighted = member * spec.weights[:, None]
        sign = np.where(spec.reverse, -1.0, 1.0)[:, None]
        off = np.where(spec.reverse, float(points), -1.0)[:, None]
        whole = bool((spec.weights == np.round(spec.weights)).all())
        bound = float(np.abs(weighted).sum(axis=0).max()) * 100 * (points + 1)
        self.exact32 = whole and bound < _FLOAT32_EXACT
        dtype = np.float32 if self.exact32 else np.float64
        self.dtype = dtype
        # The factors 100 (numerator) and points - 1 (denominator) of rule 3 are folded in.
        #: answers @ x_matrix -> 100 * sum(w * sign * x) per theme
        self.x_matrix = np.ascontiguousarray(100 * weighted * sign, dtype=dtype)
        #: answered @ o_matrix -> [100 * sum(w * off), (points - 1) * sum(w), count] per theme
        self.o_matrix = np.ascontiguousarray(
            np.hstack([100 * weighted * off, (points - 1) * weighted, member]), dtype
        )
        self.need = spec.theme_need[:, None].astype(np.float64)
        # Critical rules: the columns, a table raw answer -> fires, the caps, the rules per theme.
        rules = spec.criticals
        self.crit_cols = np.array([r.item_index for r in rules], dtype=np.intp)
        self.crit_table = [np.isin(np.arange(points + 1), sorted(r.answers)) for r in rules]
        self.crit_cap_column = np.array([[min(int(r.cap), _NO_CAP)] for r in rules], np.int8)
        by_theme: dict[int, list[int]] = {}
        for c, rule in enumerate(rules):
            by_theme.setdefault(int(spec.item_theme[rule.item_index]), []).append(c)
        self.crit_by_theme = [(theme, np.array(cs)) for theme, cs in sorted(by_theme.items())]


def score_respondents(spec: ScoringSpec, answers: Any) -> RespondentResults:
    """Score every respondent (rules 1–7) in one vectorised pass.

    ``answers`` is n × items in spec order: float with NaN for missing, unsigned integer answer
    codes with 0 for missing (uint8/uint16, the fastest form: used without a copy), signed
    integers (no missing) or lists with None; see :mod:`wijscan.scoring.answers`. Invalid answers
    raise :class:`~wijscan.scoring.AnswerError` naming the row and item.
    """
    given_codes = answer_codes(spec, answers)
    matrix = given_codes if given_codes is not None else _as_matrix(spec, answers)
    n, k = matrix.shape
    t = spec.n_themes
    n_crit = len(spec.criticals)
    plan = _Plan(spec)
    points = spec.points
    code_dtype = np.uint8 if points <= 255 else np.uint16

    # Outputs are theme-major (one row per theme) so that every chunk writes contiguous runs;
    # the public arrays are transposed views.
    scores_out = np.empty((t + 1, n))
    levels_out = np.empty((t + 1, n), dtype=np.int8)
    answered_out = np.empty((t, n), dtype=np.int16)
    signals_out = np.empty((n_crit, n), dtype=bool)
    # raw answers, 0 = missing (for alpha): the given codes, or converted from the floats
    codes_out = given_codes if given_codes is not None else np.empty((n, k), dtype=code_dtype)

    # Codes are 8 times smaller than floats, so twice as many rows still fit the cache.
    chunk_rows = CHUNK_ROWS if given_codes is None else 2 * CHUNK_ROWS
    work = _Workspace(plan, spec, min(chunk_rows, max(n, 1)))
    with np.errstate(invalid="ignore", divide="ignore"):
        for start in range(0, n, chunk_rows):
            stop = min(start + chunk_rows, n)
            r = stop - start
            codes = codes_out[start:stop]
            x = work.x[:r]
            # Rule 1, and the answers as whole numbers (0 = missing).
            if given_codes is not None:
                if codes.max() > points:
                    raise_code_above(spec, codes, start)
                np.copyto(x, codes, casting="unsafe")
            else:
                chunk = matrix[start:stop]
                filled = np.fmax(chunk, 0.0, out=work.filled[:r])
                if not _valid_codes(chunk, filled, points, codes, work.flags[:r]):
                    raise_first_invalid(spec, chunk, start)
                if plan.exact32:  # else x is filled
                    np.copyto(x, codes, casting="unsafe")
            answered = work.answered[:r]
            np.copyto(answered, np.not_equal(codes, 0, out=work.flags[:r]), casting="unsafe")
            np.matmul(x, plan.x_matrix, out=work.x_sums[:r])
            np.matmul(answered, plan.o_matrix, out=work.o_sums[:r])
            # Rule 6, the signal: the raw answer is one of the critical answers.
            if n_crit:
                raw = codes[:, plan.crit_cols].T
                sig = signals_out[:, start:stop]
                for c in range(n_crit):
                    np.take(plan.crit_table[c], raw[c], out=sig[c])
            _theme_level(plan, spec, work, start, stop, scores_out, levels_out, signals_out)
            answered_out[:, start:stop] = work.o_part[2 * t :, :r]

    return RespondentResults(
        theme_scores=scores_out[:t].T,
        theme_levels=levels_out[:t].T,
        overall_score=scores_out[t],
        overall_level=levels_out[t],
        signals=signals_out.T,
        theme_answered=answered_out.T,
        signal_item_ids=tuple(spec.item_ids[r.item_index] for r in spec.criticals),
        _scores=scores_out,
        _levels=levels_out,
        _source=matrix,
        _codes=codes_out,
    )


class _Workspace:
    """Buffers reused by every chunk: large temporaries would cost a page fault per use."""

    def __init__(self, plan: _Plan, spec: ScoringSpec, rows: int) -> None:
        k, t = spec.n_items, spec.n_themes
        self.filled = np.empty((rows, k))
        self.flags = np.empty((rows, k), dtype=bool)
        self.x = np.empty((rows, k), dtype=plan.dtype) if plan.exact32 else self.filled
        self.answered = np.empty((rows, k), dtype=plan.dtype)
        #: per respondent and theme: 100 * sum(w * sign * x)
        self.x_sums = np.empty((rows, t), dtype=plan.dtype)
        #: per respondent and theme: 100 * sum(w * off), (points - 1) * sum(w), count
        self.o_sums = np.empty((rows, 3 * t), dtype=plan.dtype)
        self.o_part = np.empty((3 * t, rows), dtype=plan.dtype)  # o_sums, theme-major
        self.tolerant = np.empty((t + 1, rows))
        self.valid = np.empty((t, rows), dtype=bool)
        self.invalid = np.empty((t, rows), dtype=bool)


def _theme_level(
    plan: _Plan,
    spec: ScoringSpec,
    work: _Workspace,
    start: int,
    stop: int,
    scores_out: np.ndarray,
    levels_out: np.ndarray,
    signals_out: np.ndarray,
) -> None:
    """Rows ``start:stop``, from the per-theme sums in ``work`` to theme scores, overall score,
    levels and caps (theme-major)."""
    t = spec.n_themes
    r = stop - start
    x_part = work.x_sums[:r].T
    o_part = work.o_part[:, :r]
    np.copyto(o_part, work.o_sums[:r].T)
    count = o_part[2 * t :]

    # Rule 4: the weighted mean of the item scores, only with enough answered items.
    sc = scores_out[:, start:stop]
    themes = sc[:t]
    np.add(x_part, o_part[:t], out=themes, dtype=np.float64)
    themes /= o_part[t : 2 * t]
    if not plan.exact32:  # sums of fractional weights may round a hair outside 0..100
        np.clip(themes, 0.0, 100.0, out=themes)
    valid = np.greater_equal(count, plan.need, out=work.valid[:, :r])
    invalid = np.logical_not(valid, out=work.invalid[:, :r])

    # Rule 7: the overall score, the mean of the theme scores, with enough of them.
    np.copyto(themes, 0.0, where=invalid)
    n_valid = valid.sum(axis=0)
    overall = sc[t]
    np.sum(themes, axis=0, out=overall)
    overall /= n_valid
    np.copyto(overall, np.nan, where=n_valid < spec.overall_need)
    np.copyto(themes, np.nan, where=invalid)

    # Rule 5: levels (NaN reaches no cut-off, so it gets 0).
    lv = levels_out[:, start:stop]
    lv[...] = 0
    _levels_into(np.add(sc, LEVEL_TOLERANCE, out=work.tolerant[:, :r]), spec.cutoffs, lv)

    # Rule 6, the cap: theme and overall level at most the cap of a fired critical item.
    if spec.criticals:
        caps = np.where(signals_out[:, start:stop], plan.crit_cap_column, _NO_CAP)
        for theme, rules in plan.crit_by_theme:
            np.minimum(lv[theme], caps[rules].min(axis=0), out=lv[theme])  # 0 stays 0
        np.minimum(lv[t], caps.min(axis=0), out=lv[t])


def _valid_codes(
    chunk: np.ndarray, filled: np.ndarray, points: int, codes: np.ndarray, flags: np.ndarray
) -> bool:
    """Rule 1 for one chunk; fills ``codes`` with the answers as whole numbers (0 = missing).

    ``filled`` is ``fmax(chunk, 0)``. Comparisons with NaN are false, so ``chunk < 1`` finds 0,
    negatives, -inf and fractions below one; the maximum finds values above ``points`` and +inf;
    with those excluded the cast to integers is safe and a round trip finds fractions.
    ``flags`` is a scratch buffer of the chunk's shape.
    """
    if not chunk.size:
        return True
    if np.less(chunk, 1, out=flags).any() or filled.max() > points:
        return False
    np.copyto(codes, filled, casting="unsafe")
    return bool(np.equal(codes, filled, out=flags).all())


def _as_matrix(spec: ScoringSpec, answers: Any) -> np.ndarray:
    """A float64 answer matrix; already-float arrays are checked chunk by chunk while scoring."""
    if (
        isinstance(answers, np.ndarray)
        and not isinstance(answers, np.ma.MaskedArray)
        and answers.dtype == np.float64
        and answers.ndim == 2
        and answers.shape[1] == spec.n_items
    ):
        return answers
    return validate_answers(spec, answers)
