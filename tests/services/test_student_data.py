"""A student's data: the export holds every row that refers to the student or one of their
respondent ids, and the erasure leaves none of them, nothing else.

The tables that refer to a student are derived from the models' metadata (a column named
``student_id`` or ``respondent_id``, a foreign key to ``student``, and every table that hangs from
one of those by a foreign key), so a table added later is checked without changing this file:
it fails here until the export and the erasure know it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.web.test_reports import _answers, _round, closed_scan
from wijscan.extensions import db as _db
from wijscan.models import (
    Answer,
    AuditEntry,
    Base,
    Response,
    ResponseStatus,
    Role,
    ScanMode,
    ScanRound,
    Signal,
    SignalFollowUp,
    SignalStatus,
    Student,
)
from wijscan.services import scans as scan_service
from wijscan.services import student_data
from wijscan.services.setup import audit
from wijscan.services.student_view import student_view

NAME, SURNAME, NUMBER = "Tessaline", "Doelwitsma", "LLN-DOEL-77"
REFERRING_COLUMNS = {"student_id", "respondent_id"}


# --- the tables that refer to a student, from the metadata ------------------------------------


def _refers_directly(table) -> bool:
    return bool(REFERRING_COLUMNS & {c.name for c in table.columns}) or any(
        fk.column.table.name == "student" for fk in table.foreign_keys
    )


def referring_tables() -> list:
    """``student`` and every table that refers to a student or a respondent id, directly or
    through a foreign key to such a table; parents before children."""
    found = {"student"} | {t.name for t in Base.metadata.sorted_tables if _refers_directly(t)}
    grown = True
    while grown:
        grown = False
        for table in Base.metadata.sorted_tables:
            if table.name not in found and any(
                fk.column.table.name in found for fk in table.foreign_keys
            ):
                found.add(table.name)
                grown = True
    return [t for t in Base.metadata.sorted_tables if t.name in found]


def _student_columns(table) -> list:
    return [
        c
        for c in table.columns
        if c.name == "student_id" or any(fk.column.table.name == "student" for fk in c.foreign_keys)
    ]


def rows_about(student_id: int) -> dict[str, dict[int, dict]]:
    """Per referring table, its rows (id -> column values) that refer to the student, found
    generically: the student row, a student column, a respondent id of the student, or a
    foreign key to a row found already."""
    found: dict[str, dict[int, dict]] = {}
    respondents = {  # from every table that links a respondent id to a student
        row["respondent_id"]
        for table in referring_tables()
        if {"student_id", "respondent_id"} <= set(table.c.keys())
        for row in _db.session.execute(select(table)).mappings()
        if row["student_id"] == student_id
    }
    for table in referring_tables():
        rows = {}
        for row in _db.session.execute(select(table)).mappings():
            refers = (table.name == "student" and row["id"] == student_id) or any(
                row[c.name] == student_id for c in _student_columns(table)
            )
            if "respondent_id" in table.c and row["respondent_id"] in respondents:
                refers = True
            for fk in table.foreign_keys:
                parent = found.get(fk.column.table.name)
                if parent and fk.column.name == "id" and row[fk.parent.name] in parent:
                    refers = True
            if refers:
                rows[row["id"]] = dict(row)
        found[table.name] = rows
    return found


# --- a school where every such table holds rows -----------------------------------------------


def build_world(app, make, db) -> dict:
    """Two schools. In the own school a target student with two rounds: a closed scan (answers,
    individual results, a signal with follow-ups) and an open one (an unfinished answer set, an
    unused code, the mentor's observation list); classmates with the same; audit entries about
    the target and others. The other school has a student with a closed scan too."""
    content = app.extensions["wijscan_content"]
    school = make.school("Eigen school")
    mentor = make.staff(school, Role.DOCENT, name="Mentor Mo")
    zorg = make.staff(school, Role.ZORG, name="Zorg Zoë")
    coordinator = make.staff(school, Role.COORDINATOR, name="Coord Cas")
    klas = make.klas(school, "2B", mentors=[mentor])
    target = make.student(school, klas, nummer=NUMBER, roepnaam=NAME, achternaam=SURNAME)
    classmates = [make.student(school, klas, roepnaam=f"Klasgenoot{i}") for i in range(6)]
    students = [target, *classmates]

    answers = _answers(content, len(students), seed=5)
    individu = content.instruments["individu"]
    for j, item in enumerate(individu.items):
        if item.critical:  # the target gives every critical answer: a signal
            answers["individu"][0, j] = item.critical.answers[0]
    first = closed_scan(
        db, content, klas, _round(db, school, "Meetmoment 1", 60), answers, students=students
    )
    signal = db.session.scalar(select(Signal).where(Signal.scan_id == first.id))
    assert signal is not None
    db.session.add_all(
        [
            SignalFollowUp(
                signal_id=signal.id,
                user_id=zorg.id,
                status=SignalStatus.TALKING,
                note="Gesprek gepland met de mentor.",
            ),
            SignalFollowUp(
                signal_id=signal.id,
                user_id=zorg.id,
                status=SignalStatus.CLOSED,
                note="Gesprek gevoerd, afgesloten.",
            ),
        ]
    )
    signal.status = SignalStatus.CLOSED
    audit(school.id, zorg.id, "view_signal", signal, student_id=target.id)
    student_view(target, content, viewer_id=zorg.id)
    student_view(classmates[0], content, viewer_id=mentor.id)

    second_round = ScanRound(
        school_id=school.id,
        school_year_id=school.years[0].id,
        name="Meetmoment 2",
        opens_on=date.today() - timedelta(days=1),
        closes_on=date.today() + timedelta(days=10),
    )
    db.session.add(second_round)
    db.session.flush()
    second = scan_service.open_student_scan(klas, second_round, ScanMode.PERSONAL, mentor, content)
    respondent = scan_service.respondent_of(second, target)
    klas_instrument = content.instruments["klas"]
    started = Response(
        scan_id=second.id,
        respondent_id=respondent,
        instrument_id="klas",
        instrument_version=klas_instrument.version,
        status=ResponseStatus.IN_PROGRESS,
        next_page=1,
    )
    started.answers = [Answer(item_id=i.id, value=2) for i in klas_instrument.items[:3]]
    observatie = content.instruments["observatie"]
    observed = Response(
        scan_id=second.id,
        respondent_id=respondent,
        instrument_id="observatie",
        instrument_version=observatie.version,
        status=ResponseStatus.FINAL,
        observer_id=mentor.id,
    )
    observed.answers = [Answer(item_id=i.id, value=3) for i in observatie.items]
    db.session.add_all([started, observed])
    db.session.flush()

    other_school = make.school("Andere school")
    other_klas = make.klas(other_school, "GEHEIM")
    others = [make.student(other_school, other_klas, roepnaam=f"Ander{i}") for i in range(5)]
    closed_scan(
        db,
        content,
        other_klas,
        _round(db, other_school, "Ronde", 30),
        _answers(content, 5, seed=9),
        students=others,
    )
    db.session.commit()
    return {
        "content": content,
        "school": school,
        "other_school": other_school,
        "mentor": mentor,
        "zorg": zorg,
        "coordinator": coordinator,
        "klas": klas,
        "target": target,
        "classmates": classmates,
        "others": others,
        "first": first,
        "second": second,
        "signal": signal,
    }


@pytest.fixture
def world(app, make, db):
    return build_world(app, make, db)


def _json(value):
    return json.loads(json.dumps(student_data.json_value(value)))


def _snapshot() -> dict[str, dict]:
    """Every row of every table, by table and primary key."""
    out = {}
    for table in Base.metadata.sorted_tables:
        key = [c.name for c in table.primary_key.columns]
        out[table.name] = {
            tuple(row[k] for k in key): {n: _json(v) for n, v in row.items()}
            for row in _db.session.execute(select(table)).mappings()
        }
    return out


# --- the export -------------------------------------------------------------------------------


def test_the_tables_about_a_student_are_derived_from_the_metadata_and_all_exported():
    tables = {t.name for t in referring_tables()}
    # What the metadata says today; the derivation, not this list, is what the checks use.
    assert {"student", "respondent_link", "response", "answer", "stored_result", "signal"} <= tables
    assert {"signal_follow_up", "access_code"} <= tables
    assert "klas" not in tables
    assert "scan" not in tables
    missing = tables - set(student_data.SECTIONS)
    assert not missing, f"the export does not know these tables: {sorted(missing)}"


def test_the_export_holds_every_row_and_column_about_the_student(app, db, world):
    target = world["target"]
    expected = rows_about(target.id)
    for table in referring_tables():  # the world gives every such table a row of the target
        assert expected[table.name], f"the test world has no {table.name} row of the student"

    data = student_data.export(
        target, world["content"], user_id=world["coordinator"].id, form="page"
    ).to_dict()
    data = json.loads(json.dumps(data))  # exactly what the download holds
    for table in referring_tables():
        exported = {row["id"]: row for row in student_data.rows_in(data, table.name)}
        assert set(exported) == set(expected[table.name]), table.name
        for row_id, row in expected[table.name].items():
            for column, value in row.items():
                assert exported[row_id][column] == _json(value), (table.name, row_id, column)
    # The audit entries about the student or their signal, this export included.
    about = {("Student", str(target.id)), ("Signal", str(world["signal"].id))}
    entries = db.session.scalars(select(AuditEntry)).all()
    expected_audit = {e.id for e in entries if (e.object_type, e.object_id) in about}
    assert len(expected_audit) == 3
    assert {row["id"] for row in student_data.rows_in(data, "audit_log")} == expected_audit


def test_the_export_is_readable_and_lists_who_looked(app, db, world):
    target, content = world["target"], world["content"]
    data = student_data.export(target, content, user_id=world["coordinator"].id, form="json")
    out = json.loads(json.dumps(data.to_dict()))
    assert out["student"]["leerlingnummer"] == NUMBER
    assert out["student"]["klas"]["name"] == "2B"
    items = {i.id: i.text.nl for inst in content.instruments.values() for i in inst.items}
    answers = [a for r in out["responses"] for a in r["answers"]]
    assert answers
    assert all(a["item_text"] == items[a["item_id"]] for a in answers)
    assert all(a["answer_label"] for a in answers)
    observed = next(r for r in out["responses"] if r["instrument_id"] == "observatie")
    assert observed["observer"] == "Mentor Mo"
    (signal,) = out["signals"]
    assert [f["note"] for f in signal["follow_ups"]] == [
        "Gesprek gepland met de mentor.",
        "Gesprek gevoerd, afgesloten.",
    ]
    assert {f["user"] for f in signal["follow_ups"]} == {"Zorg Zoë"}
    assert {f["status"] for f in signal["follow_ups"]} == {"in_gesprek", "afgesloten"}
    results = {(r["scan_id"], r["instrument_id"]): r["levels"] for r in out["results"]}
    assert set(results) == {(world["first"].id, "klas"), (world["first"].id, "individu")}
    assert all(set(lv["themes"]) and "overall" in lv for lv in results.values())
    codes = {c["scan_id"]: c for c in out["access_codes"]}
    assert codes[world["first"].id]["code"]
    assert codes[world["second"].id]["used_at"] is None
    rounds = {link["scan"]["round"]["name"] for link in out["respondent_links"]}
    assert rounds == {"Meetmoment 1", "Meetmoment 2"}
    # Who looked: the care coordinator's views (the student and the signal) and this export,
    # newest first; never the classmate's view.
    actions = [(e["action"], e["user"]) for e in out["audit"]]
    assert actions[0] == ("export_student_data", "Coord Cas")
    assert ("view_student", "Zorg Zoë") in actions
    assert ("view_signal", "Zorg Zoë") in actions
    assert ("view_student", "Mentor Mo") not in actions
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export_student_data"))
    assert entry.object_id == str(target.id)
    assert entry.detail == {"form": "json"}


def test_a_student_without_scans_exports_just_the_student(app, db, make, world):
    loner = make.student(world["school"], None, roepnaam="Alleen")
    out = student_data.export(loner, world["content"], user_id=None, form="page").to_dict()
    assert out["student"]["roepnaam"] == "Alleen"
    assert out["student"]["klas"] is None
    assert all(out[k] == [] for k in ("respondent_links", "responses", "results", "signals"))
    assert [e["action"] for e in out["audit"]] == ["export_student_data"]


# --- the erasure ------------------------------------------------------------------------------


def _texts(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def test_erasure_leaves_no_row_of_the_student_and_changes_nothing_else(app, db, world):
    target = world["target"]
    target_id = target.id
    about = rows_about(target_id)
    respondents = {r["respondent_id"] for r in about["respondent_link"].values()}
    assert len(respondents) == 2
    counts_before = student_data.erasure_counts(target)
    before = _snapshot()

    counts = student_data.erase(target, user_id=world["coordinator"].id)
    db.session.commit()
    after = _snapshot()

    assert counts == counts_before
    assert counts["student"] == 1
    assert counts["signals"] == 1
    assert counts["signal_follow_ups"] == 2
    assert counts["respondent_links"] == 2
    assert counts["access_codes"] == 2
    assert counts["answers"] == len(about["answer"])
    assert counts["responses"] == len(about["response"])
    # No row anywhere names the student or carries one of their respondent ids.
    for table in Base.metadata.sorted_tables:
        student_columns = {c.name for c in _student_columns(table)}
        for key, row in after[table.name].items():
            for column, value in row.items():
                where = f"{table.name}{key}.{column}"
                if column in student_columns:
                    assert value != target_id, where
                if table.name == "student" and column == "id":
                    assert value != target_id, where
                if value is None or isinstance(value, bool | int | float):
                    continue
                text = _texts(value)
                for secret in (*respondents, NAME, SURNAME, NUMBER):
                    assert secret not in text, f"{where} holds {secret!r}"
    # Everything else is as it was: other students' rows, the class and school aggregates.
    (entry,) = [row for row in after["audit_log"].values() if row["action"] == "erase_student_data"]
    for table in Base.metadata.sorted_tables:
        gone = {(i,) for i in about.get(table.name, {})}
        kept_before = {k: v for k, v in before[table.name].items() if k not in gone}
        kept_after = dict(after[table.name])
        if table.name == "audit_log":
            kept_after.pop((entry["id"],))
        assert kept_after == kept_before, table.name
    # The class aggregates: the group results of both schools, unchanged to the last digit.
    group = {k: v for k, v in after["stored_result"].items() if v["respondent_id"] is None}
    assert group
    assert group == {k: v for k, v in before["stored_result"].items() if v["respondent_id"] is None}
    # The audit entry: the counts under the student's id, and nothing that names the student.
    assert entry["object_type"] == "Student"
    assert entry["object_id"] == str(target_id)
    assert entry["user_id"] == world["coordinator"].id
    assert entry["detail"] == counts


def test_erasure_of_a_student_without_scans_deletes_the_student(app, db, make, world):
    loner = make.student(world["school"], None, roepnaam="Alleen", nummer="ALLEEN-1")
    loner_id = loner.id
    assert student_data.erasure_counts(loner) == {
        kind: 1 if kind == "student" else 0 for kind in student_data.ERASE_KINDS
    }
    student_data.erase(loner, user_id=None)
    db.session.commit()
    assert db.session.get(Student, loner_id) is None
    assert db.session.get(Student, world["target"].id) is not None


def test_erased_data_does_not_come_back_in_an_export_of_a_classmate(app, db, world):
    classmate = world["classmates"][0]
    before = student_data.collect(classmate, world["content"]).to_dict()
    student_data.erase(world["target"], user_id=None)
    db.session.commit()
    after = student_data.collect(classmate, world["content"]).to_dict()
    assert after["responses"] == before["responses"]
    assert after["results"] == before["results"]
    assert after["signals"] == before["signals"]
    assert after["student"] == before["student"]
