"""Walk every route of the app for every role, on objects of the user's own school and of another
school. Nothing may leak: a role without the right gets 403, another school's object 404 (or
403), an anonymous visitor the login page — never data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from tests.conftest import login
from wijscan import access
from wijscan.models import LesbriefPlan, Role, ScanMode, ScanRound, Signal
from wijscan.services import accounts
from wijscan.services import scans as scan_service

SECRETS = ("GEHEIMKLAS", "Geheimnaam", "Geheimronde", "geheim@other.test")

#: Routes that change state for good: walked for refusals, not for the allowed role's own objects
#: (each has its own test).
STATE_CHANGING = {
    "auth.logout",
    "scans.close",
    "lesbrieven.remove_from_plan",
    "account.end_one",
    "account.end_others",
    "account.end_all",
    "setup.reset_two_factor",
}
#: Routes whose own-school object in the walk is of the wrong kind, so 404 is the right answer:
#: staff links exist only for the staff scan, and the walk's scan is a student scan; a class
#: code's cap exists only for an anonymous scan, and the walk's scan is personal.
#: A class report exists only for a closed scan, and the walk's scan is open.
WRONG_KIND_404 = {
    "scans.invite_staff",
    "scans.class_code",
    "reports.class_report",
    "reports.class_report_pdf",
}
#: Routes a coordinator reaches only as a mentor of the class (individual results): 404 for the
#: walk's coordinator, who mentors nothing.
MENTOR_ONLY_404 = {"reports.student_view", "signals.signal_detail", "signals.follow_up"}
#: Routes that refuse the walk's empty form as bad input (400): the school switch needs a school,
#: an observation list without a single answer is not stored.
EMPTY_FORM_400 = {
    "main.switch_school",
    "scans.observation",
    "lesbrieven.add_to_plan",
    "lesbrieven.mark_taught",
    "signals.follow_up",
}
#: Routes whose argument is content every staff member may read (a lesbrief), not a school's
#: object: a docent who mentors nothing reads them too. The "other" value is an unknown id.
CONTENT_ROUTES = {"lesbrieven.lesbrief", "lesbrieven.lesbrief_pdf"}


@dataclass
class World:
    ids: dict[str, tuple[object, object]]  # argument -> (own school's value, other school's)
    users: dict[str, object]


@pytest.fixture
def world(app, make, db):
    own, other = make.school("Eigen school"), make.school("Andere school")
    users = {
        "docent": make.staff(own, Role.DOCENT, name="Docent Eigen"),
        "docent-not-mentor": make.staff(own, Role.DOCENT, name="Docent Zonder Klas"),
        "zorgcoordinator": make.staff(own, Role.ZORG, name="Zorg Eigen"),
        "schoolcoordinator": make.staff(own, Role.COORDINATOR, name="Coord Eigen"),
        "beheerder": make.staff(None, None, name="Beheer", is_admin=True),
    }
    other_coordinator = make.staff(
        other, Role.COORDINATOR, email="geheim@other.test", name="Geheim Coord"
    )
    own_klas = make.klas(own, "1A", mentors=[users["docent"]])
    other_klas = make.klas(other, "GEHEIMKLAS")
    own_student = make.student(own, own_klas, roepnaam="Eigen")
    other_student = make.student(other, other_klas, roepnaam="Geheimnaam")
    rounds = []
    today = date.today()
    for school, name in ((own, "Ronde"), (other, "Geheimronde")):
        scan_round = ScanRound(
            school_id=school.id,
            school_year_id=school.years[0].id,
            name=name,
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=7),
        )
        db.session.add(scan_round)
        rounds.append(scan_round)
    db.session.flush()
    content = app.extensions["wijscan_content"]
    scans = [
        scan_service.open_student_scan(klas, scan_round, ScanMode.PERSONAL, opener, content)
        for klas, scan_round, opener in (
            (own_klas, rounds[0], users["docent"]),
            (other_klas, rounds[1], users["docent"]),
        )
    ]
    lesbrief_id = content.lesbrieven[0].id
    plans = [
        LesbriefPlan(school_id=klas.school_id, klas_id=klas.id, lesbrief_id=lesbrief_id)
        for klas in (own_klas, other_klas)
    ]
    db.session.add_all(plans)
    signals = [
        Signal(
            school_id=klas.school_id,
            scan_id=scan.id,
            klas_id=klas.id,
            respondent_id=f"walk-{klas.id}",
            level=2,
            detail={"themes": {}, "items": [], "rule": {"level": 2, "critical": True}},
        )
        for klas, scan in ((own_klas, scans[0]), (other_klas, scans[1]))
    ]
    db.session.add_all(signals)
    # Login sessions of other users: nobody can end someone else's.
    session_ids = []
    for user in (users["docent"], other_coordinator):
        accounts.start_session(user, "Walk browser")
        session_ids.append(user.login_session_id)
    db.session.commit()
    return World(
        ids={
            "klas_id": (own_klas.id, other_klas.id),
            "student_id": (own_student.id, other_student.id),
            "round_id": (rounds[0].id, rounds[1].id),
            "scan_id": (scans[0].id, scans[1].id),
            "number": (1, 1),
            "token": ("not-a-token", "not-a-token"),
            "code": ("en", "en"),
            "lesbrief_id": (lesbrief_id, "geen-lesbrief"),
            "plan_id": (plans[0].id, plans[1].id),
            "signal_id": (signals[0].id, signals[1].id),
            "session_id": tuple(session_ids),
            "user_id": (users["docent"].id, other_coordinator.id),
        },
        users=users,
    )


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule


def _url(app, rule, world, which: int):
    values = {}
    for argument in rule.arguments:
        assert argument in world.ids, (
            f"route {rule.rule} has argument {argument!r}: add it to the access walk"
        )
        values[argument] = world.ids[argument][which]
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_every_view_declares_an_access_rule(app):
    missing = [
        rule.endpoint
        for rule in _routes(app)
        if access.rule_for(app.view_functions[rule.endpoint]) is None
    ]
    assert missing == []


def test_a_view_without_a_rule_is_denied(app, client, make):
    school = make.school()
    user = make.staff(school, Role.COORDINATOR)
    app.view_functions["setup.students"].__dict__.pop("access_rule")
    try:
        login(client, user)
        assert client.get("/leerlingen").status_code == 403
    finally:
        access.allow(Role.COORDINATOR)(app.view_functions["setup.students"])


def _expected_refusal(endpoint: str, status: int) -> bool:
    """The walk's own-school request is refused for a reason the walk knows of."""
    return (endpoint in WRONG_KIND_404 and status == 404) or (
        endpoint in EMPTY_FORM_400 and status == 400
    )


