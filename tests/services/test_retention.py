"""Retention (``wijscan purge``): exactly what is past each school's term is deleted, row by row,
and nothing else; a second run deletes nothing; group results and open scans are never touched."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select

from wijscan.models import (
    AccessCode,
    Answer,
    AuditEntry,
    LesbriefPlan,
    RespondentLink,
    Response,
    ResponseStatus,
    RoundTotal,
    Scan,
    ScanKind,
    ScanMode,
    ScanRound,
    ScanStatus,
    Signal,
    SignalFollowUp,
    SignalStatus,
    StoredResult,
    utcnow,
)
from wijscan.services import retention

#: What :func:`retention.purge` counts, and the table it deletes from.
KIND_TABLES = {
    "signal_follow_ups": "signal_follow_up",
    "signals": "signal",
    "answers": "answer",
    "responses": "response",
    "individual_results": "stored_result",
    "access_codes": "access_code",
    "respondent_links": "respondent_link",
    "audit_entries": "audit_log",
}


@dataclass
class Seeded:
    now: datetime
    #: table name -> primary keys (tuples) that the purge must delete
    doomed: dict[str, set[tuple]] = field(default_factory=dict)
    scans: dict[str, int] = field(default_factory=dict)

    def doom(self, row) -> None:
        table = row.__table__.name
        self.doomed.setdefault(table, set()).add((row.id,))


def _months_ago(now: datetime, months: int) -> datetime:
    return retention.months_before(now, months)


class World:
    """Two schools with different terms and rows on both sides of every term."""

    def __init__(self, make, db, now: datetime):
        self.make, self.db, self.seeded = make, db, Seeded(now=now)
        self.codes = 0

    def school(self, name: str, retention_months: int, audit_months: int):
        school = self.make.school(name)
        school.retention_months = retention_months
        school.audit_retention_months = audit_months
        self.db.session.commit()
        mentor = self.make.staff(school, "docent", name=f"Mentor {name}")
        klas = self.make.klas(school, f"K-{name}", mentors=[mentor])
        students = [self.make.student(school, klas, roepnaam=f"L{i}") for i in range(2)]
        plan = LesbriefPlan(school_id=school.id, klas_id=klas.id, lesbrief_id="een-lesbrief")
        self.db.session.add(plan)
        self.db.session.commit()
        return school, mentor, klas, students

    def _code(self) -> str:
        self.codes += 1
        return f"C{self.codes:06d}{uuid.uuid4().hex[:6]}"

    def scan(
        self,
        label: str,
        school,
        mentor,
        klas,
        students,
        *,
        closed_at: datetime | None,
        round_closes: datetime,
        doomed: bool,
        status: ScanStatus = ScanStatus.CLOSED,
    ) -> Scan:
        db = self.db
        closes_on = round_closes.date()
        scan_round = ScanRound(
            school_id=school.id,
            school_year_id=school.years[0].id,
            name=f"Ronde {label}",
            opens_on=closes_on - timedelta(days=14),
            closes_on=closes_on,
        )
        db.session.add(scan_round)
        db.session.flush()
        scan = Scan(
            school_id=school.id,
            round_id=scan_round.id,
            klas_id=klas.id,
            kind=ScanKind.LEERLING,
            mode=ScanMode.PERSONAL,
            status=status,
            instruments="klas individu",
            opened_by_id=mentor.id,
            closed_at=closed_at,
        )
        db.session.add(scan)
        db.session.flush()
        self.seeded.scans[label] = scan.id
        individual: list = []
        kept: list = []
        shared = AccessCode(scan_id=scan.id, code=self._code(), respondent_id=None, claims=3)
        group = StoredResult(
            scan_id=scan.id,
            instrument_id="individu",
            instrument_version=1,
            scoring_version="1",
            respondent_id=None,
            payload={"themes": {}, "overall": {"n": 7, "mean": 61.5}, "label": label},
        )
        total = RoundTotal(
            school_id=school.id,
            round_id=scan_round.id,
            kind="school",
            key="",
            instrument_id="individu",
            instrument_version=1,
            scoring_version="1",
            basis="x" * 64,
            payload={"overall": {"n": 40}},
        )
        kept += [shared, group, total]
        for student in students:
            rid = str(uuid.uuid4())
            response = Response(
                scan_id=scan.id,
                respondent_id=rid,
                instrument_id="individu",
                instrument_version=1,
                status=ResponseStatus.FINAL,
                finished_at=closed_at,
            )
            response.answers = [Answer(item_id="ind-burg-1", value=4), Answer(item_id="x", value=1)]
            observation = Response(
                scan_id=scan.id,
                respondent_id=rid,
                instrument_id="observatie",
                instrument_version=1,
                status=ResponseStatus.FINAL,
                observer_id=mentor.id,
            )
            observation.answers = [Answer(item_id="obs-1", value=2)]
            signal = Signal(
                school_id=school.id,
                scan_id=scan.id,
                klas_id=klas.id,
                respondent_id=rid,
                level=2,
                detail={"themes": {}, "critical": [], "rule": {"level": 2, "critical": True}},
                status=SignalStatus.TALKING,
            )
            signal.follow_ups = [
                SignalFollowUp(user_id=mentor.id, status=SignalStatus.TALKING, note="gesprek")
            ]
            individual += [
                response,
                observation,
                RespondentLink(respondent_id=rid, scan_id=scan.id, student_id=student.id),
                AccessCode(scan_id=scan.id, code=self._code(), respondent_id=rid),
                StoredResult(
                    scan_id=scan.id,
                    instrument_id="individu",
                    instrument_version=1,
                    scoring_version="1",
                    respondent_id=rid,
                    payload={"overall": {"level": 2}},
                ),
                signal,
            ]
        db.session.add_all(individual + kept)
        db.session.flush()
        if doomed:
            for row in individual:
                self.seeded.doom(row)
                for child in getattr(row, "answers", []) + getattr(row, "follow_ups", []):
                    self.seeded.doom(child)
        db.session.commit()
        return scan

    def audit(self, school, months: int, doomed: bool, days: int = 0) -> None:
        moment = _months_ago(self.seeded.now, months) - timedelta(days=days)
        entry = AuditEntry(
            school_id=school.id if school else None,
            action="view_individual_result",
            detail={"age_months": months},
            created_at=moment,
        )
        self.db.session.add(entry)
        self.db.session.commit()
        if doomed:
            self.seeded.doom(entry)


def seed(make, db, now: datetime) -> Seeded:
    """School A keeps 12 months (audit 24), school B 24 months (audit 12)."""
    world = World(make, db, now)
    a, a_mentor, a_klas, a_students = world.school("A", 12, 24)
    b, b_mentor, b_klas, b_students = world.school("B", 24, 12)
    ago = lambda months: _months_ago(now, months)  # noqa: E731
    A = (a, a_mentor, a_klas, a_students)
    B = (b, b_mentor, b_klas, b_students)
    # School A, 12 months: 13 months ago goes, 11 months ago stays.
    world.scan("a13", *A, closed_at=ago(13), round_closes=ago(13) - timedelta(days=1), doomed=True)
    world.scan("a11", *A, closed_at=ago(11), round_closes=ago(11) - timedelta(days=1), doomed=False)
    # The later of the two counts: closed early (13 months) in a round that ended 11 months ago,
    # and closed late (11 months) in a round that ended 14 months ago: both stay.
    world.scan("a-early", *A, closed_at=ago(13), round_closes=ago(11), doomed=False)
    world.scan("a-late", *A, closed_at=ago(11), round_closes=ago(14), doomed=False)
    # An open scan of a round that ended long ago is never touched.
    world.scan(
        "a-open",
        *A,
        closed_at=None,
        round_closes=ago(30),
        doomed=False,
        status=ScanStatus.OPEN,
    )
    # School B, 24 months: 13 months ago stays (A would delete it), 25 months ago goes.
    world.scan("b13", *B, closed_at=ago(13), round_closes=ago(13) - timedelta(days=1), doomed=False)
    world.scan("b25", *B, closed_at=ago(25), round_closes=ago(25) - timedelta(days=1), doomed=True)
    # Audit: A 24 months, B 12 months (A would keep 13), no school: the default 24.
    world.audit(a, 25, doomed=True)
    world.audit(a, 23, doomed=False)
    world.audit(b, 13, doomed=True)
    world.audit(b, 11, doomed=False)
    world.audit(None, 25, doomed=True)
    world.audit(None, 23, doomed=False)
    return world.seeded


def snapshot(db) -> dict[str, set[tuple]]:
    """Every table's primary keys."""
    db.session.commit()
    existing = set(inspect(db.engine).get_table_names())
    tables = {}
    for table in db.metadata.sorted_tables:
        if table.name not in existing:
            continue
        key = list(table.primary_key.columns)
        tables[table.name] = {tuple(row) for row in db.session.execute(select(*key))}
    return tables


