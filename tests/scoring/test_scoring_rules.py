"""Hand-computed checks of DESIGN.md "Scoring (normative)" rules 1–7, one rule at a time."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wijscan.scoring import (
    SCORING_VERSION,
    AnswerError,
    CriticalRule,
    ScoringSpec,
    level_of,
    score_respondents,
    validate_answers,
)
from wijscan.scoring.spec import answered_needed

from .builders import CUTOFFS, It, answers, make_spec


def scores_of(spec, rows):
    return score_respondents(spec, answers(rows))


def test_scoring_version_is_recorded():
    assert SCORING_VERSION == "1"


# --- rule 1: answers ----------------------------------------------------------------------


ONE_THEME = make_spec([It("a", "t"), It("b", "t"), It("c", "t")])


@pytest.mark.parametrize("bad", [0, 6, 2.5, -1, math.inf, -math.inf, 1e300, 0.999999])
def test_an_answer_that_is_not_an_integer_1_to_points_names_respondent_and_item(bad):
    matrix = answers([[1, 2, 3], [4, bad, 5]])
    with pytest.raises(AnswerError) as caught:
        validate_answers(ONE_THEME, matrix, respondent_ids=["r1", "r2"])
    assert caught.value.respondent == "r2"
    assert caught.value.item == "b"
    assert "respondent r2" in str(caught.value)
    assert "item b" in str(caught.value)
    assert "1..5" in str(caught.value)


def test_the_first_bad_respondent_is_named_then_its_first_bad_item():
    matrix = answers([[1, 2, 3], [4, 5, 0], [9, 1, 1]])
    matrix[1, 1] = 7
    with pytest.raises(AnswerError) as caught:
        validate_answers(ONE_THEME, matrix)
    assert (caught.value.respondent, caught.value.item) == (1, "b")
    assert str(caught.value) == "respondent 1, item b: answer 7 is not a whole number 1..5"


@pytest.mark.parametrize("bad", ["3", True, 2.5, [1]])
def test_lists_reject_strings_and_bools_and_accept_none_as_missing(bad):
    assert np.isnan(validate_answers(ONE_THEME, [[1, None, 3]])[0, 1])
    with pytest.raises(AnswerError) as caught:
        validate_answers(ONE_THEME, [[1, 2, 3], [1, 2, bad]], respondent_ids=["x", "y"])
    assert (caught.value.respondent, caught.value.item) == ("y", "c")


def test_valid_answers_come_back_as_float_with_nan_for_missing():
    matrix = answers([[1, None, 5]])
    assert validate_answers(ONE_THEME, matrix) is matrix  # no copy needed
    ints = validate_answers(ONE_THEME, np.array([[1, 2, 3]], dtype=np.int64))
    assert ints.dtype == np.float64
    assert ints.tolist() == [[1.0, 2.0, 3.0]]
    assert validate_answers(ONE_THEME, []).shape == (0, 3)


def test_integer_arrays_cannot_say_missing_so_zero_is_an_error():
    with pytest.raises(AnswerError):
        validate_answers(ONE_THEME, np.array([[1, 0, 3]]))


def test_unsigned_integer_answers_are_codes_with_zero_for_missing():
    codes = np.array([[1, 0, 5], [0, 0, 2]], dtype=np.uint8)
    floats = validate_answers(ONE_THEME, codes)
    np.testing.assert_array_equal(floats, answers([[1, None, 5], [None, None, 2]]))
    for dtype in (np.uint8, np.uint16, np.uint32, np.uint64):
        given = score_respondents(ONE_THEME, codes.astype(dtype))
        expected = score_respondents(ONE_THEME, floats)
        np.testing.assert_array_equal(given.theme_scores, expected.theme_scores)
        np.testing.assert_array_equal(given.overall_level, expected.overall_level)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint64])
def test_a_code_above_points_names_respondent_and_item_also_far_down(dtype):
    codes = np.full((10_000, 3), 3, dtype=dtype)
    codes[9_000, 1] = 6
    codes[9_500, 0] = 200
    for call in (score_respondents, validate_answers):
        with pytest.raises(AnswerError) as caught:
            call(ONE_THEME, codes)
        assert (caught.value.respondent, caught.value.item) == (9_000, "b")
        assert str(caught.value) == "respondent 9000, item b: answer 6 is not a whole number 1..5"


def test_uint8_codes_are_used_without_a_copy():
    codes = np.array([[1, 0, 5]], dtype=np.uint8)
    assert score_respondents(ONE_THEME, codes)._codes is codes


def test_answers_must_have_one_column_per_item():
    with pytest.raises(ValueError, match="one column per item"):
        validate_answers(ONE_THEME, np.ones((2, 4)))
    with pytest.raises(ValueError, match="ids"):
        validate_answers(ONE_THEME, np.ones((2, 3)), respondent_ids=["only one"])


def test_scoring_checks_the_answers_too_also_far_down_the_matrix():
    matrix = np.full((10_000, 3), 3.0)
    matrix[9_000, 2] = 3.5
    with pytest.raises(AnswerError) as caught:
        score_respondents(ONE_THEME, matrix)
    assert (caught.value.respondent, caught.value.item) == (9_000, "c")


# --- rules 2 and 3: reverse keys and item scores -----------------------------------------


def test_item_scores_run_from_0_to_100_and_reverse_keys_flip_them():
    spec = make_spec([It("up", "a"), It("down", "b", rev=True)], min_answered=1)
    result = scores_of(spec, [[a, a] for a in range(1, 6)])
    assert result.theme_scores[:, 0].tolist() == [0, 25, 50, 75, 100]
    assert result.theme_scores[:, 1].tolist() == [100, 75, 50, 25, 0]


def test_item_score_on_a_four_point_scale():
    spec = make_spec([It("a", "t")], points=4)
    result = scores_of(spec, [[1], [2], [3], [4]])
    assert result.theme_scores[:, 0] == pytest.approx([0, 100 / 3, 200 / 3, 100])


# --- rule 4: theme scores -------------------------------------------------------------------


def test_theme_score_is_the_weighted_mean_of_the_item_scores():
    spec = make_spec([It("a", "t"), It("b", "t", w=2), It("c", "t", rev=True)])
    # a=5 -> 100, b=2 -> 25 (weight 2), c=2 reversed -> 4 -> 75: (100 + 50 + 75) / 4
    assert scores_of(spec, [[5, 2, 2]]).theme_scores[0, 0] == 56.25


def test_non_integer_weights():
    spec = make_spec([It("a", "t", w=0.5), It("b", "t", w=1.25)])
    # (0.5 * 100 + 1.25 * 25) / 1.75
    assert scores_of(spec, [[5, 2]]).theme_scores[0, 0] == pytest.approx(81.25 / 1.75, abs=1e-12)


def test_weights_count_only_for_answered_items():
    spec = make_spec([It("a", "t", w=3), It("b", "t"), It("c", "t")])
    # a missing: (b 100 + c 0) / 2
    assert scores_of(spec, [[None, 5, 1]]).theme_scores[0, 0] == 50


FOUR = make_spec([It(f"i{j}", "t") for j in range(4)], min_answered=0.75)


def test_three_of_four_answered_is_exactly_enough_at_min_answered_075():
    result = scores_of(FOUR, [[5, 3, None, 1], [5, None, None, 1]])
    assert result.theme_scores[0, 0] == 50  # (100 + 50 + 0) / 3
    assert np.isnan(result.theme_scores[1, 0])  # 2 < ceil(0.75 * 4) = 3
    assert result.theme_levels[:, 0].tolist() == [4, 0]
    assert result.theme_answered[:, 0].tolist() == [3, 2]


def test_two_of_three_answered_is_exactly_enough_at_the_default_two_thirds():
    spec = make_spec([It("a", "t"), It("b", "t"), It("c", "t")])
    assert spec.min_answered == 2 / 3
    result = scores_of(spec, [[4, None, 2], [None, None, 2], [None, None, None]])
    assert result.theme_scores[0, 0] == 50
    assert np.isnan(result.theme_scores[1:, 0]).all()


@pytest.mark.parametrize(
    ("n_items", "share", "need"),
    [
        (4, 0.75, 3),
        (3, 2 / 3, 2),
        (6, 2 / 3, 4),
        (1, 2 / 3, 1),
        (5, 0.5, 3),
        (10, 0.7, 7),  # 0.7 * 10 is 7.000000000000001 in binary
        (9, 1 / 3, 3),
        (3, 1.0, 3),
        (2, 0.01, 1),
    ],
)
def test_answered_items_needed(n_items, share, need):
    assert int(answered_needed(n_items, share)) == need


def test_a_theme_with_one_item():
    spec = make_spec([It("solo", "a"), It("x", "b"), It("y", "b")])
    result = scores_of(spec, [[4, 1, 1], [None, 5, 5]])
    assert result.theme_scores[0, 0] == 75
    assert np.isnan(result.theme_scores[1, 0])


# --- rule 5: levels -------------------------------------------------------------------------


def test_levels_at_and_around_the_default_cut_offs():
    scores = [0, 19.999999, 20, 20 - 1e-10, 20 - 2e-9, 34.99, 35, 49.9999, 50, 65, 79.99, 80, 100]
    assert level_of(scores, CUTOFFS).tolist() == [1, 1, 2, 2, 1, 2, 3, 3, 4, 5, 5, 6, 6]
    assert level_of([np.nan], CUTOFFS).tolist() == [0]
    assert int(level_of(20.0, CUTOFFS)) == 2


def test_a_score_of_exactly_20_from_answers_is_level_2():
    spec = make_spec([It("a", "t")], points=6)  # answer 2 on 1..6: 100 * 1/5 = 20
    result = scores_of(spec, [[2]])
    assert result.theme_scores[0, 0] == 20
    assert result.theme_levels[0, 0] == 2
    assert result.overall_level[0] == 2


def test_a_weighted_score_of_exactly_35_is_level_3():
    spec = make_spec([It("a", "t", w=3), It("b", "t", w=2)])
    result = scores_of(spec, [[2, 3]])  # (3 * 25 + 2 * 50) / 5
    assert result.theme_scores[0, 0] == 35
    assert result.theme_levels[0, 0] == 3


def test_other_cut_offs():
    spec = make_spec([It("a", "t")], cutoffs=(0, 50, 90))
    result = scores_of(spec, [[1], [3], [4], [5]])
    assert result.theme_levels[:, 0].tolist() == [1, 2, 2, 3]


# --- rule 6: critical items -----------------------------------------------------------------


CRIT = make_spec(
    [
        It("a", "t1"),
        It("b", "t1", crit=([1], 2)),
        It("c", "t2"),
        It("d", "t2"),
    ]
)


def test_a_critical_answer_caps_its_theme_level_and_the_overall_level_not_the_scores():
    result = scores_of(CRIT, [[5, 1, 5, 5], [5, 2, 5, 5]])
    # t1 = (100 + 0) / 2 = 50 -> level 4, capped to 2; t2 = 100 -> level 6, not capped.
    assert result.theme_scores[0].tolist() == [50, 100]
    assert result.theme_levels[0].tolist() == [2, 6]
    assert result.overall_score[0] == 75
    assert result.overall_level[0] == 2  # level 5, capped
    assert result.signals[0].tolist() == [True]
    assert result.signal_items(0) == ["b"]
    # b = 2 is not critical: t1 = (100 + 25) / 2 = 62.5 -> 4, overall 81.25 -> 6
    assert result.theme_levels[1].tolist() == [4, 6]
    assert result.overall_level[1] == 6
    assert result.signal_items(1) == []


def test_a_cap_above_the_level_changes_nothing():
    spec = make_spec([It("a", "t", crit=([1, 2], 5))])
    result = scores_of(spec, [[2]])
    assert result.theme_levels[0, 0] == 2
    assert result.signal_items(0) == ["a"]


def test_the_critical_answers_are_raw_answers_before_reversing():
    spec = make_spec([It("a", "t", rev=True, crit=([4, 5], 2)), It("b", "t")])
    result = scores_of(spec, [[5, 5], [1, 5]])
    # raw 5 fires; reversed it is 1 -> 0, so t = 50 -> level 4 -> capped 2
    assert result.signal_items(0) == ["a"]
    assert result.theme_levels[0, 0] == 2
    # raw 1 (reversed 5) does not fire: t = 100 -> 6
    assert result.signal_items(1) == []
    assert result.theme_levels[1, 0] == 6


def test_the_lowest_cap_of_several_signals_wins():
    spec = make_spec(
        [It("a", "t1", crit=([5], 3)), It("b", "t1", crit=([5], 1)), It("c", "t2", crit=([5], 2))]
    )
    result = scores_of(spec, [[5, 5, 5], [5, 1, 1]])
    assert result.signal_items(0) == ["a", "b", "c"]
    assert result.theme_levels[0].tolist() == [1, 2]
    assert result.overall_level[0] == 1
    assert result.signal_items(1) == ["a"]
    assert result.theme_levels[1].tolist() == [3, 1]  # t1 = 50 -> 4 capped 3; t2 = 0 -> 1
    assert result.overall_score[1] == 25
    assert result.overall_level[1] == 2  # level 2 is below the cap 3


def test_a_theme_without_a_score_keeps_no_level_but_the_signal_is_given():
    spec = make_spec(
        [It("a", "t1", crit=([1], 2)), It("b", "t1"), It("c", "t1"), It("d", "t2"), It("e", "t3")]
    )
    result = scores_of(spec, [[1, None, None, 5, 5]])
    assert np.isnan(result.theme_scores[0, 0])
    assert result.theme_levels[0].tolist() == [0, 6, 6]
    assert result.signal_items(0) == ["a"]
    # overall from t2 and t3 (2 of 3 themes): 100 -> 6, capped by the signal on t1
    assert result.overall_score[0] == 100
    assert result.overall_level[0] == 2


def test_without_an_overall_score_the_overall_level_stays_none():
    spec = make_spec([It("a", "t1", crit=([1], 2)), It("b", "t2"), It("c", "t3")])
    result = scores_of(spec, [[1, None, None]])
    assert np.isnan(result.overall_score[0])
    assert result.overall_level[0] == 0
    assert result.theme_levels[0].tolist() == [1, 0, 0]
    assert result.signal_items(0) == ["a"]


def test_a_missing_answer_on_a_critical_item_gives_no_signal():
    result = scores_of(CRIT, [[5, None, 5, 5]])
    assert result.signal_items(0) == []


# --- rule 7: overall score --------------------------------------------------------------------


def test_overall_score_needs_half_of_the_themes_rounded_up():
    four = make_spec([It(t, t) for t in "abcd"])
    result = scores_of(four, [[5, 3, None, None], [5, None, None, None]])
    assert result.overall_score[0] == 75
    assert np.isnan(result.overall_score[1])
    three = make_spec([It(t, t) for t in "abc"])
    result = scores_of(three, [[5, 1, None], [5, None, None]])
    assert result.overall_score[0] == 50
    assert np.isnan(result.overall_score[1])
    one = make_spec([It("a", "a")])
    assert scores_of(one, [[4]]).overall_score[0] == 75


def test_overall_is_the_unweighted_mean_of_the_theme_scores():
    spec = make_spec([It("a", "t1"), It("b", "t1"), It("c", "t1"), It("d", "t2")])
    result = scores_of(spec, [[5, 5, 5, 1]])
    assert result.overall_score[0] == 50
    assert result.overall_level[0] == 4


def test_no_respondents():
    result = score_respondents(CRIT, np.empty((0, 4)))
    assert result.theme_scores.shape == (0, 2)
    assert result.signals.shape == (0, 1)
    assert len(result) == 0


# --- the spec ---------------------------------------------------------------------------------


def test_spec_checks_itself():
    good = {
        "instrument_id": "x",
        "instrument_version": 1,
        "points": 5,
        "item_ids": ("a", "b"),
        "item_theme": np.array([0, 0]),
        "theme_ids": ("t",),
        "reverse": np.array([False, True]),
        "weights": np.array([1.0, 1.0]),
        "min_answered": 2 / 3,
        "criticals": (),
        "cutoffs": np.array(CUTOFFS),
    }
    spec = ScoringSpec(**good)
    assert spec.min_group_size == 5
    assert not spec.reverse.flags.writeable
    bad_cases = [
        ({"item_ids": ("a", "a")}, "unique"),
        ({"points": 1}, "points"),
        ({"weights": np.array([1.0, 0.0])}, "weights"),
        ({"cutoffs": np.array([5.0, 20.0])}, "cutoffs"),
        ({"cutoffs": np.array([0.0, 20.0, 20.0])}, "cutoffs"),
        ({"min_answered": 0.0}, "min_answered"),
        ({"item_theme": np.array([0, 1])}, "outside"),
        ({"theme_ids": ("t", "empty")}, "no items"),
        ({"criticals": (CriticalRule(0, frozenset({6}), 2),)}, "critical answers"),
        ({"criticals": (CriticalRule(2, frozenset({1}), 2),)}, "item index"),
        ({"min_group_size": 0}, "min_group_size"),
    ]
    for change, message in bad_cases:
        with pytest.raises(ValueError, match=message):
            ScoringSpec(**{**good, **change})
