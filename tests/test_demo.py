"""The demo school: created by `wijscan demo`, reproducible, with two scored past rounds."""

from __future__ import annotations

from sqlalchemy import func, select

from wijscan.cli import main
from wijscan.models import (
    Answer,
    Klas,
    LesbriefPlan,
    Membership,
    Scan,
    ScanKind,
    ScanStatus,
    School,
    StoredResult,
    Student,
    User,
)


def _snapshot(db):
    students = db.session.execute(
        select(Student.leerlingnummer, Student.roepnaam, Student.achternaam).order_by(
            Student.leerlingnummer
        )
    ).all()
    answers = db.session.execute(select(Answer.item_id, Answer.value).order_by(Answer.id)).all()
    return students, answers


def test_demo_command_creates_a_school_with_twelve_classes_and_every_role(runner, db):
    result = runner.invoke(main, args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "coordinator@demo.wijscan.test" in result.output
    assert "password for all: wijscan-demo" in result.output
    assert db.session.scalar(select(func.count()).select_from(School)) == 1
    klassen = db.session.scalars(select(Klas).order_by(Klas.name)).all()
    assert len(klassen) == 12
    assert {k.leerjaar for k in klassen} == {1, 2, 3}
    assert len({k.stream for k in klassen}) >= 6
    for klas in klassen:
        size = db.session.scalar(
            select(func.count()).select_from(Student).where(Student.klas_id == klas.id)
        )
        assert 20 <= size <= 30
    roles = set(db.session.scalars(select(Membership.role)))
    assert {r.value for r in roles} == {"docent", "zorgcoordinator", "schoolcoordinator"}
    assert db.session.scalar(select(func.count()).select_from(User).where(User.is_admin)) == 1
    scans = db.session.scalars(select(Scan)).all()
    # two closed rounds of twelve classes, and the staff scan of the second round
    assert len(scans) == 25
    assert all(s.status == ScanStatus.CLOSED for s in scans)
    assert sum(s.kind == ScanKind.MEDEWERKER for s in scans) == 1
    group_results = db.session.scalars(
        select(StoredResult).where(StoredResult.respondent_id.is_(None))
    ).all()
    assert {r.instrument_id for r in group_results} == {"klas", "individu", "school"}
    # half the classes taught the demo lesbrief between the two rounds (for "Wat werkt")
    plans = db.session.scalars(select(LesbriefPlan)).all()
    assert len(plans) == 6
    assert len({p.lesbrief_id for p in plans}) == 1
    assert all(p.taught_on is not None and p.rating for p in plans)
    assert all(r.payload["overall"]["n"] >= 5 for r in group_results)
    assert all(r.payload["overall"]["mean"] is not None for r in group_results)

    again = runner.invoke(main, args=["demo", "--if-empty"])
    assert again.exit_code == 0
    assert "already has data" in again.output
    assert db.session.scalar(select(func.count()).select_from(School)) == 1


def test_demo_is_reproducible(runner, db, app):
    from wijscan.extensions import db as _db

    runner.invoke(main, args=["demo"])
    first = _snapshot(db)
    db.session.rollback()
    with app.app_context(), _db.engine.begin() as conn:
        for table in reversed(_db.metadata.sorted_tables):
            conn.execute(table.delete())
    db.session.expire_all()
    runner.invoke(main, args=["demo"])
    assert _snapshot(db) == first
    assert len(first[1]) > 1000


def test_the_demo_signals_find_the_students_built_to_worry(app, db):
    """About 6% of the demo's students are built to worry their mentor. The signal rule should
    find nearly all of them and flag few others (docs/signals.md reports the numbers)."""
    from wijscan.models import RespondentLink, Signal
    from wijscan.services import demo

    report = {}
    demo.create_demo(app.extensions["wijscan_content"], report=report)
    db.session.commit()
    worrying = report["worrying"]
    rows = db.session.execute(
        select(Signal.id, RespondentLink.student_id).join(
            RespondentLink,
            (RespondentLink.respondent_id == Signal.respondent_id)
            & (RespondentLink.scan_id == Signal.scan_id),
        )
    ).all()
    answer_sets = db.session.scalar(select(func.count()).select_from(RespondentLink))
    students = db.session.scalar(select(func.count()).select_from(Student))
    assert 0.03 * students <= len(worrying) <= 0.10 * students
    found = {student for _, student in rows if student in worrying}
    assert len(found) >= 0.9 * len(worrying)
    about_worrying = sum(1 for _, student in rows if student in worrying)
    assert about_worrying >= 0.5 * len(rows)
    assert len(rows) <= 0.12 * answer_sets  # a rule that flags a large share is wrong
