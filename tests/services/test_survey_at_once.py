"""A page saved in one statement on PostgreSQL (``survey.save_page_at_once``), the hot path of a
scan morning: it must save exactly what the long way saves, and save nothing at all — so that
the long way decides — whenever it cannot be sure.

These tests need PostgreSQL whatever database the rest of the suite runs on: they make a
database of their own on the server of ``WIJSCAN_TEST_POSTGRES_URL`` (fail in CI without it).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from flask import current_app
from sqlalchemy import create_engine, func, select, text

from tests.conftest import make_test_app, need, postgres_server_url
from tests.load.server import (
    app_for,
    create_postgres_database,
    dispose,
    drop_postgres_database,
    migrate,
    open_class_scans,
)
from wijscan.extensions import db
from wijscan.models import AccessCode, Answer, Response, ResponseStatus
from wijscan.services import survey

STUDENTS = 12


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    server = postgres_server_url()
    need(server is not None, "WIJSCAN_TEST_POSTGRES_URL (a PostgreSQL server)")
    url = create_postgres_database(server, prefix="wijscan_at_once")
    app = app_for(url, tmp_path_factory.mktemp("at-once"))
    try:
        migrate(app)
        scan = open_class_scans(app, [STUDENTS])[0]
        yield {"app": app, "url": url, "codes": iter(sorted(scan.codes)), "scan": scan}
    finally:
        dispose(app)
        drop_postgres_database(url)


@pytest.fixture
def code(world):
    """A code of its own for every test (the database is shared by the module)."""
    return next(world["codes"])


@pytest.fixture
def pg_app(world):
    """The PostgreSQL app's context (not the suite's ``app``: its clean-up empties that one)."""
    with world["app"].app_context():
        yield world["app"]


def _entry(text: str) -> survey.Entry | None:
    with db.engine.begin() as conn:
        return survey.find_code(conn, text, date.today())


def _pages(entry: survey.Entry) -> list[survey.Page]:
    return survey.pages_for(entry.instruments, current_app.extensions["wijscan_content"])


def _form(page: survey.Page, value: int | str = 3, skip: int = 0) -> dict[str, str]:
    """The page's answers, the last ``skip`` items left empty."""
    items = [item.id for item in page.items]
    return {item: ("" if n >= len(items) - skip else str(value)) for n, item in enumerate(items)}


def _at_once(entry, number, form, *, finishing=False, mine=None, pages=None) -> bool:
    pages = pages or _pages(entry)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return survey.save_page_at_once(
            conn, entry, mine, date.today(), pages[number - 1], pages, form, finishing=finishing
        )


def _stored(text: str) -> dict[str, tuple]:
    """The respondent's responses: instrument -> (status, next_page, {item: value})."""
    respondent = db.session.scalar(select(AccessCode.respondent_id).where(AccessCode.code == text))
    found = {}
    for response in db.session.scalars(
        select(Response).where(Response.respondent_id == respondent)
    ):
        answers = dict(
            db.session.execute(
                select(Answer.item_id, Answer.value).where(Answer.response_id == response.id)
            ).all()
        )
        found[response.instrument_id] = (response.status, response.next_page, answers)
    db.session.rollback()
    return found


def test_a_first_page_creates_the_response_and_a_retry_changes_nothing(pg_app, code):
    entry = _entry(code)
    page = _pages(entry)[0]
    form = _form(page, 4)
    assert _at_once(entry, 1, form)
    assert _at_once(entry, 1, form)  # a retry or a double tap
    status, next_page, answers = _stored(code)["klas"]
    assert (status, next_page) == (ResponseStatus.IN_PROGRESS, 1)
    assert answers == {item.id: 4 for item in page.items}
    rows = db.session.scalar(
        select(func.count())
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.respondent_id == entry.respondent_id)
    )
    assert rows == len(page.items)  # one row per item, however often it was sent


def test_skipped_items_are_removed_and_going_back_keeps_the_resume_point(pg_app, code):
    entry = _entry(code)
    pages = _pages(entry)
    for number in (1, 2, 3):
        assert _at_once(entry, number, _form(pages[number - 1], 5))
    # Back on page 2: one answer changed, the last one now left empty.
    assert _at_once(entry, 2, _form(pages[1], 2, skip=1))
    _, next_page, answers = _stored(code)["klas"]
    assert next_page == 3
    page_two = [item.id for item in pages[1].items]
    assert all(answers[item] == 2 for item in page_two[:-1])
    assert page_two[-1] not in answers
    assert all(answers[item.id] == 5 for item in pages[2].items)


def test_the_last_page_finishes_like_the_long_way(pg_app, code):
    entry = _entry(code)
    pages = _pages(entry)
    for number in range(1, len(pages)):
        assert _at_once(entry, number, _form(pages[number - 1]))
    assert _at_once(entry, len(pages), _form(pages[-1], 1), finishing=True)
    stored = _stored(code)
    assert {i: s[0] for i, s in stored.items()} == {
        "klas": ResponseStatus.FINAL,
        "individu": ResponseStatus.FINAL,
    }
    assert stored["individu"][1] == sum(p.instrument.id == "individu" for p in pages)
    assert all(stored["individu"][2][item.id] == 1 for item in pages[-1].items)
    assert db.session.scalar(select(AccessCode.used_at).where(AccessCode.code == code))
    db.session.rollback()
    # The used code opens nothing now: neither way saves anything more.
    assert _entry(code) is None
    assert not _at_once(entry, 2, _form(pages[1], 5))
    assert all(v == 3 for v in _stored(code)["klas"][2].values())


