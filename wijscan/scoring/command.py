"""``wijscan score``: score an answers CSV with an instrument file, without a database.

The click command in wijscan/cli.py calls :func:`run_score`. Input:

* the instrument (any schema-valid instrument file) and the pyramid (default
  ``surveys/piramide.yaml`` in the current directory, else in the project this package belongs to);
* the answers: a CSV file, UTF-8 with or without BOM, comma- or semicolon-separated (decided by
  the header line), with a ``respondent`` column, optionally the group column named by
  ``group_by`` and one column per item id in any order. An empty cell is a missing answer; an item
  without a column is missing for everyone; blank lines are skipped; cells are trimmed.

Problems in the input end with exit status 2 and one line on stderr naming the file, the CSV line
(the header is line 1) and the column, e.g.
``answers.csv: line 4, column ind-burg-2: answer "7" is outside 1..5``. Content problems print
the ContentError message.

Output (JSON by default; see DESIGN.md "Scoring (normative)" for the rules):

* ``respondents``: per respondent the theme and overall score and (capped) level, null when there
  is none, and the ids of the critical items that fired;
* ``groups``: with ``group_by`` one entry per group value (sorted as text), then one entry with
  ``"group": null`` for everyone together; without it only the latter. Respondents with an empty
  group cell are in no group entry, only in everyone together. A suppressed stat (n below the
  minimum group size) has null mean, sd, level, distribution and alpha.

Floats (scores, means, sd, alpha) are written at full precision (the shortest text that reads
back as the same float), so a researcher reproduces the core exactly. ``fmt="csv"`` writes the
respondent rows as one flat table instead:
``respondent, group, <theme>_score, <theme>_level, …, overall_score, overall_level, signals``
(signals separated by spaces, empty cells for null).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from wijscan.content import ContentError, load_instrument, load_pyramid
from wijscan.scoring.groups import GroupResult, GroupStat, group_result, group_results
from wijscan.scoring.respondents import RespondentResults, score_respondents
from wijscan.scoring.spec import SCORING_VERSION, ScoringSpec, spec_from_content

RESPONDENT_COLUMN = "respondent"
PYRAMID_FILE = Path("surveys") / "piramide.yaml"
_WHOLE = re.compile(r"[+-]?\d+")


class InputError(Exception):
    """A problem in the answers file; the message names the file, line and column."""


@dataclass
class AnswerTable:
    """The answers file read against a spec: ids, group values (or None) and the answers."""

    respondents: list[str]
    groups: list[str | None] | None
    answers: np.ndarray


def default_pyramid_path() -> Path:
    """surveys/piramide.yaml in the current directory, else in the project of this package."""
    here = Path.cwd() / PYRAMID_FILE
    if here.is_file():
        return here
    return Path(__file__).resolve().parents[2] / PYRAMID_FILE


def run_score(
    instrument_path: str | Path,
    answers_path: str | Path,
    *,
    pyramid_path: str | Path | None = None,
    group_by: str | None = None,
    min_group_size: int | None = None,
    fmt: str = "json",
    output: str | Path | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Score ``answers_path`` with the instrument; write JSON or CSV. Returns the exit status:
    0 when done, 2 for a problem in the input (message on ``stderr``)."""
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    if fmt not in ("json", "csv"):
        print(f'unknown format "{fmt}"; use json or csv', file=stderr)
        return 2
    if min_group_size is not None and min_group_size < 1:
        print("the minimum group size must be at least 1", file=stderr)
        return 2
    try:
        pyramid = load_pyramid(pyramid_path if pyramid_path is not None else default_pyramid_path())
        instrument = load_instrument(instrument_path, pyramid)
        spec = spec_from_content(instrument, pyramid, min_group_size=min_group_size)
    except ContentError as exc:
        print(str(exc), file=stderr)
        return 2
    try:
        table = read_answers(spec, answers_path, group_by=group_by)
    except InputError as exc:
        print(str(exc), file=stderr)
        return 2

    results = score_respondents(spec, table.answers)
    if fmt == "csv":
        text = respondents_csv(spec, table, results)
    else:
        groups: list[tuple[Any, GroupResult]] = []
        if table.groups is not None:
            values = np.array(table.groups, dtype=object)
            groups.extend(group_results(spec, table.answers, results, values).items())
        groups.append((None, group_result(spec, table.answers, results)))
        text = json.dumps(result_json(spec, table, results, groups), ensure_ascii=False, indent=2)
        text += "\n"
    if output is None:
        stdout.write(text)
        return 0
    try:
        Path(output).write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        print(f"{output}: cannot write: {exc.strerror or exc}", file=stderr)
        return 2
    return 0


# --- reading ------------------------------------------------------------------------------


