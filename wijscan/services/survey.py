"""The questionnaire a student (or staff member) answers with a code: pages, saving, resuming.

Every page is saved when the respondent goes on. Saves are idempotent: an answer is one row per
(response, item) and a retried or doubled request updates that row with the same value instead of
adding one. Responses are created with ``INSERT … ON CONFLICT DO NOTHING`` for the same reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from wijscan.content import Content, Instrument, Item
from wijscan.extensions import db
from wijscan.models import (
    AccessCode,
    Answer,
    Response,
    ResponseStatus,
    Scan,
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


def pages_for(scan: Scan, content: Content) -> list[Page]:
    """One page per theme, instrument after instrument (klas first for students)."""
    pages: list[Page] = []
    for instrument_id in scan.instruments.split():
        pages.extend(instrument_pages(content.instruments[instrument_id], start=len(pages)))
    return pages


def instrument_pages(instrument: Instrument, start: int = 0) -> list[Page]:
    return [
        Page(start + n, instrument, theme.id, tuple(theme.items))
        for n, theme in enumerate(instrument.themes)
    ]


@dataclass(frozen=True)
class Entry:
    """A code that opens a scan now, with its scan (loaded together, in one query)."""

    code: AccessCode
    scan: Scan

    @property
    def text(self) -> str:
        return self.code.code


# The statements of the hot path (every page save) are built once: building SQLAlchemy
# expressions costs more than running them here (bench/bench_submit.py, docs/performance.md).
_FIND_CODE = (
    select(AccessCode, Scan)
    .join(Scan, Scan.id == AccessCode.scan_id)
    .join(ScanRound, ScanRound.id == Scan.round_id)
    .where(
        AccessCode.code == bindparam("code"),
        AccessCode.used_at.is_(None),
        Scan.status == ScanStatus.OPEN,
        ScanRound.opens_on <= bindparam("today"),
        ScanRound.closes_on >= bindparam("today"),
    )
)
_RESPONSE_OF = (
    Response.scan_id == bindparam("scan_id"),
    Response.respondent_id == bindparam("respondent_id"),
    Response.instrument_id == bindparam("instrument_id"),
)
_FIND_RESPONSE = select(Response).where(*_RESPONSE_OF)
#: Only what a page save needs: no ORM object to build.
_RESPONSE_STATE = select(Response.id, Response.status).where(*_RESPONSE_OF)
_ADVANCE = (
    update(Response)
    .where(Response.id == bindparam("response"), Response.next_page < bindparam("done"))
    .values(next_page=bindparam("done"))
    .execution_options(synchronize_session=False)
)
_UPSERTS = {}


def _answer_upsert(dialect: str):
    """INSERT … ON CONFLICT (response, item) DO UPDATE SET value, for many rows at once."""
    if dialect not in _UPSERTS:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(Answer)
        _UPSERTS[dialect] = statement.on_conflict_do_update(
            index_elements=["response_id", "item_id"], set_={"value": statement.excluded.value}
        )
    return _UPSERTS[dialect]


def find_code(text: str, today: date) -> Entry | None:
    """The code for ``text`` while its scan and round are open; None otherwise (wrong,
    expired, closed or already used all look the same to the caller)."""
    row = db.session.execute(
        _FIND_CODE, {"code": normalise_code(text)[:20], "today": today}
    ).first()
    return Entry(code=row[0], scan=row[1]) if row else None


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def _responses(scan: Scan, respondent_id: str) -> dict[str, Response]:
    return {
        r.instrument_id: r
        for r in db.session.scalars(
            select(Response).where(
                Response.scan_id == scan.id, Response.respondent_id == respondent_id
            )
        )
    }


def _response(scan: Scan, respondent_id: str, instrument_id: str) -> Response | None:
    return db.session.scalar(
        _FIND_RESPONSE,
        {"scan_id": scan.id, "respondent_id": respondent_id, "instrument_id": instrument_id},
    )


def ensure_response(
    scan: Scan, respondent_id: str, instrument: Instrument, observer_id: int | None = None
) -> Response:
    """The respondent's response to ``instrument``, created when missing (race-free)."""
    existing = _response(scan, respondent_id, instrument.id)
    if existing is not None:
        return existing
    _create_response(scan, respondent_id, instrument, observer_id)
    return _response(scan, respondent_id, instrument.id)


