"""The student CSV import: parsing and validation (pure), then writing (database)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from wijscan.models import STREAMS, AuditEntry, Klas, Role, Student
from wijscan.services import student_import
from wijscan.services.student_import import (
    ImportProblem,
    ImportSummary,
    StudentImportError,
    StudentRow,
    import_students,
    klas_defaults,
    normalise_niveau,
    parse_students_csv,
)

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "leerlingnummer,roepnaam,tussenvoegsel,achternaam,klas"


def csv_bytes(*lines: str, newline: str = "\n", encoding: str = "utf-8") -> bytes:
    return (newline.join(lines) + newline).encode(encoding)


def problems_of(data: bytes) -> list[ImportProblem]:
    with pytest.raises(StudentImportError) as info:
        parse_students_csv(data)
    return info.value.problems


def only_problem(data: bytes) -> ImportProblem:
    problems = problems_of(data)
    assert len(problems) == 1, problems
    return problems[0]


# --- good files ---------------------------------------------------------------------------------

GOOD_ROWS = [
    StudentRow(2, "1001", "Sam", "", "Jansen", "H3a"),
    StudentRow(3, "1002", "Fleur", "van der", "Berg", "V2b"),
]


def test_comma_file():
    data = csv_bytes(HEADER, "1001,Sam,,Jansen,H3a", "1002,Fleur,van der,Berg,V2b")
    assert parse_students_csv(data) == GOOD_ROWS


def test_semicolon_file():
    data = csv_bytes(
        HEADER.replace(",", ";"), "1001;Sam;;Jansen;H3a", "1002;Fleur;van der;Berg;V2b"
    )
    assert parse_students_csv(data) == GOOD_ROWS


def test_tab_file():
    data = csv_bytes(
        HEADER.replace(",", "\t"), "1001\tSam\t\tJansen\tH3a", "1002\tFleur\tvan der\tBerg\tV2b"
    )
    assert parse_students_csv(data) == GOOD_ROWS


def test_bom_and_crlf():
    data = csv_bytes(
        HEADER,
        "1001,Sam,,Jansen,H3a",
        "1002,Fleur,van der,Berg,V2b",
        newline="\r\n",
        encoding="utf-8-sig",
    )
    assert data.startswith(b"\xef\xbb\xbf")
    assert parse_students_csv(data) == GOOD_ROWS


def test_old_mac_line_endings():
    data = csv_bytes(HEADER, "1001,Sam,,Jansen,H3a", "1002,Fleur,van der,Berg,V2b", newline="\r")
    assert parse_students_csv(data) == GOOD_ROWS


def test_columns_in_another_order_with_aliases_case_and_spaces():
    data = csv_bytes(
        " Klas ; Achternaam;VOORNAAM ;Voorvoegsel;Stamnummer",
        "H3a;Jansen;Sam;;1001",
        "V2b;Berg;Fleur;van der;1002",
    )
    assert parse_students_csv(data) == GOOD_ROWS


def test_unknown_columns_are_ignored_and_tussenvoegsel_is_optional():
    data = csv_bytes(
        "Geslacht,LLNR,Roepnaam,Achternaam,E-mail,Groep,Mentor",
        "M,1001,Sam,Jansen,sam@example.test,H3a,Bakker",
    )
    assert parse_students_csv(data) == [GOOD_ROWS[0]]


def test_first_alias_wins_when_several_are_present():
    data = csv_bytes(
        "voornaam,roepnaam,leerlingnummer,achternaam,groep,klas",
        "Samuel,Sam,1001,Jansen,wiskunde-3,H3a",
    )
    assert parse_students_csv(data) == [GOOD_ROWS[0]]


def test_quoted_fields_spaces_blank_lines_and_trailing_delimiters():
    data = csv_bytes(
        HEADER + ",",
        ' 1001 , "Sam",,"Jansen,  de   Jong", H3a ,',
        "",
        ",,,,,",
        '1002,"Fleur","van der","Berg ""B""",V2b',
    )
    rows = parse_students_csv(data)
    assert rows == [
        StudentRow(2, "1001", "Sam", "", "Jansen, de Jong", "H3a"),
        StudentRow(5, "1002", "Fleur", "van der", 'Berg "B"', "V2b"),
    ]