def read_answers(
    spec: ScoringSpec, path: str | Path, *, group_by: str | None = None
) -> AnswerTable:
    """Read an answers CSV for ``spec``; raises :class:`InputError` naming line and column."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}: line {line}: not UTF-8 text") from exc

    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        header = []
    except csv.Error as exc:
        raise InputError(f"{name}: line 1: {exc}") from exc

    item_index = {item_id: j for j, item_id in enumerate(spec.item_ids)}
    seen: dict[str, int] = {}
    for position, column in enumerate(header, start=1):
        if not column:
            raise InputError(f"{name}: line 1: column {position} has no name")
        if column in seen:
            raise InputError(f"{name}: line 1, column {column}: the column appears twice")
        seen[column] = position - 1
    if RESPONDENT_COLUMN not in seen:
        raise InputError(f'{name}: line 1: no "{RESPONDENT_COLUMN}" column')
    if group_by is not None and group_by not in seen:
        raise InputError(f'{name}: line 1: no "{group_by}" column to group by')
    for column in seen:
        if column not in (RESPONDENT_COLUMN, group_by) and column not in item_index:
            raise InputError(
                f"{name}: line 1, column {column}: unknown column"
                f" (not an item of instrument {spec.instrument_id})"
            )

    respondent_at = seen[RESPONDENT_COLUMN]
    group_at = seen[group_by] if group_by is not None else None
    items = [
        (position, column, item_index[column])
        for column, position in seen.items()
        if column in item_index and column not in (RESPONDENT_COLUMN, group_by)
    ]
    points = spec.points

    respondents: list[str] = []
    groups: list[str | None] = []
    rows: list[list[float]] = []
    first_line_of: dict[str, int] = {}
    line = 1
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise InputError(
                    f"{name}: line {line}: {len(record)} fields, the header has {len(header)}"
                )
            respondent = record[respondent_at].strip()
            if not respondent:
                raise InputError(
                    f"{name}: line {line}, column {RESPONDENT_COLUMN}: no respondent id"
                )
            if respondent in first_line_of:
                raise InputError(
                    f"{name}: line {line}, column {RESPONDENT_COLUMN}: duplicate respondent"
                    f' "{respondent}" (also on line {first_line_of[respondent]})'
                )
            first_line_of[respondent] = line
            row = [np.nan] * spec.n_items
            for position, column, j in items:
                cell = record[position].strip()
                if not cell:
                    continue
                if not _WHOLE.fullmatch(cell):
                    raise InputError(
                        f'{name}: line {line}, column {column}: answer "{cell}" is not a whole'
                        f" number 1..{points}"
                    )
                value = int(cell)
                if not 1 <= value <= points:
                    raise InputError(
                        f'{name}: line {line}, column {column}: answer "{cell}" is outside'
                        f" 1..{points}"
                    )
                row[j] = float(value)
            respondents.append(respondent)
            if group_at is not None:
                groups.append(record[group_at].strip() or None)
            rows.append(row)
    except csv.Error as exc:
        raise InputError(f"{name}: line {reader.line_num}: {exc}") from exc

    answers = np.array(rows, dtype=np.float64).reshape(len(rows), spec.n_items)
    return AnswerTable(respondents, groups if group_at is not None else None, answers)


# --- writing ------------------------------------------------------------------------------


def _number(value: float) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def _level(value: Any) -> int | None:
    level = int(value)
    return level or None


def _stat_json(stat: GroupStat, n_levels: int) -> dict[str, Any]:
    if stat.suppressed:
        distribution = None
    else:
        assert stat.distribution is not None
        distribution = {str(lv): stat.distribution.get(lv, 0) for lv in range(1, n_levels + 1)}
    return {
        "n": stat.n,
        "suppressed": stat.suppressed,
        "mean": stat.mean,
        "sd": stat.sd,
        "level": stat.level,
        "distribution": distribution,
        "alpha": stat.alpha,
    }


def result_json(
    spec: ScoringSpec,
    table: AnswerTable,
    results: RespondentResults,
    groups: list[tuple[Any, GroupResult]],
) -> dict[str, Any]:
    """The JSON document of ``wijscan score``."""
    scores = results.theme_scores.tolist()
    levels = results.theme_levels.tolist()
    overall = results.overall_score.tolist()
    overall_level = results.overall_level.tolist()
    respondents = []
    for i, respondent in enumerate(table.respondents):
        respondents.append(
            {
                "respondent": respondent,
                "group": table.groups[i] if table.groups is not None else None,
                "themes": {
                    theme: {"score": _number(scores[i][t]), "level": _level(levels[i][t])}
                    for t, theme in enumerate(spec.theme_ids)
                },
                "overall": {"score": _number(overall[i]), "level": _level(overall_level[i])},
                "signals": results.signal_items(i),
            }
        )
    n_levels = spec.n_levels
    return {
        "instrument": {"id": spec.instrument_id, "version": spec.instrument_version},
        "scoring_version": SCORING_VERSION,
        "respondents": respondents,
        "groups": [
            {
                "group": value,
                "themes": {
                    theme: _stat_json(stat, n_levels) for theme, stat in result.themes.items()
                },
                "overall": _stat_json(result.overall, n_levels),
            }
            for value, result in groups
        ],
    }


def respondents_csv(spec: ScoringSpec, table: AnswerTable, results: RespondentResults) -> str:
    """The respondent rows as one flat CSV table (comma-separated, empty cells for null)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    header = [RESPONDENT_COLUMN, "group"]
    for theme in spec.theme_ids:
        header += [f"{theme}_score", f"{theme}_level"]
    writer.writerow([*header, "overall_score", "overall_level", "signals"])

    def cell(value: Any) -> Any:
        return "" if value is None else value

    scores = results.theme_scores.tolist()
    levels = results.theme_levels.tolist()
    overall = results.overall_score.tolist()
    overall_level = results.overall_level.tolist()
    for i, respondent in enumerate(table.respondents):
        group = table.groups[i] if table.groups is not None else None
        row: list[Any] = [respondent, cell(group)]
        for t in range(spec.n_themes):
            row += [cell(_number(scores[i][t])), cell(_level(levels[i][t]))]
        row += [cell(_number(overall[i])), cell(_level(overall_level[i]))]
        row.append(" ".join(results.signal_items(i)))
        writer.writerow(row)
    return out.getvalue()