def group_results(db) -> dict[int, dict]:
    rows = db.session.scalars(select(StoredResult).where(StoredResult.respondent_id.is_(None)))
    return {r.id: r.payload for r in rows}


@pytest.fixture
def seeded(app, make, db) -> Seeded:
    return seed(make, db, utcnow())


def test_purge_deletes_exactly_what_is_past_each_schools_term(db, seeded):
    before = snapshot(db)
    groups = group_results(db)
    assert all(before[t] >= keys for t, keys in seeded.doomed.items())

    counts = retention.purge(now=seeded.now)
    db.session.commit()

    after = snapshot(db)
    for table, keys in before.items():
        assert after[table] == keys - seeded.doomed.get(table, set()), table
    # two scans were past their term, each with two students
    assert counts == {
        "signal_follow_ups": 4,
        "signals": 4,
        "answers": 12,
        "responses": 8,
        "individual_results": 4,
        "access_codes": 4,
        "respondent_links": 4,
        "audit_entries": 3,
    }
    assert counts == {kind: len(seeded.doomed.get(t, ())) for kind, t in KIND_TABLES.items()}
    assert group_results(db) == groups
    # what identifies no student stays: every scan, and the old scans' shared codes
    assert len(after["scan"]) == 7
    for label in ("a13", "b25"):
        scan_id = seeded.scans[label]
        codes = db.session.scalars(select(AccessCode).where(AccessCode.scan_id == scan_id)).all()
        assert [c.respondent_id for c in codes] == [None]
        assert db.session.scalar(select(Response.id).where(Response.scan_id == scan_id)) is None