def test_row_numbers_are_line_numbers_even_with_multiline_fields():
    data = csv_bytes(HEADER, '1001,Sam,,"Jan\nsen",H3a', "1002,Fleur,,Berg,")
    assert only_problem(data) == ImportProblem(
        4, "klas", "leeg; elke leerling heeft een klas nodig"
    )


def test_realistic_export_fixture():
    rows = parse_students_csv((FIXTURES / "sis_export_bom_semicolon_crlf.csv").read_bytes())
    assert [
        (r.row, r.leerlingnummer, r.roepnaam, r.tussenvoegsel, r.achternaam, r.klas) for r in rows
    ] == [
        (2, "100234", "Ayoub", "", "El Amrani", "H2a"),
        (3, "100235", "Fleur", "van der", "Berg", "H2a"),
        (4, "100236", "Daan", "", "de Vries; jr.", "V2b"),
        (5, "100237", "Zoë", "", "Ørsted", "V2b"),
        (6, "100238", "Mila", "ten", "Have", "m2c"),
    ]


def test_windows_1252_fallback():
    """Not valid UTF-8 and no BOM: read as Windows-1252 (what Excel writes on Dutch Windows)."""
    rows = parse_students_csv((FIXTURES / "excel_cp1252.csv").read_bytes())
    assert [(r.roepnaam, r.tussenvoegsel, r.achternaam) for r in rows] == [
        ("Anaïs", "", "Müller"),
        ("Chloë", "van 't", "Hof"),
        ("José", "", "Çelik"),
    ]


def test_explicit_leerjaar_and_niveau_columns():
    data = csv_bytes(
        HEADER + ",Leerjaar,Niveau",
        "1001,Sam,,Jansen,2B,2,HAVO",
        "1002,Fleur,,Berg,2B,,",
        "1003,Ilse,,Smit,4K,4,vmbo kbl",
        "1004,Noah,,Bos,1A,1,Atheneum",
    )
    rows = parse_students_csv(data)
    assert [(r.leerjaar, r.niveau) for r in rows] == [
        (2, "havo"),
        (None, None),
        (4, "vmbo-k"),
        (1, "vwo"),
    ]


# --- bad files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        (
            ",Sam,,Jansen,H3a",
            "leerlingnummer",
            "leeg; elke leerling heeft een leerlingnummer nodig",
        ),
        ("1002,,,Jansen,H3a", "roepnaam", "leeg; elke leerling heeft een roepnaam nodig"),
        ("1002,Sam,,  ,H3a", "achternaam", "leeg; elke leerling heeft een achternaam nodig"),
        ("1002,Sam,,Jansen,", "klas", "leeg; elke leerling heeft een klas nodig"),
        (
            "10 02,Sam,,Jansen,H3a",
            "leerlingnummer",
            "‘10 02’ is geen geldig leerlingnummer (alleen letters, cijfers en -)",
        ),
        (
            "1002/3,Sam,,Jansen,H3a",
            "leerlingnummer",
            "‘1002/3’ is geen geldig leerlingnummer (alleen letters, cijfers en -)",
        ),
        ("1" * 31 + ",Sam,,Jansen,H3a", "leerlingnummer", "te lang (31 tekens, hoogstens 30)"),
        ("1002," + "a" * 101 + ",,Jansen,H3a", "roepnaam", "te lang (101 tekens, hoogstens 100)"),
        (
            "1002,Sam," + "v" * 31 + ",Jansen,H3a",
            "tussenvoegsel",
            "te lang (31 tekens, hoogstens 30)",
        ),
        ("1002,Sam,," + "j" * 121 + ",H3a", "achternaam", "te lang (121 tekens, hoogstens 120)"),
        ("1002,Sam,,Jansen," + "k" * 41, "klas", "te lang (41 tekens, hoogstens 40)"),
        ("1002,Sam,,Jansen", None, "4 velden; de kopregel heeft er 5"),
        ("1002,Sam,,Jansen,H3a,extra", None, "6 velden; de kopregel heeft er 5"),
        ('1002,"Sam"x,,Jansen,H3a', None, "aanhalingstekens kloppen niet"),
        ('1002,"Sam,,Jansen,H3a', None, "aanhalingsteken wordt nergens afgesloten"),
    ],
)
def test_bad_row(line, column, message):
    data = csv_bytes(HEADER, "1001,Sam,,Jansen,H3a", line, "1003,Fleur,,Berg,V2b")
    assert only_problem(data) == ImportProblem(3, column, message)


