"""What a user should see first: counts and next steps for their roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from wijscan.extensions import db
from wijscan.models import (
    Klas,
    Scan,
    ScanKind,
    ScanRound,
    ScanStatus,
    School,
    Signal,
    SignalStatus,
    Student,
    User,
)


@dataclass
class Landing:
    roles: frozenset[str]
    klassen: list[Klas] = field(default_factory=list)
    student_count: int = 0
    students_without_class: int = 0
    class_count: int = 0
    rounds: list[ScanRound] = field(default_factory=list)
    open_round: ScanRound | None = None
    open_signals: int = 0
    #: Open signals of the classes the user mentors.
    my_signals: int = 0
    schools: list[School] = field(default_factory=list)
    students_per_class: dict[int, int] = field(default_factory=dict)
    #: Class id -> the id of its newest closed student scan (its class report).
    latest_reports: dict[int, int] = field(default_factory=dict)


def latest_reports(klas_ids: list[int]) -> dict[int, int]:
    """Class id -> its newest closed student scan (by round), in one query."""
    ranked = (
        select(
            Scan.klas_id,
            Scan.id,
            func.row_number()
            .over(partition_by=Scan.klas_id, order_by=(ScanRound.opens_on.desc(), Scan.id.desc()))
            .label("rank"),
        )
        .join(ScanRound, ScanRound.id == Scan.round_id)
        .where(
            Scan.klas_id.in_(klas_ids),
            Scan.kind == ScanKind.LEERLING,
            Scan.status == ScanStatus.CLOSED,
        )
        .subquery()
    )
    return dict(
        db.session.execute(select(ranked.c.klas_id, ranked.c.id).where(ranked.c.rank == 1)).all()
    )


def landing(
    *, school_id: int | None, roles: frozenset[str], user: User, klassen: list[Klas]
) -> Landing:
    view = Landing(roles=roles, klassen=klassen)
    if school_id is not None:
        view.class_count = db.session.scalar(
            select(func.count())
            .select_from(Klas)
            .where(Klas.school_id == school_id, Klas.archived.is_(False))
        )
        active = select(Student).where(Student.school_id == school_id, Student.active.is_(True))
        view.student_count = db.session.scalar(select(func.count()).select_from(active.subquery()))
        view.students_without_class = db.session.scalar(
            select(func.count()).select_from(active.where(Student.klas_id.is_(None)).subquery())
        )
        view.rounds = list(
            db.session.scalars(
                select(ScanRound)
                .where(ScanRound.school_id == school_id)
                .order_by(ScanRound.opens_on)
            )
        )
        today = date.today()
        view.open_round = next((r for r in view.rounds if r.is_open(today)), None)
        view.open_signals = db.session.scalar(
            select(func.count())
            .select_from(Signal)
            .where(Signal.school_id == school_id, Signal.status != SignalStatus.CLOSED)
        )
        ids = [k.id for k in klassen]
        if "docent" in roles:
            view.my_signals = db.session.scalar(
                select(func.count())
                .select_from(Signal)
                .where(
                    Signal.school_id == school_id,
                    Signal.status != SignalStatus.CLOSED,
                    Signal.klas_id.in_([k.id for k in klassen if user in k.mentors] or [-1]),
                )
            )
        if ids:
            view.students_per_class = dict(
                db.session.execute(
                    select(Student.klas_id, func.count())
                    .where(Student.klas_id.in_(ids), Student.active.is_(True))
                    .group_by(Student.klas_id)
                ).all()
            )
            view.latest_reports = latest_reports(ids)
    if "beheerder" in roles:
        view.schools = list(db.session.scalars(select(School).order_by(School.name)))
    return view
