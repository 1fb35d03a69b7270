"""Chart inputs with every word filled in, and a small reader for the SVG the charts write."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from wijscan.charts import (
    DistributionData,
    HeatmapData,
    PyramidData,
    ThemeBar,
    TrendData,
    TrendLine,
)

NAMES = ("Uitsluiten", "Tegenover", "Wantrouwen", "Afzijdig", "Open", "Verbonden")
SVG = "{http://www.w3.org/2000/svg}"


def pyramid(counts=(1, 2, 3, 8, 10, 4), class_level=4, **changes) -> PyramidData:
    fields = {
        "counts": counts,
        "class_level": class_level,
        "min_group_size": 5,
        "level_names": NAMES,
        "title": "Piramide 2B",
        "description": "Het aantal leerlingen van 2B per niveau van de inclusiepiramide.",
        "level_header": "Niveau",
        "count_header": "Aantal leerlingen",
        "class_level_label": "Niveau van de klas",
    }
    return PyramidData(**{**fields, **changes})


def distribution(themes=None, **changes) -> DistributionData:
    if themes is None:
        themes = (
            ThemeBar(name="Burgerschap", counts=(1, 2, 5, 8, 7, 5), mean=58.2),
            ThemeBar(name="Participatie", counts=(0, 1, 3, 10, 9, 5), mean=63.0),
            ThemeBar(name="Identiteitsontwikkeling", counts=(3, 4, 6, 6, 5, 4), mean=48.1),
            ThemeBar(name="Democratie", counts=None),
            ThemeBar(name="Maatschappelijke conflicten", counts=(1, 0, 1, 2, 1, 600), mean=70),
        )
    fields = {
        "themes": themes,
        "min_group_size": 5,
        "level_names": NAMES,
        "title": "Verdeling per thema",
        "description": "Per thema het aantal leerlingen op elk niveau.",
        "theme_header": "Thema",
        "level_header": "Niveau",
        "suppressed_text": "te weinig respondenten",
    }
    return DistributionData(**{**fields, **changes})


def trend(lines=None, **changes) -> TrendData:
    if lines is None:
        lines = (
            TrendLine(name="Burgerschap", means=(52.0, 58.2, 61.0)),
            TrendLine(name="Participatie", means=(60.0, None, 66.4)),
            TrendLine(name="Democratie", means=(None, 47.5, None)),
        )
    fields = {
        "rounds": ("Oktober", "Februari", "Juni"),
        "lines": lines,
        "level_bounds": (0, 20, 35, 50, 65, 80),
        "level_names": NAMES,
        "title": "Verloop per thema",
        "description": "De gemiddelde score per thema op elk meetmoment.",
        "score_label": "Gemiddelde score",
        "theme_header": "Thema",
        "missing_text": "te weinig respondenten",
    }
    return TrendData(**{**fields, **changes})


def heatmap(cells=((4, 5, None), (None, 2, 6), (1, 3, 4)), **changes) -> HeatmapData:
    fields = {
        "rows": ("1A", "1B", "2A"),
        "columns": ("Burgerschap", "Participatie", "Democratie"),
        "cells": cells,
        "level_names": NAMES,
        "title": "Niveau per klas en thema",
        "description": "Per klas en thema het niveau; te kleine groepen zijn gearceerd.",
        "row_header": "Klas",
        "suppressed_mark": "n < 5",
        "suppressed_reason": "n < 5: te weinig respondenten, niet getoond.",
    }
    return HeatmapData(**{**fields, **changes})


# --- reading the SVG --------------------------------------------------------------------------


@dataclass
class Shape:
    """A path of the SVG: its corner points (in SVG coordinates, y down) and its style."""

    points: list[tuple[float, float]]
    style: dict[str, str]

    @property
    def fill(self) -> str:
        return self.style.get("fill", "#000000").lower()

    @property
    def bottom(self) -> float:
        return max(y for _, y in self.points)

    @property
    def top(self) -> float:
        return min(y for _, y in self.points)

    def width_at(self, y: float) -> float:
        xs = [x for x, py in self.points if abs(py - y) < 1e-6]
        return max(xs) - min(xs)


def parse(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


#: The presentation attributes the charts write instead of inline style (the pages' CSP).
PRESENTATION = ("fill", "stroke", "stroke-width", "font-size", "font-weight", "font-family")


def _style(element: ET.Element) -> dict[str, str]:
    """An element's own presentation (attributes, and inline style if any were left)."""
    style = {key: element.get(key) for key in PRESENTATION if element.get(key) is not None}
    pairs = (item.split(":", 1) for item in element.get("style", "").split(";") if ":" in item)
    style.update({key.strip(): value.strip() for key, value in pairs})
    return style


def group(root: ET.Element, chart_id: str, gid: str) -> ET.Element | None:
    return root.find(f".//{SVG}g[@id='{chart_id}-{gid}']")


def shape(root: ET.Element, chart_id: str, gid: str) -> Shape:
    found = group(root, chart_id, gid)
    assert found is not None, f"no group {gid}"
    path = found.find(f"{SVG}path")
    assert path is not None
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d", ""))]
    return Shape(list(zip(numbers[::2], numbers[1::2], strict=True)), _style(path))


def rectangles(root: ET.Element, chart_id: str, gid: str) -> list[Shape]:
    """The shapes of a group whose one path draws many (a subpath each), all in its style."""
    found = group(root, chart_id, gid)
    assert found is not None, f"no group {gid}"
    path = found.find(f"{SVG}path")
    assert path is not None
    style = _style(path)
    shapes = []
    for subpath in path.get("d", "").split("M")[1:]:
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", subpath)]
        shapes.append(Shape(list(zip(numbers[::2], numbers[1::2], strict=True)), style))
    return shapes


def text_at(root: ET.Element, chart_id: str, gid: str) -> tuple[float, float]:
    """Where the (first) text of a text group is anchored: x and baseline, SVG coordinates."""
    found = group(root, chart_id, gid)
    assert found is not None, f"no text {gid}"
    element = found.find(f".//{SVG}text")
    assert element is not None
    return float(element.get("x")), float(element.get("y"))


def text(root: ET.Element, chart_id: str, gid: str) -> tuple[str, str]:
    """The words of a text group and their colour (black when the SVG leaves it out)."""
    found = group(root, chart_id, gid)
    assert found is not None, f"no text {gid}"
    element = found.find(f".//{SVG}text")
    assert element is not None
    return "".join(element.itertext()), _style(element).get("fill", "#000000").lower()


def all_text(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]
