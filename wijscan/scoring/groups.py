"""Group results, reliability and change (rules 8 and 9).

A group is any set of respondents (a class, a school, a grade …). Per theme and overall it gets
``n`` (respondents with a score), and — unless ``n < min_group_size``, when it is *suppressed* —
the mean, the standard deviation (ddof=1), the level of the mean (not capped), the distribution of
the respondents' (capped) levels and Cronbach's alpha.

Alpha (rule 8) is computed from the raw answers of the respondents who answered every item of the
theme. Reverse-keying an item (``a' = points + 1 - a``) only flips the sign of its covariances, so
the group code works on raw answers: with ``G`` the Gram matrix and ``S`` the column sums of the
``m`` complete rows, ``C = m*G - S S^T`` is ``m(m-1)`` times the covariance matrix, exactly, in
integers. Then ``sum(var_items) / var(total) = trace(C) / (s^T C s)`` with ``s`` = ±1 for normal /
reversed items. The overall group stat has no alpha (None): the themes measure different things.

Counts, means, standard deviations and level distributions of all groups are summed in place with
weighted ``bincount`` over (column, group) keys, without moving the scores. Only alpha needs the
rows of a group together: the answer codes and complete flags are gathered in group order (a
stable counting sort of the group codes; nothing is gathered when the rows already come grouped),
and alpha then runs on contiguous slices, one small loop step per group and theme.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np

from wijscan.scoring.answers import CHUNK_ROWS, validate_answers
from wijscan.scoring.respondents import RespondentResults, level_of
from wijscan.scoring.spec import ScoringSpec

#: z of a two-sided 95% interval (rule 9).
CLEAR_Z = 1.96

#: Rows of answer codes turned into floats at a time for Cronbach's alpha.
ALPHA_BLOCK_ROWS = 16_384

#: Rows of scores and levels summed per group at a time.
MOMENT_ROWS = 16_384


@dataclass
class GroupStat:
    """One theme (or overall) of one group. When ``suppressed`` only ``n`` is known; every other
    field is None. ``sd`` is None when ``n < 2``; ``alpha`` is None when it cannot be computed."""

    n: int
    suppressed: bool
    mean: float | None = None
    sd: float | None = None
    level: int | None = None
    distribution: dict[int, int] | None = None
    alpha: float | None = None


@dataclass
class GroupResult:
    """The result of one group: one :class:`GroupStat` per theme (spec order) and overall."""

    themes: dict[str, GroupStat]
    overall: GroupStat


@dataclass
class Change:
    """Rule 9: ``delta = mean2 - mean1``, ``se = sqrt(sd1²/n1 + sd2²/n2)``; ``clear`` when
    ``|delta| > 1.96 * se`` (anything else is "no clear change")."""

    delta: float
    se: float
    clear: bool


def change(a: GroupStat, b: GroupStat) -> Change | None:
    """The change from ``a`` (earlier round) to ``b`` (later round) of the same group and theme.

    None when either is suppressed or has no standard deviation (n < 2).
    """
    if a.suppressed or b.suppressed or a.mean is None or b.mean is None:
        return None
    if a.sd is None or b.sd is None:
        return None
    delta = b.mean - a.mean
    se = math.sqrt(a.sd**2 / a.n + b.sd**2 / b.n)
    return Change(delta=delta, se=se, clear=abs(delta) > CLEAR_Z * se)


def cronbach_alpha(matrix: Any) -> float | None:
    """Cronbach's alpha of a respondents × items matrix of (reverse-keyed) answers.

    Rows with a missing value (NaN) are left out. ``k/(k-1) * (1 - sum(var_items)/var(total))``
    with ddof=1; None with fewer than 2 items, fewer than 3 complete rows or zero total variance.
    """
    data = np.asarray(matrix, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError("cronbach_alpha needs a respondents × items matrix")
    data = data[~np.isnan(data).any(axis=1)]
    m, k = data.shape
    if k < 2 or m < 3:
        return None
    total_var = float(np.var(data.sum(axis=1), ddof=1))
    if total_var == 0:
        return None
    item_var = float(np.var(data, axis=0, ddof=1).sum())
    return k / (k - 1) * (1 - item_var / total_var)


def group_result(
    spec: ScoringSpec, answers: Any, results: RespondentResults, mask: Any = None
) -> GroupResult:
    """The result of one group: the respondents selected by the boolean ``mask`` (all when None).

    ``answers`` and ``results`` must be the answer matrix and its :func:`score_respondents` result.
    """
    matrix = _answers_of(spec, answers, results)
    n = _check_sizes(matrix, results)
    if mask is None:
        return _group_stats(spec, matrix, results, None, None, [(0, n)])[0]
    selected = np.asarray(mask, dtype=bool)
    if selected.shape != (n,):
        raise ValueError(f"mask must hold one bool per respondent ({n})")
    order = np.flatnonzero(selected)
    return _group_stats(spec, matrix, results, None, order, [(0, order.size)])[0]


def group_results(
    spec: ScoringSpec, answers: Any, results: RespondentResults, groups: Any
) -> dict[Hashable, GroupResult]:
    """The result of every group: ``groups`` holds one group value per respondent.

    Keys are the distinct values as Python scalars, sorted; respondents whose value is None are in
    no group. Every group present gets an entry (suppressed or not).
    """
    matrix = _answers_of(spec, answers, results)
    n = _check_sizes(matrix, results)
    keys, codes = _encode(groups, n)
    if not keys:
        return {}
    sizes = np.bincount(codes[codes >= 0], minlength=len(keys))
    outside = n - int(sizes.sum())  # respondents in no group (code -1)
    ends = np.cumsum(sizes) + outside
    bounds = [(int(e - s), int(e)) for s, e in zip(sizes, ends, strict=True)]
    if n < 2 or bool((codes[1:] >= codes[:-1]).all()):
        order = None  # already grouped: every group is a slice of the rows as they are
    else:
        # A stable sort of small integers is a radix sort; -1 (no group) sorts first.
        small = np.uint8 if len(keys) < 255 else np.uint16 if len(keys) < 65535 else np.int64
        order = np.argsort((codes + 1).astype(small), kind="stable")
    stats = _group_stats(spec, matrix, results, codes, order, bounds)
    return dict(zip(keys, stats, strict=True))


def _answers_of(spec: ScoringSpec, answers: Any, results: RespondentResults) -> np.ndarray:
    """The answer matrix. The very array the results were scored from (already checked, and
    kept in compact form by the results) is used as it is; anything else is checked again."""
    if answers is not None and answers is results._source:
        return answers
    return validate_answers(spec, answers)


def _check_sizes(matrix: np.ndarray, results: RespondentResults) -> int:
    n = matrix.shape[0]
    if len(results) != n:
        raise ValueError(f"results hold {len(results)} respondents, the answers {n}")
    return n


def _encode(groups: Any, n: int) -> tuple[list[Hashable], np.ndarray]:
    """Distinct group values (sorted, as Python scalars) and a code per respondent (-1 = none)."""
    values = np.asarray(groups)
    if values.shape != (n,):
        raise ValueError(f"groups must hold one value per respondent ({n})")
    if values.dtype.kind in "iub" and n:
        numbers = values.astype(np.int64)
        low = int(numbers.min())
        span = int(numbers.max()) - low + 1
        if span <= 4 * n + 1024:  # a small range: a lookup table instead of a sort
            shifted = (numbers - low).astype(np.intp)
            present = np.flatnonzero(np.bincount(shifted, minlength=span))
            table = np.full(span, -1, dtype=np.intp)
            table[present] = np.arange(present.size)
            convert = bool if values.dtype.kind == "b" else int
            return [convert(v + low) for v in present.tolist()], table[shifted]
    if values.dtype.kind == "O":
        listed = values.tolist()
        distinct = sorted({v for v in listed if v is not None})
        index = {v: i for i, v in enumerate(distinct)}
        codes = np.array([-1 if v is None else index[v] for v in listed], dtype=np.intp)
        return distinct, codes.reshape(n)
    distinct, codes = np.unique(values, return_inverse=True)
    return [v.item() for v in distinct], codes.reshape(n).astype(np.intp)


def _compact_answers(spec: ScoringSpec, matrix: np.ndarray) -> np.ndarray:
    """Raw answers as small unsigned integers (0 = missing)."""
    dtype = np.uint8 if spec.points <= 255 else np.uint16
    n, k = matrix.shape
    compact = np.empty((n, k), dtype=dtype)
    buf = np.empty((min(CHUNK_ROWS, max(n, 1)), k))
    for start in range(0, n, CHUNK_ROWS):
        chunk = matrix[start : start + CHUNK_ROWS]
        np.fmax(chunk, 0.0, out=buf[: chunk.shape[0]])
        np.copyto(compact[start : start + CHUNK_ROWS], buf[: chunk.shape[0]], casting="unsafe")
    return compact


def _take_rows(array: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``array[order]`` for a 2-D array, moving whole rows as single elements."""
    array = np.ascontiguousarray(array)
    if array.shape[1] == 0:
        return array[order]
    row = np.dtype((np.void, array.shape[1] * array.itemsize))
    taken = np.take(array.view(row).reshape(-1), order)
    return taken.view(array.dtype).reshape(order.size, array.shape[1])


