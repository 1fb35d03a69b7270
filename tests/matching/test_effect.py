"""'Wat werkt' with hand-computed numbers, and suppression below the minimum number of classes."""

from __future__ import annotations

import math

import pytest

from wijscan.matching.effect import ClassChange, effect


def change(klas, before, after, taught=()):
    return ClassChange(klas, "democratie", before, after, frozenset(taught))


def test_the_difference_of_mean_changes_with_its_standard_error():
    # taught: deltas 10, 12, 8 (mean 10, sd 2); not taught: 1, 3, 2 (mean 2, sd 1)
    changes = [
        change(1, 40, 50, {"les"}),
        change(2, 40, 52, {"les"}),
        change(3, 40, 48, {"les", "andere"}),
        change(4, 40, 41),
        change(5, 40, 43, {"andere"}),
        change(6, 40, 42),
        ClassChange(7, "burgerschap", 10, 90, frozenset({"les"})),  # another theme: left out
    ]
    result = effect("les", "democratie", changes, min_classes=3)
    assert result.shown
    assert (result.taught.n, result.other.n) == (3, 3)
    assert result.taught.mean == pytest.approx(10.0)
    assert result.other.mean == pytest.approx(2.0)
    assert result.taught.sd == pytest.approx(2.0)
    assert result.other.sd == pytest.approx(1.0)
    assert result.difference == pytest.approx(8.0)
    assert result.se == pytest.approx(math.sqrt(4 / 3 + 1 / 3))  # 1.29
    assert result.verdict == "beter"


def test_a_difference_within_the_noise_is_no_clear_difference():
    changes = [change(1, 40, 50, {"les"}), change(2, 40, 30, {"les"})]
    changes += [change(3, 40, 45), change(4, 40, 35)]
    result = effect("les", "democratie", changes, min_classes=2)
    # taught 10, -10 (mean 0, sd 14.1); other 5, -5 (mean 0, sd 7.07)
    assert result.difference == pytest.approx(0.0)
    assert result.verdict == "geen"


def test_a_lower_change_after_teaching_is_reported_as_lower():
    changes = [change(k, 50, 40, {"les"}) for k in range(2)]
    changes += [change(2, 50, 41, {"les"})]
    changes += [change(k, 50, 52) for k in range(3, 6)]
    result = effect("les", "democratie", changes, min_classes=3)
    assert result.verdict == "slechter"


def test_nothing_but_counts_below_the_minimum_number_of_classes():
    changes = [change(k, 40, 50, {"les"}) for k in range(5)]
    changes += [change(k, 40, 42) for k in range(5, 9)]  # 4 classes did not teach it
    result = effect("les", "democratie", changes, min_classes=5)
    assert not result.shown
    assert (result.taught.n, result.other.n) == (5, 4)
    assert result.taught.mean is None
    assert result.other.mean is None
    assert result.difference is None
    assert result.verdict is None
    changes.append(change(9, 40, 41))
    assert effect("les", "democratie", changes, min_classes=5).shown
