"""The privacy page for students (/s/privacy): reachable without login in Dutch and English, with
the pyramid's minimum group size and the retention of the student's own school, linked from the
questionnaire's intro with a way back, and nothing about any other school."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from tests.conftest import make_test_app
from wijscan.models import AccessCode, Role, Scan, ScanMode, ScanRound
from wijscan.services import scans as scan_service

PAGE = "/s/privacy"
DEFAULT_RETENTION = "12 maanden na het meetmoment, tenzij je school iets anders heeft afgesproken"


def _open_scan(world, db, mode: ScanMode) -> str:
    """Open a scan for the world's class; its (first) code."""
    scan = scan_service.open_student_scan(
        world["klas"], world["round"], mode, world["mentor"], world["content"]
    )
    db.session.commit()
    return db.session.scalars(
        select(AccessCode.code).where(AccessCode.scan_id == scan.id).order_by(AccessCode.id)
    ).first()


@pytest.fixture
def other_school(make, db, app):
    """Another school, with its own retention and an open personal scan."""
    school = make.school("Geheime Andere School")
    school.retention_months = 36
    mentor = make.staff(school, Role.DOCENT, name="Andere Mentor")
    klas = make.klas(school, "GEHEIMKLAS", mentors=[mentor])
    for name in ("Xan", "Yara"):
        make.student(school, klas, roepnaam=name)
    scan_round = ScanRound(
        school_id=school.id,
        school_year_id=school.years[0].id,
        name="Geheimronde",
        opens_on=date.today() - timedelta(days=1),
        closes_on=date.today() + timedelta(days=7),
    )
    db.session.add(scan_round)
    db.session.commit()
    world = {
        "klas": klas,
        "round": scan_round,
        "mentor": mentor,
        "content": app.extensions["wijscan_content"],
    }
    return _open_scan(world, db, ScanMode.PERSONAL)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _months(n: int) -> str:
    return f"Je school bewaart je antwoorden tot {n} maanden na het meetmoment."


def test_reachable_without_login_in_dutch(app, client):
    response = client.get(PAGE)
    assert response.status_code == 200
    body = _text(response)
    assert '<html lang="nl">' in body
    assert "Wat gebeurt er met je antwoorden?" in body
    min_group_size = app.extensions["wijscan_content"].pyramid.min_group_size
    assert f"minstens {min_group_size} leerlingen" in body
    assert DEFAULT_RETENTION in body
    assert "nooit een diagnose" in body
    assert "overslaan" in body
    # The survey's look: no staff navigation, and a way to the questionnaire.
    assert "Hoofdmenu" not in body
    assert "Uitloggen" not in body
    assert 'href="/s">Terug naar de vragenlijst' in body
    # The name at the top leads nowhere (not to the staff login).
    assert '<span class="home">WIJscan</span>' in body
    assert 'href="/">WIJscan' not in body


def test_reachable_without_login_in_english(app, client):
    client.get("/taal/en")
    response = client.get(PAGE)
    assert response.status_code == 200
    body = _text(response)
    assert '<html lang="en">' in body
    with app.test_request_context(), force_locale("en"):
        heading = _("Wat gebeurt er met je antwoorden?")
        back = _("Terug naar de vragenlijst")
    assert f"<h1>{heading}</h1>" in body
    assert back in body
    min_group_size = str(app.extensions["wijscan_content"].pyramid.min_group_size)
    assert re.search(rf"\b{min_group_size}\b", body)
    assert re.search(r"\b12\b", body)  # the default retention, in whatever words


def test_the_minimum_group_size_is_read_from_the_content(app, client, monkeypatch):
    content = app.extensions["wijscan_content"]
    pyramid = content.pyramid.model_copy(update={"min_group_size": 7})
    monkeypatch.setitem(
        app.extensions, "wijscan_content", dataclasses.replace(content, pyramid=pyramid)
    )
    body = _text(client.get(PAGE))
    assert "minstens 7 leerlingen" in body
    assert "minstens 5 leerlingen" not in body


