"""Exports of the school's group results for the schoolcoördinator: CSV and XLSX, long format.

One row per group (class, leerjaar, stream, school) × theme (and overall) × round of the school
year, with ``n``, mean, sd, level and alpha at full precision (the scoring core's floats, never
rounded). A hidden cell keeps only ``n`` and says why in ``verborgen``: ``te weinig deelnemers``
(fewer than ``min_group_size``) or ``aftrekregel`` (hidden so that another hidden cell cannot be
recovered from the total): exactly the cells the dashboard hides.

Text cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``,
a tab, CR or LF) get a leading ``'``, in the CSV and in the XLSX, where they are also stored as
plain strings. The column names are fixed Dutch identifiers, so scripts can rely on them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from wijscan.services.school_report import OVERALL, SMALL, Group, YearResults

COLUMNS = (
    "meetmoment",
    "meetmoment_id",
    "begint_op",
    "groep_soort",
    "groep",
    "leerjaar",
    "stroming",
    "thema",
    "n",
    "gemiddelde",
    "sd",
    "niveau",
    "alfa",
    "verborgen",
)
#: The value of ``verborgen`` per reason.
REASONS = {SMALL: "te weinig deelnemers", "subtraction": "aftrekregel"}
#: The ``groep`` of the school total.
SCHOOL = "school"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")

Row = tuple[str | int | float | None, ...]


def escape(value):
    """A text cell that cannot start a formula: a leading ``'`` before = + - @ tab CR LF.
    Numbers (and None) are returned as they are. Control characters that XML cannot hold are
    dropped first, so that none can hide a formula behind it."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def rows(year: YearResults, *, leerjaar: int | None = None, stream: str | None = None) -> list[Row]:
    """The export rows: every round, the classes that pass the filters, then the totals beside
    them (their leerjaar and stream, and the school); per group every theme and overall."""
    out: list[Row] = []
    for result in year.rounds:
        classes = [
            g
            for g in result.classes
            if (leerjaar is None or g.leerjaar == leerjaar)
            and (stream is None or g.stream == stream)
        ]
        totals: list[Group] = []
        if leerjaar is None and stream is None:
            totals += [*result.leerjaren, *result.streams]
        else:
            totals += [g for g in result.leerjaren if g.leerjaar == leerjaar]
            totals += [g for g in result.streams if g.stream == stream]
        totals.append(result.school)
        r = result.round
        for group in [*classes, *totals]:
            for column in year.columns:
                cell = group.cells[column]
                stat = cell.stat
                out.append(
                    (
                        r.name,
                        r.id,
                        r.opens_on.isoformat(),
                        group.kind,
                        SCHOOL if group.kind == "school" else group.name,
                        group.leerjaar,
                        group.stream,
                        "totaal" if column == OVERALL else column,
                        cell.n,
                        stat.mean if stat else None,
                        stat.sd if stat else None,
                        stat.level if stat else None,
                        stat.alpha if stat else None,
                        REASONS.get(cell.reason, "") if cell.reason else "",
                    )
                )
    return out


def _cells(row: Row) -> list:
    return [escape(value) for value in row]


def to_csv(data: Iterable[Row]) -> bytes:
    """RFC 4180 CSV (comma, dot decimals) in UTF-8 with a byte order mark, so that Excel reads
    the accents; floats as Python writes them, the shortest text that gives the same float."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in data:
        writer.writerow(
            ["" if v is None else repr(v) if isinstance(v, float) else v for v in _cells(row)]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(data: Iterable[Row], title: str = "Groepsresultaten") -> bytes:
    """An XLSX workbook with one sheet (openpyxl, write-only): numbers as numbers, text as
    plain strings, never formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(COLUMNS))
    for row in data:
        out = []
        for value in _cells(row):
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # a string, whatever it looks like
                out.append(cell)
            elif isinstance(value, float):
                # openpyxl writes "%.16g", which can be one unit off in the last place; the
                # shortest repr gives back exactly the same float.
                cell = WriteOnlyCell(sheet, value=repr(value))
                cell.data_type = "n"
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
