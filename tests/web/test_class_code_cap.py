"""A shared class code lets at most the class (and a small margin) start: anyone who sees the
board cannot fill the class result. The mentor is told when the code is full, can give one more
place, and can end the code; whoever started can always finish."""

from __future__ import annotations

from sqlalchemy import select

from tests.web.test_scans import _answer_all, _open, _page_answers
from wijscan.models import AccessCode, Response
from wijscan.services import scans as scan_service
from wijscan.services import survey as survey_service

FULL = "Met deze code kan niemand meer beginnen"


def _start(app, code):
    browser = app.test_client()
    return browser, browser.post(f"/s/{code}")


def test_the_cap_is_the_class_and_a_small_margin():
    assert scan_service.class_code_cap(6) == 8
    assert scan_service.class_code_cap(30) == 33
    assert scan_service.class_code_cap(1) == 3


def test_a_class_code_stops_new_starts_at_its_cap(app, client, klas_world, db):
    scan_id = _open(client, klas_world, mode="anonymous")  # six students: cap 8
    code = db.session.scalar(select(AccessCode).where(AccessCode.scan_id == scan_id))
    assert code.max_claims == 8
    started = []
    for n in range(8):
        if n == 7:
            screen = client.get(f"/scans/{scan_id}").get_data(as_text=True)
            assert "7 van 8 plaatsen gebruikt" in screen
            assert "data-code-full hidden" in screen
        browser, response = _start(app, code.code)
        assert response.status_code == 302
        started.append(browser)

    late, refused = _start(app, code.code)
    assert refused.status_code == 409
    assert FULL in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AccessCode, code.id).claims == 8

    # The mentor sees it, live and on the page.
    assert client.get(f"/scans/{scan_id}/voortgang").get_json()["code_full"] is True
    screen = client.get(f"/scans/{scan_id}").get_data(as_text=True)
    assert "8 van 8 plaatsen gebruikt" in screen
    assert "data-code-full hidden" not in screen

    # Whoever started finishes, full or not; starting again in the same browser takes no place.
    _answer_all(started[0], code.code, klas_world)
    assert started[1].post(f"/s/{code.code}").status_code == 302

    # One more place: the late student starts.
    assert client.post(f"/scans/{scan_id}/code", data={"action": "place"}).status_code == 302
    assert late.post(f"/s/{code.code}").status_code == 302
    assert _start(app, code.code)[1].status_code == 409


def test_the_mentor_ends_a_class_code_and_those_who_started_finish(app, client, klas_world, db):
    scan_id = _open(client, klas_world, mode="anonymous")
    code = db.session.scalar(select(AccessCode).where(AccessCode.scan_id == scan_id))
    first, _ = _start(app, code.code)
    assert client.post(f"/scans/{scan_id}/code", data={"action": "end"}).status_code == 302
    assert _start(app, code.code)[1].status_code == 409
    answers, _ = _page_answers(klas_world, 1)
    assert first.post(f"/s/{code.code}/1", data={"nav": "next", **answers}).status_code == 302
    _answer_all(first, code.code, klas_world)
    assert len(db.session.scalars(select(Response.respondent_id).distinct()).all()) == 1


def test_two_starts_cannot_both_take_the_last_place(app, klas_world, client, db):
    scan_id = _open(client, klas_world, mode="anonymous")
    code = db.session.scalar(select(AccessCode).where(AccessCode.scan_id == scan_id))
    code.max_claims = 1
    db.session.commit()
    with db.engine.begin() as conn:
        entry = survey_service.find_code(conn, code.code, klas_world["round"].opens_on)
    # Two connections, one after the other inside their own transactions: one place, one claim.
    with db.engine.begin() as conn:
        first = survey_service.claim_place(conn, entry)
    with db.engine.begin() as conn:
        second = survey_service.claim_place(conn, entry)
    assert (first, second) == (True, False)


def test_personal_codes_and_a_class_code_on_a_personal_scan_have_no_cap(
    app, client, klas_world, db
):
    scan_id = _open(client, klas_world, mode="personal")
    assert client.post(f"/scans/{scan_id}/code", data={"action": "end"}).status_code == 404
    codes = db.session.scalars(select(AccessCode).where(AccessCode.scan_id == scan_id)).all()
    assert {c.max_claims for c in codes} == {None}
