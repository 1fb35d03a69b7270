"""Login, logout, session renewal, rate limiting, invitations and CSRF."""

from __future__ import annotations

import re

from tests.conftest import Factory, login, make_test_app
from wijscan.models import Role


def test_login_with_right_password_reaches_the_landing_page(client, make):
    school = make.school()
    user = make.staff(school, Role.COORDINATOR, email="coord@school.test", name="Cora")
    response = client.post(
        "/inloggen", data={"email": "Coord@School.test ", "password": Factory.password}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/start")
    page = client.get("/start").get_data(as_text=True)
    assert "Goedendag, Cora" in page
    assert user.name in page


def test_wrong_password_and_unknown_email_get_the_same_message(client, make):
    school = make.school()
    make.staff(school, Role.DOCENT, email="docent@school.test")
    wrong = client.post("/inloggen", data={"email": "docent@school.test", "password": "nope"})
    unknown = client.post("/inloggen", data={"email": "who@school.test", "password": "nope"})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "E-mailadres of wachtwoord klopt niet." in response.get_data(as_text=True)
    assert client.get("/start").status_code == 302


def test_logout_invalidates_the_old_session_cookie(app, make):
    school = make.school()
    user = make.staff(school, Role.DOCENT)
    first = app.test_client()
    login(first, user)
    stolen_cookie = first.get_cookie("session").value
    assert first.get("/start").status_code == 200
    first.post("/uitloggen")
    replay = app.test_client()
    replay.set_cookie("session", stolen_cookie)
    response = replay.get("/start")
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]


def test_login_renews_the_session(app, make):
    school = make.school()
    user = make.staff(school, Role.DOCENT)
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_inactive_user_cannot_log_in(client, make, db):
    school = make.school()
    user = make.staff(school, Role.DOCENT)
    user.active = False
    db.session.commit()
    response = client.post("/inloggen", data={"email": user.email, "password": Factory.password})
    assert response.status_code == 200


def test_login_is_rate_limited(database_url, tmp_path_factory, make):
    school = make.school()
    user = make.staff(school, Role.DOCENT)
    app = make_test_app(
        database_url, tmp_path_factory, RATE_LIMITS=True, LOGIN_RATE_LIMIT="3 per minute"
    )
    client = app.test_client()
    codes = [
        client.post("/inloggen", data={"email": user.email, "password": "wrong"}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    blocked = client.post("/inloggen", data={"email": user.email, "password": Factory.password})
    assert blocked.status_code == 429
    assert "Te veel pogingen" in blocked.get_data(as_text=True)


def test_forms_reject_a_post_without_csrf_token(database_url, tmp_path_factory, make):
    school = make.school()
    user = make.staff(school, Role.DOCENT)
    app = make_test_app(database_url, tmp_path_factory, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/inloggen", data={"email": user.email, "password": Factory.password})
    assert response.status_code == 400
    page = client.get("/inloggen").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/inloggen",
        data={"email": user.email, "password": Factory.password, "csrf_token": token},
    )
    assert response.status_code == 302


def test_session_cookie_is_http_only_and_same_site(client, make):
    school = make.school()
    user = make.staff(school, Role.DOCENT)
    response = login(client, user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secret_key_is_required_in_production(monkeypatch):
    import pytest

    from wijscan import create_app
    from wijscan.config import ConfigError

    monkeypatch.delenv("WIJSCAN_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="WIJSCAN_SECRET_KEY is not set"):
        create_app({"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
