"""The questionnaire a student (or staff member) answers with a code: pages, saving, resuming.

Every page is saved when the respondent goes on. Saves are idempotent: an answer is one row per
(response, item) and a retried or doubled request updates that row with the same value instead of
adding one. Responses are created with ``INSERT … ON CONFLICT DO NOTHING`` for the same reason.

The functions run Core statements on the connection they are given, inside its transaction (the
questionnaire's views give their own; the mentor's observation list the session's): a page save
is the hot path of a scan morning, and the ORM layer cost more than the SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, Row, String, and_, bindparam, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from wijscan.content import Content, Instrument, Item
from wijscan.models import (
    AccessCode,
    Answer,
    Response,
    ResponseStatus,
    Scan,
    ScanKind,
    ScanRound,
    ScanStatus,
    utcnow,
)
from wijscan.services.scans import normalise_code


class SurveyError(ValueError):
    """An answer that is not on the scale; ``item`` names the question."""

    def __init__(self, item: str, message: str):
        super().__init__(message)
        self.item = item


@dataclass(frozen=True)
class Page:
    index: int
    instrument: Instrument
    theme_id: str
    items: tuple[Item, ...]


def pages_for(instruments: str, content: Content) -> list[Page]:
    """One page per theme, instrument after instrument (``instruments``: the scan's ids,
    separated by spaces; klas first for students)."""
    pages: list[Page] = []
    for instrument_id in instruments.split():
        pages.extend(instrument_pages(content.instruments[instrument_id], start=len(pages)))
    return pages


def instrument_pages(instrument: Instrument, start: int = 0) -> list[Page]:
    return [
        Page(start + n, instrument, theme.id, tuple(theme.items))
        for n, theme in enumerate(instrument.themes)
    ]


@dataclass(frozen=True)
class Entry:
    """A code that opens a scan now, with what the questionnaire needs of its scan and of the
    visiting respondent's responses: plain values read in one query (no ORM objects on the hot
    path)."""

    code_id: int
    text: str
    #: The personal code's respondent; None for a shared (class or staff) code.
    respondent_id: str | None
    scan_id: int
    instruments: str
    kind: ScanKind
    #: The respondent's responses so far: instrument id -> (response id, status).
    responses: Mapping[str, tuple[int, ResponseStatus]] = field(default_factory=dict)

    @property
    def personal(self) -> bool:
        return self.respondent_id is not None


# The statements of the hot path (every page save) are built once: building SQLAlchemy
# expressions costs more than running them here (bench/bench_submit.py, docs/performance.md).
_FIND_CODE = (
    select(
        AccessCode.id,
        AccessCode.code,
        AccessCode.respondent_id,
        Scan.id,
        Scan.instruments,
        Scan.kind,
        Response.instrument_id,
        Response.id,
        Response.status,
    )
    .join(Scan, Scan.id == AccessCode.scan_id)
    .join(ScanRound, ScanRound.id == Scan.round_id)
    # The respondent's responses come along: the personal code's own, or for a shared code the
    # one this browser started (``mine``, kept in its session; None matches nothing).
    .outerjoin(
        Response,
        and_(
            Response.scan_id == Scan.id,
            Response.respondent_id
            == func.coalesce(AccessCode.respondent_id, bindparam("mine", type_=String)),
        ),
    )
    .where(
        AccessCode.code == bindparam("code"),
        AccessCode.used_at.is_(None),
        Scan.status == ScanStatus.OPEN,
        ScanRound.opens_on <= bindparam("today"),
        ScanRound.closes_on >= bindparam("today"),
    )
)
_RESPONSE_OF = (
    Response.scan_id == bindparam("of_scan"),
    Response.respondent_id == bindparam("of_respondent"),
    Response.instrument_id == bindparam("of_instrument"),
)


def _response_of(scan_id: int, respondent_id: str, instrument_id: str) -> dict:
    return {"of_scan": scan_id, "of_respondent": respondent_id, "of_instrument": instrument_id}


#: Only what a page save needs: no ORM object to build.
_RESPONSE_STATE = select(Response.id, Response.status).where(*_RESPONSE_OF)
#: The resume point moves forward, never back: in SQL, not through a loaded attribute, so that
#: a late retry of an earlier page racing a later page on another connection cannot undo it.
_ADVANCE_SQL = (
    f"UPDATE {Response.__table__.name} SET next_page = :done "  # noqa: S608 (no input in it)
    "WHERE id = :response AND next_page < :done"
)
_ADVANCE = text(_ADVANCE_SQL)
#: Every response of the respondent to the given instruments becomes final (one statement).
_FINISH = (
    update(Response.__table__)
    .where(
        Response.scan_id == bindparam("of_scan"),
        Response.respondent_id == bindparam("of_respondent"),
        Response.instrument_id.in_(bindparam("instruments", expanding=True)),
        Response.status != ResponseStatus.FINAL,
    )
    .values(status=ResponseStatus.FINAL, finished_at=bindparam("now"))
)
_USE_CODE = (
    update(AccessCode.__table__)
    .where(
        AccessCode.id == bindparam("code_id"),
        AccessCode.respondent_id.is_not(None),
        AccessCode.used_at.is_(None),
    )
    .values(used_at=bindparam("now"))
)
_UPSERTS = {}


def _answer_upsert(dialect: str, rows: int):
    """``INSERT … VALUES (…), (…) ON CONFLICT (response, item) DO UPDATE SET value`` for
    ``rows`` answers of one response: one statement and one round trip (an executemany costs a
    round trip per row on PostgreSQL). Written as text because SQLAlchemy does not cache the
    compiled form of a multi-row insert; the syntax is the same on SQLite and PostgreSQL. On
    PostgreSQL the statement also moves the resume point (``_ADVANCE`` in a WITH clause: one
    round trip less per page). Parameters ``response``, ``done``, ``item0``, ``value0`` …"""
    key = (dialect, rows)
    if key not in _UPSERTS:
        table = Answer.__table__.name
        values = ", ".join(f"(:response, :item{n}, :value{n})" for n in range(rows))
        statement = (
            f"INSERT INTO {table} (response_id, item_id, value) VALUES {values} "  # noqa: S608 (same)
            "ON CONFLICT (response_id, item_id) DO UPDATE SET value = excluded.value"
        )
        if _advances_with_upsert(dialect):
            statement = f"WITH advanced AS ({_ADVANCE_SQL}) {statement}"
        _UPSERTS[key] = text(statement)
    return _UPSERTS[key]


def _advances_with_upsert(dialect: str) -> bool:
    """PostgreSQL runs an UPDATE inside the WITH clause of an INSERT; SQLite does not."""
    return dialect == "postgresql"


def find_code(conn: Connection, text: str, today: date, mine: str | None = None) -> Entry | None:
    """The code for ``text`` while its scan and round are open; None otherwise (wrong,
    expired, closed or already used all look the same to the caller). ``mine``: the respondent
    id this browser holds for a shared code, to find its responses in the same query."""
    params = {"code": normalise_code(text)[:20], "today": today, "mine": mine}
    rows = conn.execute(_FIND_CODE, params).all()
    if not rows:
        return None
    responses = {row[6]: (row[7], row[8]) for row in rows if row[6] is not None}
    return Entry(*rows[0][:6], responses=responses)


def _responses(conn: Connection, scan_id: int, respondent_id: str) -> dict[str, Row]:
    """The respondent's responses by instrument id: rows of id, status and next_page."""
    rows = conn.execute(
        select(Response.instrument_id, Response.id, Response.status, Response.next_page).where(
            Response.scan_id == scan_id, Response.respondent_id == respondent_id
        )
    )
    return {row.instrument_id: row for row in rows}