@pytest.mark.parametrize(
    ("value", "column", "message"),
    [
        ("7,havo", "Leerjaar", "‘7’ is geen leerjaar; gebruik 1 t/m 6"),
        ("0,havo", "Leerjaar", "‘0’ is geen leerjaar; gebruik 1 t/m 6"),
        ("drie,havo", "Leerjaar", "‘drie’ is geen leerjaar; gebruik 1 t/m 6"),
        ("2.5,havo", "Leerjaar", "‘2.5’ is geen leerjaar; gebruik 1 t/m 6"),
        (
            "3,hv",
            "Niveau",
            "‘hv’ is geen bekend niveau; "
            "gebruik vmbo-b, vmbo-k, vmbo-gt, mavo, pro, havo, vwo, gymnasium",
        ),
    ],
)
def test_bad_leerjaar_or_niveau(value, column, message):
    data = csv_bytes(HEADER + ",Leerjaar,Niveau", "1001,Sam,,Jansen,3A," + value)
    assert only_problem(data) == ImportProblem(2, column, message)


def test_column_names_in_problems_are_spelled_as_in_the_file():
    data = csv_bytes("LLNR;Voornaam;Achternaam;Stamklas", "1001;;Jansen;")
    assert [str(p) for p in problems_of(data)] == [
        "rij 2, kolom Voornaam: leeg; elke leerling heeft een roepnaam nodig",
        "rij 2, kolom Stamklas: leeg; elke leerling heeft een klas nodig",
    ]


def test_duplicate_leerlingnummer_names_both_rows():
    data = csv_bytes(HEADER, "1001,Sam,,Jansen,H3a", "1002,Fleur,,Berg,V2b", "1001,Sem,,Jansen,H3b")
    assert only_problem(data) == ImportProblem(4, "leerlingnummer", "1001 staat ook in rij 2")
    assert str(only_problem(data)) == "rij 4, kolom leerlingnummer: 1001 staat ook in rij 2"


def test_contradicting_class_properties():
    data = csv_bytes(
        HEADER + ",leerjaar,niveau",
        "1001,Sam,,Jansen,2B,2,havo",
        "1002,Fleur,,Berg,2b,3,havo",
        "1003,Noah,,Bos,2B,2,vwo",
    )
    assert problems_of(data) == [
        ImportProblem(3, "leerjaar", "klas 2b heeft in rij 2 leerjaar 2"),
        ImportProblem(4, "niveau", "klas 2B heeft in rij 2 niveau havo"),
    ]


def test_missing_required_columns_are_named():
    data = csv_bytes("Leerlingnummer,Voornamen,Klas", "1001,Sam,H3a")
    assert problems_of(data) == [
        ImportProblem(1, "roepnaam", "ontbreekt; noem een kolom roepnaam of voornaam"),
        ImportProblem(1, "achternaam", "ontbreekt; noem een kolom achternaam"),
    ]


def test_duplicate_header_column():
    data = csv_bytes(HEADER + ",Klas", "1001,Sam,,Jansen,H3a,H3a")
    assert only_problem(data) == ImportProblem(1, "klas", "staat er meer dan eens")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", ImportProblem(0, None, "het bestand is leeg")),
        (b" \r\n\r\n", ImportProblem(0, None, "het bestand is leeg")),
        (b"\xef\xbb\xbf", ImportProblem(0, None, "het bestand is leeg")),
        (b",,,,\r\n ,  ,,,\r\n", ImportProblem(0, None, "het bestand is leeg")),
        (
            csv_bytes(HEADER),
            ImportProblem(0, None, "het bestand heeft alleen een kopregel, geen leerlingen"),
        ),
        (
            csv_bytes(HEADER, ",,,,", ""),
            ImportProblem(0, None, "het bestand heeft alleen een kopregel, geen leerlingen"),
        ),
        (
            b"Dit is een brief aan de ouders.\nMet vriendelijke groet,\nde school\n",
            ImportProblem(
                1,
                None,
                "geen bekende kolommen in de kopregel; verwacht leerlingnummer, roepnaam, "
                "achternaam en klas",
            ),
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
            ImportProblem(
                0,
                None,
                "dit is een Excel-bestand, geen CSV; kies in Excel ‘Opslaan als’ → ‘CSV UTF-8’",
            ),
        ),
        (
            "leerlingnummer\tklas\n".encode("utf-16"),
            ImportProblem(0, None, "dit bestand is UTF-16; sla het op als ‘CSV UTF-8’"),
        ),
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 5 >>\x00\x01stream\n",
            ImportProblem(4, None, "bevat binaire tekens: dit is geen CSV-bestand"),
        ),
        (
            csv_bytes(HEADER, "1001,Sam,,Jansen,H3a") + b"1002,\x81\x8d,,Berg,V2b\n",
            ImportProblem(
                3, None, "onleesbare tekens: dit is geen CSV-bestand in UTF-8 of Windows-1252"
            ),
        ),
        (
            b"\xef\xbb\xbf"
            + csv_bytes(HEADER, "1001,Sam,,Jansen,H3a")
            + b"1002,Ana\xefs,,Berg,V2b\n",
            ImportProblem(3, None, "ongeldige UTF-8-tekens; sla het bestand op als ‘CSV UTF-8’"),
        ),
        (
            b"a" * (student_import.MAX_BYTES + 1),
            ImportProblem(0, None, "het bestand is te groot (meer dan 5 MB)"),
        ),
    ],
)
def test_bad_file(data, expected):
    assert only_problem(data) == expected