def _group_stats(
    spec: ScoringSpec,
    matrix: np.ndarray,
    results: RespondentResults,
    labels: np.ndarray | None,
    order: np.ndarray | None,
    bounds: list[tuple[int, int]],
) -> list[GroupResult]:
    """Statistics of the groups ``bounds``: contiguous slices of the rows taken in ``order`` (as
    they are when None).

    With ``labels`` (the group number of every row, -1 for none, in the rows' own order) there is
    one group per label and ``bounds`` follow the labels sorted; without, the rows in ``order`` (or
    all rows) are one group. Counts, sums, squared deviations and level distributions are summed
    per label without moving the scores (:func:`_moments`); only Cronbach's alpha needs the rows
    of a group together, so only its inputs (answer codes and complete flags) are gathered.
    """
    n_themes = spec.n_themes
    n_levels = spec.n_levels
    columns = n_themes + 1
    scores, levels = results.scores_and_levels()  # (T+1) × n, theme-major
    if labels is None and order is not None:
        scores = np.take(scores, order, axis=1)
        levels = np.take(levels, order, axis=1)
    counts, sums, squares, dist = _moments(scores, levels, labels, len(bounds), n_levels)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
        sds = np.sqrt(squares / (counts - 1))

    sizes = np.bincount(spec.item_theme, minlength=n_themes)
    complete = np.ascontiguousarray(np.asarray(results.theme_answered) == sizes)  # n × T
    codes = results._codes
    if codes is None or results._source is not matrix:
        codes = _compact_answers(spec, matrix)
    if order is not None:
        complete = _take_rows(complete, order)
        codes = _take_rows(codes, order)
    alpha = _AlphaPlan(spec)
    rows = min(alpha.block_rows, max((stop - start for start, stop in bounds), default=1))
    work = _GroupWork(spec, alpha, max(rows, 1))

    out: list[GroupResult] = []
    for g, (start, stop) in enumerate(bounds):
        shown = counts[:, g] >= max(spec.min_group_size, 1)
        alphas = alpha.compute(codes[start:stop], complete[start:stop], shown, work)
        stats: list[GroupStat] = []
        for col in range(columns):
            n = int(counts[col, g])
            if not shown[col]:
                stats.append(GroupStat(n=n, suppressed=True))
                continue
            mean = float(means[col, g])
            stats.append(
                GroupStat(
                    n=n,
                    suppressed=False,
                    mean=mean,
                    sd=float(sds[col, g]) if n >= 2 else None,
                    level=int(level_of(mean, spec.cutoffs)),
                    distribution={lv: int(dist[col, g, lv]) for lv in range(1, n_levels + 1)},
                    alpha=alphas[col] if col < n_themes else None,
                )
            )
        out.append(
            GroupResult(
                themes=dict(zip(spec.theme_ids, stats[:-1], strict=True)), overall=stats[-1]
            )
        )
    return out


