"""Every chart test starts with an empty chart cache, so "rendered once" is counted from zero."""

from __future__ import annotations

import pytest

from wijscan import charts


@pytest.fixture(autouse=True)
def empty_chart_cache():
    charts.clear_cache()
    yield
    charts.clear_cache()