def test_broken_header_quote():
    data = csv_bytes('"leerlingnummer,roepnaam,achternaam,klas', "1001,Sam,Jansen,H3a")
    assert only_problem(data) == ImportProblem(1, None, "aanhalingsteken wordt nergens afgesloten")


def test_every_problem_of_the_file_is_reported_in_row_order():
    data = csv_bytes(
        HEADER,
        "1001,Sam,,Jansen,H3a",
        "1001,,,Berg,V2b",
        "x y,Noah,,Bos",
        "1004,Ilse,,Smit,",
    )
    with pytest.raises(StudentImportError) as info:
        parse_students_csv(data)
    error = info.value
    assert [str(p) for p in error.problems] == [
        "rij 3, kolom roepnaam: leeg; elke leerling heeft een roepnaam nodig",
        "rij 3, kolom leerlingnummer: 1001 staat ook in rij 2",
        "rij 4: 4 velden; de kopregel heeft er 5",
        "rij 5, kolom klas: leeg; elke leerling heeft een klas nodig",
    ]
    assert str(error) == "\n".join(str(p) for p in error.problems)
    assert isinstance(error, ValueError)


def test_problem_str():
    assert str(ImportProblem(4, "klas", "leeg")) == "rij 4, kolom klas: leeg"
    assert str(ImportProblem(4, None, "te veel velden")) == "rij 4: te veel velden"
    assert str(ImportProblem(0, None, "het bestand is leeg")) == "bestand: het bestand is leeg"


# --- class names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("H3a", (3, "havo")),
        ("havo4", (4, "havo")),
        ("V2b", (2, "vwo")),
        ("vwo 6", (6, "vwo")),
        ("A5", (5, "vwo")),
        ("G1", (1, "gymnasium")),
        ("gym-2", (2, "gymnasium")),
        ("M4b", (4, "mavo")),
        ("K3", (3, "vmbo-k")),
        ("KB2a", (2, "vmbo-k")),
        ("B1", (1, "vmbo-b")),
        ("bb2", (2, "vmbo-b")),
        ("T2", (2, "vmbo-gt")),
        ("TL4a", (4, "vmbo-gt")),
        ("GT3", (3, "vmbo-gt")),
        ("pro1", (1, "pro")),
        ("2B", (2, None)),
        ("1", (1, None)),
        ("HV1", (1, None)),
        ("X3", (3, None)),
        ("H7", (None, "havo")),
        ("H0", (None, "havo")),
        ("brugklas", (None, None)),
        ("", (None, None)),
    ],
)
def test_klas_defaults(name, expected):
    assert klas_defaults(name) == expected


@pytest.mark.parametrize("stream", STREAMS)
def test_every_stream_is_accepted_as_niveau(stream):
    assert normalise_niveau(stream.upper()) == stream


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("vmbo gt", "vmbo-gt"),
        ("VMBO_TL", "vmbo-gt"),
        ("vmbo-bbl", "vmbo-b"),
        ("Praktijkonderwijs", "pro"),
        ("havo/vwo", None),
        ("", None),
    ],
)
def test_normalise_niveau(value, expected):
    assert normalise_niveau(value) == expected


