"""Staff login sessions: they end after a time without a request (STAFF_IDLE_MINUTES) and after
STAFF_SESSION_MAX_HOURS in all, while a student's questionnaire is never cut off; "Mijn sessies"
lists a staff member's devices and ends one, all others, or all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import login
from wijscan.models import AccessCode, LoginSession, Role, ScanMode, utcnow
from wijscan.services import accounts
from wijscan.services import scans as scan_service

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def staff(make):
    school = make.school()
    return make.staff(school, Role.COORDINATOR, name="Coord")


def _device(app, user, agent):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    login(client, user)
    return client


def _sessions(db, user) -> list[LoginSession]:
    db.session.commit()  # a fresh snapshot
    return list(db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)))


def _age(db, user, *, idle: timedelta = timedelta(0), since_login: timedelta = timedelta(0)):
    """Make the user's sessions look ``idle`` long unused and ``since_login`` old."""
    now = utcnow()
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id)
        .values(last_seen_at=now - idle, created_at=now - max(idle, since_login))
    )
    db.session.commit()


def _logged_in(client) -> bool:
    response = client.get("/account")
    return response.status_code == 200 and "Uitloggen" in response.get_data(as_text=True)


# --- ending by themselves ------------------------------------------------------------------------


def test_a_session_ends_after_two_hours_without_a_request(app, db, staff):
    client = _device(app, staff, CHROME)
    _age(db, staff, idle=timedelta(minutes=119))
    assert _logged_in(client)
    _age(db, staff, idle=timedelta(minutes=121))
    response = client.get("/klassen")
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]
    assert _sessions(db, staff) == []  # the session is gone, not only refused
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "niet actief en bent daarom uitgelogd" in page


def test_a_request_keeps_the_session_alive(app, db, staff):
    client = _device(app, staff, CHROME)
    _age(db, staff, idle=timedelta(minutes=90))
    assert _logged_in(client)
    (row,) = _sessions(db, staff)
    last_seen = row.last_seen_at.replace(tzinfo=None)
    assert utcnow().replace(tzinfo=None) - last_seen < timedelta(minutes=1)
    _age(db, staff, idle=timedelta(minutes=90), since_login=timedelta(hours=3))
    assert _logged_in(client)  # 90 + 90 minutes in all, never two hours idle


def test_the_last_seen_time_is_written_at_most_once_a_minute(app, db, staff):
    client = _device(app, staff, CHROME)
    (row,) = _sessions(db, staff)
    written = row.last_seen_at
    assert _logged_in(client)
    assert _sessions(db, staff)[0].last_seen_at == written


def test_a_session_ends_twelve_hours_after_the_login_even_when_in_use(app, db, staff):
    client = _device(app, staff, CHROME)
    _age(db, staff, since_login=timedelta(hours=11, minutes=59))
    assert _logged_in(client)
    _age(db, staff, since_login=timedelta(hours=12, minutes=1))
    assert not _logged_in(client)
    assert _sessions(db, staff) == []


def test_the_idle_time_is_a_setting(app, db, staff):
    client = _device(app, staff, CHROME)
    _age(db, staff, idle=timedelta(minutes=20))
    app.config["STAFF_IDLE_MINUTES"] = 15
    try:
        assert not _logged_in(client)
    finally:
        app.config["STAFF_IDLE_MINUTES"] = 120


def test_a_student_answering_is_not_cut_off(app, db, klas_world, monkeypatch):
    """Hours in the questionnaire (a slow reader, a long lesson) do not end it, at a moment when
    every staff session of that morning has run out."""
    mentor_client = _device(app, klas_world["mentor"], CHROME)
    scan = scan_service.open_student_scan(
        klas_world["klas"],
        klas_world["round"],
        ScanMode.PERSONAL,
        klas_world["mentor"],
        klas_world["content"],
    )
    db.session.commit()
    code = db.session.scalars(select(AccessCode.code).where(AccessCode.scan_id == scan.id)).first()
    student = app.test_client()
    student.environ_base["HTTP_USER_AGENT"] = CHROME
    assert student.post(f"/s/{code}").headers["Location"].endswith(f"/s/{code}/1")
    later = utcnow() + timedelta(hours=3)
    monkeypatch.setattr(accounts, "utcnow", lambda: later)
    assert not _logged_in(mentor_client)
    first_page = klas_world["content"].instruments["klas"].themes[0]
    form = {item.id: "3" for item in first_page.items} | {"nav": "next"}
    saved = student.post(f"/s/{code}/1", data=form)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/s/{code}/2")