def _moments(
    scores: np.ndarray, levels: np.ndarray, labels: np.ndarray | None, groups: int, n_levels: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per column (theme or overall) and group: the number of scores, their sum, the sum of the
    squared deviations from the group mean and the number of respondents per level.

    ``scores`` and ``levels`` are columns × n; ``labels`` the group of every row (-1 = none; all
    rows in group 0 when None). Everything is a ``bincount`` over the keys (column, group, level),
    a few thousand rows at a time (the temporaries stay in the CPU cache), in two passes: the
    level counts and sums, then the squared deviations from the means. A respondent has a score
    exactly when their level is at least 1 (the first cut-off is 0 and caps are at least 1), so
    the missing scores (NaN) all land in the level-0 bins, which are dropped. Returns arrays of
    shape columns × groups (columns × groups × (levels + 1) for the level counts).
    """
    columns, n = scores.shape
    bins = groups + 1  # the last group bin collects the rows in no group
    width = n_levels + 1
    size = columns * bins * width
    rows = min(MOMENT_ROWS, max(n, 1))
    offsets = (np.arange(columns) * (bins * width))[:, None]
    # Flat buffers, so that the columns × rows views of a short last block are contiguous too.
    keys = np.empty(columns * rows, dtype=np.intp)
    values = np.empty(columns * rows)
    group_keys = np.empty(rows, dtype=np.intp)
    if labels is not None and n and labels.min() < 0:
        labels = np.where(labels < 0, groups, labels)  # no group: the last bin

    def block(buffer: np.ndarray, nb: int) -> np.ndarray:
        return buffer[: columns * nb].reshape(columns, nb)

    def keys_of(start: int, stop: int) -> np.ndarray:
        """(column * bins + group) * width + level of the rows start:stop."""
        key = np.add(levels[:, start:stop], offsets, out=block(keys, stop - start))
        if labels is not None:
            key += np.multiply(labels[start:stop], width, out=group_keys[: stop - start])
        return key.reshape(-1)

    sums = np.zeros(size)
    dist = np.zeros(size, dtype=np.int64)
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        key = keys_of(start, stop)
        dist += np.bincount(key, minlength=size)
        value = block(values, stop - start)
        np.copyto(value, scores[:, start:stop])
        sums += np.bincount(key, value.reshape(-1), minlength=size)
    dist = dist.reshape(columns, bins, width)
    counts = dist[:, :, 1:].sum(axis=2)
    sums = sums.reshape(columns, bins, width)[:, :, 1:].sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.repeat(sums / counts, width)  # one per key
    squares = np.zeros(size)
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        key = keys_of(start, stop)
        deviation = block(values, stop - start)
        np.take(means, key, out=deviation.reshape(-1), mode="clip")  # no copy of out
        np.subtract(scores[:, start:stop], deviation, out=deviation)
        np.multiply(deviation, deviation, out=deviation)
        squares += np.bincount(key, deviation.reshape(-1), minlength=size)
    squares = squares.reshape(columns, bins, width)[:, :, 1:].sum(axis=2)
    return counts[:, :groups], sums[:, :groups], squares[:, :groups], dist[:, :groups]


class _AlphaPlan:
    """Cronbach's alpha of every theme of a group from its raw answer codes.

    The codes are turned into floats and multiplied by the theme's complete flag (so incomplete
    rows add nothing); per theme ``B^T B`` and ``1^T B`` are then whole numbers. float32 holds
    whole numbers exactly up to 2**24, so rows are taken in blocks small enough for that and the
    block sums are added in float64 (exact below 2**53).
    """

    def __init__(self, spec: ScoringSpec) -> None:
        self.spec = spec
        k, t = spec.n_items, spec.n_themes
        self.sizes = np.bincount(spec.item_theme, minlength=t)
        square = spec.points**2
        self.dtype = np.float32 if square <= 2**12 else np.float64
        member = np.zeros((t, k), dtype=self.dtype)
        member[spec.item_theme, np.arange(k)] = 1
        self.member = member
        limit = 2**24 if self.dtype == np.float32 else 2**53
        self.block_rows = max(1, min(ALPHA_BLOCK_ROWS, limit // square - 1))
        self.parts = []
        for theme in range(t):
            items = spec.theme_items(theme)
            contiguous = bool((np.diff(items) == 1).all())
            source = slice(int(items[0]), int(items[-1]) + 1) if contiguous else items
            signs = np.where(spec.reverse[items], -1, 1).astype(np.int64)
            self.parts.append((source, signs))

    def compute(
        self, codes: np.ndarray, complete: np.ndarray, shown: np.ndarray, work: _GroupWork
    ) -> list[float | None]:
        """Alpha per theme (None where not computable or not shown) for one group's rows;
        ``complete`` (rows × T) tells which rows answered every item of a theme."""
        t = self.spec.n_themes
        alphas: list[float | None] = [None] * t
        wanted = [th for th in range(t) if shown[th] and self.sizes[th] >= 2]
        rows = codes.shape[0]
        if not wanted or rows < 3:
            return alphas
        grams = dict.fromkeys(wanted, 0.0)
        sums = np.zeros(self.spec.n_items)
        m = np.zeros(t)
        for begin in range(0, rows, self.block_rows):
            end = min(begin + self.block_rows, rows)
            nb = end - begin
            data = work.data[:nb]
            np.copyto(data, codes[begin:end], casting="unsafe")
            flags = work.complete[:nb]
            np.copyto(flags, complete[begin:end], casting="unsafe")
            data *= np.matmul(flags, self.member, out=work.mask[:nb])
            ones = work.ones[:nb]
            sums += ones @ data
            m += ones @ flags
            for th in wanted:
                part = data[:, self.parts[th][0]]
                grams[th] = np.add(grams[th], part.T @ part, dtype=np.float64)
        for th in wanted:
            source, signs = self.parts[th]
            if m[th] >= 3:
                alphas[th] = _alpha_from_moments(
                    int(m[th]), grams[th].astype(np.int64), sums[source].astype(np.int64), signs
                )
        return alphas


class _GroupWork:
    """Buffers reused by every block of every group (large temporaries cost page faults)."""

    def __init__(self, spec: ScoringSpec, alpha: _AlphaPlan, rows: int) -> None:
        columns = spec.n_themes + 1
        self.flags = np.empty((columns, rows), dtype=bool)
        self.values = np.empty((columns, rows))
        self.index = np.empty(columns * rows, dtype=np.intp)
        self.data = np.empty((rows, spec.n_items), dtype=alpha.dtype)
        self.mask = np.empty((rows, spec.n_items), dtype=alpha.dtype)
        self.complete = np.empty((rows, spec.n_themes), dtype=alpha.dtype)
        self.ones = np.ones(rows, dtype=alpha.dtype)


def _alpha_from_moments(
    m: int, gram: np.ndarray, sums: np.ndarray, signs: np.ndarray
) -> float | None:
    """Alpha from the Gram matrix and column sums of ``m`` complete rows of raw answers."""
    k = sums.size
    scaled_cov = m * gram - np.outer(sums, sums)  # m(m-1) * covariance, exact in integers
    total = int(signs @ scaled_cov @ signs)
    if total == 0:
        return None
    return k / (k - 1) * (1 - int(np.trace(scaled_cov)) / total)
