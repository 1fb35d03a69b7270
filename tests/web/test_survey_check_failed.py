"""A questionnaire page whose check fails (the session cookie was lost, so the CSRF token no
longer matches) is shown again with the answers kept and one calm sentence: nothing is lost,
and the next tap saves it. Without JavaScript, this is what the student sees."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import make_test_app
from tests.web.test_scans import _page_answers
from wijscan.models import AccessCode, Answer

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
CALM = "Je antwoorden zijn nog niet opgeslagen, maar ze staan er nog."


@pytest.fixture(scope="module")
def csrf_app(database_url, tmp_path_factory):
    """The app as it runs: with its CSRF check (the suite's own app switches it off)."""
    return make_test_app(database_url, tmp_path_factory, WTF_CSRF_ENABLED=True)


def _token(page: str) -> str:
    return TOKEN.search(page).group(1)


def _personal_code(csrf_app, klas_world, db) -> str:
    mentor = csrf_app.test_client()
    page = mentor.get("/inloggen").get_data(as_text=True)
    login_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    mentor.post(
        "/inloggen",
        data={
            "email": klas_world["mentor"].email,
            "password": "correct horse battery",
            "csrf_token": login_token,
        },
    )
    form = mentor.get(f"/klassen/{klas_world['klas'].id}/scan").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    opened = mentor.post(
        f"/klassen/{klas_world['klas'].id}/scan", data={"mode": "personal", "csrf_token": token}
    )
    assert opened.status_code == 302
    return db.session.scalars(select(AccessCode.code)).first()


def test_a_page_with_a_stale_token_comes_back_with_its_answers(csrf_app, klas_world, db):
    code = _personal_code(csrf_app, klas_world, db)
    student = csrf_app.test_client()
    intro = student.get(f"/s/{code}").get_data(as_text=True)
    student.post(f"/s/{code}", data={"csrf_token": _token(intro)})
    first = student.get(f"/s/{code}/1").get_data(as_text=True)
    answers, _ = _page_answers(klas_world, 1, value="2")

    # The session cookie is lost (a shared school PC, a private window closed): a new browser
    # session posts the old page.
    student.delete_cookie("session")
    refused = student.post(
        f"/s/{code}/1", data={"nav": "next", "csrf_token": _token(first), **answers}
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert CALM in page
    assert "Bad Request" not in page
    for item_id in answers:
        assert re.search(rf'name="{item_id}" value="2"\s+checked', page), item_id
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0

    # The page carries a fresh token for the new session: the next tap saves it.
    saved = student.post(
        f"/s/{code}/1", data={"nav": "next", "csrf_token": _token(page), **answers}
    )
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/s/{code}/2")
    assert db.session.scalar(select(func.count()).select_from(Answer)) == len(answers)


def test_survey_js_gets_the_save_confirmed_as_json(csrf_app, klas_world, db):
    code = _personal_code(csrf_app, klas_world, db)
    student = csrf_app.test_client()
    intro = student.get(f"/s/{code}").get_data(as_text=True)
    student.post(f"/s/{code}", data={"csrf_token": _token(intro)})
    first = student.get(f"/s/{code}/1").get_data(as_text=True)
    answers, _ = _page_answers(klas_world, 1)
    saved = student.post(
        f"/s/{code}/1",
        data={"nav": "next", "csrf_token": _token(first), **answers},
        headers={"X-Wijscan-Save": "1"},
    )
    assert saved.status_code == 200
    assert saved.get_json() == {"saved": True, "next": f"/s/{code}/2"}


def test_a_stale_token_elsewhere_in_the_questionnaire_starts_that_step_again(
    csrf_app, klas_world, db
):
    code = _personal_code(csrf_app, klas_world, db)
    student = csrf_app.test_client()
    assert student.post("/s", data={"code": code, "csrf_token": "stale"}).status_code == 400
    page = student.post("/s", data={"code": code, "csrf_token": "stale"}).get_data(as_text=True)
    assert "Typ je code nog een keer." in page
    started = student.post(f"/s/{code}", data={"csrf_token": "stale"})
    assert started.status_code == 302
    assert started.headers["Location"].endswith(f"/s/{code}")