def _response_state(
    scan: Scan, respondent_id: str, instrument: Instrument, observer_id: int | None
) -> tuple[int, ResponseStatus]:
    """Id and status of the respondent's response to ``instrument``, created when missing."""
    params = {"scan_id": scan.id, "respondent_id": respondent_id, "instrument_id": instrument.id}
    row = db.session.execute(_RESPONSE_STATE, params).first()
    if row is None:
        _create_response(scan, respondent_id, instrument, observer_id)
        row = db.session.execute(_RESPONSE_STATE, params).first()
    return row.id, row.status


def _create_response(
    scan: Scan, respondent_id: str, instrument: Instrument, observer_id: int | None
) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two racing first saves create one response."""
    statement = (
        _insert(Response)
        .values(
            scan_id=scan.id,
            respondent_id=respondent_id,
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            status=ResponseStatus.IN_PROGRESS,
            next_page=0,
            observer_id=observer_id,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["scan_id", "respondent_id", "instrument_id"])
    )
    db.session.execute(statement)


@dataclass
class State:
    """Where a respondent is: the page to show next, and the answers given so far."""

    next_page: int
    finished: bool
    answers: dict[str, int]


def state(scan: Scan, respondent_id: str, pages: list[Page]) -> State:
    responses = _responses(scan, respondent_id)
    finished = bool(responses) and all(
        responses.get(i.id) is not None and responses[i.id].status == ResponseStatus.FINAL
        for i in {p.instrument.id: p.instrument for p in pages}.values()
    )
    answers: dict[str, int] = {}
    if responses:
        rows = db.session.execute(
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
    scan: Scan,
    respondent_id: str,
    page: Page,
    pages: list[Page],
    raw: Mapping[str, str],
    observer_id: int | None = None,
) -> None:
    """Save the answers of one page. An empty answer is a skipped item; an answer outside the
    scale raises SurveyError. Doing it twice gives the same rows."""
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
    response_id, status = _response_state(scan, respondent_id, page.instrument, observer_id)
    if status == ResponseStatus.FINAL and observer_id is None:
        return  # a late retry of an earlier page changes nothing after the end
    given = [
        {"response_id": response_id, "item_id": item_id, "value": value}
        for item_id, value in values.items()
        if value is not None
    ]
    if given:
        db.session.execute(_answer_upsert(db.session.get_bind().dialect.name), given)
    skipped = [item_id for item_id, value in values.items() if value is None]
    if skipped:
        db.session.execute(
            Answer.__table__.delete().where(
                Answer.response_id == response_id, Answer.item_id.in_(skipped)
            )
        )
    first_of_instrument = next(p.index for p in pages if p.instrument.id == page.instrument.id)
    done = page.index - first_of_instrument + 1
    # In SQL, not through the loaded attribute: a late retry of an earlier page, racing a later
    # page on another connection, must never move the resume point back.
    db.session.execute(_ADVANCE, {"response": response_id, "done": done})


def finish(scan: Scan, respondent_id: str, pages: list[Page], code: AccessCode | None) -> None:
    """Make the respondent's responses final; a personal code cannot start the scan again."""
    now = utcnow()
    for instrument in {p.instrument.id: p.instrument for p in pages}.values():
        response = ensure_response(scan, respondent_id, instrument)
        if response.status != ResponseStatus.FINAL:
            response.status = ResponseStatus.FINAL
            response.finished_at = now
    if code is not None and code.respondent_id is not None and code.used_at is None:
        code.used_at = now
    db.session.flush()


def personal(code: AccessCode) -> bool:
    return code.respondent_id is not None
