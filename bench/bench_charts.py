"""Benchmark of the charts alone: each chart function drawn cold (cache emptied) on realistic
numbers, best of ``--repeat`` runs, in milliseconds.

- ``pyramid``, ``distribution``, ``trend``: the class report's three charts (a class of 30, six
  themes, three rounds), and their sum ("class report");
- ``heatmap``: the school dashboard's map of 60 classes and 8 totals × 7 columns, a few cells
  hidden.

Wall time and CPU time (steadier on a busy machine) are the best of the runs.

    .venv/bin/python bench/bench_charts.py               # best of 5
    .venv/bin/python bench/bench_charts.py --png         # the PNG variants too
    .venv/bin/python bench/bench_charts.py --out /tmp/c  # also write each chart as SVG and PNG
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from wijscan import charts  # noqa: E402

NAMES = ("Uitsluiten", "Tegenover", "Wantrouwen", "Afzijdig", "Open", "Verbonden")
THEMES = (
    "Burgerschap",
    "Participatie",
    "Identiteitsontwikkeling",
    "Persoonlijke en sociale vaardigheden",
    "Democratie",
    "Maatschappelijke conflicten",
)


def pyramid() -> charts.PyramidData:
    return charts.PyramidData(
        counts=(1, 3, 5, 11, 7, 3),
        class_level=4,
        min_group_size=5,
        level_names=NAMES,
        title="De klas in de piramide",
        description="Hoeveel leerlingen op elk niveau van de inclusiepiramide staan, van 1 "
        "(onderaan) tot 6 (bovenaan); de klas als geheel staat op niveau 4.",
        level_header="Niveau",
        count_header="Aantal leerlingen",
        class_level_label="Niveau van de klas",
    )


def distribution() -> charts.DistributionData:
    counts = (
        (0, 2, 6, 11, 8, 3),
        (1, 3, 5, 10, 7, 4),
        (2, 4, 8, 9, 5, 2),
        (0, 1, 4, 12, 9, 4),
        (1, 0, 3, 8, 12, 6),
        (3, 5, 9, 7, 4, 2),
    )
    means = (55.1, 52.3, 47.9, 58.0, 63.4, 44.2)
    return charts.DistributionData(
        themes=tuple(
            charts.ThemeBar(name=name, counts=c, mean=m)
            for name, c, m in zip(THEMES, counts, means, strict=True)
        ),
        min_group_size=5,
        level_names=NAMES,
        title="Leerlingen per niveau, per thema",
        description="Per thema hoeveel leerlingen op elk niveau staan, het zwakste thema bovenaan.",
        theme_header="Thema",
        level_header="Niveau",
        suppressed_text="te weinig deelnemers",
    )


def trend(lines: int = 6) -> charts.TrendData:
    means = (
        (52.0, 55.1, 57.3),
        (50.2, 52.3, 51.0),
        (44.0, None, 47.9),
        (56.1, 58.0, 60.2),
        (61.0, 63.4, 64.0),
        (40.3, 44.2, 46.0),
    )
    return charts.TrendData(
        rounds=("Meetmoment 1", "Meetmoment 2", "Meetmoment 3"),
        lines=tuple(
            charts.TrendLine(name=name, means=m)
            for name, m in zip(THEMES[:lines], means[:lines], strict=True)
        ),
        level_bounds=(0, 20, 35, 50, 65, 80),
        level_names=NAMES,
        title="De thema’s over de meetmomenten van dit schooljaar",
        description="De gemiddelde score per thema (0–100) bij elk meetmoment van dit schooljaar.",
        score_label="Gemiddelde score (0–100)",
        theme_header="Thema",
        missing_text="te weinig deelnemers",
    )


def heatmap(classes: int = 60) -> charts.HeatmapData:
    rng = np.random.default_rng(8)
    rows = [f"K{c:02d}" for c in range(classes)]
    rows += ["School", *(f"Leerjaar {n}" for n in range(1, 7)), "Stroming havo"]
    cells = []
    for r in range(len(rows)):
        row = [int(level) for level in rng.integers(1, 7, size=7)]
        if r < classes and rng.random() < 0.1:
            row[int(rng.integers(0, 7))] = None
            row[int(rng.integers(0, 7))] = None
        cells.append(tuple(row))
    return charts.HeatmapData(
        rows=tuple(rows),
        columns=(*THEMES, "Totaal"),
        cells=tuple(cells),
        level_names=NAMES,
        title="Klassen en thema’s: het niveau van elke klas",
        description="Per klas (rij) en thema (kolom) het niveau van de inclusiepiramide.",
        row_header="Klas",
        suppressed_mark="verborgen",
        suppressed_reason="Verborgen: te weinig deelnemers (minder dan 5), of verborgen zodat "
        "een andere verborgen klas niet terug te rekenen is. De tabel zegt welke regel.",
    )


CASES = {
    "pyramid": (charts.pyramid_chart, charts.pyramid_png, pyramid),
    "distribution": (charts.distribution_chart, charts.distribution_png, distribution),
    "trend": (charts.trend_chart, charts.trend_png, trend),
    "heatmap": (charts.heatmap_chart, charts.heatmap_png, heatmap),
}


def best(render, data, repeat: int) -> tuple[float, float]:
    """The best wall time and the best CPU time of ``repeat`` cold drawings, in ms (CPU time
    is steadier than wall time on a busy machine)."""
    walls, cpus = [], []
    for _ in range(repeat):
        charts.clear_cache()
        wall, cpu = time.perf_counter(), time.process_time()
        render(data)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--png", action="store_true", help="time the PNG variants too")
    parser.add_argument("--out", type=Path, help="write every chart as SVG and PNG here")
    args = parser.parse_args()
    for render, render_png, build in CASES.values():  # warm: imports, fonts, caches
        render(build())
        render_png(build())
    total, total_cpu = 0.0, 0.0
    for name, (render, render_png, build) in CASES.items():
        data = build()
        wall, cpu = best(render, data, args.repeat)
        if name != "heatmap":
            total, total_cpu = total + wall, total_cpu + cpu
        line = f"{name:<14} svg {wall:7.1f} ms (cpu {cpu:7.1f})"
        if args.png:
            wall, cpu = best(render_png, data, args.repeat)
            line += f"   png {wall:7.1f} ms (cpu {cpu:7.1f})"
        print(line)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            charts.clear_cache()
            (args.out / f"{name}.svg").write_bytes(render(data).svg)
            (args.out / f"{name}.png").write_bytes(render_png(data, dpi=110))
    print(
        f"{'class report':<14} svg {total:7.1f} ms (cpu {total_cpu:7.1f})"
        "   pyramid + distribution + trend"
    )


if __name__ == "__main__":
    main()
