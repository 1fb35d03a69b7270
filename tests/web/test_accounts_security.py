"""Invitations, password resets, login sessions and schools, as the security issue asks: an
invitation never sets, resets or reveals anything of an account that exists; only the holder
changes their password; a user in two schools acts in the chosen school only; a user may be
logged in on several devices."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Factory, login
from wijscan.models import Invite, InviteKind, LoginSession, Membership, Role, User

LINK = re.compile(r"http://localhost(/(?:uitnodiging|wachtwoord)/[\w-]+)")
NEW_PASSWORD = "zeilboot tulpenveld regenjas"


def _links_in(page: str) -> list[str]:
    return LINK.findall(page)


def _mailed_link(app, to: str) -> str:
    """The path of the last one-time link mailed to ``to``."""
    mails = [body for address, _, body in app.extensions["wijscan_outbox"] if address == to]
    assert mails, f"no mail to {to}"
    return LINK.search(mails[-1]).group(1)


def _invite(client, name: str, email: str, roles=("docent",)):
    return client.post("/medewerkers", data={"name": name, "email": email, "roles": list(roles)})


def _can_log_in(app, user: User, password: str = Factory.password) -> bool:
    response = app.test_client().post("/inloggen", data={"email": user.email, "password": password})
    return response.status_code == 302


def _schools_of(db, user_id: int) -> set[tuple[int, str]]:
    return {
        (m.school_id, str(m.role))
        for m in db.session.query(Membership).filter(Membership.user_id == user_id)
    }


@pytest.fixture
def two_schools(make):
    a, b = make.school("School A"), make.school("School B")
    people = {
        "a_coord": make.staff(a, Role.COORDINATOR, name="Anna Coördinator"),
        "a_zorg": make.staff(a, Role.ZORG, email="zorg@a-school.nl", name="Zoë Zorg"),
        "b_coord": make.staff(b, Role.COORDINATOR, email="coord@b-school.nl", name="Bert Coord"),
        "admin": make.staff(None, None, email="beheer@wijscan.nl", name="Beheer", is_admin=True),
    }
    return a, b, people


# --- a new address -------------------------------------------------------------------------------


def test_a_new_colleague_gets_the_link_by_mail_only_and_sets_a_strong_password(
    app, client, make, db
):
    school = make.school()
    login(client, make.staff(school, Role.COORDINATOR))
    response = _invite(client, "Mila Mentor", "Mila@Voorbeeld.nl")
    assert response.status_code == 302
    page = client.get("/medewerkers").get_data(as_text=True)
    assert _links_in(page) == []
    assert "De uitnodiging voor Mila Mentor is gemaild naar mila@voorbeeld.nl." in page
    assert "Mila Mentor" in page  # a new account, already on the list (can be a mentor)

    path = _mailed_link(app, "mila@voorbeeld.nl")
    invitee = app.test_client()
    assert "Kies een wachtwoord voor mila@voorbeeld.nl" in invitee.get(path).get_data(as_text=True)
    for weak in ("aaaaaaaaaaaa", "wachtwoord123", "mila@voorbeeld.nl", "1234567890"):
        refused = invitee.post(path, data={"password": weak, "confirm": weak})
        assert refused.status_code == 200, weak
        text = refused.get_data(as_text=True)
        assert "te makkelijk te raden" in text or "e-mailadres niet" in text, weak
    done = invitee.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert invitee.get(path).status_code == 404  # one-time
    mila = db.session.query(User).filter_by(email="mila@voorbeeld.nl").one()
    assert _can_log_in(app, mila, NEW_PASSWORD)
    assert _schools_of(db, mila.id) == {(school.id, "docent")}


# --- existing accounts: the takeover variants ----------------------------------------------------


def test_a_coordinator_of_another_school_cannot_take_over_a_colleague(app, client, db, two_schools):
    a, _b, people = two_schools
    victim = people["a_zorg"]
    login(client, people["b_coord"])
    response = _invite(client, "Neppe Naam", "zorg@a-school.nl", roles=["schoolcoordinator"])
    assert response.status_code == 302
    page = client.get("/medewerkers").get_data(as_text=True)
    assert _links_in(page) == []
    assert "Zoë Zorg" not in page  # never the stored name
    assert "Neppe Naam" in page  # the typed one, as a pending invitation
    assert "nog niet aangenomen" in page

    # Nothing changed for the account: the same password, no membership in B, no reset link.
    assert _can_log_in(app, victim)
    assert _schools_of(db, victim.id) == {(a.id, "zorgcoordinator")}
    invite = db.session.query(Invite).filter_by(user_id=victim.id).one()
    assert invite.kind == InviteKind.JOIN

    # The link went to the victim's own address; even holding it, B's coordinator gets nowhere.
    path = _mailed_link(app, "zorg@a-school.nl")
    assert client.get(path).status_code == 403
    assert (
        client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 403
    )
    anonymous = app.test_client().post(
        path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert anonymous.status_code == 302
    assert "/inloggen" in anonymous.headers["Location"]
    assert _can_log_in(app, victim)
    assert not _can_log_in(app, victim, NEW_PASSWORD)
    assert _schools_of(db, victim.id) == {(a.id, "zorgcoordinator")}


def test_an_existing_account_joins_only_when_its_holder_accepts(app, client, db, two_schools):
    a, b, people = two_schools
    login(client, people["a_coord"])
    _invite(client, "Bert", "coord@b-school.nl", roles=["docent"])
    target = people["b_coord"]
    assert _schools_of(db, target.id) == {(b.id, "schoolcoordinator")}

    path = _mailed_link(app, "coord@b-school.nl")
    holder = app.test_client()
    login(holder, target)
    assert holder.get("/start").status_code == 200
    page = holder.get(path).get_data(as_text=True)
    assert "School A" in page
    assert "Uitnodiging aannemen" in page
    assert holder.post(path, data={"accept": "1"}).status_code == 302
    assert _schools_of(db, target.id) == {(b.id, "schoolcoordinator"), (a.id, "docent")}
    assert _can_log_in(app, target)  # the password never changed
    assert holder.get(path).status_code == 404  # one-time


def test_inviting_the_beheerder_gives_nobody_the_beheerder_rights(app, client, db, two_schools):
    _a, _, people = two_schools
    login(client, people["a_coord"])
    _invite(client, "Iemand", "beheer@wijscan.nl", roles=["schoolcoordinator"])
    assert _links_in(client.get("/medewerkers").get_data(as_text=True)) == []
    admin = people["admin"]
    assert _can_log_in(app, admin)
    assert _schools_of(db, admin.id) == set()
    assert db.session.query(User).filter(User.is_admin.is_(True)).count() == 1
    assert client.get("/beheer/scholen").status_code == 403


def test_the_beheerder_adding_a_school_gets_no_link_to_an_existing_account(
    app, client, db, two_schools
):
    a, _, people = two_schools
    login(client, people["admin"])
    response = client.post(
        "/beheer/scholen",
        data={
            "name": "School C",
            "town": "Zwolle",
            "coordinator_name": "Wie Dan Ook",
            "coordinator_email": "zorg@a-school.nl",
        },
    )
    assert response.status_code == 302
    page = client.get("/beheer/scholen").get_data(as_text=True)
    assert _links_in(page) == []
    assert "Zoë Zorg" not in page
    victim = people["a_zorg"]
    assert _can_log_in(app, victim)
    assert _schools_of(db, victim.id) == {(a.id, "zorgcoordinator")}
    assert db.session.query(Invite).filter_by(user_id=victim.id).one().kind == InviteKind.JOIN


def test_the_beheerder_adding_a_school_with_a_new_address_sees_no_link(app, client, db, make):
    login(client, make.staff(None, None, is_admin=True))
    client.post(
        "/beheer/scholen",
        data={
            "name": "School D",
            "town": "",
            "coordinator_name": "Dees",
            "coordinator_email": "d@d-school.nl",
        },
    )
    assert _links_in(client.get("/beheer/scholen").get_data(as_text=True)) == []
    assert _mailed_link(app, "d@d-school.nl").startswith("/uitnodiging/")


def test_a_coordinator_cannot_reset_a_colleagues_password(app, client, db, make):
    school = make.school()
    colleague = make.staff(school, Role.DOCENT, email="collega@school.nl", name="Collega")
    colleague_device = app.test_client()
    login(colleague_device, colleague)
    login(client, make.staff(school, Role.COORDINATOR))
    _invite(client, "Collega", "collega@school.nl", roles=["docent", "zorgcoordinator"])
    assert _links_in(client.get("/medewerkers").get_data(as_text=True)) == []
    # The roles are added (a colleague of this school), nothing else: no link at all.
    assert _schools_of(db, colleague.id) == {(school.id, "docent"), (school.id, "zorgcoordinator")}
    assert db.session.query(Invite).filter_by(user_id=colleague.id).count() == 0
    assert _can_log_in(app, colleague)
    assert colleague_device.get("/start").status_code == 200  # still logged in


def test_a_colleague_who_never_set_a_password_gets_a_fresh_link_by_mail(app, client, db, make):
    school = make.school()
    login(client, make.staff(school, Role.COORDINATOR))
    _invite(client, "Nieuw", "nieuw@school.nl")
    first = _mailed_link(app, "nieuw@school.nl")
    _invite(client, "Nieuw", "nieuw@school.nl")
    second = _mailed_link(app, "nieuw@school.nl")
    assert first != second
    invitee = app.test_client()
    assert invitee.get(first).status_code == 404  # the earlier link stopped working
    assert invitee.get(second).status_code == 200


# --- password reset by the holder ----------------------------------------------------------------


def test_only_the_holder_resets_a_password_through_their_own_mail(app, make, db):
    school = make.school()
    user = make.staff(school, Role.DOCENT, email="docent@school.nl")
    device = app.test_client()
    login(device, user)
    anonymous = app.test_client()
    known = anonymous.post("/wachtwoord-vergeten", data={"email": "docent@school.nl"})
    unknown = anonymous.post("/wachtwoord-vergeten", data={"email": "niemand@school.nl"})
    assert known.status_code == unknown.status_code == 302
    assert [to for to, _, _ in app.extensions["wijscan_outbox"]] == ["docent@school.nl"]
    path = _mailed_link(app, "docent@school.nl")
    assert path.startswith("/wachtwoord/")
    assert anonymous.get(path).status_code == 200
    assert (
        anonymous.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 302
    )
    assert not _can_log_in(app, user)
    assert _can_log_in(app, user, NEW_PASSWORD)
    assert device.get("/start").status_code == 302  # every session ended
    assert anonymous.get(path).status_code == 404


def test_changing_the_password_logs_out_the_other_devices_only(app, make, db):
    school = make.school()
    user = make.staff(school, Role.DOCENT)
    board, phone = app.test_client(), app.test_client()
    login(board, user)
    login(phone, user)
    wrong = phone.post(
        "/account/wachtwoord",
        data={"current": "niet het wachtwoord", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert "Dit is niet je huidige wachtwoord." in wrong.get_data(as_text=True)
    done = phone.post(
        "/account/wachtwoord",
        data={"current": Factory.password, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert phone.get("/start").status_code == 200
    assert board.get("/start").status_code == 302
    assert _can_log_in(app, user, NEW_PASSWORD)


# --- login sessions -----------------------------------------------------------------------------


def test_a_user_can_be_logged_in_on_two_devices(app, make, db):
    school = make.school()
    user = make.staff(school, Role.DOCENT)
    board, phone = app.test_client(), app.test_client()
    login(board, user)
    login(phone, user)
    assert board.get("/start").status_code == 200
    assert phone.get("/start").status_code == 200
    assert db.session.query(LoginSession).filter_by(user_id=user.id).count() == 2
    phone.post("/uitloggen")
    assert phone.get("/start").status_code == 302
    assert board.get("/start").status_code == 200
    assert db.session.query(LoginSession).filter_by(user_id=user.id).count() == 1


def test_deactivating_an_account_ends_its_sessions(app, make, db):
    from wijscan.services import accounts

    school = make.school()
    user = make.staff(school, Role.DOCENT)
    device = app.test_client()
    login(device, user)
    accounts.deactivate(db.session.get(User, user.id))
    db.session.commit()
    assert device.get("/start").status_code == 302
    assert db.session.query(LoginSession).filter_by(user_id=user.id).count() == 0


def test_a_cookie_from_before_the_login_does_not_work_after_it(app, make):
    school = make.school()
    user = make.staff(school, Role.DOCENT)
    client = app.test_client()
    client.get("/inloggen")
    with client.session_transaction() as session:
        session["planted"] = "before"
    before = client.get_cookie("session").value
    login(client, user)
    after = client.get_cookie("session").value
    assert before != after
    replay = app.test_client()
    replay.set_cookie("session", before)
    assert replay.get("/start").status_code == 302
    assert client.get("/start").status_code == 200


# --- two schools --------------------------------------------------------------------------------


def test_a_user_in_two_schools_acts_in_the_chosen_school_only(app, client, make, db):
    a, b, c = make.school("School A"), make.school("School B"), make.school("School C")
    user = make.staff(a, Role.DOCENT, name="Twee Scholen")
    db.session.add(Membership(user_id=user.id, school_id=b.id, role=Role.COORDINATOR))
    db.session.commit()
    make.klas(b, name="B-klas")
    make.klas(a, name="A-klas", mentors=[user])
    login(client, user)
    page = client.get("/start").get_data(as_text=True)
    assert "School A" in page
    assert 'name="school_id"' in page
    assert client.get("/medewerkers").status_code == 403  # a docent in A
    assert client.get("/leerlingen").status_code == 403
    assert "B-klas" not in client.get("/klassen").get_data(as_text=True)

    assert client.post("/school", data={"school_id": str(b.id)}).status_code == 302
    assert client.get("/medewerkers").status_code == 200  # coordinator in B
    klassen = client.get("/klassen").get_data(as_text=True)
    assert "B-klas" in klassen
    assert "A-klas" not in klassen

    assert client.post("/school", data={"school_id": str(c.id)}).status_code == 404
    assert client.post("/school", data={"school_id": "²"}).status_code == 400
    assert client.get("/medewerkers").status_code == 200  # still B
    client.post("/school", data={"school_id": str(a.id)})
    assert client.get("/medewerkers").status_code == 403