def test_a_second_run_deletes_nothing(db, seeded):
    retention.purge(now=seeded.now)
    db.session.commit()
    between = snapshot(db)
    again = retention.purge(now=seeded.now)
    db.session.commit()
    assert set(again) == set(retention.KINDS)
    assert not any(again.values()), again
    assert snapshot(db) == between


def test_nothing_is_deleted_before_any_term_has_passed(db, seeded):
    before = snapshot(db)
    counts = retention.purge(now=seeded.now - timedelta(days=400))
    db.session.commit()
    assert not any(counts.values()), counts
    assert snapshot(db) == before


def test_an_open_scan_keeps_its_answers_however_old(db, seeded):
    open_scan = seeded.scans["a-open"]
    retention.purge(now=seeded.now + timedelta(days=3650))
    db.session.commit()
    assert db.session.get(Scan, open_scan).status == ScanStatus.OPEN
    kept = db.session.scalars(select(Response).where(Response.scan_id == open_scan)).all()
    assert len(kept) == 4
    assert db.session.scalars(select(Signal).where(Signal.scan_id == open_scan)).all()
    links = db.session.scalars(select(RespondentLink).where(RespondentLink.scan_id == open_scan))
    assert len(links.all()) == 2


def test_the_term_is_counted_from_the_round_and_the_close_to_the_second(app, make, db):
    now = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)
    world = World(make, db, now)
    school, mentor, klas, students = world.school("C", 12, 24)
    term = retention.months_before(now, 12)
    round_end = term - timedelta(days=1)
    world.scan(
        "just-past",
        school,
        mentor,
        klas,
        students[:1],
        closed_at=term - timedelta(seconds=1),
        round_closes=round_end,
        doomed=True,
    )
    world.scan(
        "just-in",
        school,
        mentor,
        klas,
        students[1:],
        closed_at=term + timedelta(seconds=1),
        round_closes=round_end,
        doomed=False,
    )
    # the round's last day counts whole: a round that ends on the term's day is not past it
    world.scan(
        "round-today",
        school,
        mentor,
        klas,
        students[:1],
        closed_at=term - timedelta(days=3),
        round_closes=term,
        doomed=False,
    )
    before = snapshot(db)
    retention.purge(now=now)
    db.session.commit()
    after = snapshot(db)
    for table, keys in before.items():
        assert after[table] == keys - world.seeded.doomed.get(table, set()), table
    assert world.seeded.doomed["response"]


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2027, 3, 31, 9, 30, tzinfo=UTC), 1, datetime(2027, 2, 28, 9, 30, tzinfo=UTC)),
        (datetime(2028, 3, 31, 9, 30, tzinfo=UTC), 1, datetime(2028, 2, 29, 9, 30, tzinfo=UTC)),
        (datetime(2027, 1, 15, tzinfo=UTC), 12, datetime(2026, 1, 15, tzinfo=UTC)),
        (datetime(2027, 1, 15, tzinfo=UTC), 13, datetime(2025, 12, 15, tzinfo=UTC)),
        (datetime(2027, 5, 10, tzinfo=UTC), 120, datetime(2017, 5, 10, tzinfo=UTC)),
    ],
)
def test_months_before(moment, months, expected):
    assert retention.months_before(moment, months) == expected


# --- the command ---------------------------------------------------------------------------------


def test_purge_command_dry_run_then_for_real(db, seeded, runner):
    from wijscan.cli import main

    before = snapshot(db)
    dry = runner.invoke(main, ["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "answers: 12" in dry.output
    assert "audit entries: 3" in dry.output
    assert "would delete" in dry.output
    assert snapshot(db) == before

    real = runner.invoke(main, ["purge"])
    assert real.exit_code == 0, real.output
    assert "answers: 12" in real.output
    assert "respondent links: 4" in real.output
    assert "would" not in real.output
    db.session.rollback()  # the command committed: read what is in the database now
    after = snapshot(db)
    for table, keys in before.items():
        assert after[table] == keys - seeded.doomed.get(table, set()), table

    again = runner.invoke(main, ["purge"])
    assert again.exit_code == 0, again.output
    assert again.output.strip() == "nothing to delete"
