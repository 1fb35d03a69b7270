"""Properties of the scoring core, checked with Hypothesis against tests/scoring/reference.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wijscan.scoring import (
    AnswerError,
    CriticalRule,
    ScoringSpec,
    group_result,
    group_results,
    score_respondents,
)

from .builders import permuted
from .reference import Reference

SETTINGS = settings(max_examples=150, deadline=None)
TOL = 1e-9


@st.composite
def specs(draw) -> ScoringSpec:
    points = draw(st.integers(2, 11))
    n_themes = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 5)) for _ in range(n_themes)]
    item_theme = [t for t, size in enumerate(sizes) for _ in range(size)]
    shuffled = draw(st.permutations(item_theme))  # themes need not be contiguous
    k = len(shuffled)
    whole = draw(st.booleans())  # whole weights are summed exactly in float32; others not
    weight = st.sampled_from([1.0, 2.0, 3.0] if whole else [0.5, 1.0, 1.25, 2.75, 0.3])
    criticals = []
    for j in draw(st.sets(st.integers(0, k - 1), max_size=3)):
        answers = draw(st.sets(st.integers(1, points), min_size=1, max_size=points))
        criticals.append(CriticalRule(j, frozenset(answers), draw(st.integers(1, 6))))
    n_levels = draw(st.integers(1, 6))
    steps = draw(st.lists(st.integers(1, 40), min_size=n_levels - 1, max_size=n_levels - 1))
    cutoffs = np.cumsum([0, *steps]) * 0.5  # multiples of 0.5, rising from 0
    return ScoringSpec(
        instrument_id="prop",
        instrument_version=1,
        points=points,
        item_ids=tuple(f"i{j}" for j in range(k)),
        item_theme=np.array(shuffled),
        theme_ids=tuple(f"t{t}" for t in range(n_themes)),
        reverse=np.array(draw(st.lists(st.booleans(), min_size=k, max_size=k))),
        weights=np.array(draw(st.lists(weight, min_size=k, max_size=k))),
        min_answered=draw(st.sampled_from([2 / 3, 0.75, 0.5, 1.0, 0.3, 0.7])),
        criticals=tuple(criticals),
        cutoffs=cutoffs,
        min_group_size=draw(st.integers(1, 6)),
    )


@st.composite
def cases(draw, max_rows: int = 25):
    spec = draw(specs())
    n = draw(st.integers(0, max_rows))
    answer = st.one_of(st.none(), st.integers(1, spec.points))
    rows = draw(
        st.lists(
            st.lists(answer, min_size=spec.n_items, max_size=spec.n_items),
            min_size=n,
            max_size=n,
        )
    )
    matrix = np.array(
        [[np.nan if v is None else float(v) for v in row] for row in rows], dtype=float
    ).reshape(n, spec.n_items)
    return spec, rows, matrix


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=TOL, abs_tol=TOL)


def none_if_nan(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def none_if_zero(value: int) -> int | None:
    return int(value) or None


@SETTINGS
@given(cases())
def test_vectorised_scoring_equals_the_reference(case):
    spec, rows, matrix = case
    results = score_respondents(spec, matrix)
    reference = Reference(spec)
    for i, row in enumerate(rows):
        expected = reference.respondent(row)
        for t in range(spec.n_themes):
            assert close(none_if_nan(results.theme_scores[i, t]), expected.theme_scores[t])
            assert none_if_zero(results.theme_levels[i, t]) == expected.theme_levels[t]
        assert close(none_if_nan(results.overall_score[i]), expected.overall_score)
        assert none_if_zero(results.overall_level[i]) == expected.overall_level
        assert results.signal_items(i) == list(dict.fromkeys(expected.signals))


@SETTINGS
@given(cases(max_rows=40))
def test_group_results_equal_the_reference(case):
    spec, rows, matrix = case
    results = score_respondents(spec, matrix)
    reference = Reference(spec)
    scored = [reference.respondent(row) for row in rows]
    groups = np.array([i % 3 for i in range(len(rows))])
    per_group = group_results(spec, matrix, results, groups)
    for g, result in per_group.items():
        members = [i for i in range(len(rows)) if groups[i] == g]
        themes, overall = reference.group([rows[i] for i in members], [scored[i] for i in members])
        pairs = [*zip(result.themes.values(), themes, strict=True), (result.overall, overall)]
        for got, want in pairs:
            assert (got.n, got.suppressed, got.level) == (want.n, want.suppressed, want.level)
            assert got.distribution == want.distribution
            assert close(got.mean, want.mean)
            assert close(got.sd, want.sd)
            assert close(got.alpha, want.alpha)


@SETTINGS
@given(cases(max_rows=40))
def test_answer_codes_give_the_same_results_as_floats(case):
    spec, _rows, matrix = case
    dtype = np.uint8 if spec.points <= 255 else np.uint16
    codes = np.nan_to_num(matrix, nan=0).astype(dtype)
    from_floats = score_respondents(spec, matrix)
    from_codes = score_respondents(spec, codes)
    for name in ("theme_scores", "theme_levels", "overall_score", "overall_level", "signals"):
        np.testing.assert_array_equal(getattr(from_codes, name), getattr(from_floats, name))
    groups = np.array([i % 3 for i in range(matrix.shape[0])])
    assert group_results(spec, codes, from_codes, groups) == group_results(
        spec, matrix, from_floats, groups
    )
    assert group_result(spec, codes, from_codes) == group_result(spec, matrix, from_floats)


@SETTINGS
@given(cases())
def test_scores_stay_between_0_and_100(case):
    spec, _rows, matrix = case
    results = score_respondents(spec, matrix)
    for values in (results.theme_scores, results.overall_score):
        present = values[~np.isnan(values)]
        assert ((present >= 0) & (present <= 100)).all()
    levels = results.theme_levels
    assert ((levels >= 0) & (levels <= spec.n_levels)).all()
    assert ((levels == 0) == np.isnan(results.theme_scores)).all()


@SETTINGS
@given(cases(), st.randoms(use_true_random=False))
def test_the_order_of_respondents_does_not_matter(case, random):
    spec, _rows, matrix = case
    order = list(range(matrix.shape[0]))
    random.shuffle(order)
    results = score_respondents(spec, matrix)
    shuffled = score_respondents(spec, matrix[order])
    for name in ("theme_scores", "theme_levels", "overall_score", "overall_level", "signals"):
        np.testing.assert_array_equal(getattr(shuffled, name), getattr(results, name)[order])
    everyone = group_result(spec, matrix, results)
    again = group_result(spec, matrix[order], shuffled)
    for got, want in [
        *zip(again.themes.values(), everyone.themes.values(), strict=True),
        (again.overall, everyone.overall),
    ]:
        assert (got.n, got.suppressed, got.level, got.distribution) == (
            want.n,
            want.suppressed,
            want.level,
            want.distribution,
        )
        assert close(got.mean, want.mean)
        assert close(got.sd, want.sd)
        assert close(got.alpha, want.alpha)


@SETTINGS
@given(cases(), st.randoms(use_true_random=False))
def test_the_order_of_item_columns_does_not_matter(case, random):
    spec, _rows, matrix = case
    order = list(range(spec.n_items))
    random.shuffle(order)
    results = score_respondents(spec, matrix)
    moved = score_respondents(permuted(spec, order), matrix[:, order])
    np.testing.assert_allclose(moved.theme_scores, results.theme_scores, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(moved.overall_score, results.overall_score, rtol=TOL, atol=TOL)
    np.testing.assert_array_equal(moved.theme_levels, results.theme_levels)
    np.testing.assert_array_equal(moved.overall_level, results.overall_level)
    for i in range(matrix.shape[0]):
        assert sorted(moved.signal_items(i)) == sorted(results.signal_items(i))


@SETTINGS
@given(cases(max_rows=8), st.data())
def test_a_higher_answer_on_a_normal_item_never_lowers_its_theme_score(case, data):
    spec, _rows, matrix = case
    normal = [j for j in range(spec.n_items) if not spec.reverse[j]]
    answered = [
        (i, j)
        for i in range(matrix.shape[0])
        for j in normal
        if not np.isnan(matrix[i, j]) and matrix[i, j] < spec.points
    ]
    if not answered:
        return
    i, j = data.draw(st.sampled_from(answered))
    higher = matrix.copy()
    higher[i, j] = data.draw(st.integers(int(matrix[i, j]) + 1, spec.points))
    theme = spec.item_theme[j]
    before = score_respondents(spec, matrix).theme_scores[i, theme]
    after = score_respondents(spec, higher).theme_scores[i, theme]
    assert np.isnan(before) == np.isnan(after)
    if not np.isnan(before):
        assert after >= before - TOL


@SETTINGS
@given(cases(max_rows=5), st.data())
def test_invalid_answers_are_refused_like_the_reference_does(case, data):
    spec, rows, matrix = case
    if not rows:
        return
    i = data.draw(st.integers(0, len(rows) - 1))
    j = data.draw(st.integers(0, spec.n_items - 1))
    bad = data.draw(st.sampled_from([0, -1, spec.points + 1, 2.5, math.inf, -math.inf]))
    matrix = matrix.copy()
    matrix[i, j] = bad
    with pytest.raises(AnswerError) as caught:
        score_respondents(spec, matrix)
    first = next(
        (r, c)
        for r in range(matrix.shape[0])
        for c in range(spec.n_items)
        if not (np.isnan(matrix[r, c]) or matrix[r, c] in range(1, spec.points + 1))
    )
    assert (caught.value.respondent, caught.value.item) == (first[0], spec.item_ids[first[1]])
    valid = range(1, spec.points + 1)
    row = [None if np.isnan(v) else int(v) if v in valid else v for v in matrix[first[0]].tolist()]
    with pytest.raises(ValueError, match=spec.item_ids[first[1]]):
        Reference(spec).respondent(row)
