"""Import students from a CSV export of the student information system (Magister, SOMtoday, …).

The file is checked as a whole first; if anything is wrong, nothing is written and
:class:`StudentImportError` lists every problem with its row and column.

The file
  * Encoding: UTF-8, with or without BOM. A file that is not valid UTF-8 is read as
    Windows-1252 (what Excel on a Dutch Windows PC writes for "CSV (gescheiden door
    lijstscheidingsteken)"; a superset of latin-1 for printable characters). A file that starts
    with a UTF-8 BOM must be valid UTF-8. Bytes that fit neither, NUL or other control
    characters, Excel workbooks (xlsx/xls) and UTF-16 files are rejected as "not a CSV file".
  * Delimiter: comma, semicolon or tab, whichever occurs most often in the header line
    (outside quotes); quoted fields and Windows/Unix/old-Mac line endings are fine.
  * Row numbers are the file's line numbers (the header is row 1). Empty lines and lines whose
    fields are all empty are skipped. Extra empty fields at the end of a line are ignored.
  * Header names are matched case-insensitively with surrounding spaces ignored; unknown
    columns are ignored. The recognised names (``COLUMNS``), first one present wins:

      leerlingnummer   leerlingnummer | stamnummer | llnr           (required)
      roepnaam         roepnaam | voornaam                         (required)
      tussenvoegsel    tussenvoegsel | tussenvoegsels | voorvoegsel (optional)
      achternaam       achternaam                                  (required)
      klas             klas | stamklas | groep                     (required)
      leerjaar         leerjaar                                    (optional)
      niveau           niveau                                      (optional)

  * Values: surrounding spaces are removed and runs of spaces become one. Names (roepnaam,
    tussenvoegsel, achternaam, klas) may not hold control or invisible characters such as the
    right-to-left override U+202E (:mod:`wijscan.text`).

Classes
  A class name that the school does not have yet creates a class. Its leerjaar and niveau
  (stream) come from the ``leerjaar``/``niveau`` columns when given, otherwise from the name
  (see :func:`klas_defaults`): the first digit is the leerjaar (1–6), the letters before it the
  niveau (H3a → 3, havo). When neither works the import asks for the column. The columns
  are not used to change classes that already exist. Class names are matched
  case-insensitively; the school's spelling wins. A class that is archived is an error.

Students
  Matched on leerlingnummer: new ones are created, existing ones get the file's names and
  class (and are reactivated if inactive). Students not in the file are left alone.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import insert, select, update

from wijscan.extensions import db
from wijscan.models import STREAMS, AuditEntry, Klas, Student
from wijscan.text import describe, hidden_characters

#: Recognised header names per column, in order of preference.
COLUMNS: dict[str, tuple[str, ...]] = {
    "leerlingnummer": ("leerlingnummer", "stamnummer", "llnr"),
    "roepnaam": ("roepnaam", "voornaam"),
    "tussenvoegsel": ("tussenvoegsel", "tussenvoegsels", "voorvoegsel"),
    "achternaam": ("achternaam",),
    "klas": ("klas", "stamklas", "groep"),
    "leerjaar": ("leerjaar",),
    "niveau": ("niveau",),
}
REQUIRED = ("leerlingnummer", "roepnaam", "achternaam", "klas")

#: Longest value per column, taken from the models.
MAX_LENGTH: dict[str, int] = {
    "leerlingnummer": Student.__table__.c.leerlingnummer.type.length,
    "roepnaam": Student.__table__.c.roepnaam.type.length,
    "tussenvoegsel": Student.__table__.c.tussenvoegsel.type.length,
    "achternaam": Student.__table__.c.achternaam.type.length,
    "klas": Klas.__table__.c.name.type.length,
}

#: Columns that hold names: no control or invisible characters (:mod:`wijscan.text`).
NAME_COLUMNS = ("roepnaam", "tussenvoegsel", "achternaam", "klas")

LEERLINGNUMMER_RE = re.compile(r"[A-Za-z0-9-]{1,30}")

#: Larger files are refused before parsing (a school of 3,000 students is about 200 kB).
MAX_BYTES = 5 * 1024 * 1024

#: Accepted spellings in the ``niveau`` column (after lower-casing and turning spaces and
#: underscores into hyphens), besides the STREAMS values themselves.
NIVEAU_ALIASES: dict[str, str] = {
    "vmbo-bb": "vmbo-b",
    "vmbo-bbl": "vmbo-b",
    "vmbo-kb": "vmbo-k",
    "vmbo-kbl": "vmbo-k",
    "vmbo-tl": "vmbo-gt",
    "vmbo-gl": "vmbo-gt",
    "vmbo-(g)t": "vmbo-gt",
    "atheneum": "vwo",
    "gym": "gymnasium",
    "praktijkonderwijs": "pro",
}

#: The letters before the first digit of a class name and the niveau they stand for.
#: Combined classes ("HV1", "MH2") are deliberately absent: their niveau must be given.
KLAS_PREFIXES: dict[str, str] = {
    "h": "havo",
    "havo": "havo",
    "v": "vwo",
    "vwo": "vwo",
    "a": "vwo",  # atheneum
    "ath": "vwo",
    "g": "gymnasium",
    "gym": "gymnasium",
    "m": "mavo",
    "mavo": "mavo",
    "k": "vmbo-k",
    "kb": "vmbo-k",
    "kbl": "vmbo-k",
    "b": "vmbo-b",
    "bb": "vmbo-b",
    "bbl": "vmbo-b",
    "t": "vmbo-gt",
    "tl": "vmbo-gt",
    "gt": "vmbo-gt",
    "gl": "vmbo-gt",
    "pro": "pro",
}

_LEERJAAR_RE = re.compile(r"[0-9]{1,2}")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_QUOTED_RE = re.compile(r'"[^"]*"')
_FIRST_LINE_RE = re.compile(r"[^\r\n]*\S[^\r\n]*")
_NEWLINE_RE = re.compile(r"\r\n|\r|\n")
_NEWLINE_BYTES_RE = re.compile(rb"\r\n|\r|\n")


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with the file. ``row`` is the line number (header = 1; 0 = the whole
    file); ``column`` the header as written in the file, or the standard name if it is missing."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = _("bestand") if self.row == 0 else _("rij %(row)d", row=self.row)
        if self.column:
            where = _("%(where)s, kolom %(column)s", where=where, column=self.column)
        return f"{where}: {self.message}"


class StudentImportError(ValueError):
    """The file cannot be imported; ``problems`` says why, row by row. Nothing was written."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.row)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class StudentRow:
    """One student line of the file, cleaned. ``leerjaar``/``niveau`` are the file's own values
    (None when the column is absent or the cell empty)."""

    row: int
    leerlingnummer: str
    roepnaam: str
    tussenvoegsel: str
    achternaam: str
    klas: str
    leerjaar: int | None = None
    niveau: str | None = None


