"""Hand-computed checks of rules 8 (group results, Cronbach's alpha) and 9 (change)."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

from wijscan.scoring import (
    AnswerError,
    Change,
    GroupStat,
    change,
    cronbach_alpha,
    group_result,
    group_results,
    score_respondents,
)
from wijscan.scoring import groups as groups_module

from .builders import It, answers, make_spec

# Two themes: t (three items, the middle one reversed) and s (one item).
SPEC = make_spec(
    [It("a", "t"), It("b", "t", rev=True), It("c", "t", crit=([1], 2)), It("d", "s")],
    min_answered=1.0,
)


def run(rows, spec=SPEC, mask=None):
    matrix = answers(rows)
    return group_result(spec, matrix, score_respondents(spec, matrix), mask)


# --- suppression --------------------------------------------------------------------------


def test_four_respondents_are_suppressed_five_are_shown():
    four = run([[3, 3, 3, 3]] * 4)
    assert four.themes["t"] == GroupStat(n=4, suppressed=True)
    assert four.themes["t"].mean is None
    assert four.themes["t"].distribution is None
    assert four.overall == GroupStat(n=4, suppressed=True)
    five = run([[3, 3, 3, 3]] * 5)
    assert five.themes["t"].suppressed is False
    assert five.themes["t"].n == 5
    assert five.themes["t"].mean == 50


def test_n_counts_only_respondents_with_a_score_per_theme():
    rows = [[3, 3, 3, 3]] * 5 + [[3, 3, 3, None]] * 2 + [[None, None, None, None]]
    result = run(rows)
    assert result.themes["t"].n == 7
    assert result.themes["s"].n == 5
    shown_t = run([[3, 3, 3, None]] * 5)
    assert shown_t.themes["t"].suppressed is False
    assert shown_t.themes["s"] == GroupStat(n=0, suppressed=True)
    # overall needs 1 of 2 themes, so these five have an overall score
    assert shown_t.overall.n == 5


def test_min_group_size_comes_from_the_spec():
    spec = make_spec([It("a", "t")], min_group_size=2)
    assert run([[1], [5]], spec).themes["t"].suppressed is False
    assert run([[1]], spec).themes["t"].suppressed is True


# --- mean, sd, level, distribution --------------------------------------------------------


def test_mean_sd_level_and_distribution():
    spec = make_spec([It("a", "t")])
    result = run([[1], [2], [3], [4], [5]], spec).themes["t"]
    assert result.mean == 50
    # scores 0, 25, 50, 75, 100: squared deviations 2500 + 625 + 0 + 625 + 2500 over n - 1 = 4
    assert result.sd == pytest.approx(math.sqrt(6250 / 4), abs=1e-12)
    assert result.level == 4
    assert result.distribution == {1: 1, 2: 1, 3: 0, 4: 1, 5: 1, 6: 1}  # 0 25 50 75 100


def test_group_level_is_the_level_of_the_mean_not_capped_distribution_is_capped():
    # Every respondent answers the critical c=1: their t level is capped to 2.
    rows = [[5, 1, 1, 5]] * 5  # t = (100 + 100 + 0) / 3 = 66.67 -> level 5
    result = run(rows)
    t = result.themes["t"]
    assert t.mean == pytest.approx(200 / 3)
    assert t.level == 5
    assert t.distribution == {1: 0, 2: 5, 3: 0, 4: 0, 5: 0, 6: 0}
    assert result.overall.level == 6  # mean of 66.67 and 100 = 83.3
    assert result.overall.distribution == {1: 0, 2: 5, 3: 0, 4: 0, 5: 0, 6: 0}
    assert result.overall.alpha is None


def test_sd_is_none_for_a_single_respondent():
    spec = make_spec([It("a", "t")], min_group_size=1)
    only = run([[4]], spec).themes["t"]
    assert (only.n, only.mean, only.sd, only.level) == (1, 75, None, 5)


def test_a_mask_selects_the_group():
    spec = make_spec([It("a", "t")])
    rows = [[1], [5], [5], [5], [5], [5], [1]]
    mask = np.array([False, True, True, True, True, True, False])
    assert run(rows, spec, mask).themes["t"].mean == 100
    assert run(rows, spec, mask).themes["t"].n == 5
    assert run(rows, spec, np.zeros(7, bool)).themes["t"] == GroupStat(n=0, suppressed=True)


# --- Cronbach's alpha -----------------------------------------------------------------------

# A published worked example: "Survey reliability", thinkdeeply.cc (CC BY 4.0): ten respondents,
# four 5-point Likert items X1..X4, alpha = 0.674 (checked there with R's psy::cronbach). Its
# item variances are 0.6778, 0.989, 0.6222, 1.344.
PUBLISHED = [
    [3, 3, 3, 3],
    [3, 3, 4, 3],
    [3, 3, 3, 1],
    [5, 4, 4, 5],
    [2, 1, 4, 4],
    [4, 4, 4, 5],
    [3, 2, 3, 3],
    [3, 4, 3, 3],
    [4, 2, 2, 3],
    [3, 3, 2, 3],
]


def test_cronbach_alpha_of_a_published_example():
    assert round(cronbach_alpha(PUBLISHED), 3) == 0.674
    variances = [statistics.variance(col) for col in zip(*PUBLISHED, strict=True)]
    assert [round(v, 4) for v in variances] == [0.6778, 0.9889, 0.6222, 1.3444]


# A course handout: K. Wuensch, "The Kuder-Richardson 20" (East Carolina University, StatHelp,
# KR20.txt): ten students, a ten-item quiz scored 0/1. It lists p*q per item (the population item
# variances: .21 .21 .24 .21 .24 .16 .21 .21 .25 .24, sum 2.18) and the population variance of the
# totals, 5.84, and notes that KR-20 is Cronbach's alpha of 0/1 items: 10/9 * (1 - 2.18/5.84).
# (Alpha is the same with ddof=0 or ddof=1 as long as both variances use the same one.)
KR20 = [
    [1, 1, 1, 1, 1, 1, 0, 1, 1, 0],
    [1, 0, 1, 1, 0, 1, 1, 1, 0, 1],
    [1, 1, 1, 1, 0, 1, 1, 0, 0, 1],
    [0, 0, 1, 0, 0, 0, 1, 0, 0, 0],
    [0, 0, 0, 0, 0, 1, 0, 0, 1, 0],
    [1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
    [1, 1, 0, 1, 1, 1, 0, 1, 1, 1],
    [1, 1, 1, 1, 1, 1, 1, 1, 0, 1],
    [0, 1, 0, 1, 1, 1, 1, 1, 0, 1],
    [1, 1, 0, 1, 1, 0, 1, 1, 1, 0],
]


def test_cronbach_alpha_of_a_published_kr20_example():
    data = np.array(KR20)
    assert np.var(data, axis=0).round(2).tolist() == [
        0.21,
        0.21,
        0.24,
        0.21,
        0.24,
        0.16,
        0.21,
        0.21,
        0.25,
        0.24,
    ]
    assert np.var(data.sum(axis=1)) == pytest.approx(5.84)
    assert cronbach_alpha(KR20) == pytest.approx(10 / 9 * (1 - 2.18 / 5.84), abs=1e-12)
    assert round(cronbach_alpha(KR20), 3) == 0.696


def test_cronbach_alpha_exactly_by_hand():
    # items x = (1, 2, 3), y = (1, 3, 2): var x = var y = 1, total (2, 5, 5): var 3
    # alpha = 2/1 * (1 - 2/3) = 2/3
    assert cronbach_alpha([[1, 1], [2, 3], [3, 2]]) == pytest.approx(2 / 3, abs=1e-15)


def test_cronbach_alpha_is_none_when_it_cannot_be_computed():
    assert cronbach_alpha([[1], [2], [3]]) is None  # one item
    assert cronbach_alpha([[1, 2], [2, 3]]) is None  # two rows
    assert cronbach_alpha([[1, 2], [2, 1], [3, 0]]) is None  # zero total variance
    assert cronbach_alpha([[1, 1], [2, 3], [3, 2], [np.nan, 1]]) == pytest.approx(2 / 3)


def test_group_alpha_uses_reverse_keyed_answers_of_complete_respondents():
    spec = make_spec(
        [It("x1", "t"), It("x2", "t", rev=True), It("x3", "t"), It("x4", "t", rev=True)],
        min_answered=0.5,
    )
    # Reverse x2 and x4 of the published data in the answers; keyed back they are the data.
    rows = [[r[0], 6 - r[1], r[2], 6 - r[3]] for r in PUBLISHED]
    rows += [[5, None, 1, 1], [1, 1, None, 5]]  # incomplete: scored, but not in alpha
    result = run(rows, spec).themes["t"]
    assert result.n == 12
    assert result.alpha == pytest.approx(cronbach_alpha(PUBLISHED), abs=1e-12)


def test_group_alpha_is_none_for_one_item_few_complete_rows_or_no_variance():
    one_item = run([[3, 3, 3, 1], [3, 3, 3, 2], [3, 3, 3, 3], [3, 3, 3, 4], [3, 3, 3, 5]])
    assert one_item.themes["s"].alpha is None
    assert one_item.themes["t"].alpha is None  # total variance zero
    spec = make_spec([It("a", "t"), It("b", "t")], min_answered=0.5)
    few = run([[1, 2], [2, 1], [3, None], [None, 4], [5, None]], spec)
    assert few.themes["t"].n == 5
    assert few.themes["t"].alpha is None  # two complete respondents


def test_group_alpha_matches_cronbach_alpha_with_many_respondents():
    rng = np.random.default_rng(7)
    spec = make_spec([It(f"i{j}", "t", rev=j % 3 == 0) for j in range(6)])
    matrix = rng.integers(1, 6, size=(3000, 6)).astype(float)
    matrix[:, 1] = np.clip(matrix[:, 0] + rng.integers(-1, 2, 3000), 1, 5)
    matrix[rng.random((3000, 6)) < 0.1] = np.nan
    results = score_respondents(spec, matrix)
    keyed = np.where(spec.reverse, 6 - matrix, matrix)
    expected = cronbach_alpha(keyed)
    assert group_result(spec, matrix, results).themes["t"].alpha == pytest.approx(expected)


# --- many groups at once --------------------------------------------------------------------


def test_group_results_equal_one_group_at_a_time():
    rng = np.random.default_rng(3)
    matrix = rng.integers(1, 6, size=(200, 4)).astype(float)
    matrix[rng.random((200, 4)) < 0.1] = np.nan
    results = score_respondents(SPEC, matrix)
    labels = np.array(rng.choice(["2B", "1A", "1B", None], size=200), dtype=object)
    labels[:3] = "tiny"
    labels[3:] = np.where(labels[3:] == "tiny", "1A", labels[3:])
    per_group = group_results(SPEC, matrix, results, labels)
    assert list(per_group) == ["1A", "1B", "2B", "tiny"]
    for key, result in per_group.items():
        alone = group_result(SPEC, matrix, results, labels == key)
        assert result == alone
    assert per_group["tiny"].themes["t"].suppressed


def test_group_results_of_rows_that_already_come_grouped_equal_one_group_at_a_time():
    rng = np.random.default_rng(4)
    matrix = rng.integers(1, 6, size=(300, 4)).astype(float)
    matrix[rng.random((300, 4)) < 0.1] = np.nan
    results = score_respondents(SPEC, matrix)
    labels = np.array([None] * 40 + ["1A"] * 100 + ["1B"] * 3 + ["2B"] * 157, dtype=object)
    per_group = group_results(SPEC, matrix, results, labels)
    assert list(per_group) == ["1A", "1B", "2B"]
    shuffled = rng.permutation(300)
    again = group_results(SPEC, matrix[shuffled], results_of(matrix[shuffled]), labels[shuffled])
    for key, result in per_group.items():
        assert result == group_result(SPEC, matrix, results, labels == key)
        assert (result.overall.n, result.overall.distribution) == (
            again[key].overall.n,
            again[key].overall.distribution,
        )
        assert result.themes["t"].alpha == pytest.approx(again[key].themes["t"].alpha)


def test_group_sums_in_many_short_blocks_give_the_same_results(monkeypatch):
    rng = np.random.default_rng(5)
    matrix = rng.integers(1, 6, size=(200, 4)).astype(float)  # 28 blocks of 7 rows and one of 4
    matrix[rng.random((200, 4)) < 0.1] = np.nan
    results = score_respondents(SPEC, matrix)
    labels = rng.choice([3, 1, 2, -5], size=200)
    expected = group_results(SPEC, matrix, results, labels)
    monkeypatch.setattr(groups_module, "MOMENT_ROWS", 7)
    monkeypatch.setattr(groups_module, "ALPHA_BLOCK_ROWS", 5)
    got = group_results(SPEC, matrix, results, labels)
    for key, result in expected.items():
        for want, have in [
            *zip(result.themes.values(), got[key].themes.values(), strict=True),
            (result.overall, got[key].overall),
        ]:
            assert (have.n, have.distribution, have.level, have.alpha) == (
                want.n,
                want.distribution,
                want.level,
                want.alpha,
            )
            assert have.mean == pytest.approx(want.mean, rel=1e-12)
            assert have.sd == pytest.approx(want.sd, rel=1e-12)
        scores = [
            s
            for s, g in zip(results.overall_score, labels, strict=True)
            if g == key and not np.isnan(s)
        ]
        assert got[key].overall.mean == pytest.approx(statistics.fmean(scores), rel=1e-12)
        assert got[key].overall.sd == pytest.approx(statistics.stdev(scores), rel=1e-12)


def results_of(matrix):
    return score_respondents(SPEC, matrix)


def test_group_results_with_integer_groups():
    matrix = answers([[3, 3, 3, 3]] * 6)
    results = score_respondents(SPEC, matrix)
    per_group = group_results(SPEC, matrix, results, np.array([7, 7, 7, 7, 7, 2]))
    assert list(per_group) == [2, 7]
    assert per_group[7].themes["t"].n == 5
    assert per_group[2].themes["t"].suppressed
    assert group_results(SPEC, matrix[:0], score_respondents(SPEC, matrix[:0]), []) == {}


def test_group_results_with_other_answers_than_scored_still_uses_those_answers():
    matrix = answers([[5, 1, 5, 5]] * 5)
    results = score_respondents(SPEC, matrix)
    copy = matrix.copy()  # not the same object: the answers are read again
    assert group_result(SPEC, copy, results) == group_result(SPEC, matrix, results)


# --- rule 9: change -------------------------------------------------------------------------


def stat(n, mean, sd):
    return GroupStat(n=n, suppressed=False, mean=mean, sd=sd, level=None)


def test_a_clear_change():
    # se = sqrt(10²/25 + 10²/25) = sqrt(8) = 2.828; 1.96 * se = 5.54 < 6
    result = change(stat(25, 50.0, 10.0), stat(25, 56.0, 10.0))
    assert result == Change(delta=6.0, se=pytest.approx(math.sqrt(8)), clear=True)


def test_no_clear_change():
    # se = sqrt(20²/16 + 20²/16) = sqrt(50) = 7.07; 1.96 * se = 13.86 > 10
    result = change(stat(16, 60.0, 20.0), stat(16, 50.0, 20.0))
    assert result is not None
    assert result.delta == -10.0
    assert result.se == pytest.approx(math.sqrt(50))
    assert result.clear is False


def test_change_needs_two_shown_groups():
    assert change(GroupStat(n=3, suppressed=True), stat(25, 50.0, 10.0)) is None
    assert change(stat(25, 50.0, 10.0), GroupStat(n=3, suppressed=True)) is None
    assert change(stat(1, 50.0, None), stat(25, 50.0, 10.0)) is None


@pytest.mark.parametrize(
    ("groups", "keys"),
    [
        ([True, False, True, True, True, True], [False, True]),
        (["b", "a", "b", "b", "b", "b"], ["a", "b"]),
        ([None, "a", None, "a", "a", "a"], ["a"]),
        ([10**12, 1, 1, 1, 1, 1], [1, 10**12]),
        ([2.5, 1.0, 2.5, 2.5, 2.5, 2.5], [1.0, 2.5]),
    ],
)
def test_group_values_of_any_kind(groups, keys):
    matrix = answers([[3, 3, 3, 3]] * 6)
    results = score_respondents(SPEC, matrix)
    per_group = group_results(SPEC, matrix, results, groups)
    assert list(per_group) == keys
    assert all(type(key) is type(want) for key, want in zip(per_group, keys, strict=True))
    assert sum(r.themes["t"].n for r in per_group.values()) == sum(g is not None for g in groups)
    with pytest.raises(ValueError, match="one value per respondent"):
        group_results(SPEC, matrix, results, groups[:-1])


def test_answers_other_than_the_scored_array_are_checked_again():
    matrix = answers([[3, 3, 3, 3]] * 5)
    results = score_respondents(SPEC, matrix)
    broken = matrix.copy()
    broken[2, 1] = 9
    with pytest.raises(AnswerError):
        group_result(SPEC, broken, results)
    with pytest.raises(ValueError, match="results hold 5 respondents"):
        group_result(SPEC, matrix[:4], results)
