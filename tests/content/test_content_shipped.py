"""The content we ship loads, passes every check and reads the way the scoring expects."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from wijscan.content import (
    Content,
    load_content,
    load_instrument,
    load_pyramid,
    quality_problems,
    run_check,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(ROOT)


def test_the_shipped_content_passes_run_check():
    out = io.StringIO()
    assert run_check(ROOT, out) == 0, out.getvalue()
    report = out.getvalue()
    assert report.endswith("OK\n")
    assert (
        "instrument klas version 1 (klas, leerling): 24 items (burgerschap 4, participatie 4,"
        " identiteit 4, vaardigheden 4, democratie 4, conflicten 4)" in report
    )
    assert "lesbrieven: " in report
    assert "interventions: " in report


def test_the_shipped_content_meets_the_content_guide(content):
    assert quality_problems(content) == []


def test_the_pyramid(content):
    pyramid = content.pyramid
    assert [lv.key for lv in pyramid.levels] == [
        "uitsluiten",
        "tegenover",
        "wantrouwen",
        "afzijdig",
        "open",
        "verbonden",
    ]
    assert pyramid.cutoffs == [0, 20, 35, 50, 65, 80]
    assert pyramid.min_group_size == 5
    assert pyramid.level(3).name.nl == "Wantrouwen"
    assert pyramid.theme("polarisatie").levels_used == ["school"]
    assert [t.id for t in pyramid.themes if "klas" in t.levels_used] == [
        "burgerschap",
        "participatie",
        "identiteit",
        "vaardigheden",
        "democratie",
        "conflicten",
    ]
    for theme in pyramid.themes:
        assert sorted(theme.descriptions) == [1, 2, 3, 4, 5, 6]
    with pytest.raises(KeyError):
        pyramid.theme("onbekend")
    with pytest.raises(KeyError):
        pyramid.level(7)


def test_the_four_instruments(content):
    instruments = content.instruments
    assert {i: (x.level, x.respondent) for i, x in instruments.items()} == {
        "school": ("school", "medewerker"),
        "klas": ("klas", "leerling"),
        "individu": ("individu", "leerling"),
        "observatie": ("individu", "mentor"),
    }
    assert content.instrument_files["klas"] == "surveys/klas.yaml"
    klas = instruments["klas"]
    assert klas.version == 1
    assert klas.min_answered == pytest.approx(2 / 3)
    assert len(klas.items) == 24
    assert klas.items[0].id == "klas-burg-1"
    assert klas.item_theme[:5] == ["burgerschap"] * 4 + ["participatie"]
    assert len(klas.item_theme) == len(klas.items)
    assert len(instruments["klas"].items) + len(instruments["individu"].items) <= 50
    for instrument in instruments.values():
        assert instrument.scale.points == 5
        assert [len(v) for v in instrument.scale.labels.values()] == [5, 5]


def test_item_ids_are_unique_across_instruments(content):
    ids = [item.id for i in content.instruments.values() for item in i.items]
    assert len(ids) == len(set(ids))


def test_every_critical_answer_is_on_the_worrying_end(content):
    """Critical answers are the low-scoring end of their item: a wrong ``reverse`` flag on a
    critical item would signal the students who answered best."""
    for instrument in content.instruments.values():
        points = instrument.scale.points
        for item in instrument.items:
            if item.critical is None:
                continue

            def keyed(answer: int, item=item, points=points) -> int:
                return points + 1 - answer if item.reverse else answer

            critical = {keyed(a) for a in item.critical.answers}
            others = {keyed(a) for a in range(1, points + 1)} - critical
            assert max(critical) < min(others), item.id


def test_observatie_uses_a_frequency_scale(content):
    assert content.instruments["observatie"].scale.labels["nl"] == [
        "Nooit",
        "Zelden",
        "Soms",
        "Vaak",
        "Heel vaak",
    ]


def test_the_single_file_loaders_accept_the_shipped_files():
    pyramid = load_pyramid(ROOT / "surveys" / "piramide.yaml")
    instrument = load_instrument(ROOT / "surveys" / "individu.yaml", pyramid)
    assert instrument.id == "individu"
    assert load_instrument(str(ROOT / "surveys" / "school.yaml")).level == "school"
