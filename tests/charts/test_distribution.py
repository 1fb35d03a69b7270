"""Per theme a stacked bar over the six levels, weakest theme first, suppressed themes marked."""

from __future__ import annotations

import itertools

from wijscan.charts import ThemeBar, distribution_chart
from wijscan.charts.distribution import ordered
from wijscan.charts.palette import LEVEL_COLOURS, SUPPRESSED_FILL, WHITE, contrast_ratio

from .builders import NAMES, SVG, all_text, distribution, group, parse, shape, text


def _names(chart):
    return [row[0] for row in chart.table.rows]


def test_weakest_first_by_mean_then_suppressed_themes_last():
    chart = distribution_chart(distribution())
    assert _names(chart) == [
        "Identiteitsontwikkeling",  # 48.1
        "Burgerschap",  # 58.2
        "Participatie",  # 63.0
        "Maatschappelijke conflicten",  # 70
        "Democratie",  # suppressed
    ]
    # the bars are drawn in the same order, top to bottom
    root = parse(chart.svg)
    names = [text(root, chart.id, f"theme-{i}-name")[0] for i in range(5)]
    assert names == _names(chart)


def test_given_order_when_not_weakest_first():
    data = distribution(weakest_first=False)
    assert _names(distribution_chart(data)) == [theme.name for theme in data.themes]


def test_without_means_the_mean_level_orders_and_ties_keep_their_order():
    themes = (
        ThemeBar(name="a", counts=(0, 0, 0, 0, 5, 5)),
        ThemeBar(name="b", counts=(5, 5, 0, 0, 0, 0)),
        ThemeBar(name="c", counts=(0, 0, 0, 0, 5, 5)),
        ThemeBar(name="d", counts=(0, 0, 5, 5, 0, 0)),
    )
    assert [theme.name for theme in ordered(distribution(themes=themes))] == ["b", "d", "a", "c"]


def test_the_table_holds_the_counts_and_no_numbers_for_a_suppressed_theme():
    data = distribution()
    chart = distribution_chart(data)
    assert chart.table.columns == ("Thema", *(f"{n} {name}" for n, name in enumerate(NAMES, 1)))
    rows = {row[0]: row[1:] for row in chart.table.rows}
    for theme in data.themes:
        if theme.counts is not None:
            assert rows[theme.name] == theme.counts
    assert rows["Democratie"] == ("te weinig respondenten", "", "", "", "", "")


def test_every_segment_has_its_level_and_count_written_and_is_in_its_level_colour():
    data = distribution()
    chart = distribution_chart(data)
    root = parse(chart.svg)
    for index, theme in enumerate(ordered(data)):
        if theme.counts is None:
            continue
        for level, count in enumerate(theme.counts, 1):
            segment = group(root, chart.id, f"theme-{index}-level-{level}")
            if count == 0:
                assert segment is None  # no empty sliver, no "0" label
                continue
            fill = shape(root, chart.id, f"theme-{index}-level-{level}").fill
            assert fill == LEVEL_COLOURS[level - 1].lower()
            written_level, _ = text(root, chart.id, f"theme-{index}-label-{level}-level")
            written_count, ink = text(root, chart.id, f"theme-{index}-label-{level}-count")
            assert (written_level, written_count) == (str(level), str(count))
            bar = shape(root, chart.id, f"theme-{index}-level-{level}")
            y = float(_text_element(root, chart.id, f"theme-{index}-label-{level}-count").get("y"))
            background = fill if bar.top <= y <= bar.bottom else WHITE  # in it, or under the bar
            assert contrast_ratio(background, ink) >= 4.5


def _text_element(root, chart_id, gid):
    return group(root, chart_id, gid).find(f".//{SVG}text")


def test_segments_fill_the_bar_in_proportion():
    data = distribution()
    chart = distribution_chart(data)
    root = parse(chart.svg)
    theme = ordered(data)[0]  # Identiteitsontwikkeling (3, 4, 6, 6, 5, 4)
    segments = [shape(root, chart.id, f"theme-0-level-{n}") for n in range(1, 7)]
    widths = [s.width_at(s.bottom) for s in segments]
    total = sum(theme.counts)
    for width, count in zip(widths, theme.counts, strict=True):
        assert abs(width / sum(widths) - count / total) < 1e-3
    lefts = [min(x for x, _ in s.points) for s in segments]
    assert lefts == sorted(lefts)  # level 1 on the left


def test_labels_of_narrow_segments_go_under_the_bar_without_overlapping():
    # 600 students on level 6 leave levels 1, 3, 4 and 5 a sliver each
    data = distribution()
    chart = distribution_chart(data)
    root = parse(chart.svg)
    index = [theme.name for theme in ordered(data)].index("Maatschappelijke conflicten")
    bar = shape(root, chart.id, f"theme-{index}-level-6")
    xs = []
    for level in (1, 3, 4, 5):
        element = _text_element(root, chart.id, f"theme-{index}-label-{level}-count")
        assert float(element.get("y")) > bar.bottom  # below the bar
        xs.append(float(element.get("x")))
    assert all(b - a >= 8 for a, b in itertools.pairwise(xs))  # apart, in level order


def test_a_suppressed_theme_is_hatched_not_coloured_and_says_so():
    data = distribution()
    chart = distribution_chart(data)
    root = parse(chart.svg)
    index = [theme.name for theme in ordered(data)].index("Democratie")
    cell = shape(root, chart.id, f"theme-{index}-suppressed")
    assert cell.fill.startswith("url(#")
    assert cell.fill not in {colour.lower() for colour in LEVEL_COLOURS}
    assert text(root, chart.id, f"theme-{index}-suppressed-text")[0] == "te weinig respondenten"
    assert group(root, chart.id, f"theme-{index}-level-1") is None
    pattern = root.find(f".//{SVG}pattern[@id='{cell.fill[5:-1]}']")
    assert pattern.find(f"{SVG}rect").get("fill").upper() == SUPPRESSED_FILL


def test_a_theme_below_min_group_size_is_suppressed_too():
    themes = (
        ThemeBar(name="groot", counts=(1, 1, 1, 1, 1, 1)),
        ThemeBar(name="klein", counts=(0, 0, 0, 4, 0, 0), mean=10.0),
    )
    chart = distribution_chart(distribution(themes=themes))
    assert chart.table.rows[-1] == ("klein", "te weinig respondenten", "", "", "", "", "")
    root = parse(chart.svg)
    assert text(root, chart.id, "theme-1-name")[0] == "klein"
    assert group(root, chart.id, "theme-1-suppressed") is not None
    assert group(root, chart.id, "theme-1-level-4") is None
    assert group(root, chart.id, "theme-1-label-4-count") is None


def test_no_chart_when_every_theme_is_suppressed():
    themes = (ThemeBar(name="a", counts=None), ThemeBar(name="b", counts=(0, 1, 1, 1, 0, 0)))
    assert distribution_chart(distribution(themes=themes)) is None


def test_the_legend_writes_every_level_with_its_name():
    chart = distribution_chart(distribution())
    words = all_text(parse(chart.svg))
    assert all(f"{level} {name}" in words for level, name in enumerate(NAMES, 1))