def _response_state(
    conn: Connection,
    scan_id: int,
    respondent_id: str,
    instrument: Instrument,
    observer_id: int | None,
    *,
    missing: bool = False,
) -> tuple[int, ResponseStatus]:
    """Id and status of the respondent's response to ``instrument``, created when missing.
    ``missing``: the caller looked in this transaction and found none, so the insert comes
    first (one statement instead of three)."""
    params = _response_of(scan_id, respondent_id, instrument.id)
    row = None if missing else conn.execute(_RESPONSE_STATE, params).first()
    if row is None:
        row = _create_response(conn, scan_id, respondent_id, instrument, observer_id)
    if row is None:  # created meanwhile by a racing request (ON CONFLICT DO NOTHING)
        row = conn.execute(_RESPONSE_STATE, params).first()
    return row.id, row.status


def _create_response(
    conn: Connection,
    scan_id: int,
    respondent_id: str,
    instrument: Instrument,
    observer_id: int | None,
) -> Row | None:
    """INSERT … ON CONFLICT DO NOTHING: two racing first saves create one response. Returns the
    new response's id and status, None when it already existed."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(Response.__table__)
        .values(
            scan_id=scan_id,
            respondent_id=respondent_id,
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            status=ResponseStatus.IN_PROGRESS,
            next_page=0,
            observer_id=observer_id,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["scan_id", "respondent_id", "instrument_id"])
        .returning(Response.id, Response.status)
    )
    return conn.execute(statement).first()


@dataclass
class State:
    """Where a respondent is: the page to show next, and the answers given so far."""

    next_page: int
    finished: bool
    answers: dict[str, int]


def state(conn: Connection, scan_id: int, respondent_id: str, pages: list[Page]) -> State:
    responses = _responses(conn, scan_id, respondent_id)
    finished = bool(responses) and all(
        responses.get(i.id) is not None and responses[i.id].status == ResponseStatus.FINAL
        for i in {p.instrument.id: p.instrument for p in pages}.values()
    )
    answers: dict[str, int] = {}
    if responses:
        rows = conn.execute(
            select(Answer.item_id, Answer.value).where(
                Answer.response_id.in_([r.id for r in responses.values()])
            )
        )
        answers = dict(rows.all())
    next_page = 0
    for page in pages:
        response = responses.get(page.instrument.id)
        first_of_instrument = next(p.index for p in pages if p.instrument.id == page.instrument.id)
        if response is not None and page.index - first_of_instrument < response.next_page:
            next_page = page.index + 1
        else:
            break
    return State(next_page=min(next_page, len(pages) - 1), finished=finished, answers=answers)


def save_page(
    conn: Connection,
    scan_id: int,
    respondent_id: str,
    page: Page,
    pages: list[Page],
    raw: Mapping[str, str],
    observer_id: int | None = None,
    responses: Mapping[str, tuple[int, ResponseStatus]] | None = None,
) -> None:
    """Save the answers of one page. An empty answer is a skipped item; an answer outside the
    scale raises SurveyError. Doing it twice gives the same rows. ``responses``: the
    respondent's responses as the caller read them in this transaction (``Entry.responses``;
    an instrument without one has none yet)."""
    points = page.instrument.scale.points
    values: dict[str, int | None] = {}
    for item in page.items:
        text = (raw.get(item.id) or "").strip()
        if not text:
            values[item.id] = None
            continue
        if not text.isdigit() or not 1 <= int(text) <= points:
            raise SurveyError(item.id, f"answer {text!r} is not on the scale 1..{points}")
        values[item.id] = int(text)
    known = responses.get(page.instrument.id) if responses is not None else None
    response_id, status = known or _response_state(
        conn, scan_id, respondent_id, page.instrument, observer_id, missing=responses is not None
    )
    if status == ResponseStatus.FINAL and observer_id is None:
        return  # a late retry of an earlier page changes nothing after the end
    first_of_instrument = next(p.index for p in pages if p.instrument.id == page.instrument.id)
    done = page.index - first_of_instrument + 1
    dialect = conn.dialect.name
    given = [(item_id, value) for item_id, value in values.items() if value is not None]
    if given:
        params: dict[str, int | str] = {"response": response_id, "done": done}
        for n, (item_id, value) in enumerate(given):
            params[f"item{n}"] = item_id
            params[f"value{n}"] = value
        conn.execute(_answer_upsert(dialect, len(given)), params)
    skipped = [item_id for item_id, value in values.items() if value is None]
    if skipped:
        conn.execute(
            Answer.__table__.delete().where(
                Answer.response_id == response_id, Answer.item_id.in_(skipped)
            )
        )
    if not (given and _advances_with_upsert(dialect)):
        conn.execute(_ADVANCE, {"response": response_id, "done": done})


def finish(
    conn: Connection,
    scan_id: int,
    respondent_id: str,
    pages: list[Page],
    code_id: int | None,
    responses: Mapping[str, tuple[int, ResponseStatus]] | None = None,
) -> None:
    """Make the respondent's responses final; a personal code (``code_id``) cannot start the
    scan again. A shared code is never used up. ``responses`` as for :func:`save_page`."""
    now = utcnow()
    instruments = {p.instrument.id: p.instrument for p in pages}
    for instrument in instruments.values():
        # A response exists once a page of it was saved; create one for an instrument whose
        # pages were all skipped, so that it is final too.
        if responses is None or instrument.id not in responses:
            _response_state(conn, scan_id, respondent_id, instrument, None)
    conn.execute(
        _FINISH,
        {
            "of_scan": scan_id,
            "of_respondent": respondent_id,
            "instruments": list(instruments),
            "now": now,
        },
    )
    if code_id is not None:
        conn.execute(_USE_CODE, {"code_id": code_id, "now": now})
