"""Classes × themes coloured by level; suppressed cells hatched and marked, never coloured."""

from __future__ import annotations

from wijscan.charts import heatmap_chart
from wijscan.charts.palette import LEVEL_COLOURS, contrast_ratio

from .builders import NAMES, SVG, group, heatmap, parse, rectangles, text, text_at

CELLS = ((4, 5, None), (None, 2, 6), (1, 3, 4))
LEVEL_FILLS = {colour.lower() for colour in LEVEL_COLOURS}
#: the cells are drawn as one path per level and one for the hidden cells
CELL_GROUPS = (*(f"cells-level-{level}" for level in range(1, 7)), "cells-suppressed")


def _cells(root, chart_id):
    """Every cell rectangle drawn, with the group (level or hidden) whose path it is in."""
    cells = []
    for gid in CELL_GROUPS:
        if group(root, chart_id, gid) is not None:
            cells += [(gid, cell) for cell in rectangles(root, chart_id, gid)]
    return cells


def _cell(root, chart_id, r, c):
    """The cell under the text of cell (r, c): its group and its rectangle (exactly one)."""
    x, y = text_at(root, chart_id, f"cell-{r}-{c}-text")
    under = [
        (gid, cell)
        for gid, cell in _cells(root, chart_id)
        if min(px for px, _ in cell.points) < x < max(px for px, _ in cell.points)
        and cell.top < y < cell.bottom
    ]
    assert len(under) == 1, (r, c, under)
    return under[0]


def test_level_cells_are_coloured_by_level_with_the_level_written():
    chart = heatmap_chart(heatmap(cells=CELLS))
    root = parse(chart.svg)
    for r, row in enumerate(CELLS):
        for c, level in enumerate(row):
            if level is None:
                continue
            gid, cell = _cell(root, chart.id, r, c)
            words, ink = text(root, chart.id, f"cell-{r}-{c}-text")
            assert gid == f"cells-level-{level}"
            assert cell.fill == LEVEL_COLOURS[level - 1].lower()
            assert words in {f"{level} {NAMES[level - 1]}", str(level)}
            assert contrast_ratio(cell.fill, ink) >= 4.5


def test_suppressed_cells_carry_the_mark_and_no_level_colour():
    chart = heatmap_chart(heatmap(cells=CELLS))
    root = parse(chart.svg)
    for r, c in ((0, 2), (1, 0)):
        gid, cell = _cell(root, chart.id, r, c)
        assert gid == "cells-suppressed"
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
    tops = [_cell(root, chart.id, r, 1)[1].top for r in range(3)]
    lefts = [min(x for x, _ in _cell(root, chart.id, 2, c)[1].points) for c in range(3)]
    assert tops == sorted(tops)
    assert len(set(tops)) == 3
    assert lefts == sorted(lefts)
    assert len(set(lefts)) == 3


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


def test_a_large_map_draws_one_path_per_level_and_every_cell_once_with_its_text():
    levels = [1 + (r * 7 + c * 3) % 6 for r in range(60) for c in range(7)]
    cells = [tuple(levels[r * 7 : r * 7 + 7]) for r in range(60)]
    cells[5] = (None, None, *cells[5][2:])
    data = heatmap(
        rows=tuple(f"K{r:02d}" for r in range(60)),
        columns=tuple(f"Thema {c}" for c in range(7)),
        cells=tuple(cells),
    )
    chart = heatmap_chart(data)
    root = parse(chart.svg)
    drawn = _cells(root, chart.id)
    assert len(drawn) == 60 * 7  # each cell once, none twice
    for gid in CELL_GROUPS:  # one path per level, not one per cell
        found = group(root, chart.id, gid)
        assert found is None or len(found.findall(f"{SVG}path")) == 1
    for r, row in enumerate(cells):
        for c, level in enumerate(row):
            gid, _cell_shape = _cell(root, chart.id, r, c)
            words, _ink = text(root, chart.id, f"cell-{r}-{c}-text")
            if level is None:
                assert (gid, words) == ("cells-suppressed", "n < 5")
            else:
                assert gid == f"cells-level-{level}"
                assert words in {f"{level} {NAMES[level - 1]}", str(level)}


def test_a_name_the_font_lacks_is_measured_and_written_not_a_crash():
    # FreeType fails the first look-up of a character DejaVu Sans lacks; warnings are errors here
    data = heatmap(rows=("1A", "中文班", "2\tB"), columns=("Burgerschap", "Ελληνικά", "😀 $x$"))
    chart = heatmap_chart(data)
    root = parse(chart.svg)
    assert text(root, chart.id, "row-1")[0] == "中文班"
    assert text(root, chart.id, "column-2")[0] == "😀 $x$"  # literal: no mathtext in a label
