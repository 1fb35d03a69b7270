"""The class pyramid: six layers, 1 at the base to 6 at the top, counts written, level marked."""

from __future__ import annotations

import itertools

import pytest

from wijscan.charts import pyramid_chart, pyramid_png
from wijscan.charts.palette import LEVEL_COLOURS, contrast_ratio

from .builders import NAMES, all_text, group, parse, pyramid, shape, text

COUNTS = (1, 2, 3, 8, 10, 4)


def test_six_layers_from_level_1_at_the_base_to_6_at_the_top_narrowing_upwards():
    chart = pyramid_chart(pyramid(counts=COUNTS))
    root = parse(chart.svg)
    layers = [shape(root, chart.id, f"layer-{level}") for level in range(1, 7)]
    # SVG y grows downwards: level 1 lowest on the page, each next level above the one before
    bottoms = [layer.bottom for layer in layers]
    assert bottoms == sorted(bottoms, reverse=True)
    assert all(upper.bottom <= lower.top for lower, upper in itertools.pairwise(layers))
    # a pyramid: every layer is narrower than the one under it, and narrower at its top
    base_widths = [layer.width_at(layer.bottom) for layer in layers]
    assert base_widths == sorted(base_widths, reverse=True)
    assert len(set(base_widths)) == 6
    assert all(layer.width_at(layer.top) < layer.width_at(layer.bottom) for layer in layers)
    assert [layer.fill for layer in layers] == [colour.lower() for colour in LEVEL_COLOURS]


def test_each_layer_has_its_level_and_count_written_in_a_readable_colour():
    chart = pyramid_chart(pyramid(counts=COUNTS))
    root = parse(chart.svg)
    for level, count in zip(range(1, 7), COUNTS, strict=True):
        fill = shape(root, chart.id, f"layer-{level}").fill
        name, name_ink = text(root, chart.id, f"layer-{level}-name")
        written, count_ink = text(root, chart.id, f"layer-{level}-count")
        assert name == f"{level} {NAMES[level - 1]}"
        assert written == str(count)
        assert contrast_ratio(fill, name_ink) >= 4.5
        assert contrast_ratio(fill, count_ink) >= 4.5


@pytest.mark.parametrize("level", [1, 4, 6])
def test_the_class_level_is_outlined_and_labelled(level):
    chart = pyramid_chart(pyramid(class_level=level))
    root = parse(chart.svg)
    strokes = {n: shape(root, chart.id, f"layer-{n}").style.get("stroke") for n in range(1, 7)}
    assert strokes.pop(level) == "#000000"
    assert set(strokes.values()) == {"#ffffff"}
    assert text(root, chart.id, "class-level-label")[0] == "Niveau van de klas"
    arrow = shape(root, chart.id, "class-level-arrow")
    layer = shape(root, chart.id, f"layer-{level}")
    assert layer.top <= min(y for _, y in arrow.points) <= layer.bottom  # beside its own layer
    assert chart.table.notes == (f"Niveau van de klas: {level} {NAMES[level - 1]}",)


def test_no_class_level_no_mark():
    chart = pyramid_chart(pyramid(class_level=None))
    root = parse(chart.svg)
    assert group(root, chart.id, "class-level-label") is None
    assert "Niveau van de klas" not in all_text(root)
    assert chart.table.notes == ()


def test_the_table_holds_the_same_numbers_top_down():
    chart = pyramid_chart(pyramid(counts=COUNTS))
    assert chart.table.caption == "Piramide 2B"
    assert chart.table.columns == ("Niveau", "Aantal leerlingen")
    assert chart.table.rows == tuple(
        (f"{level} {NAMES[level - 1]}", COUNTS[level - 1]) for level in (6, 5, 4, 3, 2, 1)
    )


@pytest.mark.parametrize("counts", [None, (0, 1, 1, 1, 1, 0)], ids=["suppressed", "n=4<5"])
def test_a_suppressed_or_too_small_class_gets_no_chart(counts):
    data = pyramid(counts=counts)
    assert data.suppressed
    assert pyramid_chart(data) is None
    assert pyramid_png(data) is None


def test_exactly_min_group_size_is_shown():
    assert pyramid_chart(pyramid(counts=(0, 1, 1, 1, 1, 1))) is not None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"counts": (1, 2, 3)}, "expected 6 counts"),
        ({"counts": (1, 2, 3, 4, 5, -1)}, "negative"),
        ({"class_level": 7}, "a level is 1–6"),
        ({"level_names": NAMES[:5]}, "expected 6 entries"),
    ],
)
def test_bad_input_is_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        pyramid(**changes)


def test_numpy_counts_are_accepted_as_plain_ints():
    numpy = pytest.importorskip("numpy")
    data = pyramid(counts=numpy.array(COUNTS, dtype=numpy.int64))
    assert data.counts == COUNTS
    assert all(type(count) is int for count in data.counts)
    assert data == pyramid(counts=list(COUNTS))


def test_png_is_a_png():
    png = pyramid_png(pyramid())
    assert png is not None
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
