"""Kept pages (access.kept_page): a class report read again is handed out by the access guard
after one statement, and never to a cookie whose session ended, to another browser, or to a
reader who lost the right to it; anything the page shows that changed gives a new page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from tests.conftest import login
from tests.web.test_reports import (
    _answers,
    _renders,
    _round,
    _signal_for,
    closed_scan,
    report_world,  # noqa: F401 - the fixture
)
from wijscan import db as wijscan_db
from wijscan.extensions import db as _db
from wijscan.models import LoginSession, Membership, Role, School, utcnow
from wijscan.services import accounts


@pytest.fixture
def kept(app, db, report_world):  # noqa: F811 - the fixture above
    """A closed scan with a signal, and the mentor's client that has read its report twice (the
    second time from the kept page)."""
    w = report_world
    content = w["content"]
    scan_round = _round(db, w["school"], "Meetmoment 1", 30)
    scan = closed_scan(
        db, content, w["klas"], scan_round, _answers(content, 8, seed=21), students=w["students"]
    )
    _signal_for(db, scan, w["students"][0])
    client = app.test_client()
    login(client, w["mentor"])
    path = f"/rapport/{scan.id}"
    _renders(app, client, path)
    page, renders = _renders(app, client, path)
    assert renders == 0  # kept
    return {**w, "client": client, "path": path, "page": page, "scan": scan}


def _counted(app, client, path, monkeypatch):
    """The response, the statements SQLAlchemy ran and the kept-page reads (which run on a
    DBAPI connection of their own, so SQLAlchemy's events do not see them)."""
    reads = []
    fetch = wijscan_db._fetch

    def counting(connection, sql, arguments):
        reads.append(sql)
        return fetch(connection, sql, arguments)

    monkeypatch.setattr(wijscan_db, "_fetch", counting)
    statements = []
    with app.app_context():
        engine = _db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return response, statements, reads


def test_a_report_read_again_costs_one_statement(app, kept, monkeypatch):
    response, statements, reads = _counted(app, kept["client"], kept["path"], monkeypatch)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == kept["page"]
    assert kept["students"][0].full_name in kept["page"]
    assert statements == []
    assert len(reads) == 1


def _to_login(response) -> bool:
    return response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_a_replayed_cookie_gets_no_kept_page_after_logout(app, kept):
    client = kept["client"]
    cookie = client.get_cookie("session").value
    assert client.post("/uitloggen").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert _to_login(replay.get(kept["path"]))


def test_ending_all_sessions_elsewhere_stops_the_kept_page(app, kept):
    phone = app.test_client()
    login(phone, kept["mentor"])
    assert phone.post("/account/sessies/alle-beeindigen").status_code == 302
    assert _to_login(kept["client"].get(kept["path"]))


def test_deactivation_stops_the_kept_page(app, db, kept):
    accounts.deactivate(kept["mentor"])
    db.session.commit()
    assert _to_login(kept["client"].get(kept["path"]))


@pytest.mark.parametrize(
    ("idle", "since_login"),
    [(timedelta(hours=3), timedelta(0)), (timedelta(0), timedelta(hours=13))],
)
def test_a_session_that_ran_out_gets_no_kept_page(app, db, kept, idle, since_login):
    now = utcnow()
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == kept["mentor"].id)
        .values(last_seen_at=now - idle, created_at=now - max(idle, since_login))
    )
    db.session.commit()
    assert _to_login(kept["client"].get(kept["path"]))


def test_the_last_seen_time_is_still_written_once_a_minute(app, db, kept):
    """A kept page is handed out only while the session's last-seen time is under a minute old;
    after that the request takes the ordinary way, which writes it."""
    two_minutes_ago = utcnow() - timedelta(minutes=2)
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == kept["mentor"].id)
        .values(last_seen_at=two_minutes_ago)
    )
    db.session.commit()
    page, renders = _renders(app, kept["client"], kept["path"])
    assert renders > 0  # the ordinary way
    assert kept["students"][0].full_name in page
    db.session.commit()  # a fresh snapshot
    seen = db.session.scalar(
        select(LoginSession.last_seen_at).where(LoginSession.user_id == kept["mentor"].id)
    )
    assert utcnow().replace(tzinfo=None) - seen.replace(tzinfo=None) < timedelta(minutes=1)


def test_another_browser_with_the_same_cookie_gets_nothing(app, kept):
    """Session protection: the cookie copied into a browser with another user agent is a
    logged-out request, kept page or not."""
    thief = app.test_client()
    thief.set_cookie("session", kept["client"].get_cookie("session").value)
    thief.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"
    assert _to_login(thief.get(kept["path"]))


def test_a_mentor_taken_off_the_class_gets_no_kept_page(app, db, kept):
    klas = kept["klas"]
    klas.mentors.remove(kept["mentor"])
    db.session.commit()
    assert kept["client"].get(kept["path"]).status_code == 404


def test_a_changed_role_gets_no_kept_page(app, db, kept):
    """The mentor who becomes care coordinator still sees the report, with the care
    coordinator's navigation; one who loses every role of the school sees nothing."""
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == kept["mentor"].id)
    )
    membership.role = Role.ZORG
    db.session.commit()
    page, renders = _renders(app, kept["client"], kept["path"])
    assert renders > 0
    assert "/signalen" in page
    db.session.delete(membership)
    db.session.commit()
    assert kept["client"].get(kept["path"]).status_code in (403, 404)


def test_a_renamed_school_and_reader_show_at_once(app, db, kept):
    db.session.get(School, kept["school"].id).name = "Hernoemd College"
    db.session.commit()
    page, renders = _renders(app, kept["client"], kept["path"])
    assert renders > 0
    assert "Hernoemd College" in page
    kept["mentor"].name = "Nieuwe Naam"
    db.session.commit()
    assert "Nieuwe Naam" in _renders(app, kept["client"], kept["path"])[0]


def test_a_waiting_message_is_shown_not_a_kept_page(app, kept):
    client = kept["client"]
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Een bericht dat wacht")]
    page, renders = _renders(app, client, kept["path"])
    assert renders > 0
    assert "Een bericht dat wacht" in page
    assert _renders(app, client, kept["path"]) == (kept["page"], 0)  # and then kept again