def test_the_last_page_saves_nothing_while_an_instrument_has_no_response(pg_app, code):
    """Finishing needs every instrument's response; without one the statement writes nothing
    at all (not even the page's answers), and :func:`survey.finish` creates it the long way."""
    entry = _entry(code)
    pages = _pages(entry)
    assert _at_once(entry, 7, _form(pages[6]))  # individu started, klas never
    before = _stored(code)
    assert not _at_once(entry, len(pages), _form(pages[-1], 1), finishing=True)
    assert _stored(code) == before
    assert db.session.scalar(select(AccessCode.used_at).where(AccessCode.code == code)) is None


def test_only_the_first_page_of_an_instrument_creates_its_response(pg_app, code):
    """A later page without a response (a student who typed the address of page 8) saves
    nothing: the long way creates the response."""
    entry = _entry(code)
    pages = _pages(entry)
    assert not _at_once(entry, 8, _form(pages[7]))
    assert _stored(code) == {}
    assert _at_once(entry, 7, _form(pages[6]))
    assert _at_once(entry, 8, _form(pages[7]))
    assert _stored(code)["individu"][1] == 2


def test_a_final_response_is_not_changed(pg_app, code):
    entry = _entry(code)
    pages = _pages(entry)
    assert _at_once(entry, 1, _form(pages[0], 2))
    respondent = entry.respondent_id
    db.session.execute(
        Response.__table__.update()
        .where(Response.respondent_id == respondent, Response.instrument_id == "klas")
        .values(status=ResponseStatus.FINAL)
    )
    db.session.commit()
    assert not _at_once(entry, 1, _form(pages[0], 5))
    assert set(_stored(code)["klas"][2].values()) == {2}


def test_a_stale_or_wrong_hint_saves_nothing(pg_app, code):
    """The hint (what the app remembers of a code) is checked again in SQL: another scan's
    instruments, or a code that is not this one, write nothing."""
    entry = _entry(code)
    pages = _pages(entry)
    wrong_instruments = replace(entry, instruments="individu klas")
    assert not _at_once(wrong_instruments, 1, _form(pages[0]), pages=pages)
    other = replace(entry, text="AAAAAAAAA")
    assert not _at_once(other, 1, _form(pages[0]))
    assert _stored(code) == {}


def test_a_personal_code_answers_for_its_own_respondent_only(pg_app, code):
    """A respondent id from the browser's session counts only for a shared code."""
    entry = _entry(code)
    assert _at_once(entry, 1, _form(_pages(entry)[0]), mine="not-this-one")
    assert set(_stored(code)) == {"klas"}
    assert (
        db.session.scalar(select(func.count()).where(Response.respondent_id == "not-this-one")) == 0
    )


def test_an_answer_off_the_scale_is_refused_before_anything_is_written(pg_app, code):
    entry = _entry(code)
    page = _pages(entry)[0]
    form = {**_form(page), page.items[1].id: "9"}
    with pytest.raises(survey.SurveyError) as refused:
        _at_once(entry, 1, form)
    assert refused.value.item == page.items[1].id
    assert _stored(code) == {}


def test_the_app_remembers_codes_it_found(pg_app, code):
    known = survey.KnownCodes(size=2)
    with db.engine.begin() as conn:
        entry = survey.find_code(conn, code.lower(), date.today(), known=known)
    assert known.get(code.lower()) == replace(entry, responses={})
    for other in ("AAAAAAAAA", "BBBBBBBBB"):
        known.remember(replace(entry, text=other))
    assert known.get(code) is None  # full: it started again
    assert known.get("BBBBBBBBB") is not None


def test_a_page_sent_on_a_connection_that_died_in_the_pool_is_saved_the_long_way(
    world, code, tmp_path_factory
):
    """With no ping at checkout (a connection in use a moment ago is not checked), a page save
    that meets a dead connection goes the long way on a new one: saved, never a 500."""
    app = make_test_app(
        world["url"], tmp_path_factory, DB_PING_IDLE_SECONDS=3600.0, WTF_CSRF_ENABLED=False
    )
    student = app.test_client()
    assert student.get(f"/s/{code}").status_code == 200
    assert student.post(f"/s/{code}").status_code == 302
    with app.app_context():
        entry = _entry(code)
        page = _pages(entry)[0]
        with db.engine.connect() as conn:  # the pool's one idle connection, about to die
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin = create_engine(world["url"])  # outside the app's pool
    try:
        with admin.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()
    saved = student.post(f"/s/{code}/1", data={**_form(page, 4), "nav": "next"})
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/s/{code}/2")
    with world["app"].app_context():
        assert _stored(code)["klas"][2] == {item.id: 4 for item in page.items}