def test_max_lengths_follow_the_models():
    assert student_import.MAX_LENGTH == {
        "leerlingnummer": 30,
        "roepnaam": 100,
        "tussenvoegsel": 30,
        "achternaam": 120,
        "klas": 40,
    }


# --- importing into the database ----------------------------------------------------------------


def counts(db, school) -> tuple[int, int, int]:
    def count(model):
        return db.session.scalar(
            select(func.count()).select_from(model).where(model.school_id == school.id)
        )

    return count(Student), count(Klas), count(AuditEntry)


def students_by_nummer(db, school) -> dict[str, Student]:
    return {
        s.leerlingnummer: s
        for s in db.session.scalars(select(Student).where(Student.school_id == school.id))
    }


def klassen_by_name(db, school) -> dict[str, Klas]:
    return {k.name: k for k in db.session.scalars(select(Klas).where(Klas.school_id == school.id))}


def test_first_import_creates_students_classes_and_an_audit_entry(db, make):
    school = make.school()
    user = make.staff(school, Role.COORDINATOR)
    data = (FIXTURES / "sis_export_bom_semicolon_crlf.csv").read_bytes()

    summary = import_students(school.id, data, user_id=user.id)
    db.session.commit()

    assert summary == ImportSummary(
        created=5,
        updated=0,
        moved=0,
        unchanged=0,
        reactivated=0,
        new_classes=["H2a", "V2b", "m2c"],
        not_in_file=0,
        rows=5,
    )
    klassen = klassen_by_name(db, school)
    assert {n: (k.leerjaar, k.stream, k.archived) for n, k in klassen.items()} == {
        "H2a": (2, "havo", False),
        "V2b": (2, "vwo", False),
        "m2c": (2, "mavo", False),
    }
    students = students_by_nummer(db, school)
    fleur = students["100235"]
    assert (fleur.roepnaam, fleur.tussenvoegsel, fleur.achternaam) == ("Fleur", "van der", "Berg")
    assert fleur.klas_id == klassen["H2a"].id
    assert fleur.active
    assert students["100237"].full_name == "Zoë Ørsted"

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.school_id == school.id))
    assert entry.action == "import_students"
    assert entry.user_id == user.id
    assert (entry.object_type, entry.object_id) == ("school", str(school.id))
    assert entry.detail == {
        "created": 5,
        "updated": 0,
        "moved": 0,
        "unchanged": 0,
        "reactivated": 0,
        "new_classes": ["H2a", "V2b", "m2c"],
        "not_in_file": 0,
        "rows": 5,
    }


def test_reimport_updates_moves_reactivates_and_never_duplicates(db, make):
    school = make.school()
    other_school = make.school("Andere school")
    h3a = make.klas(school, "H3a", 3, "havo")
    h3b = make.klas(school, "H3b", 3, "havo")
    make.student(school, h3a, nummer="1001", roepnaam="Sam", achternaam="Jansen")
    make.student(school, h3a, nummer="1002", roepnaam="Fleur", achternaam="Berg")
    make.student(school, h3a, nummer="1003", roepnaam="Noah", achternaam="Bos")
    gone = make.student(school, h3b, nummer="1004", roepnaam="Ilse", achternaam="Smit")
    left = make.student(school, h3b, nummer="1005", roepnaam="Lars", achternaam="Vos")
    left.active = False
    returning = make.student(school, None, nummer="1006", roepnaam="Mo", achternaam="Ali")
    returning.active = False
    namesake = make.student(other_school, None, nummer="1001", roepnaam="Ander", achternaam="Kind")
    db.session.commit()

    data = csv_bytes(
        HEADER,
        "1001,Sam,,Jansen,H3a",  # unchanged
        "1002,Fleur,van den,Berg,H3a",  # renamed
        "1003,Noah,,Bos,h3b",  # moved (class matched case-insensitively)
        "1006,Mo,,Ali,H4a",  # reactivated, into a new class
        "1007,Zoë,,Kok,H4a",  # new
    )
    summary = import_students(school.id, data)
    db.session.commit()

    assert summary == ImportSummary(
        created=1,
        updated=3,
        moved=2,
        unchanged=1,
        reactivated=1,
        new_classes=["H4a"],
        not_in_file=1,
        rows=5,
    )
    klassen = klassen_by_name(db, school)
    assert sorted(klassen) == ["H3a", "H3b", "H4a"]
    students = students_by_nummer(db, school)
    assert sorted(students) == ["1001", "1002", "1003", "1004", "1005", "1006", "1007"]
    assert students["1002"].full_name == "Fleur van den Berg"
    assert students["1003"].klas_id == h3b.id
    assert students["1006"].active
    assert students["1006"].klas_id == klassen["H4a"].id
    # Students who are not in the file are left exactly as they were.
    assert (gone.active, gone.klas_id) == (True, h3b.id)
    assert (left.active, left.klas_id) == (False, h3b.id)
    assert (namesake.school_id, namesake.roepnaam) == (other_school.id, "Ander")

    # The same file again changes nothing.
    again = import_students(school.id, data)
    assert again == ImportSummary(unchanged=5, not_in_file=1, rows=5)
    assert counts(db, school) == (7, 3, 2)