@dataclass
class ImportSummary:
    """What an import did. ``created + updated + unchanged == rows``; ``moved`` (class changed)
    and ``reactivated`` are counted within ``updated``. ``not_in_file`` counts the school's
    active students that the file did not mention (they are left as they are)."""

    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    reactivated: int = 0
    new_classes: list[str] = field(default_factory=list)
    not_in_file: int = 0
    rows: int = 0


# --- parsing (pure) -----------------------------------------------------------------------------


def parse_students_csv(data: bytes) -> list[StudentRow]:
    """The student rows of ``data``; raises :class:`StudentImportError` with every problem the
    file alone can show. Touches no database."""
    rows, problems, _columns = _parse(data)
    if problems:
        raise StudentImportError(problems)
    return rows


def klas_defaults(name: str) -> tuple[int | None, str | None]:
    """(leerjaar, niveau) read from a class name, each None when the name does not tell.

    The leerjaar is the first digit if it is 1–6; the niveau comes from the letters before that
    digit (``KLAS_PREFIXES``): "H3a" → (3, "havo"), "gt2b" → (2, "vmbo-gt"), "2B" → (2, None).
    """
    match = re.search(r"\d", name)
    if match is None:
        return None, None
    digit = int(match.group())
    leerjaar = digit if 1 <= digit <= 6 else None
    niveau = KLAS_PREFIXES.get(name[: match.start()].strip(" -_").casefold())
    return leerjaar, niveau


