"""Retention: delete the individual data a school no longer keeps (``wijscan purge``).

Per school (its ``retention_months``), after a scan's round closed: its answers and responses,
its respondent links, the personal access codes, the individual results, and the signals with
their notes. The round closed at the later of the scan's ``closed_at`` and the end of the
round's ``closes_on``; an open scan is never touched. Audit entries go after the school's
``audit_retention_months`` (entries of no school, such as the beheerder's, after the default).

What stays identifies no student: the scans, rounds, classes and action plans, the group results
(a stored result without a respondent) and the round totals.

Every delete is one bulk ``DELETE`` whose terms are computed in SQL from each school's own
setting (a ``CASE`` over the allowed numbers of months), so one call is a handful of statements
in one transaction however many schools there are, and the first statement already writes (on
SQLite it takes the write lock at once instead of reading first). Flushes nothing else and does
not commit: the caller commits, or rolls back for a dry run.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime

from sqlalchemy import Date, DateTime, and_, case, delete, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from wijscan.extensions import db
from wijscan.models import (
    AccessCode,
    Answer,
    AuditEntry,
    RespondentLink,
    Response,
    Scan,
    ScanRound,
    ScanStatus,
    School,
    Signal,
    SignalFollowUp,
    StoredResult,
    utcnow,
)

#: The numbers of months a school may choose (the check constraints on ``school``).
MIN_MONTHS, MAX_MONTHS = 1, 120
#: The audit term of entries that belong to no school: the schools' default.
DEFAULT_AUDIT_MONTHS = 24

#: What :func:`purge` deletes, in the order it deletes it (children before their parents).
KINDS = (
    "signal_follow_ups",
    "signals",
    "answers",
    "responses",
    "individual_results",
    "access_codes",
    "respondent_links",
    "audit_entries",
)


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus ``months`` calendar months; a day the month lacks becomes its last
    (31 March minus one month is 28 or 29 February)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _as_utc(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def _moment_term(months: ColumnElement[int], now: datetime) -> ColumnElement[datetime]:
    """The moment ``months`` (a column) months before ``now``: NULL outside the allowed range."""
    return case(
        {
            m: literal(months_before(now, m), DateTime(timezone=True))
            for m in range(MIN_MONTHS, MAX_MONTHS + 1)
        },
        value=months,
    )


def _day_term(months: ColumnElement[int], now: datetime) -> ColumnElement[date]:
    """The day of :func:`_moment_term`: a round whose last day lies before it ended before it."""
    return case(
        {
            m: literal(months_before(now, m).date(), Date())
            for m in range(MIN_MONTHS, MAX_MONTHS + 1)
        },
        value=months,
    )


def expired_scans(now: datetime | None = None):
    """The ids of the closed scans whose round closed more than their school's
    ``retention_months`` ago, as a subquery (nothing is loaded)."""
    now = _as_utc(now)
    months = School.retention_months
    return (
        select(Scan.id)
        .join(ScanRound, ScanRound.id == Scan.round_id)
        .join(School, School.id == Scan.school_id)
        .where(
            Scan.status == ScanStatus.CLOSED,
            or_(Scan.closed_at.is_(None), Scan.closed_at < _moment_term(months, now)),
            ScanRound.closes_on < _day_term(months, now),
        )
    )


def _expired_audit(now: datetime) -> ColumnElement[bool]:
    months = func.coalesce(
        select(School.audit_retention_months)
        .where(School.id == AuditEntry.school_id)
        .scalar_subquery(),
        DEFAULT_AUDIT_MONTHS,
    )
    return AuditEntry.created_at < _moment_term(months, now)


def purge(now: datetime | None = None) -> dict[str, int]:
    """Delete, for every school, what is past its retention term (see the module); returns the
    number of rows deleted per kind (:data:`KINDS`, every kind present). Running it again at
    once deletes nothing. Does not commit."""
    now = _as_utc(now)
    scans = expired_scans(now)
    responses = select(Response.id).where(Response.scan_id.in_(scans))
    signals = select(Signal.id).where(Signal.scan_id.in_(scans))
    statements = {
        "signal_follow_ups": delete(SignalFollowUp).where(SignalFollowUp.signal_id.in_(signals)),
        "signals": delete(Signal).where(Signal.scan_id.in_(scans)),
        "answers": delete(Answer).where(Answer.response_id.in_(responses)),
        "responses": delete(Response).where(Response.scan_id.in_(scans)),
        "individual_results": delete(StoredResult).where(
            and_(StoredResult.scan_id.in_(scans), StoredResult.respondent_id.is_not(None))
        ),
        "access_codes": delete(AccessCode).where(
            and_(AccessCode.scan_id.in_(scans), AccessCode.respondent_id.is_not(None))
        ),
        "respondent_links": delete(RespondentLink).where(RespondentLink.scan_id.in_(scans)),
        "audit_entries": delete(AuditEntry).where(_expired_audit(now)),
    }
    counts = {}
    for kind in KINDS:
        result = db.session.execute(
            statements[kind], execution_options={"synchronize_session": False}
        )
        counts[kind] = max(result.rowcount or 0, 0)
    # Rows of these kinds already in the session are gone from the database: forget them.
    db.session.expire_all()
    return counts