def test_explicit_columns_set_new_classes_only(db, make):
    school = make.school()
    existing = make.klas(school, "2B", 2, "havo")
    data = csv_bytes(
        HEADER + ",leerjaar,niveau",
        "1001,Sam,,Jansen,2B,2,vwo",  # existing class: the columns do not change it
        "1002,Fleur,,Berg,1C,,",
        "1003,Noah,,Bos,1C,1,vmbo-gt",  # a later row may give what an earlier one left empty
        "1004,Ilse,,Smit,H3a,4,vwo",  # explicit values win over the name
        "1005,Lars,,Vos,V5,,",  # derived from the name
    )
    summary = import_students(school.id, data)
    assert summary.new_classes == ["1C", "H3a", "V5"]
    klassen = klassen_by_name(db, school)
    assert {n: (k.leerjaar, k.stream) for n, k in klassen.items()} == {
        "2B": (2, "havo"),
        "1C": (1, "vmbo-gt"),
        "H3a": (4, "vwo"),
        "V5": (5, "vwo"),
    }
    assert klassen["2B"].id == existing.id


def test_new_class_without_derivable_properties_asks_for_the_column(db, make):
    school = make.school()
    data = csv_bytes(
        "leerlingnummer,roepnaam,achternaam,Klas",
        "1001,Sam,Jansen,2B",
        "1002,Fleur,Berg,2B",
        "1003,Noah,Bos,brugklas",
        "1004,Ilse,Smit,H8",
    )
    with pytest.raises(StudentImportError) as info:
        import_students(school.id, data)
    assert [str(p) for p in info.value.problems] == [
        "rij 2, kolom Klas: uit de naam van nieuwe klas 2B volgt geen niveau; "
        "voeg een kolom niveau toe of maak de klas eerst aan bij Klassen",
        "rij 4, kolom Klas: uit de naam van nieuwe klas brugklas volgt geen leerjaar; "
        "voeg een kolom leerjaar toe of maak de klas eerst aan bij Klassen",
        "rij 4, kolom Klas: uit de naam van nieuwe klas brugklas volgt geen niveau; "
        "voeg een kolom niveau toe of maak de klas eerst aan bij Klassen",
        "rij 5, kolom Klas: uit de naam van nieuwe klas H8 volgt geen leerjaar; "
        "voeg een kolom leerjaar toe of maak de klas eerst aan bij Klassen",
    ]
    assert counts(db, school) == (0, 0, 0)

    # With the columns present but empty, the problem is reported on that column.
    data = csv_bytes(HEADER + ",leerjaar,Niveau", "1001,Sam,,Jansen,2B,2,")
    with pytest.raises(StudentImportError) as info:
        import_students(school.id, data)
    assert info.value.problems == [
        ImportProblem(2, "Niveau", "leeg, en uit de naam van nieuwe klas 2B volgt geen niveau")
    ]

    # An existing class needs no leerjaar or niveau.
    make.klas(school, "2B", 2, "havo")
    assert import_students(school.id, csv_bytes(HEADER, "1001,Sam,,Jansen,2b")).created == 1


def test_archived_class_is_an_error(db, make):
    school = make.school()
    h3a = make.klas(school, "H3a", 3, "havo")
    h3a.archived = True
    db.session.commit()
    data = csv_bytes(HEADER, "1001,Sam,,Jansen,V2b", "1002,Fleur,,Berg,H3a", "1003,Noah,,Bos,H3A")
    with pytest.raises(StudentImportError) as info:
        import_students(school.id, data)
    assert info.value.problems == [
        ImportProblem(3, "klas", "klas H3a is gearchiveerd (2 leerlingen in dit bestand)")
    ]
    assert counts(db, school) == (0, 1, 0)
    assert h3a.archived


