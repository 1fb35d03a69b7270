"""survey.js keeps a page's answers in the browser until the server confirmed the save: a page
whose check fails (the session cookie was lost) comes back with its answers and one sentence,
and the next tap saves it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from tests.conftest import make_test_app
from wijscan.models import Answer

pytestmark = pytest.mark.e2e

CALM = "Je antwoorden zijn nog niet opgeslagen, maar ze staan er nog."


@pytest.fixture
def csrf_server(database_url, tmp_path_factory):
    app = make_test_app(database_url, tmp_path_factory, WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def code(student_scan) -> str:
    return student_scan("2B", leerjaar=2, stream="havo").code


def _kept(page) -> str | None:
    return page.evaluate(
        "() => { const k = Object.keys(localStorage).find(k => k.startsWith('wijscan:'));"
        " return k ? localStorage.getItem(k) : null; }"
    )


def test_a_refused_save_keeps_the_answers_and_the_next_tap_saves(csrf_server, browser, code, db):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{csrf_server}/s/{code}")
    page.get_by_role("button", name="Beginnen").click()
    page.get_by_text("Pagina 1 van 12").wait_for()
    groups = page.locator("fieldset.item").all()
    for group in groups:
        group.get_by_label("Mee oneens", exact=True).check()

    context.clear_cookies()  # the session is lost: the page's check token no longer matches
    page.get_by_role("button", name="Volgende").click()
    page.get_by_text(CALM).wait_for()
    assert page.get_by_text("Pagina 1 van 12").is_visible()
    assert "Bad Request" not in page.content()
    for group in page.locator("fieldset.item").all():
        assert group.get_by_label("Mee oneens", exact=True).is_checked()
    assert _kept(page) is not None  # still kept in the browser: not confirmed yet
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0

    page.get_by_role("button", name="Volgende").click()
    page.get_by_text("Pagina 2 van 12").wait_for()
    assert _kept(page) is None  # confirmed by the server: only now it left the browser
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Answer)) == len(groups)
    context.close()