def normalise_niveau(value: str) -> str | None:
    """The STREAMS value for a ``niveau`` cell, or None if it is not recognised."""
    key = re.sub(r"[\s_]+", "-", value.strip().casefold())
    if key in STREAMS:
        return key
    return NIVEAU_ALIASES.get(key)


def _decode(data: bytes) -> tuple[str | None, list[ImportProblem]]:
    def bad(message: str, row: int = 0) -> tuple[None, list[ImportProblem]]:
        return None, [ImportProblem(row, None, message)]

    if not data.strip():
        return bad(_("het bestand is leeg"))
    if len(data) > MAX_BYTES:
        return bad(_("het bestand is te groot (meer dan %(mb)d MB)", mb=MAX_BYTES // (1024 * 1024)))
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return bad(
            _("dit is een Excel-bestand, geen CSV; kies in Excel ‘Opslaan als’ → ‘CSV UTF-8’")
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return bad(_("dit bestand is UTF-16; sla het op als ‘CSV UTF-8’"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if data.startswith(b"\xef\xbb\xbf"):
            row = len(_NEWLINE_BYTES_RE.findall(data, 0, exc.start)) + 1
            return bad(_("ongeldige UTF-8-tekens; sla het bestand op als ‘CSV UTF-8’"), row)
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc2:
            row = len(_NEWLINE_BYTES_RE.findall(data, 0, exc2.start)) + 1
            return bad(
                _("onleesbare tekens: dit is geen CSV-bestand in UTF-8 of Windows-1252"), row
            )
    control = _CONTROL_RE.search(text)
    if control is not None:
        row = len(_NEWLINE_RE.findall(text, 0, control.start())) + 1
        return bad(_("bevat binaire tekens: dit is geen CSV-bestand"), row)
    return text, []


def _sniff_delimiter(header_line: str) -> str:
    unquoted = _QUOTED_RE.sub("", header_line)
    counts = {d: unquoted.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _clean(value: str) -> str:
    return " ".join(value.split())


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _parse(data: bytes) -> tuple[list[StudentRow], list[ImportProblem], dict[str, str]]:
    """The good rows, every problem, and the header name (as written) of each known column."""
    text, problems = _decode(data)
    if text is None:
        return [], problems, {}

    first = _FIRST_LINE_RE.search(text)
    header_line = first.group() if first else ""
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=_sniff_delimiter(header_line),
        skipinitialspace=True,
        strict=True,
    )

    # Read every record with the line it starts on.
    records: list[tuple[int, list[str]]] = []
    previous_line = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            unclosed = "end of data" in str(exc)
            message = (
                _("aanhalingsteken wordt nergens afgesloten")
                if unclosed
                else _("aanhalingstekens kloppen niet")
            )
            problems.append(ImportProblem(previous_line + 1, None, message))
            if not records:  # the header itself is broken: nothing more to say
                return [], problems, {}
            if unclosed or reader.line_num <= previous_line:
                break
            previous_line = reader.line_num
            continue
        start, previous_line = previous_line + 1, reader.line_num
        if any(f.strip() for f in fields):
            records.append((start, fields))

    if not records:
        return [], [*problems, ImportProblem(0, None, _("het bestand is leeg"))], {}

    header_row, header = records[0]
    index, header_problems = _read_header(header_row, header)
    problems.extend(header_problems)
    names = {key: header[i].strip().lstrip("\ufeff").strip() for key, i in index.items()}
    if header_problems:
        return [], problems, names
    if len(records) == 1:
        problems.append(
            ImportProblem(0, None, _("het bestand heeft alleen een kopregel, geen leerlingen"))
        )
        return [], problems, names
    rows: list[StudentRow] = []
    first_row_of: dict[str, int] = {}
    klas_values: dict[str, dict[str, tuple[int, object]]] = {}

    # Trailing empty header cells (a delimiter at the end of the line) are not columns.
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    for line, fields in records[1:]:
        if len(fields) < width or any(f.strip() for f in fields[width:]):
            problems.append(
                ImportProblem(
                    line,
                    None,
                    _("%(n)d velden; de kopregel heeft er %(width)d", n=len(fields), width=width),
                )
            )
            continue
        values = {key: _clean(fields[i]) for key, i in index.items()}
        row_problems: list[ImportProblem] = []
        problem = _Collector(line, names, row_problems)

        for key in REQUIRED:
            if not values[key]:
                problem(key, str(_EMPTY_MESSAGES[key]))
        for key in NAME_COLUMNS:
            hidden = hidden_characters(values.get(key, ""))
            if hidden:
                problem(
                    key,
                    _(
                        "bevat een onzichtbaar teken of stuurteken (%(chars)s); typ de naam "
                        "opnieuw zonder dat teken",
                        chars=describe(hidden),
                    ),
                )
        for key, limit in MAX_LENGTH.items():
            if key in values and len(values[key]) > limit:
                problem(
                    key,
                    _(
                        "te lang (%(n)d tekens, hoogstens %(limit)d)",
                        n=len(values[key]),
                        limit=limit,
                    ),
                )

        nummer = values["leerlingnummer"]
        if nummer and len(nummer) <= MAX_LENGTH["leerlingnummer"]:
            if not LEERLINGNUMMER_RE.fullmatch(nummer):
                problem(
                    "leerlingnummer",
                    _(
                        "‘%(value)s’ is geen geldig leerlingnummer (alleen letters, cijfers en -)",
                        value=_short(nummer),
                    ),
                )
            elif nummer in first_row_of:
                problem(
                    "leerlingnummer",
                    _("%(value)s staat ook in rij %(row)d", value=nummer, row=first_row_of[nummer]),
                )
            else:
                first_row_of[nummer] = line

        leerjaar: int | None = None
        raw = values.get("leerjaar", "")
        if raw:
            # ASCII digits only: "²" or 5,000 nines pass str.isdigit() but not int().
            if _LEERJAAR_RE.fullmatch(raw) and 1 <= int(raw) <= 6:
                leerjaar = int(raw)
            else:
                problem(
                    "leerjaar",
                    _("‘%(value)s’ is geen leerjaar; gebruik 1 t/m 6", value=_short(raw)),
                )

        niveau: str | None = None
        raw = values.get("niveau", "")
        if raw:
            niveau = normalise_niveau(raw)
            if niveau is None:
                problem(
                    "niveau",
                    _(
                        "‘%(value)s’ is geen bekend niveau; gebruik %(streams)s",
                        value=_short(raw),
                        streams=", ".join(STREAMS),
                    ),
                )

        # One class, one leerjaar and niveau: the file must not contradict itself.
        klas = values["klas"]
        if klas:
            seen = klas_values.setdefault(klas.casefold(), {})
            for key, value in (("leerjaar", leerjaar), ("niveau", niveau)):
                if value is None:
                    continue
                if key in seen and seen[key][1] != value:
                    first_line, first_value = seen[key]
                    problem(
                        key,
                        _(
                            "klas %(klas)s heeft in rij %(row)d %(column)s %(value)s",
                            klas=klas,
                            row=first_line,
                            column=key,
                            value=first_value,
                        ),
                    )
                else:
                    seen.setdefault(key, (line, value))

        if row_problems:
            problems.extend(row_problems)
            continue
        rows.append(
            StudentRow(
                row=line,
                leerlingnummer=nummer,
                roepnaam=values["roepnaam"],
                tussenvoegsel=values.get("tussenvoegsel", ""),
                achternaam=values["achternaam"],
                klas=klas,
                leerjaar=leerjaar,
                niveau=niveau,
            )
        )
    return rows, problems, names


@dataclass
class _Collector:
    """Records problems of one row: ``problem(column_key, message)``."""

    line: int
    names: dict[str, str]
    out: list[ImportProblem]

    def __call__(self, key: str, message: str) -> None:
        self.out.append(ImportProblem(self.line, self.names[key], message))


_EMPTY_MESSAGES = {
    "leerlingnummer": _l("leeg; elke leerling heeft een leerlingnummer nodig"),
    "roepnaam": _l("leeg; elke leerling heeft een roepnaam nodig"),
    "achternaam": _l("leeg; elke leerling heeft een achternaam nodig"),
    "klas": _l("leeg; elke leerling heeft een klas nodig"),
}


def _read_header(line: int, header: list[str]) -> tuple[dict[str, int], list[ImportProblem]]:
    """Column positions by standard name, or the problems with the header."""
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        positions.setdefault(name.strip().lstrip("\ufeff").strip().casefold(), []).append(i)
    if not any(a in positions for aliases in COLUMNS.values() for a in aliases):
        return {}, [
            ImportProblem(
                line,
                None,
                _(
                    "geen bekende kolommen in de kopregel; verwacht leerlingnummer, roepnaam, "
                    "achternaam en klas"
                ),
            )
        ]
    index: dict[str, int] = {}
    problems: list[ImportProblem] = []
    for key, aliases in COLUMNS.items():
        alias = next((a for a in aliases if a in positions), None)
        if alias is None:
            if key in REQUIRED:
                names = _(" of ").join(filter(None, (", ".join(aliases[:-1]), aliases[-1])))
                problems.append(
                    ImportProblem(line, key, _("ontbreekt; noem een kolom %(names)s", names=names))
                )
            continue
        if len(positions[alias]) > 1:
            problems.append(
                ImportProblem(
                    line, header[positions[alias][0]].strip(), _("staat er meer dan eens")
                )
            )
            continue
        index[key] = positions[alias][0]
    return index, problems


# --- importing ----------------------------------------------------------------------------------


def import_students(school_id: int, data: bytes, *, user_id: int | None = None) -> ImportSummary:
    """Check ``data`` completely, then create and update the school's students and classes.

    Raises :class:`StudentImportError` (having written nothing) if anything is wrong. Writes in
    a savepoint and only flushes; the caller commits. Two queries load the school's classes and
    students, whatever the file's size.
    """
    rows, problems, columns = _parse(data)
    klas_column = columns.get("klas", "klas")

    klassen = db.session.scalars(select(Klas).where(Klas.school_id == school_id)).all()
    exact = {k.name: k for k in klassen}
    folded: dict[str, Klas] = {}
    for k in sorted(klassen, key=lambda k: k.id):
        folded.setdefault(k.name.casefold(), k)

    # Resolve every class name of the file to an existing class or a new one to create.
    resolved: dict[str, Klas] = {}  # casefolded name in the file -> existing class
    planned: dict[str, tuple[str, int, str]] = {}  # casefolded name -> (name, leerjaar, niveau)
    rows_by_klas = Counter(r.klas.casefold() for r in rows)
    explicit = _explicit_class_values(rows)
    unresolvable: set[str] = set()
    for r in rows:
        key = r.klas.casefold()
        if key in resolved or key in planned or key in unresolvable:
            continue
        existing = exact.get(r.klas) or folded.get(key)
        if existing is not None:
            resolved[key] = existing
            if existing.archived:
                n = rows_by_klas[key]
                problems.append(
                    ImportProblem(
                        r.row,
                        klas_column,
                        ngettext(
                            "klas %(klas)s is gearchiveerd (%(num)d leerling in dit bestand)",
                            "klas %(klas)s is gearchiveerd (%(num)d leerlingen in dit bestand)",
                            n,
                            klas=existing.name,
                        ),
                    )
                )
            continue
        given_jaar, given_niveau = explicit.get(key, (None, None))
        name_jaar, name_niveau = klas_defaults(r.klas)
        leerjaar = given_jaar or name_jaar
        niveau = given_niveau or name_niveau
        if leerjaar is None or niveau is None:
            unresolvable.add(key)
            for what, value in (("leerjaar", leerjaar), ("niveau", niveau)):
                if value is not None:
                    continue
                if what in columns:
                    column = columns[what]
                    message = _(
                        "leeg, en uit de naam van nieuwe klas %(klas)s volgt geen %(column)s",
                        klas=r.klas,
                        column=what,
                    )
                else:
                    column = klas_column
                    message = _(
                        "uit de naam van nieuwe klas %(klas)s volgt geen %(column)s; voeg een "
                        "kolom %(column)s toe of maak de klas eerst aan bij Klassen",
                        klas=r.klas,
                        column=what,
                    )
                problems.append(ImportProblem(r.row, column, message))
            continue
        planned[key] = (r.klas, leerjaar, niveau)

    if problems:
        raise StudentImportError(problems)

    students = {
        s.leerlingnummer: s
        for s in db.session.scalars(select(Student).where(Student.school_id == school_id))
    }

    # Work out every change first; write them below in a few statements.
    summary = ImportSummary(rows=len(rows))
    new_students: list[tuple[StudentRow, str]] = []  # (row, class key)
    changed: list[tuple[StudentRow, str, Student]] = []
    for r in rows:
        key = r.klas.casefold()
        student = students.get(r.leerlingnummer)
        if student is None:
            new_students.append((r, key))
            continue
        klas = resolved.get(key)
        moved = klas is None or student.klas_id != klas.id
        renamed = (student.roepnaam, student.tussenvoegsel, student.achternaam) != (
            r.roepnaam,
            r.tussenvoegsel,
            r.achternaam,
        )
        summary.moved += moved
        summary.reactivated += not student.active
        if moved or renamed or not student.active:
            changed.append((r, key, student))
        else:
            summary.unchanged += 1
    summary.created = len(new_students)
    summary.updated = len(changed)
    in_file = {r.leerlingnummer for r in rows}
    summary.not_in_file = sum(
        1 for nummer, s in students.items() if s.active and nummer not in in_file
    )

    with db.session.begin_nested():
        for key, (name, leerjaar, niveau) in planned.items():
            klas = Klas(school_id=school_id, name=name, leerjaar=leerjaar, stream=niveau)
            db.session.add(klas)
            resolved[key] = klas
            summary.new_classes.append(name)
        db.session.flush()

        # One multi-row INSERT and one executemany UPDATE, not a statement per student.
        if new_students:
            db.session.execute(
                insert(Student),
                [
                    {
                        "school_id": school_id,
                        "leerlingnummer": r.leerlingnummer,
                        "roepnaam": r.roepnaam,
                        "tussenvoegsel": r.tussenvoegsel,
                        "achternaam": r.achternaam,
                        "klas_id": resolved[key].id,
                        "active": True,
                    }
                    for r, key in new_students
                ],
            )
        if changed:
            db.session.execute(
                update(Student),
                [
                    {
                        "id": student.id,
                        "roepnaam": r.roepnaam,
                        "tussenvoegsel": r.tussenvoegsel,
                        "achternaam": r.achternaam,
                        "klas_id": resolved[key].id,
                        "active": True,
                    }
                    for r, key, student in changed
                ],
            )
            for _r, _key, student in changed:  # reload on next use
                db.session.expire(student)

        db.session.add(
            AuditEntry(
                school_id=school_id,
                user_id=user_id,
                action="import_students",
                object_type="school",
                object_id=str(school_id),
                detail=asdict(summary),
            )
        )
        db.session.flush()
    return summary


def _explicit_class_values(rows: list[StudentRow]) -> dict[str, tuple[int | None, str | None]]:
    """Per casefolded class name, the first leerjaar and niveau the file gives (the parser
    checked that the rows of one class agree)."""
    found: dict[str, tuple[int | None, str | None]] = {}
    for r in rows:
        leerjaar, niveau = found.get(r.klas.casefold(), (None, None))
        found[r.klas.casefold()] = (leerjaar or r.leerjaar, niveau or r.niveau)
    return found