def _walk(app, world, role: str | None):
    client = app.test_client()
    if role is not None:
        login(client, world.users[role])
    role_name = "docent" if role == "docent-not-mentor" else role
    problems = []
    for rule in _routes(app):
        view_rule = access.rule_for(app.view_functions[rule.endpoint])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for which in (0, 1) if rule.arguments else (0,):
                url = _url(app, rule, world, which)
                allowed = role_name in view_rule.roles and not view_rule.public
                if allowed and which == 0 and rule.endpoint in STATE_CHANGING:
                    continue
                response = client.open(url, method=method, data={})
                body = response.get_data().decode("utf-8", "replace")  # exports may be binary
                where = f"{role} {method} {url}"
                leaked = [s for s in SECRETS if s in body]
                if leaked:
                    problems.append(f"{where}: shows {leaked}")
                if view_rule.public:
                    continue
                if role is None:
                    if response.status_code != 302 or "/inloggen" not in response.headers.get(
                        "Location", ""
                    ):
                        problems.append(f"{where}: {response.status_code}, not sent to login")
                elif role_name not in view_rule.roles:
                    if response.status_code != 403:
                        problems.append(f"{where}: {response.status_code} for a role without it")
                elif which == 1:
                    if response.status_code not in (403, 404):
                        problems.append(f"{where}: {response.status_code} on another school")
                elif role == "docent-not-mentor" and rule.endpoint in CONTENT_ROUTES:
                    if response.status_code != 200:
                        problems.append(f"{where}: {response.status_code} for a docent")
                elif role == "docent-not-mentor" and rule.arguments:
                    if response.status_code != 404:
                        problems.append(f"{where}: {response.status_code} for a non-mentor")
                elif _expected_refusal(rule.endpoint, response.status_code) or (
                    role == "schoolcoordinator"
                    and rule.endpoint in MENTOR_ONLY_404
                    and response.status_code == 404
                ):
                    continue
                elif response.status_code >= 400:
                    problems.append(f"{where}: {response.status_code} for a role with the right")
    return problems


@pytest.mark.parametrize(
    "role",
    [None, "docent", "docent-not-mentor", "zorgcoordinator", "schoolcoordinator", "beheerder"],
)
def test_walk_every_route(app, world, role):
    assert _walk(app, world, role) == []


def test_a_docent_sees_only_the_classes_they_mentor(app, world):
    client = app.test_client()
    login(client, world.users["docent-not-mentor"])
    own_klas = world.ids["klas_id"][0]
    assert client.get(f"/klassen/{own_klas}").status_code == 404
    assert ">1A</a>" not in client.get("/klassen").get_data(as_text=True)
    mentor = app.test_client()
    login(mentor, world.users["docent"])
    assert mentor.get(f"/klassen/{own_klas}").status_code == 200
    assert ">1A</a>" in mentor.get("/klassen").get_data(as_text=True)
