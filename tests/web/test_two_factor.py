"""Two-step login (TOTP): set-up with a confirmation code, login with an app code or a recovery
code, replays and clock drift, who must use it (the beheerder, a school's setting), the
coordinator's reset, and the login rate limit counting wrong codes."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import event, func, select, update

from tests.conftest import Factory, login, make_test_app
from wijscan.cli import main
from wijscan.models import AuditEntry, LoginSession, Role, School, User
from wijscan.models.account import RecoveryCode
from wijscan.services import sealed, two_factor
from wijscan.web.auth import two_factor as two_factor_views

STEP = two_factor.STEP_SECONDS


def _enable(db, user, *, at: float | None = None) -> tuple[str, list[str]]:
    """Two-step login on for ``user`` through the service, confirmed a few steps ago (so that a
    code of now is not a replay of the confirmation); returns the secret and recovery codes."""
    at = time.time() - 3 * STEP if at is None else at
    secret = two_factor.begin_setup(user)
    codes = two_factor.confirm_setup(user, pyotp.TOTP(secret).at(at), now=at)
    assert codes is not None
    db.session.commit()
    return secret, codes


def _password(client, user, **kwargs):
    return client.post(
        "/inloggen", data={"email": user.email, "password": Factory.password}, **kwargs
    )


def _sessions(db, user) -> int:
    db.session.commit()
    return db.session.scalar(
        select(func.count(LoginSession.id)).where(LoginSession.user_id == user.id)
    )


def _logged_in(client) -> bool:
    return client.get("/start").status_code == 200


def _key(page: str) -> str:
    return re.search(r'id="secret-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


def _user(db, user_id: int) -> User:
    db.session.commit()
    user = db.session.get(User, user_id)
    db.session.refresh(user)
    return user


@pytest.fixture
def staff_world(make):
    school, other = make.school("Tweestapschool"), make.school("Andere school")
    return {
        "school": school,
        "other": other,
        "docent": make.staff(school, Role.DOCENT, name="Docent Twee"),
        "coordinator": make.staff(school, Role.COORDINATOR, name="Coord Twee"),
        "other_coordinator": make.staff(other, Role.COORDINATOR, name="Coord Ander"),
    }


# --- set-up -------------------------------------------------------------------------------------


def test_set_up_needs_the_right_confirmation_code(client, db, staff_world):
    docent = staff_world["docent"]
    login(client, docent)
    page = client.get("/account/tweestaps").get_data(as_text=True)
    # The QR code is inline SVG without a style attribute (the CSP allows none), no data: URI.
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    assert "style=" not in svg
    assert "data:" not in page
    assert 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' in page
    key = _key(page)
    assert len(key) == 32
    assert re.search(r'id="secret-key">(?:[A-Z2-7]{4} ){7}[A-Z2-7]{4}<', page)  # grouped

    wrong = client.post("/account/tweestaps", data={"code": "000000"})
    assert wrong.status_code == 200
    assert 'id="code-error"' in wrong.get_data(as_text=True)
    assert _user(db, docent.id).totp_enabled_at is None
    # A wrong code shows the same key again (the app has it already).
    assert _key(wrong.get_data(as_text=True)) == key

    done = client.post("/account/tweestaps", data={"code": pyotp.TOTP(key).now()})
    assert done.status_code == 200
    body = done.get_data(as_text=True)
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", body)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    user = _user(db, docent.id)
    assert user.totp_enabled_at is not None
    # Stored sealed: the database alone does not give the key away.
    assert key not in user.totp_secret
    assert user.totp_secret.startswith("fernet:")
    assert two_factor.secret_of(user) == key
    # Stored hashed, each code only as its sha256.
    hashes = set(db.session.scalars(select(RecoveryCode.code_hash)))
    assert len(hashes) == 10
    assert not {c.replace("-", "") for c in codes} & hashes
    assert _logged_in(client)  # this device goes on

    # Once on, the secret is never shown again, anywhere the user or a coordinator looks.
    status = client.get("/account/tweestaps").get_data(as_text=True)
    assert key not in status
    assert key not in status.replace(" ", "")
    coordinator = staff_world["coordinator"]
    other = client.application.test_client()
    login(other, coordinator)
    assert key not in other.get("/medewerkers").get_data(as_text=True)


def test_every_view_of_the_set_up_page_gives_a_new_key(client, db, staff_world):
    login(client, staff_world["docent"])
    first = _key(client.get("/account/tweestaps").get_data(as_text=True))
    second = _key(client.get("/account/tweestaps").get_data(as_text=True))
    assert first != second
    # The key seen first (perhaps by someone else) no longer switches it on.
    refused = client.post("/account/tweestaps", data={"code": pyotp.TOTP(first).now()})
    assert 'id="code-error"' in refused.get_data(as_text=True)
    assert _user(db, staff_world["docent"].id).totp_enabled_at is None


# --- logging in ---------------------------------------------------------------------------------


def test_login_with_a_code_makes_the_session_only_after_the_second_step(client, db, staff_world):
    docent = staff_world["docent"]
    secret, _ = _enable(db, docent)
    response = _password(client, docent, query_string={"next": "/klassen"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inloggen/code")
    assert _sessions(db, docent) == 0
    assert not _logged_in(client)
    page = client.get("/inloggen/code").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' in page
    assert '<label for="code">' in page

    wrong = client.post("/inloggen/code", data={"code": "12345x"})
    assert 'id="code-error"' in wrong.get_data(as_text=True)
    assert _sessions(db, docent) == 0

    done = client.post("/inloggen/code", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/klassen")
    assert _sessions(db, docent) == 1
    assert _logged_in(client)
    with client.session_transaction() as session:
        assert two_factor_views.PENDING not in session


def test_a_replayed_code_is_refused(app, db, staff_world):
    docent = staff_world["docent"]
    secret, _ = _enable(db, docent)
    code = pyotp.TOTP(secret).now()
    first, second = app.test_client(), app.test_client()
    _password(first, docent)
    assert first.post("/inloggen/code", data={"code": code}).status_code == 302
    _password(second, docent)
    replay = second.post("/inloggen/code", data={"code": code})
    assert replay.status_code == 200
    assert 'id="code-error"' in replay.get_data(as_text=True)
    assert not _logged_in(second)
    assert _sessions(db, docent) == 1


def test_replay_and_clock_drift_with_explicit_times(db, staff_world):
    docent = staff_world["docent"]
    start = 1_800_000_000.0
    secret, _ = _enable(db, docent, at=start)
    totp = pyotp.TOTP(secret)
    now = start + 10 * STEP
    # The confirmation code itself cannot log in.
    assert not two_factor.verify_code(docent, totp.at(start), now=start)
    # One step earlier (a slow phone clock) is accepted ...
    assert two_factor.verify_code(docent, totp.at(now - STEP), now=now)
    assert docent.totp_last_step == int(now - STEP) // STEP
    # ... and then, once used, not again; nor any code of an earlier step.
    assert not two_factor.verify_code(docent, totp.at(now - STEP), now=now)
    assert not two_factor.verify_code(docent, totp.at(now - 2 * STEP), now=now)
    # The current code still works (a later step than the last used one).
    assert two_factor.verify_code(docent, totp.at(now), now=now)
    assert not two_factor.verify_code(docent, totp.at(now), now=now)
    # One step ahead (a fast clock) is accepted, two steps either way are not.
    later = now + 20 * STEP
    assert not two_factor.verify_code(docent, totp.at(later - 2 * STEP), now=later)
    assert not two_factor.verify_code(docent, totp.at(later + 2 * STEP), now=later)
    assert two_factor.verify_code(docent, totp.at(later + STEP), now=later)
    db.session.commit()
    assert _user(db, docent.id).totp_last_step == int(later + STEP) // STEP


def test_matching_step_finds_the_step_of_a_code():
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    now = 1_800_000_015.0
    step = int(now) // STEP
    assert two_factor.matching_step(secret, totp.at(now), now) == step
    assert two_factor.matching_step(secret, totp.at(now - STEP), now) == step - 1
    assert two_factor.matching_step(secret, totp.at(now + STEP), now) == step + 1
    assert two_factor.matching_step(secret, totp.at(now - 2 * STEP), now) is None
    code = totp.at(now)
    assert two_factor.matching_step(secret, f"{code[:3]} {code[3:]}", now) == step
    for nonsense in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        assert two_factor.matching_step(secret, nonsense, now) is None


def test_recovery_codes_work_once(app, db, staff_world):
    docent = staff_world["docent"]
    _, codes = _enable(db, docent)
    client = app.test_client()
    _password(client, docent)
    page = client.get("/inloggen/herstelcode").get_data(as_text=True)
    assert '<label for="code">' in page
    # Typed in lower case and without the dash: the same code.
    response = client.post(
        "/inloggen/herstelcode", data={"code": codes[0].lower().replace("-", "")}
    )
    assert response.status_code == 302
    assert "Je hebt nog 9 herstelcodes" in client.get("/start").get_data(as_text=True)
    assert two_factor.recovery_codes_left(_user(db, docent.id)) == 9

    again = app.test_client()
    _password(again, docent)
    refused = again.post("/inloggen/herstelcode", data={"code": codes[0]})
    assert refused.status_code == 200
    assert 'id="code-error"' in refused.get_data(as_text=True)
    assert not _logged_in(again)
    assert again.post("/inloggen/herstelcode", data={"code": codes[1]}).status_code == 302
    assert _sessions(db, docent) == 2


def test_new_recovery_codes_need_the_password_and_replace_the_old(client, db, staff_world):
    docent = staff_world["docent"]
    _, old = _enable(db, docent)
    login(client, docent)
    refused = client.post("/account/tweestaps/herstelcodes", data={"codes-password": "fout"})
    assert 'id="codes-password-error"' in refused.get_data(as_text=True)
    made = client.post("/account/tweestaps/herstelcodes", data={"codes-password": Factory.password})
    new = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", made.get_data(as_text=True))
    assert len(new) == 10
    user = _user(db, docent.id)
    assert not two_factor.use_recovery_code(user, old[0])
    assert two_factor.use_recovery_code(user, new[0])


def test_switching_off_needs_the_password(client, db, staff_world):
    docent = staff_world["docent"]
    _enable(db, docent)
    login(client, docent)
    refused = client.post("/account/tweestaps/uit", data={"off-password": "fout"})
    assert 'id="off-password-error"' in refused.get_data(as_text=True)
    assert _user(db, docent.id).totp_enabled_at is not None
    client.post("/account/tweestaps/uit", data={"off-password": Factory.password})
    user = _user(db, docent.id)
    assert user.totp_enabled_at is None
    assert user.totp_secret == ""
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    # The password is enough again.
    assert (
        _password(client.application.test_client(), docent).headers["Location"].endswith("/start")
    )


def test_the_pending_login_expires(client, db, staff_world, monkeypatch):
    docent = staff_world["docent"]
    secret, _ = _enable(db, docent)
    _password(client, docent)
    later = time.time() + two_factor_views.CODE_SECONDS + 5
    monkeypatch.setattr(two_factor_views.time, "time", lambda: later)
    response = client.post("/inloggen/code", data={"code": pyotp.TOTP(secret).at(later)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inloggen")
    assert _sessions(db, docent) == 0


def test_a_password_changed_meanwhile_ends_the_pending_login(client, db, staff_world):
    """A password reset between the password and the code (the holder noticed a leak): the
    old password is no first step any more."""
    from wijscan.services import accounts

    docent = staff_world["docent"]
    secret, _ = _enable(db, docent)
    _password(client, docent)
    accounts.set_password(_user(db, docent.id), "zeilboot tulpenveld regenjas")
    db.session.commit()
    response = client.post("/inloggen/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inloggen")
    assert _sessions(db, docent) == 0


def test_no_pending_login_no_second_step(client, db, staff_world):
    for path in ("/inloggen/code", "/inloggen/herstelcode", "/inloggen/tweestaps-instellen"):
        response = client.post(path, data={"code": "123456"})
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/inloggen")


# --- who must use it ----------------------------------------------------------------------------


def test_the_beheerder_sets_it_up_before_any_login_session(client, db, make):
    admin = make.staff(None, None, name="Beheer", is_admin=True)
    response = _password(client, admin)
    assert response.headers["Location"].endswith("/inloggen/tweestaps-instellen")
    assert _sessions(db, admin) == 0
    assert not _logged_in(client)
    assert client.get("/beheer/scholen").status_code == 302
    # The second-step page sends a user without two-step login to the set-up.
    assert (
        client.get("/inloggen/code").headers["Location"].endswith("/inloggen/tweestaps-instellen")
    )
    page = client.get("/inloggen/tweestaps-instellen").get_data(as_text=True)
    assert "verplicht" in page
    key = _key(page)
    wrong = client.post("/inloggen/tweestaps-instellen", data={"code": "999999"})
    assert 'id="code-error"' in wrong.get_data(as_text=True)
    assert _sessions(db, admin) == 0
    done = client.post("/inloggen/tweestaps-instellen", data={"code": pyotp.TOTP(key).now()})
    assert done.status_code == 200
    assert len(re.findall(r"<li><code>", done.get_data(as_text=True))) == 10
    assert _sessions(db, admin) == 1
    assert client.get("/beheer/scholen").status_code == 200
    # The next login asks for a code.
    second = client.application.test_client()
    assert _password(second, admin).headers["Location"].endswith("/inloggen/code")
    assert not _logged_in(second)


def test_a_required_user_cannot_switch_it_off_only_start_over(client, db, make):
    admin = make.staff(None, None, name="Beheer", is_admin=True)
    login(client, admin)
    page = client.get("/account/tweestaps").get_data(as_text=True)
    assert "Opnieuw instellen" in page
    assert "uitzetten" not in page
    client.post("/account/tweestaps/uit", data={"off-password": Factory.password})
    page = client.get("/account/tweestaps").get_data(as_text=True)
    assert 'id="secret-key"' in page
    assert "verplicht" in page
    # A login now needs the set-up again.
    assert (
        _password(client.application.test_client(), admin)
        .headers["Location"]
        .endswith("/inloggen/tweestaps-instellen")
    )


def test_the_school_setting_makes_it_required_for_all_staff(app, db, staff_world):
    school, docent = staff_world["school"], staff_world["docent"]
    coordinator = app.test_client()
    login(coordinator, staff_world["coordinator"])
    form = coordinator.get("/school/instellingen").get_data(as_text=True)
    assert 'id="require_two_factor"' in form
    saved = coordinator.post(
        "/school/instellingen",
        data={
            "retention_months": str(school.retention_months),
            "audit_retention_months": str(school.audit_retention_months),
            "signal_level": str(school.signal_level),
            "signal_on_critical": "y" if school.signal_on_critical else "",
            "care_protocol": school.care_protocol,
            "require_two_factor": "y",
        },
    )
    assert saved.status_code == 302
    db.session.commit()
    assert db.session.get(School, school.id).require_two_factor is True
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update_school_settings")
    ).one()
    assert entry.detail["changes"] == {"require_two_factor": {"old": False, "new": True}}
    assert entry.school_id == school.id
    assert entry.user_id == staff_world["coordinator"].id

    # Staff of this school: the set-up after the password; another school's staff: not.
    docent_client = app.test_client()
    response = _password(docent_client, docent)
    assert response.headers["Location"].endswith("/inloggen/tweestaps-instellen")
    assert _sessions(db, docent) == 0
    other = app.test_client()
    assert _password(other, staff_world["other_coordinator"]).headers["Location"].endswith("/start")


def test_the_user_loader_does_no_extra_statements(app, db, staff_world):
    """The second step is checked at login only: a request of a user with two-step login costs
    as many statements as one without."""
    with_two_step, without = staff_world["docent"], staff_world["coordinator"]
    _enable(db, with_two_step)
    counts = []
    for user in (without, with_two_step):
        client = app.test_client()
        login(client, user)
        statements = []

        def count(conn, cursor, statement, *args, _into=statements):
            _into.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/account/wachtwoord").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[0] == counts[1]


# --- the coordinator's reset --------------------------------------------------------------------


def test_a_coordinator_resets_the_second_step_audited_and_ending_sessions(app, db, staff_world):
    docent, coordinator = staff_world["docent"], staff_world["coordinator"]
    _enable(db, docent)
    docent_client = app.test_client()
    login(docent_client, docent)
    assert _logged_in(docent_client)

    coord = app.test_client()
    login(coord, coordinator)
    staff_page = coord.get("/medewerkers").get_data(as_text=True)
    action = f"/medewerkers/{docent.id}/tweestaps-herstellen"
    assert f'action="{action}"' in staff_page
    response = coord.post(action)
    assert response.status_code == 302
    assert "hersteld" in coord.get("/medewerkers").get_data(as_text=True)

    user = _user(db, docent.id)
    assert user.totp_enabled_at is None
    assert user.totp_secret == ""
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    assert _sessions(db, docent) == 0
    assert not _logged_in(docent_client)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == two_factor.RESET_ACTION)
    ).one()
    assert (entry.school_id, entry.user_id) == (staff_world["school"].id, coordinator.id)
    assert (entry.object_type, entry.object_id) == ("User", str(docent.id))
    assert "Tweestapsverificatie van een medewerker hersteld" in coord.get("/audit").get_data(
        as_text=True
    )
    # The password is enough again (the school does not require two-step login).
    assert _password(app.test_client(), docent).headers["Location"].endswith("/start")


def test_a_coordinator_of_another_school_cannot_reset(app, db, staff_world, make):
    docent = staff_world["docent"]
    _enable(db, docent)
    docent_client = app.test_client()
    login(docent_client, docent)
    other = app.test_client()
    login(other, staff_world["other_coordinator"])
    assert other.post(f"/medewerkers/{docent.id}/tweestaps-herstellen").status_code == 404
    assert other.post("/medewerkers/999999/tweestaps-herstellen").status_code == 404
    # Nor can anyone but a coordinator, nor a coordinator reset a beheerder who works there.
    mentor = app.test_client()
    login(mentor, make.staff(staff_world["school"], Role.DOCENT))
    assert mentor.post(f"/medewerkers/{docent.id}/tweestaps-herstellen").status_code == 403
    admin = make.staff(staff_world["school"], Role.DOCENT, name="Beheer", is_admin=True)
    coord = app.test_client()
    login(coord, staff_world["coordinator"])
    assert coord.post(f"/medewerkers/{admin.id}/tweestaps-herstellen").status_code == 403

    assert _user(db, docent.id).totp_enabled_at is not None
    assert _logged_in(docent_client)
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == two_factor.RESET_ACTION)
        )
        == 0
    )


# --- the rate limit -----------------------------------------------------------------------------


def test_wrong_codes_count_towards_the_login_rate_limit(database_url, tmp_path_factory, db, make):
    school = make.school()
    docent = make.staff(school, Role.DOCENT)
    secret, _ = _enable(db, docent)
    app = make_test_app(
        database_url, tmp_path_factory, RATE_LIMITS=True, LOGIN_RATE_LIMIT="4 per minute"
    )
    client = app.test_client()
    assert _password(client, docent).status_code == 302  # 1
    statuses = [
        client.post("/inloggen/code", data={"code": "000000"}).status_code,  # 2
        client.post("/inloggen/herstelcode", data={"code": "AAAAA-AAAAA"}).status_code,  # 3
        client.post("/inloggen/code", data={"code": "111111"}).status_code,  # 4
        client.post("/inloggen/code", data={"code": pyotp.TOTP(secret).now()}).status_code,
    ]
    assert statuses == [200, 200, 200, 429]
    # The same count as the password login: that is refused now too.
    assert _password(app.test_client(), docent).status_code == 429
    assert _sessions(db, docent) == 0


def test_demo_logins_say_the_beheerder_sets_up_two_step_login():
    from wijscan.services.demo import logins_text

    lines = [line for line in logins_text().splitlines() if "two-step" in line]
    assert len(lines) == 1
    assert "beheerder" in lines[0]


def test_the_server_operator_resets_an_account_from_the_command_line(app, db, runner, make):
    """A beheerder with neither phone nor recovery codes: `wijscan reset-two-factor` switches it
    off and ends the sessions; at the next login the set-up is asked for again."""
    admin = make.staff(None, None, is_admin=True)
    _enable(db, admin)
    client = app.test_client()
    login(client, admin)
    assert _sessions(db, admin) == 1
    result = runner.invoke(main, args=["reset-two-factor", "--email", admin.email.upper()])
    assert result.exit_code == 0, result.output
    assert "is off" in result.output
    refreshed = _user(db, admin.id)
    assert refreshed.totp_enabled_at is None
    assert refreshed.totp_secret == ""
    assert _sessions(db, admin) == 0
    assert not _logged_in(client)
    again = _password(app.test_client(), admin)
    assert "/inloggen/tweestaps-instellen" in again.headers["Location"]
    unknown = runner.invoke(main, args=["reset-two-factor", "--email", "niemand@school.test"])
    assert unknown.exit_code != 0
    assert "no account with the address" in unknown.output


# --- the secret at rest -------------------------------------------------------------------------


def _log_in_with_code(app, user, secret) -> int:
    client = app.test_client()
    _password(client, user)
    return client.post("/inloggen/code", data={"code": pyotp.TOTP(secret).now()}).status_code


def test_a_secret_stored_before_sealing_works_and_is_sealed_at_its_next_code(app, db, staff_world):
    docent = staff_world["docent"]
    secret, _ = _enable(db, docent)
    db.session.execute(update(User).where(User.id == docent.id).values(totp_secret=secret))
    db.session.commit()
    assert _log_in_with_code(app, docent, secret) == 302
    stored = _user(db, docent.id).totp_secret
    assert stored.startswith(sealed.PREFIX)
    assert sealed.unseal(stored) == secret


def test_a_secret_sealed_under_an_old_key_opens_with_it_among_the_fallbacks(
    app, db, staff_world, monkeypatch
):
    docent = staff_world["docent"]
    secret, _ = _enable(db, docent)
    old_key = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", "a new secret key")
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    with app.app_context():
        assert sealed.needs_new_seal(_user(db, docent.id).totp_secret)
    assert _log_in_with_code(app, docent, secret) == 302
    # Sealed again under the new key: it opens without the old one.
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
    with app.app_context():
        assert two_factor.secret_of(_user(db, docent.id)) == secret


def test_a_secret_no_key_opens_refuses_app_codes_but_not_recovery_codes(
    app, db, staff_world, monkeypatch, caplog
):
    docent = staff_world["docent"]
    secret, codes = _enable(db, docent)
    monkeypatch.setitem(app.config, "SECRET_KEY", "another key altogether")
    client = app.test_client()
    _password(client, docent)
    refused = client.post("/inloggen/code", data={"code": pyotp.TOTP(secret).now()})
    assert refused.status_code == 200
    assert 'id="code-error"' in refused.get_data(as_text=True)
    assert "does not open with this SECRET_KEY" in caplog.text
    assert client.post("/inloggen/herstelcode", data={"code": codes[0]}).status_code == 302
