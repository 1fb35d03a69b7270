"""spec_from_content: the only bridge between the content files and the scoring core."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from wijscan.content import load_instrument, load_pyramid
from wijscan.scoring import ScoringSpec, spec_from_content

ROOT = Path(__file__).resolve().parents[2]


def test_spec_from_the_shipped_individu_instrument():
    pyramid = load_pyramid(ROOT / "surveys" / "piramide.yaml")
    instrument = load_instrument(ROOT / "surveys" / "individu.yaml", pyramid)
    spec = spec_from_content(instrument, pyramid)
    assert isinstance(spec, ScoringSpec)
    assert (spec.instrument_id, spec.instrument_version) == (instrument.id, instrument.version)
    assert spec.points == instrument.scale.points
    assert spec.item_ids == tuple(item.id for item in instrument.items)
    assert spec.theme_ids == tuple(theme.id for theme in instrument.themes)
    assert [spec.theme_ids[t] for t in spec.item_theme] == instrument.item_theme
    assert spec.reverse.tolist() == [item.reverse for item in instrument.items]
    assert spec.weights.tolist() == [item.weight for item in instrument.items]
    assert spec.min_answered == instrument.min_answered
    assert spec.cutoffs.tolist() == pyramid.cutoffs
    assert spec.min_group_size == pyramid.min_group_size
    criticals = {
        item.id: (set(item.critical.answers), item.critical.cap)
        for item in instrument.items
        if item.critical is not None
    }
    assert criticals
    assert {
        spec.item_ids[rule.item_index]: (set(rule.answers), rule.cap) for rule in spec.criticals
    } == criticals


def test_min_group_size_can_be_overridden():
    pyramid = load_pyramid(ROOT / "surveys" / "piramide.yaml")
    instrument = load_instrument(ROOT / "surveys" / "klas.yaml", pyramid)
    assert spec_from_content(instrument, pyramid, min_group_size=3).min_group_size == 3


def test_every_shipped_instrument_gives_a_spec():
    pyramid = load_pyramid(ROOT / "surveys" / "piramide.yaml")
    for name in ("individu", "klas", "school", "observatie"):
        spec = spec_from_content(
            load_instrument(ROOT / "surveys" / f"{name}.yaml", pyramid), pyramid
        )
        assert spec.n_items == len(spec.item_ids) > 0
        assert np.bincount(spec.item_theme).min() >= 1
