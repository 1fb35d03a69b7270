"""Stamps of kept pages: one statement that says whether a login session still holds and returns
every row a kept page shows, so that a page read again can be handed out without loading the
user, the scan or the signals through the ORM (:func:`wijscan.access.kept_page`).

A stamp is
``None`` when the login session has ended, ran out, belongs to an inactive user, or is
due for its once-a-minute last-seen write: then the page is built the ordinary way, which does
all of that. Otherwise it is a tuple of the rows as text: two requests with equal stamps see the
same data, so a page kept under one stamp is the page the other would render.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import String, bindparam, cast, literal_column, null, select, union_all
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select

from wijscan.db import OneRead
from wijscan.models import (
    Klas,
    LesbriefPlan,
    LoginSession,
    Membership,
    Scan,
    ScanRound,
    School,
    Signal,
    Student,
    User,
)
from wijscan.models.base import utcnow
from wijscan.models.klas import klas_mentor
from wijscan.models.signal import with_student

#: Columns of every part of the statement after its tag.
WIDTH = 8


def _part(tag: str, *columns) -> Select:
    texts = [cast(c, String) for c in columns]
    texts += [cast(null(), String)] * (WIDTH - len(texts))
    return select(literal_column(f"'{tag}'").label("tag"), *texts)


def _session_parts() -> list[Select]:
    """The login session (only while it holds and its last-seen time is recent) and the user's
    memberships with their schools' names (the roles, the current school, the school switch)."""
    seen_since = bindparam("seen_since", type_=LoginSession.last_seen_at.type)
    born_since = bindparam("born_since", type_=LoginSession.created_at.type)
    session_row = (
        _part("session", LoginSession.id, User.id, User.name, User.locale, User.is_admin)
        .join(User, User.id == LoginSession.user_id)
        .where(
            LoginSession.user_id == bindparam("user_id"),
            LoginSession.token_hash == bindparam("token_hash"),
            LoginSession.last_seen_at >= seen_since,
            LoginSession.created_at >= born_since,
            User.active.is_(True),
        )
    )
    memberships = (
        _part("membership", Membership.school_id, Membership.role, School.name)
        .join(School, School.id == Membership.school_id)
        .where(Membership.user_id == bindparam("user_id"))
    )
    return [session_row, memberships]


def _class_report_parts() -> list[Select]:
    """Everything the class report shows that can change once its scan is closed: the scan and
    its round, the class and its mentors, the class's plan, the signals with the students'
    names."""
    scan_id = bindparam("scan_id")
    klas_id = select(Scan.klas_id).where(Scan.id == scan_id).scalar_subquery()
    scan = _part(
        "scan",
        Scan.id,
        Scan.school_id,
        Scan.kind,
        Scan.klas_id,
        Scan.status,
        Scan.closed_at,
        Scan.mode,
        ScanRound.name,
    ).join(ScanRound, ScanRound.id == Scan.round_id)
    klas = _part(
        "klas", Klas.id, Klas.school_id, Klas.name, Klas.leerjaar, Klas.stream, Klas.archived
    ).where(Klas.id == klas_id)
    mentors = _part("mentor", klas_mentor.c.user_id).where(klas_mentor.c.klas_id == klas_id)
    plan = _part(
        "plan",
        LesbriefPlan.id,
        LesbriefPlan.lesbrief_id,
        LesbriefPlan.planned_on,
        LesbriefPlan.taught_on,
        LesbriefPlan.rating,
    ).where(LesbriefPlan.klas_id == klas_id)
    signals = with_student(
        _part(
            "signal",
            Signal.id,  # a signal's themes and items are written once, when its scan closes
            Signal.level,
            Student.id,
            Student.roepnaam,
            Student.tussenvoegsel,
            Student.achternaam,
        ).select_from(Signal)
    ).where(Signal.scan_id == scan_id)
    return [scan.where(Scan.id == scan_id), klas, mentors, plan, signals]


#: The class report's stamp, built once.
CLASS_REPORT = OneRead(union_all(*_session_parts(), *_class_report_parts()))


def stamp(
    engine: Engine,
    statement: OneRead,
    *,
    user_id: int,
    token_hash: str,
    idle: timedelta,
    longest: timedelta,
    last_seen_step: timedelta,
    **params,
) -> tuple | None:
    """The rows of ``statement`` for this login session as one comparable tuple, or None when
    the session does not hold (see the module's text)."""
    now = utcnow()
    rows = statement.rows(
        engine,
        user_id=user_id,
        token_hash=token_hash,
        seen_since=now - min(idle, last_seen_step),
        born_since=now - longest,
        **params,
    )
    # The rows as they come: the database may give them in another order some day, and then
    # the page is rendered again, never shown stale.
    if not any(row[0] == "session" for row in rows):
        return None
    return tuple(rows)
