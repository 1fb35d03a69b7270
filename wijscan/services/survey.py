"""The questionnaire a student (or staff member) answers with a code: pages, saving, resuming.

Every page is saved when the respondent goes on. Saves are idempotent: an answer is one row per
(response, item) and a retried or doubled request updates that row with the same value instead of
adding one. Responses are created with ``INSERT … ON CONFLICT DO NOTHING`` for the same reason.

The functions run Core statements on the connection they are given, inside its transaction (the
questionnaire's views give their own; the mentor's observation list the session's): a page save
is the hot path of a scan morning, and the ORM layer cost more than the SQL. On PostgreSQL a page
is saved in one statement on an autocommit connection (:func:`save_page_at_once`), with the
lookup-then-write functions as the long way whenever that one saves nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import (
    Connection,
    Row,
    String,
    TextClause,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from wijscan.content import Content, Instrument, Item, Text
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
    #: The page's heading in the respondent's words (the instrument theme's ``title``); None
    #: when the instrument gives none.
    title: Text | None = None


def pages_for(instruments: str, content: Content) -> list[Page]:
    """One page per theme, instrument after instrument (``instruments``: the scan's ids,
    separated by spaces; klas first for students)."""
    pages: list[Page] = []
    for instrument_id in instruments.split():
        pages.extend(instrument_pages(content.instruments[instrument_id], start=len(pages)))
    return pages


def instrument_pages(instrument: Instrument, start: int = 0) -> list[Page]:
    return [
        Page(start + n, instrument, theme.id, tuple(theme.items), theme.title)
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
    """PostgreSQL runs an UPDATE (or INSERT, DELETE) inside the WITH clause of a statement;
    SQLite does not."""
    return dialect == "postgresql"


_CLAIM = (
    update(AccessCode)
    .where(
        AccessCode.id == bindparam("code_id"),
        AccessCode.respondent_id.is_(None),
        or_(AccessCode.max_claims.is_(None), AccessCode.claims < AccessCode.max_claims),
    )
    .values(claims=AccessCode.claims + 1)
)


def claim_place(conn: Connection, entry: Entry) -> bool:
    """A new respondent starts with a shared code: count them, unless the code's cap is reached
    (False). One conditional UPDATE, so two students starting at once cannot both take the last
    place. A personal code has its respondent already: always True."""
    if entry.personal:
        return True
    return conn.execute(_CLAIM, {"code_id": entry.code_id}).rowcount == 1


def find_code(
    conn: Connection,
    text: str,
    today: date,
    mine: str | None = None,
    known: KnownCodes | None = None,
) -> Entry | None:
    """The code for ``text`` while its scan and round are open; None otherwise (wrong,
    expired, closed or already used all look the same to the caller). ``mine``: the respondent
    id this browser holds for a shared code, to find its responses in the same query. A code
    found is remembered in ``known``."""
    params = {"code": normalise_code(text)[:20], "today": today, "mine": mine}
    rows = conn.execute(_FIND_CODE, params).all()
    if not rows:
        return None
    responses = {row[6]: (row[7], row[8]) for row in rows if row[6] is not None}
    entry = Entry(*rows[0][:6], responses=responses)
    if known is not None:
        known.remember(entry)
    return entry


#: Why a real code no longer opens its scan (:attr:`Closed.reason`).
CODE_USED = "used"
CODE_CLOSED = "closed"


@dataclass(frozen=True)
class Closed:
    """Why a real code opens nothing: ``reason`` is :data:`CODE_USED` or :data:`CODE_CLOSED`;
    ``staff``: the code is one of the staff scan (whom to ask is not a teacher)."""

    reason: str
    staff: bool = False


_WHY_CLOSED = (
    select(
        AccessCode.respondent_id, AccessCode.used_at, Scan.status, Scan.kind, ScanRound.closes_on
    )
    .join(Scan, Scan.id == AccessCode.scan_id)
    .join(ScanRound, ScanRound.id == Scan.round_id)
    .where(AccessCode.code == bindparam("code"))
)


def why_closed(conn: Connection, text: str, today: date) -> Closed | None:
    """Why the code ``text``, which :func:`find_code` did not let in, opens nothing, in words
    that help the one who holds it: :data:`CODE_USED` (a personal code whose respondent
    finished) or :data:`CODE_CLOSED` (its scan was closed, or its round is over). None for
    everything else — above all for a code that does not exist, so the answer to a wrong code
    stays the same whatever is typed (a round that has not begun yet looks the same too). Off
    the hot path: only asked after a refusal."""
    row = conn.execute(_WHY_CLOSED, {"code": normalise_code(text)[:20]}).first()
    if row is None:
        return None
    staff = row.kind == ScanKind.MEDEWERKER
    if row.respondent_id is not None and row.used_at is not None:
        return Closed(CODE_USED, staff)
    if row.status == ScanStatus.CLOSED or row.closes_on < today:
        return Closed(CODE_CLOSED, staff)
    return None


class KnownCodes:
    """What never changes about a code once it exists — its scan, the scan's instruments and
    kind, its respondent — by code text, as found by :func:`find_code` (one per app process).

    Only a hint for :func:`save_page_at_once`, which checks again in SQL everything that can
    change (used, scan closed, round over) and that the hint still holds; a wrong or stale hint
    makes it save nothing, never the wrong thing. Bounded: when full it starts again."""

    def __init__(self, size: int = 20_000):
        self.size = size
        self._entries: dict[str, Entry] = {}

    def remember(self, entry: Entry) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[entry.text] = replace(entry, responses={})  # responses change

    def get(self, text: str) -> Entry | None:
        return self._entries.get(normalise_code(text))


# :func:`save_page_at_once`'s statement, in parts: only those a page needs go in (fewer WITH
# clauses, less work for the server on every save). ``{response}`` … stand for the table names,
# ``{values}``, ``{dropped}`` and ``{finishing}`` for lists of parameters: no input in them.
#: The code, checked as :func:`find_code` does, and the respondent's response to the instrument.
_AT_ONCE_ENTRY = """WITH entry AS (
    SELECT c.id AS code_id, s.id AS scan_id,
           COALESCE(c.respondent_id, CAST(:mine AS VARCHAR)) AS who
    FROM {code} c JOIN {scan} s ON s.id = c.scan_id JOIN {round} r ON r.id = s.round_id
    WHERE c.code = :code AND c.used_at IS NULL AND s.status = :open
      AND s.instruments = :instruments AND r.opens_on <= :today AND r.closes_on >= :today
), existing AS (
    SELECT p.id, p.status FROM {response} p JOIN entry e
      ON p.scan_id = e.scan_id AND p.respondent_id = e.who AND p.instrument_id = :instrument
)"""
#: The first page of an instrument creates the response when there is none (two racing first
#: saves: one creates it, the other saves nothing and goes the long way).
_AT_ONCE_CREATE = """, created AS (
    INSERT INTO {response}
        (scan_id, respondent_id, instrument_id, instrument_version, status, next_page, created_at)
    SELECT e.scan_id, e.who, :instrument, :version, :in_progress, :done, :now FROM entry e
    WHERE e.who IS NOT NULL AND NOT EXISTS (SELECT 1 FROM existing)
    ON CONFLICT (scan_id, respondent_id, instrument_id) DO NOTHING
    RETURNING id
)"""
#: The response the page goes to: not final (and on the last page, ``{ready}``).
_AT_ONCE_TARGET = """, target AS (
    SELECT id FROM existing WHERE status <> :final AND {ready}{or_created}
)"""
#: A page before the last: the resume point moves forward (a response created now starts there).
_AT_ONCE_STEP = """, advanced AS (
    UPDATE {response} SET next_page = :done
    WHERE id IN (SELECT id FROM target) AND next_page < :done
)"""
#: The last page, going forward: every response of the respondent becomes final and a personal
#: code is used up (as :func:`finish`), the page's own response also moving its resume point
#: (one UPDATE: a statement may change a row only once). Only when every instrument's response
#: exists (``{ready}``); else nothing is saved and :func:`finish` does it the long way.
_AT_ONCE_FINISH = """, finished AS (
    UPDATE {response} SET status = :final, finished_at = :now,
        next_page = CASE WHEN id IN (SELECT id FROM target) AND next_page < :done
                         THEN :done ELSE next_page END
    WHERE scan_id = (SELECT scan_id FROM entry) AND respondent_id = (SELECT who FROM entry)
      AND instrument_id IN ({finishing}) AND status <> :final AND EXISTS (SELECT 1 FROM target)
), used AS (
    UPDATE {code} SET used_at = :now
    WHERE id = (SELECT code_id FROM entry) AND respondent_id IS NOT NULL AND used_at IS NULL
      AND EXISTS (SELECT 1 FROM target)
)"""
#: ``{ready}`` on the last page: the respondent has a response to each of the scan's instruments.
_AT_ONCE_READY = """(
    SELECT count(*) FROM {response} p JOIN entry e
      ON p.scan_id = e.scan_id AND p.respondent_id = e.who AND p.instrument_id IN ({finishing})
) = {instrument_count}"""
_AT_ONCE_SAVE = """, saved AS (
    INSERT INTO {answer} (response_id, item_id, value)
    SELECT target.id, v.item, v.value FROM target, (VALUES {values}) AS v (item, value)
    ON CONFLICT (response_id, item_id) DO UPDATE SET value = excluded.value
)"""
_AT_ONCE_DROP = """, dropped AS (
    DELETE FROM {answer} WHERE response_id IN (SELECT id FROM target) AND item_id IN ({dropped})
)"""
_AT_ONCE: dict[tuple[int, int, int, bool], TextClause] = {}


def _save_at_once_statement(given: int, skipped: int, finishing: int, create: bool) -> TextClause:
    """One PostgreSQL statement that saves a page for a code, or nothing: it checks the code as
    :func:`find_code` does (and that the scan still has the instruments the caller paged by),
    finds the respondent's response to the page's instrument unless it is final — ``create``:
    or creates it —, moves its resume point forward, upserts the ``given`` answers and deletes
    the ``skipped`` ones, and with ``finishing`` (the number of the scan's instruments, on the
    last page) does what :func:`finish` does. It returns the response's id, no row when it
    saved nothing. Data-modifying WITH clauses: one round trip, atomic on its own (no BEGIN and
    COMMIT)."""
    key = (given, skipped, finishing, create)
    if key not in _AT_ONCE:
        names = {
            "code": AccessCode.__table__.name,
            "scan": Scan.__table__.name,
            "round": ScanRound.__table__.name,
            "response": Response.__table__.name,
            "answer": Answer.__table__.name,
            "finishing": ", ".join(f":instrument{n}" for n in range(finishing)),
            "instrument_count": finishing,
            "values": ", ".join(
                f"(CAST(:item{n} AS VARCHAR), CAST(:value{n} AS SMALLINT))" for n in range(given)
            ),
            "dropped": ", ".join(f":skip{n}" for n in range(skipped)),
        }
        parts = [_AT_ONCE_ENTRY]
        if create:
            parts.append(_AT_ONCE_CREATE)
        ready = _AT_ONCE_READY.format(**names) if finishing else "TRUE"
        or_created = " UNION ALL SELECT id FROM created" if create else ""
        parts.append(_AT_ONCE_TARGET.format(ready=ready, or_created=or_created))
        parts.append(_AT_ONCE_FINISH if finishing else _AT_ONCE_STEP)
        if given:
            parts.append(_AT_ONCE_SAVE)
        if skipped:
            parts.append(_AT_ONCE_DROP)
        parts.append("\nSELECT id FROM target")
        sql = "".join(parts).format(**names)
        status = Response.__table__.c.status.type
        _AT_ONCE[key] = text(sql).bindparams(
            bindparam("open", type_=Scan.__table__.c.status.type),
            bindparam("final", type_=status),
            *([bindparam("in_progress", type_=status)] if create else []),
            *(
                [bindparam("now", type_=Response.__table__.c.created_at.type)]
                if create or finishing
                else []
            ),
        )
    return _AT_ONCE[key]


def can_save_at_once(bind: Connection | Engine) -> bool:
    """:func:`save_page_at_once` needs UPDATE, INSERT and DELETE inside WITH (PostgreSQL)."""
    return _advances_with_upsert(bind.dialect.name)


def save_page_at_once(
    conn: Connection,
    known: Entry,
    mine: str | None,
    today: date,
    page: Page,
    pages: list[Page],
    raw: Mapping[str, str],
    *,
    finishing: bool = False,
) -> bool:
    """Save a page of ``known``'s code in one statement on an autocommit connection, the hot
    path of a scan morning on PostgreSQL (``pages``: the pages of ``known.instruments``);
    ``finishing`` on the last page going forward: also what :func:`finish` does. The first page
    of an instrument may create its response; later pages expect it. True when saved. False
    when it saved nothing and the caller goes the long way (:func:`find_code`,
    :func:`save_page`, :func:`finish`): the code no longer opens the scan, the response is
    final or missing, two first saves raced, or the hint is stale. The answers are checked
    first (SurveyError, nothing written)."""
    values = page_values(page, raw)
    given = [(item_id, value) for item_id, value in values.items() if value is not None]
    skipped = [item_id for item_id, value in values.items() if value is None]
    done = _page_step(page, pages)
    create = done == 1 and not finishing
    params: dict[str, object] = {
        "code": known.text,
        "mine": mine,
        "open": ScanStatus.OPEN,
        "instruments": known.instruments,
        "today": today,
        "instrument": page.instrument.id,
        "final": ResponseStatus.FINAL,
        "done": done,
    }
    if create:
        params.update(version=page.instrument.version, in_progress=ResponseStatus.IN_PROGRESS)
    if create or finishing:
        params["now"] = utcnow()
    for n, (item_id, value) in enumerate(given):
        params[f"item{n}"] = item_id
        params[f"value{n}"] = value
    for n, item_id in enumerate(skipped):
        params[f"skip{n}"] = item_id
    instruments = list(dict.fromkeys(p.instrument.id for p in pages)) if finishing else []
    for n, instrument_id in enumerate(instruments):
        params[f"instrument{n}"] = instrument_id
    statement = _save_at_once_statement(len(given), len(skipped), len(instruments), create)
    return conn.execute(statement, params).first() is not None


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
        if response is not None and _page_step(page, pages) <= response.next_page:
            next_page = page.index + 1
        else:
            break
    return State(next_page=min(next_page, len(pages) - 1), finished=finished, answers=answers)


#: What an answer on the form may look like before it is compared with the scale.
_ANSWER_RE = re.compile(r"[0-9]{1,3}")


def sent_values(page: Page, raw: Mapping[str, str]) -> dict[str, int]:
    """The page's answers as sent, those on the scale only: to show a page again that could not
    be saved, with nothing the student chose lost."""
    points = page.instrument.scale.points
    allowed = {str(n): n for n in range(1, points + 1)}
    return {
        item.id: allowed[value]
        for item in page.items
        if (value := (raw.get(item.id) or "").strip()) in allowed
    }


def page_values(page: Page, raw: Mapping[str, str]) -> dict[str, int | None]:
    """The page's answers from the form: item id -> 1..points, None for a skipped item. An answer
    outside the scale raises SurveyError naming the item."""
    points = page.instrument.scale.points
    values: dict[str, int | None] = {}
    for item in page.items:
        text = (raw.get(item.id) or "").strip()
        if not text:
            values[item.id] = None
            continue
        # ASCII digits only: "²", "④" or a 5,000-digit number pass str.isdigit() but not int().
        if not _ANSWER_RE.fullmatch(text) or not 1 <= int(text) <= points:
            raise SurveyError(item.id, f"answer {text!r} is not on the scale 1..{points}")
        values[item.id] = int(text)
    return values


def _page_step(page: Page, pages: list[Page]) -> int:
    """The resume point of the page's instrument once this page is saved (pages of it done)."""
    first_of_instrument = next(p.index for p in pages if p.instrument.id == page.instrument.id)
    return page.index - first_of_instrument + 1


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
    values = page_values(page, raw)
    known = responses.get(page.instrument.id) if responses is not None else None
    response_id, status = known or _response_state(
        conn, scan_id, respondent_id, page.instrument, observer_id, missing=responses is not None
    )
    if status == ResponseStatus.FINAL and observer_id is None:
        return  # a late retry of an earlier page changes nothing after the end
    done = _page_step(page, pages)
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
