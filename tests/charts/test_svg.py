"""What every chart promises: accessible SVG, unique ids, byte-identical output, one render per
set of numbers, and no pyplot."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from wijscan import charts

from .builders import SVG, distribution, heatmap, parse, pyramid, trend

ROOT = Path(__file__).resolve().parents[2]

CHARTS = {
    "pyramid": (charts.pyramid_chart, pyramid),
    "distribution": (charts.distribution_chart, distribution),
    "trend": (charts.trend_chart, trend),
    "heatmap": (charts.heatmap_chart, heatmap),
}


@pytest.fixture(params=sorted(CHARTS))
def kind(request):
    return request.param


def _render(kind, **changes):
    render, build = CHARTS[kind]
    return render(build(**changes))


def test_the_svg_is_labelled_by_its_title_and_desc(kind):
    chart = _render(kind)
    assert chart.svg.startswith(b"<svg ")  # no XML prolog: it can be inlined in HTML
    root = parse(chart.svg)
    assert root.get("role") == "img"
    assert root.get("lang") == "nl"
    title_id, desc_id = root.get("aria-labelledby").split()
    children = list(root)
    assert children[0].tag == f"{SVG}title"  # the first child, as assistive technology expects
    assert children[1].tag == f"{SVG}desc"
    assert children[0].get("id") == title_id
    assert children[1].get("id") == desc_id
    build = CHARTS[kind][1]
    assert children[0].text == build().title
    assert children[1].text == build().description
    assert chart.table.caption == build().title


def test_words_are_escaped_and_the_language_is_a_parameter():
    chart = _render("pyramid", title='Klas <2B> & "3C"', lang="en")
    root = parse(chart.svg)  # would raise on unescaped markup
    assert root.find(f"{SVG}title").text == 'Klas <2B> & "3C"'
    assert root.get("lang") == "en"


def test_every_id_starts_with_the_chart_id_and_references_resolve(kind):
    chart = _render(kind)
    root = parse(chart.svg)
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    assert all(i == chart.id or i.startswith(chart.id + "-") for i in ids)
    text = chart.svg.decode()
    references = [part.split(")")[0] for part in text.split("url(#")[1:]]
    references += [part.split('"')[0] for part in text.split('href="#')[1:]]
    if kind != "pyramid":  # the pyramid has no clip paths, hatches or markers to refer to
        assert references
    assert set(references) <= set(ids)


def test_two_charts_share_no_id_so_both_fit_on_one_page():
    first, second = _render("pyramid"), _render("pyramid", counts=(2, 2, 3, 8, 10, 4))
    ids = [{e.get("id") for e in parse(c.svg).iter() if e.get("id")} for c in (first, second)]
    assert first.id != second.id
    assert not ids[0] & ids[1]


def test_the_same_numbers_give_the_same_bytes(kind):
    first = _render(kind)
    charts.clear_cache()
    again = _render(kind)
    assert again is not first  # really drawn twice
    assert again.svg == first.svg
    assert b"dc:date" not in first.svg


def test_the_cache_renders_once_per_set_of_numbers():
    before = charts.render_count()
    first = _render("pyramid")
    second = _render("pyramid")  # a report read twice
    assert charts.render_count() == before + 1
    assert second is first
    third = _render("pyramid", counts=(1, 2, 3, 8, 10, 5))  # one more student
    assert charts.render_count() == before + 2
    assert third.svg != first.svg
    assert third.table.rows != first.table.rows


def test_the_cache_key_is_the_numbers_not_how_they_were_passed():
    as_tuple = pyramid(counts=(1, 2, 3, 8, 10, 4))
    as_list = pyramid(counts=[1, 2, 3, 8, 10, 4])
    assert charts.cache_key(as_tuple) == charts.cache_key(as_list)
    assert charts.cache_key(as_tuple) != charts.cache_key(pyramid(counts=(1, 2, 3, 8, 4, 10)))
    assert charts.cache_key(as_tuple) != charts.cache_key(pyramid(lang="en"))


def test_a_suppressed_group_is_not_drawn_at_all():
    before = charts.render_count()
    assert charts.pyramid_chart(pyramid(counts=None)) is None
    assert charts.pyramid_png(pyramid(counts=None)) is None
    assert charts.render_count() == before


def test_the_cache_is_bounded(monkeypatch):
    from wijscan.charts import render

    monkeypatch.setattr(render, "CACHE_SIZE", 2)
    for extra in range(3):
        _render("pyramid", counts=(1, 2, 3, 8, 10, extra))
    before = charts.render_count()
    _render("pyramid", counts=(1, 2, 3, 8, 10, 2))  # newest: still cached
    assert charts.render_count() == before
    _render("pyramid", counts=(1, 2, 3, 8, 10, 0))  # oldest: evicted, drawn again
    assert charts.render_count() == before + 1


def test_inputs_are_frozen():
    data = pyramid()
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.counts = (9, 9, 9, 9, 9, 9)


FRESH = """
import hashlib, json, sys
sys.path.insert(0, {root!r})
from tests.charts import builders
from wijscan import charts
out = {{
    "svg": {{
        name: hashlib.sha256(render(getattr(builders, name)()).svg).hexdigest()
        for name, render in [("pyramid", charts.pyramid_chart),
                             ("distribution", charts.distribution_chart),
                             ("trend", charts.trend_chart), ("heatmap", charts.heatmap_chart)]
    }},
    "png": charts.pyramid_png(builders.pyramid())[:8].hex(),
    "pyplot": sorted(m for m in sys.modules if m.startswith("matplotlib.pyplot")),
    "backend_modules": sorted(m for m in sys.modules if m.startswith("matplotlib.backends.")),
}}
print(json.dumps(out))
"""


def test_another_process_draws_the_same_bytes_without_pyplot():
    result = subprocess.run(
        [sys.executable, "-c", FRESH.format(root=str(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(result.stdout)
    here = {name: hashlib.sha256(_render(name).svg).hexdigest() for name in CHARTS}
    assert out["svg"] == here
    assert out["png"] == b"\x89PNG\r\n\x1a\n".hex()
    assert out["pyplot"] == []
    assert set(out["backend_modules"]) <= {  # the Agg and SVG canvases, no GUI backend
        "matplotlib.backends._backend_agg",
        "matplotlib.backends.backend_agg",
        "matplotlib.backends.backend_mixed",
        "matplotlib.backends.backend_svg",
        "matplotlib.backends.registry",
    }


def test_no_inline_style_is_left_for_the_pages_csp(kind):
    """The SVG is inlined in pages whose CSP refuses inline style: presentation attributes only."""
    svg = _render(kind).svg.decode()
    assert 'style="' not in svg
    assert "<style" not in svg
    assert 'fill="' in svg
