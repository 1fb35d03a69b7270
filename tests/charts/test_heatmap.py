"""Classes × themes coloured by level; suppressed cells hatched and marked, never coloured."""

from __future__ import annotations

from wijscan.charts import heatmap_chart
from wijscan.charts.palette import LEVEL_COLOURS, contrast_ratio

from .builders import NAMES, SVG, group, heatmap, parse, shape, text

CELLS = ((4, 5, None), (None, 2, 6), (1, 3, 4))
LEVEL_FILLS = {colour.lower() for colour in LEVEL_COLOURS}


def test_level_cells_are_coloured_by_level_with_the_level_written():
    chart = heatmap_chart(heatmap(cells=CELLS))
    root = parse(chart.svg)
    for r, row in enumerate(CELLS):
        for c, level in enumerate(row):
            if level is None:
                continue
            cell = shape(root, chart.id, f"cell-{r}-{c}")
            words, ink = text(root, chart.id, f"cell-{r}-{c}-text")
            assert cell.fill == LEVEL_COLOURS[level - 1].lower()
            assert words in {f"{level} {NAMES[level - 1]}", str(level)}
            assert contrast_ratio(cell.fill, ink) >= 4.5


def test_suppressed_cells_carry_the_mark_and_no_level_colour():
    chart = heatmap_chart(heatmap(cells=CELLS))
    root = parse(chart.svg)
    for r, c in ((0, 2), (1, 0)):
        cell = shape(root, chart.id, f"cell-{r}-{c}")
        assert cell.fill not in LEVEL_FILLS
        assert cell.fill.startswith("url(#")  # the hatch
        pattern = root.find(f".//{SVG}pattern[@id='{cell.fill[5:-1]}']")
        assert pattern.find(f"{SVG}rect").get("fill").lower() not in LEVEL_FILLS
        assert text(root, chart.id, f"cell-{r}-{c}-text")[0] == "n < 5"
    assert text(root, chart.id, "note")[0] == "n < 5: te weinig respondenten, niet getoond."


def test_the_table_holds_the_levels_and_marks():
    chart = heatmap_chart(heatmap(cells=CELLS))
    assert chart.table.columns == ("Klas", "Burgerschap", "Participatie", "Democratie")
    assert chart.table.rows == (
        ("1A", "4 Afzijdig", "5 Open", "n < 5"),
        ("1B", "n < 5", "2 Tegenover", "6 Verbonden"),
        ("2A", "1 Uitsluiten", "3 Wantrouwen", "4 Afzijdig"),
    )
    assert chart.table.notes == ("n < 5: te weinig respondenten, niet getoond.",)


def test_no_note_when_nothing_is_suppressed():
    chart = heatmap_chart(heatmap(cells=((1, 2, 3), (4, 5, 6), (6, 6, 6))))
    assert group(parse(chart.svg), chart.id, "note") is None
    assert chart.table.notes == ()


def test_rows_top_down_and_columns_left_to_right():
    chart = heatmap_chart(heatmap(cells=CELLS))
    root = parse(chart.svg)
    tops = [shape(root, chart.id, f"cell-{r}-1").top for r in range(3)]
    lefts = [min(x for x, _ in shape(root, chart.id, f"cell-2-{c}").points) for c in range(3)]
    assert tops == sorted(tops)
    assert lefts == sorted(lefts)


def test_long_column_names_are_wrapped_within_their_column():
    data = heatmap(columns=("Identiteitsontwikkeling", "Persoonlijke en sociale vaardigheden", "x"))
    chart = heatmap_chart(data)
    root = parse(chart.svg)
    header = group(root, chart.id, "column-1")
    words = " ".join("".join(t.itertext()) for t in header.iter(f"{SVG}text"))
    assert "Persoonlijke" in words
    assert "vaardigheden" in words


def test_no_chart_when_every_cell_is_suppressed():
    assert heatmap_chart(heatmap(cells=((None,) * 3,) * 3)) is None