def test_bad_file_writes_nothing(db, make):
    school = make.school()
    klas = make.klas(school, "H3a", 3, "havo")
    make.student(school, klas, nummer="1001", roepnaam="Sam", achternaam="Jansen")
    before = counts(db, school)
    data = csv_bytes(
        HEADER,
        "1001,Samuel,,Jansen,V2b",  # would rename and move into a new class
        "1002,Fleur,,Berg,H4a",  # would create a student and a class
        "1003,,,Bos,H3a",  # but this row is bad
    )
    with pytest.raises(StudentImportError) as info:
        import_students(school.id, data)
    assert info.value.problems == [
        ImportProblem(4, "roepnaam", "leeg; elke leerling heeft een roepnaam nodig")
    ]
    db.session.commit()
    db.session.expire_all()
    assert counts(db, school) == before == (1, 1, 0)
    sam = students_by_nummer(db, school)["1001"]
    assert (sam.roepnaam, sam.klas_id) == ("Sam", klas.id)


def test_a_failure_while_writing_leaves_nothing_half_written(db, make, monkeypatch):
    school = make.school()
    klas = make.klas(school, "H3a", 3, "havo")
    make.student(school, klas, nummer="1001", roepnaam="Sam", achternaam="Jansen")
    earlier = make.klas(school, "V1a", 1, "vwo")
    earlier.archived = True  # a change of the same request, made before the import

    def broken_audit(**_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(student_import, "AuditEntry", broken_audit)
    data = csv_bytes(HEADER, "1001,Samuel,,Jansen,V2b", "1002,Fleur,,Berg,H4a")
    with pytest.raises(RuntimeError, match="disk full"):
        import_students(school.id, data)

    db.session.commit()  # what the request would commit if it went on regardless
    db.session.expire_all()
    assert counts(db, school) == (1, 2, 0)
    assert sorted(klassen_by_name(db, school)) == ["H3a", "V1a"]
    sam = students_by_nummer(db, school)["1001"]
    assert (sam.roepnaam, sam.klas_id) == ("Sam", klas.id)
    assert klassen_by_name(db, school)["V1a"].archived  # the savepoint kept earlier work


def test_import_only_flushes(db, make):
    school = make.school()
    import_students(school.id, csv_bytes(HEADER, "1001,Sam,,Jansen,H3a"))
    assert db.session().in_transaction()
    db.session.rollback()
    assert counts(db, school) == (0, 0, 0)


def test_1500_rows_with_a_constant_number_of_queries(db, make):
    school = make.school()
    make.klas(school, "H1a", 1, "havo")
    klassen = [f"{p}{j}{c}" for p in "HVM" for j in range(1, 6) for c in "abcd"]  # 60, H1a too
    lines = [
        f"{100000 + i},Leerling{i},{'van ' if i % 7 == 0 else ''},Achternaam{i},{klassen[i % 60]}"
        for i in range(1500)
    ]
    data = csv_bytes(HEADER, *lines, newline="\r\n", encoding="utf-8-sig")
    school_id = school.id

    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        summary = import_students(school_id, data)
        first = list(statements)
        statements.clear()

        # Re-import: everyone renamed, a third of them moved to another class.
        lines = [
            f"{100000 + i},Leerling{i},,Nieuw{i},{klassen[(i + (i % 3 == 0)) % 60]}"
            for i in range(1500)
        ]
        again = import_students(school_id, csv_bytes(HEADER, *lines[:1400]))
        second = list(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    db.session.commit()

    assert summary.rows == summary.created == 1500
    assert len(summary.new_classes) == 59
    assert again.rows == again.updated == 1400
    assert again.moved == len([i for i in range(1400) if i % 3 == 0])
    assert (again.created, again.unchanged, again.not_in_file) == (0, 0, 100)
    assert counts(db, school) == (1500, 60, 2)

    def selects(stmts):
        return [s for s in stmts if s.lstrip().upper().startswith("SELECT")]

    assert len(selects(first)) <= 2, selects(first)
    assert len(selects(second)) <= 2, selects(second)
    assert len(first) < 100, len(first)
    assert len(second) < 100, len(second)