# --- Mijn sessies ---------------------------------------------------------------------------------


def test_my_sessions_lists_each_device_and_marks_this_one(app, db, staff):
    laptop = _device(app, staff, CHROME)
    _device(app, staff, IPHONE)
    page = laptop.get("/account/sessies").get_data(as_text=True)
    assert "Chrome op Windows" in page
    assert "Mobile Safari op iOS (iPhone)" in page
    assert page.count('class="badge">dit apparaat') == 1
    assert page.index("Chrome op Windows") < page.index('class="badge">dit apparaat')
    assert "Overal uitloggen behalve hier" in page


def test_ending_one_session_logs_out_that_device_only(app, db, staff):
    laptop = _device(app, staff, CHROME)
    phone = _device(app, staff, IPHONE)
    phone_session = max(s.id for s in _sessions(db, staff))
    response = laptop.post(f"/account/sessies/{phone_session}/beeindigen")
    assert response.status_code == 302
    assert not _logged_in(phone)
    assert _logged_in(laptop)
    assert len(_sessions(db, staff)) == 1


def test_ending_this_session_logs_out_here(app, db, staff):
    laptop = _device(app, staff, CHROME)
    (own,) = _sessions(db, staff)
    response = laptop.post(f"/account/sessies/{own.id}/beeindigen")
    assert "/inloggen" in response.headers["Location"]
    assert not _logged_in(laptop)


def test_nobody_ends_another_users_session(app, db, staff, make):
    other = make.staff(make.school("Andere"), Role.COORDINATOR)
    theirs = _device(app, other, IPHONE)
    (their_session,) = _sessions(db, other)
    mine = _device(app, staff, CHROME)
    assert mine.post(f"/account/sessies/{their_session.id}/beeindigen").status_code == 404
    assert _logged_in(theirs)
    assert f"/account/sessies/{their_session.id}/" not in mine.get("/account/sessies").get_data(
        as_text=True
    )


def test_end_all_others_keeps_this_device(app, db, staff):
    laptop = _device(app, staff, CHROME)
    phones = [_device(app, staff, IPHONE) for _ in range(2)]
    response = laptop.post("/account/sessies/andere-beeindigen", follow_redirects=True)
    assert "Op 2 andere apparaten ben je uitgelogd." in response.get_data(as_text=True)
    assert _logged_in(laptop)
    assert not any(_logged_in(phone) for phone in phones)


def test_end_all_sessions_logs_out_everywhere(app, db, staff):
    laptop = _device(app, staff, CHROME)
    phone = _device(app, staff, IPHONE)
    response = laptop.post("/account/sessies/alle-beeindigen")
    assert "/inloggen" in response.headers["Location"]
    assert not _logged_in(laptop)
    assert not _logged_in(phone)
    assert _sessions(db, staff) == []


def test_a_password_change_ends_the_other_sessions(app, db, staff):
    laptop = _device(app, staff, CHROME)
    phone = _device(app, staff, IPHONE)
    changed = laptop.post(
        "/account/wachtwoord",
        data={
            "current": "correct horse battery",
            "password": "zeilboot tulpenveld regenjas",
            "confirm": "zeilboot tulpenveld regenjas",
        },
    )
    assert changed.status_code == 302, changed.get_data(as_text=True)[:400]
    assert _logged_in(laptop)
    assert not _logged_in(phone)
    assert len(_sessions(db, staff)) == 1


def test_deactivation_ends_every_session(app, db, staff):
    phone = _device(app, staff, IPHONE)
    accounts.deactivate(staff)
    db.session.commit()
    assert not _logged_in(phone)
    assert _sessions(db, staff) == []


def test_expired_sessions_are_not_listed_and_are_cleared_at_the_next_login(app, db, staff):
    _device(app, staff, IPHONE)
    _age(db, staff, idle=timedelta(hours=3))
    laptop = _device(app, staff, CHROME)
    assert len(_sessions(db, staff)) == 1
    assert "iOS" not in laptop.get("/account/sessies").get_data(as_text=True)
