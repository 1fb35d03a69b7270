"""The mean per theme over the rounds: one line each, broken where a mean is missing."""

from __future__ import annotations

import math

import pytest

from wijscan.charts import TrendLine, trend_chart
from wijscan.charts import trend as trend_module
from wijscan.charts.palette import LINE_STYLES, contrast_ratio

from .builders import NAMES, SVG, all_text, group, parse, trend


def _line(figure, index):
    return next(artist for artist in figure.artists if artist.get_gid() == f"line-{index}")


def test_a_missing_mean_leaves_a_gap_and_a_lone_point_keeps_its_marker():
    data = trend()
    figure = trend_module.draw(data)
    participatie = _line(figure, 1).get_ydata()  # (60.0, None, 66.4)
    assert not math.isnan(participatie[0])
    assert math.isnan(participatie[1])
    assert not math.isnan(participatie[2])
    democratie = _line(figure, 2)  # (None, 47.5, None): one point, drawn as a marker
    assert [math.isnan(y) for y in democratie.get_ydata()] == [True, False, True]
    assert democratie.get_marker() not in (None, "None", "")


def test_in_the_svg_a_gap_splits_the_line_and_markers_sit_only_on_real_means():
    means = (50.0, None, 60.0, 62.0, None, 70.0, None)
    data = trend(rounds=tuple("abcdefg"), lines=(TrendLine(name="x", means=means),))
    chart = trend_chart(data)
    drawn = group(parse(chart.svg), chart.id, "line-0")
    d = drawn.find(f"{SVG}path").get("d")
    assert d.count("M") == 3  # three runs: (50), (60, 62), (70)
    assert d.count("L") == 1  # joined only where two rounds in a row have a mean: 60 → 62
    assert len(drawn.findall(f".//{SVG}use")) == 4  # one marker per mean


def test_higher_means_are_drawn_higher():
    data = trend(lines=(TrendLine(name="x", means=(10.0, 90.0, 50.0)),))
    root = parse(trend_chart(data).svg)
    chart_id = root.get("id")
    ys = [float(use.get("y")) for use in group(root, chart_id, "line-0").iter(f"{SVG}use")]
    assert ys[1] < ys[2] < ys[0]  # SVG y grows downwards


def test_the_table_holds_the_means_rounded_and_the_missing_text():
    chart = trend_chart(trend())
    assert chart.table.columns == ("Thema", "Oktober", "Februari", "Juni")
    assert chart.table.rows == (
        ("Burgerschap", 52, 58, 61),
        ("Participatie", 60, "te weinig respondenten", 66),
        ("Democratie", "te weinig respondenten", 48, "te weinig respondenten"),
    )


def test_the_level_bands_are_written_and_each_theme_named_in_the_legend():
    words = all_text(parse(trend_chart(trend()).svg))
    assert all(f"{level} {name}" in words for level, name in enumerate(NAMES, 1))
    assert {"Burgerschap", "Participatie", "Democratie"} <= set(words)
    assert {"Oktober", "Februari", "Juni"} <= set(words)


def test_no_chart_when_no_mean_is_shown():
    lines = (TrendLine(name="a", means=(None, None, None)), TrendLine(name="b", means=(None,) * 3))
    assert trend_chart(trend(lines=lines)) is None


def test_nan_counts_as_missing():
    assert TrendLine(name="a", means=(math.nan, 1)).means == (None, 1.0)


def test_means_must_match_the_rounds():
    with pytest.raises(ValueError, match="2 means for 3 rounds"):
        trend(lines=(TrendLine(name="a", means=(1.0, 2.0)),))


def test_line_colours_stand_out_from_white_and_differ_in_more_than_colour():
    assert all(contrast_ratio(colour, "#FFFFFF") >= 3 for colour, _, _ in LINE_STYLES)
    assert len({marker for _, marker, _ in LINE_STYLES}) == len(LINE_STYLES)
