"""The questionnaire's words for a first-year vmbo student: page headings in the questionnaire's
own words, a short page between the part about the class and the part about yourself, words that
help for a code that was used or whose scan closed (and the one calm message for any other code,
so that what is typed cannot tell which codes exist), a way in for students on the staff login,
and a logo on the questionnaire that does not lead to it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import make_test_app
from wijscan.models import AccessCode, Role, ScanMode, ScanRound, ScanStatus
from wijscan.services import scans as scan_service

CALM = "Met deze code kun je nu geen scan starten."
USED = "Je hebt de vragenlijst al ingevuld."
CLOSED = "Deze vragenlijst is gesloten — vraag je docent."
CLOSED_STAFF = "Deze vragenlijst is gesloten — vraag de schoolcoördinator."
PART = "Nu gaan de vragen over jou"


def _round(db, school, opens=-1, closes=7) -> ScanRound:
    scan_round = ScanRound(
        school_id=school.id,
        school_year_id=school.years[0].id,
        name="Meetmoment",
        opens_on=date.today() + timedelta(days=opens),
        closes_on=date.today() + timedelta(days=closes),
    )
    db.session.add(scan_round)
    db.session.flush()
    return scan_round


@pytest.fixture
def world(app, make, db):
    school = make.school()
    mentor = make.staff(school, Role.DOCENT)
    klas = make.klas(school, "1A", leerjaar=1, stream="vmbo-b", mentors=[mentor])
    for name in ("Aya", "Bram"):
        make.student(school, klas, roepnaam=name)
    scan_round = _round(db, school)
    content = app.extensions["wijscan_content"]
    scan = scan_service.open_student_scan(klas, scan_round, ScanMode.PERSONAL, mentor, content)
    db.session.commit()
    codes = db.session.scalars(
        select(AccessCode.code).where(AccessCode.scan_id == scan.id).order_by(AccessCode.id)
    ).all()
    return {
        "school": school,
        "mentor": mentor,
        "klas": klas,
        "round": scan_round,
        "scan": scan,
        "codes": codes,
        "content": content,
    }


def _pages(world):
    content = world["content"]
    return [
        theme
        for instrument_id in ("klas", "individu")
        for theme in content.instruments[instrument_id].themes
    ]


def _answers(world, number, value="4"):
    return {item.id: value for item in _pages(world)[number - 1].items}


def _h1(body: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", body, re.S).group(1).strip()


def _finish(student, code, world):
    assert student.post(f"/s/{code}").status_code == 302
    for number in range(1, len(_pages(world)) + 1):
        saved = student.post(f"/s/{code}/{number}", data={**_answers(world, number), "nav": "next"})
        assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/s/{code}/klaar")


# --- page headings and the short page between the parts --------------------------------------


def test_every_page_is_headed_in_the_words_of_the_questionnaire(app, world):
    code = world["codes"][0]
    student = app.test_client()
    student.post(f"/s/{code}")
    content = world["content"]
    pyramid = content.pyramid
    pages = [
        (theme, instrument_id)
        for instrument_id in ("klas", "individu")
        for theme in content.instruments[instrument_id].themes
    ]
    headings = []
    for number, (theme, instrument_id) in enumerate(pages, 1):
        body = student.get(f"/s/{code}/{number}").get_data(as_text=True)
        assert theme.title is not None, f"{instrument_id} {theme.id} has no page title"
        assert _h1(body) == theme.title.nl
        assert f"<title>{theme.title.nl} · " in body
        # The theme's name for staff is no heading for a 12-year-old.
        assert pyramid.theme(theme.id).name.nl not in body
        headings.append(_h1(body))
    assert "Meedoen in de klas" in headings
    assert len(set(headings)) == len(headings)  # the class and the self pages differ too
    assert "Identiteitsontwikkeling" not in " ".join(headings)


def test_the_headings_come_in_english_too(app, world):
    code = world["codes"][0]
    student = app.test_client()
    student.get(f"/s/{code}?taal=en")
    student.post(f"/s/{code}")
    body = student.get(f"/s/{code}/2").get_data(as_text=True)
    assert _h1(body) == "Taking part in class"


def test_a_short_page_between_the_class_and_yourself(app, world):
    code = world["codes"][0]
    student = app.test_client()
    student.post(f"/s/{code}")
    for number in range(1, 6):
        saved = student.post(f"/s/{code}/{number}", data={**_answers(world, number), "nav": "next"})
        assert saved.headers["Location"].endswith(f"/s/{code}/{number + 1}")  # no stop between
    last_of_class = student.post(f"/s/{code}/6", data={**_answers(world, 6), "nav": "next"})
    assert last_of_class.status_code == 302
    assert last_of_class.headers["Location"].endswith(f"/s/{code}/7?deel=1")

    part = student.get(last_of_class.headers["Location"])
    assert part.status_code == 200
    body = part.get_data(as_text=True)
    assert _h1(body) == PART
    assert "De vragen over je klas zijn klaar." in body
    assert 'type="radio"' not in body  # nothing to answer, nothing to save
    assert f'href="/s/{code}/7"' in body  # Verder
    assert f'href="/s/{code}/6"' in body  # Vorige
    assert "Nog 6 korte pagina" in body

    # Page 7 itself is the first page about yourself; "Vorige" there goes straight back.
    seventh = student.get(f"/s/{code}/7").get_data(as_text=True)
    assert _h1(seventh) == "Afspraken, regels en helpen"
    back = student.post(f"/s/{code}/7", data={**_answers(world, 7), "nav": "back"})
    assert back.headers["Location"].endswith(f"/s/{code}/6")
    # Only a page that opens a part has the short page before it.
    third = student.get(f"/s/{code}/3?deel=1").get_data(as_text=True)
    assert PART not in third
    assert 'type="radio"' in third


def test_the_short_page_comes_in_the_json_answer_of_survey_js(app, world):
    code = world["codes"][0]
    student = app.test_client()
    student.post(f"/s/{code}")
    saved = student.post(
        f"/s/{code}/6",
        data={**_answers(world, 6), "nav": "next"},
        headers={"X-Wijscan-Save": "1"},
    )
    assert saved.get_json() == {"saved": True, "next": f"/s/{code}/7?deel=1"}


def test_the_short_page_checks_the_code_like_every_page(app, world):
    code = world["codes"][0]
    assert app.test_client().get(f"/s/{code}/7?deel=1").status_code == 200  # a personal code
    wrong = app.test_client().get("/s/ACDEFGHJK/7?deel=1")
    assert wrong.status_code == 404
    assert CALM in wrong.get_data(as_text=True)
    _finish(app.test_client(), world["codes"][1], world)
    used = app.test_client().get(f"/s/{world['codes'][1]}/7?deel=1")
    assert used.status_code == 404
    assert USED in used.get_data(as_text=True)


# --- a used code, a closed scan, a code that does not exist ---------------------------------


def _typed(app, code: str):
    """A new browser types the code on the code form."""
    return app.test_client().post("/s", data={"code": code})


def _message_body(response) -> str:
    """The page without what differs per request (the check token, the language link)."""
    return re.sub(r'name="csrf_token"[^>]*>|next=[^"]*"', "", response.get_data(as_text=True))


def test_a_used_code_says_you_filled_it_in(app, world):
    code = world["codes"][0]
    _finish(app.test_client(), code, world)
    for response in (
        _typed(app, code),
        _typed(app, code.lower()),
        app.test_client().get(f"/s/{code}"),
        app.test_client().get(f"/s/{code}/3"),
    ):
        assert response.status_code == 404  # still counted as a code that opens nothing
        body = response.get_data(as_text=True)
        assert USED in body
        assert CALM not in body
        assert CLOSED not in body


def test_a_closed_scan_says_ask_your_teacher(app, world, db):
    code = world["codes"][0]
    student = app.test_client()
    assert student.post(f"/s/{code}").status_code == 302
    scan_service.close_scan(world["scan"], world["content"], world["mentor"])
    db.session.commit()
    assert world["scan"].status == ScanStatus.CLOSED
    typed = _typed(app, code)
    assert typed.status_code == 404
    assert CLOSED in typed.get_data(as_text=True)
    assert CALM not in typed.get_data(as_text=True)
    # A student halfway through when the mentor closes: the next save says so, saves nothing.
    saved = student.post(f"/s/{code}/1", data={**_answers(world, 1), "nav": "next"})
    assert saved.status_code == 404
    assert CLOSED in saved.get_data(as_text=True)


def test_a_round_that_is_over_says_closed_one_not_begun_stays_calm(app, world, db):
    code = world["codes"][0]
    world["round"].closes_on = date.today() - timedelta(days=1)
    db.session.commit()
    assert CLOSED in _typed(app, code).get_data(as_text=True)
    world["round"].opens_on = date.today() + timedelta(days=1)
    world["round"].closes_on = date.today() + timedelta(days=8)
    db.session.commit()
    early = _typed(app, code)
    assert early.status_code == 404
    assert CALM in early.get_data(as_text=True)


def test_a_closed_staff_scan_sends_staff_to_the_coordinator(app, world, db):
    scan = scan_service.open_staff_scan(world["school"].id, world["round"], world["mentor"])
    code = db.session.scalar(select(AccessCode.code).where(AccessCode.scan_id == scan.id))
    scan_service.close_scan(scan, world["content"], world["mentor"])
    db.session.commit()
    body = _typed(app, code).get_data(as_text=True)
    assert CLOSED_STAFF in body
    assert CLOSED not in body


def test_codes_that_do_not_exist_all_get_the_same_calm_page(app, world, db):
    """Used and closed are told only of real codes: every code that does not exist — close to a
    real one or not, typed or in the address — gets the one calm page, the same as before."""
    real = world["codes"][0]
    _finish(app.test_client(), real, world)
    near = real[:-1] + ("A" if real[-1] != "A" else "B")
    bodies = []
    for response in (
        _typed(app, "ACDEFGHJK"),
        _typed(app, near),
        _typed(app, "ZZZZZZZZZ"),
        app.test_client().get("/s/ACDEFGHJK"),
        app.test_client().get(f"/s/{near}"),
        app.test_client().get(f"/s/{near}/1"),
    ):
        assert response.status_code == 404
        body = _message_body(response)
        assert CALM in body
        assert USED not in body
        assert CLOSED not in body
        bodies.append(body)
    assert len(set(bodies)) == 1


def test_used_and_closed_codes_still_count_as_wrong_codes(database_url, tmp_path_factory, world):
    """A used or closed code opens nothing: the rate limit counts it like any wrong code, so
    the kinder words are no way round the limit."""
    limited = make_test_app(
        database_url, tmp_path_factory, RATE_LIMITS=True, CODE_RATE_LIMIT="2 per minute"
    )
    code = world["codes"][0]
    with limited.app_context():
        _finish(limited.test_client(), code, world)
    browser = limited.test_client()
    statuses = [browser.post("/s", data={"code": code}).status_code for _ in range(4)]
    assert statuses[:2] == [404, 404]
    assert 429 in statuses[2:]


# --- the way in for students, and a logo that does not lead to the staff login ---------------


def test_the_staff_login_shows_students_the_way_to_the_code(client):
    body = client.get("/inloggen").get_data(as_text=True)
    assert "Heb je een code?" in body
    way_in = re.search(r'<a class="button[^"]*" href="([^"]+)">Code invullen</a>', body)
    assert way_in is not None
    assert way_in.group(1) == "/s"
    assert client.get(way_in.group(1)).status_code == 200


def test_no_questionnaire_page_leads_to_the_staff_login(app, world):
    code = world["codes"][0]
    student = app.test_client()
    pages = [student.get("/s"), student.get(f"/s/{code}")]
    student.post(f"/s/{code}")
    pages += [student.get(f"/s/{code}/1"), student.get(f"/s/{code}/7?deel=1")]
    pages += [app.test_client().get("/s/ACDEFGHJK"), student.get("/s/klaar")]
    for response in pages:
        body = response.get_data(as_text=True)
        brand = re.search(r'<div class="brand">(.*?)</div>', body, re.S).group(1)
        assert "<a" not in brand, brand
        assert "WIJscan" in brand
        assert 'href="/"' not in body
        assert "/inloggen" not in body
