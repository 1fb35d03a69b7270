"""Benchmark of the scoring core (wijscan.scoring) against the pure-Python reference.

Scores N respondents × 48 items (6 themes × 8 items like the individu + klas instruments, 2
reversed items per theme, 4 critical items, a 5-point scale, random answers with 5% missing,
seeded) and computes the group results of ~40 groups, once from float64 answers with NaN for
missing and once from the same answers as uint8 codes with 0 for missing; then times the
pure-Python reference (tests/scoring/reference.py) on a sample and scales it up.

Run it on one core:

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_scoring.py
    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_scoring.py --respondents 200000 \
        --sample 2000

Results are recorded in docs/performance.md, section "Scoring".
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from wijscan.scoring import (  # noqa: E402
    CriticalRule,
    ScoringSpec,
    group_result,
    group_results,
    score_respondents,
)


def _load_reference():
    path = ROOT / "tests" / "scoring" / "reference.py"
    module_spec = importlib.util.spec_from_file_location("scoring_reference", path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules["scoring_reference"] = module
    module_spec.loader.exec_module(module)
    return module


def make_spec() -> ScoringSpec:
    themes = (
        "burgerschap",
        "participatie",
        "identiteit",
        "vaardigheden",
        "democratie",
        "conflicten",
    )
    item_ids = tuple(f"{t[:4]}-{i + 1}" for t in themes for i in range(8))
    item_theme = np.repeat(np.arange(6), 8)
    reverse = np.zeros(48, dtype=bool)
    reverse[2::8] = True
    reverse[6::8] = True
    criticals = (
        CriticalRule(8 * 1 + 3, frozenset({1}), 2),
        CriticalRule(8 * 3 + 5, frozenset({1, 2}), 3),
        CriticalRule(8 * 5 + 6, frozenset({4, 5}), 2),
        CriticalRule(8 * 5 + 7, frozenset({5}), 1),
    )
    return ScoringSpec(
        instrument_id="individu+klas",
        instrument_version=1,
        points=5,
        item_ids=item_ids,
        item_theme=item_theme,
        theme_ids=themes,
        reverse=reverse,
        weights=np.ones(48),
        min_answered=0.75,
        criticals=criticals,
        cutoffs=np.array([0.0, 20.0, 35.0, 50.0, 65.0, 80.0]),
        min_group_size=5,
    )


def make_answers(n: int, seed: int = 20240901) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    answers = rng.integers(1, 6, size=(n, 48)).astype(np.float64)
    answers[rng.random((n, 48)) < 0.05] = np.nan
    groups = rng.integers(0, 40, size=n)
    return answers, groups


def best_of(repeat: int, fn):
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    spec = make_spec()
    answers, groups = make_answers(args.respondents)
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cpus,"
        f" OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}"
    )
    print(
        f"{args.respondents:,} respondents × {spec.n_items} items, {len(np.unique(groups))} groups"
    )

    # The same answers in both input forms: float64 with NaN for missing, and the compact uint8
    # answer codes with 0 for missing (how the database stores them).
    codes = np.nan_to_num(answers, nan=0.0).astype(np.uint8)
    totals = {}
    for label, matrix in (("float64 + NaN", answers), ("uint8 codes", codes)):
        t_score, results = best_of(args.repeat, lambda m=matrix: score_respondents(spec, m))
        t_groups, per_group = best_of(
            args.repeat, lambda m=matrix, r=results: group_results(spec, m, r, groups)
        )
        t_all, _ = best_of(args.repeat, lambda m=matrix, r=results: group_result(spec, m, r))
        totals[label] = t_score + t_groups
        print(f"input {label}:")
        print(f"  score_respondents            {t_score * 1000:9.1f} ms")
        print(f"  group_results ({len(per_group)} groups)    {t_groups * 1000:9.1f} ms")
        print(f"  score + groups               {totals[label] * 1000:9.1f} ms   (target < 500 ms)")
        print(f"  group_result (everyone)      {t_all * 1000:9.1f} ms   (not in the total)")

    reference = _load_reference()
    sample = args.sample
    rows = [[None if np.isnan(v) else int(v) for v in row] for row in answers[:sample].tolist()]
    sample_groups = groups[:sample].tolist()

    def run_reference():
        ref = reference.Reference(spec)
        scored = [ref.respondent(row) for row in rows]
        members: dict[int, list[int]] = {}
        for i, g in enumerate(sample_groups):
            members.setdefault(g, []).append(i)
        return {
            g: ref.group([rows[i] for i in idx], [scored[i] for i in idx])
            for g, idx in sorted(members.items())
        }

    t_ref_sample, _ = best_of(min(args.repeat, 3), run_reference)
    scale = args.respondents / sample
    t_ref = t_ref_sample * scale
    print(
        f"reference on {sample:,} sample      {t_ref_sample * 1000:9.1f} ms"
        f"  × {scale:g} = {t_ref:.1f} s"
    )
    for label, total in totals.items():
        print(f"ratio reference / numpy, {label:14s} {t_ref / total:6.0f}×   (target ≥ 100×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
