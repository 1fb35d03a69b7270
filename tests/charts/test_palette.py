"""Colours: WCAG contrast computed right, labels readable on every level, levels apart."""

from __future__ import annotations

import pytest

from wijscan.charts.palette import (
    BLACK,
    LEVEL_COLOURS,
    WHITE,
    contrast_ratio,
    relative_luminance,
    text_colour,
)


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ("#000000", "#FFFFFF", 21.0),
        ("#FFFFFF", "#FFFFFF", 1.0),
        ("#767676", "#FFFFFF", 4.54),  # the darkest grey that passes AA on white
        ("#777777", "#FFFFFF", 4.48),  # one step lighter fails
    ],
)
def test_contrast_ratio_matches_wcag(first, second, ratio):
    assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(second, first) == contrast_ratio(first, second)


def test_relative_luminance_is_linearised():
    assert relative_luminance("#808080") == pytest.approx(0.2159, abs=1e-4)
    with pytest.raises(ValueError, match="#RRGGBB"):
        relative_luminance("#fff")


@pytest.mark.parametrize("level", range(1, 7))
def test_the_label_colour_on_each_level_reaches_aa(level):
    fill = LEVEL_COLOURS[level - 1]
    ink = text_colour(fill)
    assert ink in (BLACK, WHITE)
    assert contrast_ratio(fill, ink) >= 4.5


def test_text_colour_picks_the_better_of_black_and_white():
    assert text_colour("#FFFF00") == BLACK
    assert text_colour("#000080") == WHITE


def test_six_distinct_levels_from_warm_to_calm():
    # colour is never the only cue (the level is written everywhere); this checks the order
    assert len(set(LEVEL_COLOURS)) == 6
    red = [int(colour[1:3], 16) for colour in LEVEL_COLOURS]
    blue = [int(colour[5:7], 16) for colour in LEVEL_COLOURS]
    assert red[0] > blue[0]  # level 1 warm
    assert blue[5] > red[5]  # level 6 blue