def test_the_retention_of_the_students_own_school(app, client, klas_world, db):
    klas_world["school"].retention_months = 18
    db.session.commit()
    code = _open_scan(klas_world, db, ScanMode.ANONYMOUS)
    assert client.post(f"/s/{code}").status_code == 302  # starts: the session keeps the code
    body = _text(client.get(f"{PAGE}?terug={code}"))
    assert _months(18) in body
    assert DEFAULT_RETENTION not in body
    assert "Jouw vragenlijst is anoniem." in body


def test_a_personal_scan_opened_in_this_browser(database_url, tmp_path_factory, klas_world, db):
    # With rate limits on (as in production) the session remembers every code it opened.
    app = make_test_app(database_url, tmp_path_factory, RATE_LIMITS=True)
    klas_world["school"].retention_months = 6
    db.session.commit()
    code = _open_scan(klas_world, db, ScanMode.PERSONAL)
    client = app.test_client()
    assert client.get(f"/s/{code}").status_code == 200
    body = _text(client.get(f"{PAGE}?terug={code}"))
    assert _months(6) in body
    assert "Jouw vragenlijst is persoonlijk." in body


def test_the_intro_links_to_the_page_and_the_page_links_back(app, client, klas_world, db):
    code = _open_scan(klas_world, db, ScanMode.PERSONAL)
    intro = _text(client.get(f"/s/{code}"))
    link = f'<a href="/s/privacy?terug={code}">Wat gebeurt er met je antwoorden?</a>'
    assert link in intro
    # Answer the first page, read the privacy page, go back: the student resumes on page 2.
    client.post(f"/s/{code}")
    items = klas_world["content"].instruments["klas"].themes[0].items
    client.post(f"/s/{code}/1", data={**{item.id: "3" for item in items}, "nav": "next"})
    page = _text(client.get(f"{PAGE}?terug={code}"))
    assert page.count(f'href="/s/{code}"') == 2  # at the top and at the bottom
    back = _text(client.get(f"/s/{code}"))
    assert "Verder waar ik was" in back
    assert client.post(f"/s/{code}").headers["Location"].endswith(f"/s/{code}/2")


def test_the_staff_intro_has_no_student_privacy_link(app, client, klas_world, db):
    from wijscan.services.scans import open_staff_scan

    scan = open_staff_scan(klas_world["school"].id, klas_world["round"], klas_world["coordinator"])
    db.session.commit()
    code = db.session.scalar(select(AccessCode.code).where(AccessCode.scan_id == scan.id))
    intro = client.get(f"/s/{code}")
    assert intro.status_code == 200
    assert "/s/privacy" not in _text(intro)


def test_nothing_about_another_school(app, client, klas_world, db, other_school):
    klas_world["school"].retention_months = 18
    db.session.commit()
    own = _open_scan(klas_world, db, ScanMode.ANONYMOUS)
    # A fresh browser naming another school's code (or its id) learns nothing of that school.
    stranger = app.test_client()
    school_id = db.session.scalar(
        select(Scan.school_id).join(AccessCode).where(AccessCode.code == other_school)
    )
    for query in (f"?terug={other_school}", f"?school={school_id}", "?terug=ZZZZZZZZZ"):
        body = _text(stranger.get(PAGE + query))
        assert DEFAULT_RETENTION in body, query
        assert _months(36) not in body, query  # (the code itself may hold "36")
        assert "Geheim" not in body, query
        assert "Jouw vragenlijst is" not in body, query
    # A valid code and a wrong one give the same page: it cannot be used to test codes.
    valid = _text(stranger.get(f"{PAGE}?terug={other_school}"))
    wrong = _text(stranger.get(f"{PAGE}?terug=ACDEFGHJK"))
    strip = re.compile(rf"{other_school}|ACDEFGHJK")
    assert strip.sub("", valid) == strip.sub("", wrong)
    # A student of this school naming the other school's code still reads their own school.
    client.post(f"/s/{own}")
    body = _text(client.get(f"{PAGE}?terug={other_school}"))
    assert _months(18) in body
    assert _months(36) not in body
    assert "Geheim" not in body
    assert "Jouw vragenlijst is anoniem." in body
