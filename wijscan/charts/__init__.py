"""Charts of the class report and the school dashboard: plain numbers in, SVG (or PNG) bytes out.

Pure matplotlib through its Figure API (never pyplot; no Flask, SQLAlchemy, models or content
imports): the caller passes numbers and already-translated words in the dataclasses of
:mod:`wijscan.charts.data` and gets a :class:`Chart` back, or ``None`` when the group is
suppressed (DESIGN.md: no chart at all for too few respondents)::

    chart = pyramid_chart(PyramidData(counts=(0, 1, 3, 9, 10, 4), class_level=4, ...))
    chart.svg      # accessible SVG: role="img", <title>, <desc>, aria-labelledby, lang
    chart.table    # the same numbers, for a screen-reader table under the chart

- :func:`pyramid_chart`: the class pyramid, level 1 at the base to 6 at the top, with the count on
  each layer and the class's level marked.
- :func:`distribution_chart`: per theme a stacked bar of the students over the levels, weakest
  theme first.
- :func:`trend_chart`: per theme the mean over the rounds of the year, with gaps where suppressed.
- :func:`heatmap_chart`: classes × themes coloured by level, suppressed cells hatched and marked.

Every chart is cached in-process by the sha256 of its input (:func:`render_count` counts actual
drawings), and the same input gives byte-identical SVG. ``*_png`` give PNG bytes for documents
that cannot take SVG (WeasyPrint can). Colours: :mod:`wijscan.charts.palette`. The charts draw
their words and shapes through :mod:`wijscan.charts.artists` (many labels, or many shapes, as
one artist), which writes what matplotlib's own Text and patches would, at a fraction of the
cost.
"""

from wijscan.charts.data import (
    Chart,
    DistributionData,
    HeatmapData,
    PyramidData,
    Table,
    ThemeBar,
    TrendData,
    TrendLine,
)
from wijscan.charts.distribution import distribution_chart, distribution_png
from wijscan.charts.heatmap import heatmap_chart, heatmap_png
from wijscan.charts.pyramid import pyramid_chart, pyramid_png
from wijscan.charts.render import CHARTS_VERSION, cache_key, clear_cache, render_count
from wijscan.charts.trend import trend_chart, trend_png

__all__ = [
    "CHARTS_VERSION",
    "Chart",
    "DistributionData",
    "HeatmapData",
    "PyramidData",
    "Table",
    "ThemeBar",
    "TrendData",
    "TrendLine",
    "cache_key",
    "clear_cache",
    "distribution_chart",
    "distribution_png",
    "heatmap_chart",
    "heatmap_png",
    "pyramid_chart",
    "pyramid_png",
    "render_count",
    "trend_chart",
    "trend_png",
]
