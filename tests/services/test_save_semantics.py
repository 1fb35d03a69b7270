"""What a save of a questionnaire page means, through the questionnaire as a student uses it:

- a student who goes back and changes an answer stores the new value;
- a final response cannot be changed, not even from a replayed older session cookie of an
  anonymous (shared) code, nor from a personal code that was used;
- an answer of 0 is refused like any other value off the scale, and overwrites nothing.

On SQLite every save takes the long way (look the code up, then write); on PostgreSQL a page is
saved in one statement (``survey.save_page_at_once``) with the long way behind it. The
PostgreSQL pass of the suite (``make test`` with WIJSCAN_TEST_POSTGRES_URL) runs this file on
PostgreSQL; the ``postgres`` mark says it must.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from wijscan.models import AccessCode, Answer, Response, ResponseStatus, Role, ScanMode, ScanRound
from wijscan.services import scans as scan_service

pytestmark = pytest.mark.postgres

#: Values off the scale 1..5, as a form field can carry them.
OFF_SCALE = ["0", "00", "6", "-1", "1.5", "+3", "٣", "3a", "99999"]


@pytest.fixture
def world(app, make, db):
    school = make.school()
    mentor = make.staff(school, Role.DOCENT)
    klas = make.klas(school, "1A", leerjaar=1, stream="vmbo-b", mentors=[mentor])
    for name in ("Aya", "Bram", "Cem"):
        make.student(school, klas, roepnaam=name)
    scan_round = ScanRound(
        school_id=school.id,
        school_year_id=school.years[0].id,
        name="Meetmoment",
        opens_on=date.today() - timedelta(days=1),
        closes_on=date.today() + timedelta(days=7),
    )
    db.session.add(scan_round)
    db.session.commit()
    content = app.extensions["wijscan_content"]
    pages = [
        theme
        for instrument_id in ("klas", "individu")
        for theme in content.instruments[instrument_id].themes
    ]
    return {"klas": klas, "mentor": mentor, "round": scan_round, "content": content, "pages": pages}


def _open(world, db, mode: ScanMode) -> list[str]:
    scan = scan_service.open_student_scan(
        world["klas"], world["round"], mode, world["mentor"], world["content"]
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(AccessCode.code).where(AccessCode.scan_id == scan.id).order_by(AccessCode.id)
        )
    )


def _form(world, number: int, value: str = "3", **changed: str) -> dict[str, str]:
    items = [item.id for item in world["pages"][number - 1].items]
    return {**dict.fromkeys(items, value), **changed, "nav": "next"}


def _items(world, number: int) -> list[str]:
    return [item.id for item in world["pages"][number - 1].items]


def _stored(db) -> dict[str, int]:
    """Every stored answer, item -> value (one respondent per test)."""
    db.session.commit()  # a fresh snapshot
    return dict(db.session.execute(select(Answer.item_id, Answer.value)).all())


def _responses(db) -> list[tuple]:
    db.session.commit()
    return sorted(
        (r.instrument_id, r.status, r.next_page, r.finished_at)
        for r in db.session.scalars(select(Response))
    )


def _save(student, code, number, form, **kwargs):
    return student.post(f"/s/{code}/{number}", data=form, **kwargs)


def _start(student, code):
    assert student.get(f"/s/{code}").status_code == 200
    started = student.post(f"/s/{code}")
    assert started.status_code == 302
    assert started.headers["Location"].endswith(f"/s/{code}/1")


def _finish(student, code, world, value="3"):
    total = len(world["pages"])
    for number in range(1, total + 1):
        saved = _save(student, code, number, _form(world, number, value))
        assert saved.status_code == 302, saved.get_data(as_text=True)[:300]
    assert saved.headers["Location"].endswith(f"/s/{code}/klaar")


# --- going back and changing an answer -------------------------------------------------------


@pytest.mark.parametrize("mode", [ScanMode.PERSONAL, ScanMode.ANONYMOUS])
def test_going_back_and_changing_an_answer_stores_the_new_value(app, world, db, mode):
    code = _open(world, db, mode)[0]
    student = app.test_client()
    _start(student, code)
    first, second = _items(world, 1), _items(world, 2)
    assert _save(student, code, 1, _form(world, 1, "2")).status_code == 302
    back = _save(student, code, 2, {**_form(world, 2, "4"), "nav": "back"})
    assert back.headers["Location"].endswith(f"/s/{code}/1")
    # The page shown again has the stored answers; the student changes one of them.
    shown = student.get(f"/s/{code}/1").get_data(as_text=True)
    assert shown.count("checked") == len(first)
    changed = _save(student, code, 1, _form(world, 1, "2", **{first[0]: "5"}))
    assert changed.headers["Location"].endswith(f"/s/{code}/2")
    stored = _stored(db)
    assert stored[first[0]] == 5
    assert all(stored[item] == 2 for item in first[1:])
    assert all(stored[item] == 4 for item in second)  # going back saved page 2 as well
    assert len(stored) == len(first) + len(second)  # updated in place, not added

    # And again across the short page between the parts, then to the end: the final response
    # holds the last choice of every page.
    for number in range(2, 8):
        assert _save(student, code, number, _form(world, number, "3")).status_code == 302
    back = _save(student, code, 8, {**_form(world, 8, "3"), "nav": "back"})
    assert back.headers["Location"].endswith(f"/s/{code}/7")
    back = _save(student, code, 7, {**_form(world, 7, "3"), "nav": "back"})
    assert back.headers["Location"].endswith(f"/s/{code}/6")
    sixth = _items(world, 6)
    assert _save(student, code, 6, _form(world, 6, "3", **{sixth[-1]: "1"})).status_code == 302
    for number in range(7, len(world["pages"]) + 1):
        assert _save(student, code, number, _form(world, number, "3")).status_code == 302
    stored = _stored(db)
    assert stored[first[0]] == 5
    assert stored[sixth[-1]] == 1
    assert all(stored[item] == 3 for item in sixth[:-1])
    assert {status for _, status, _, _ in _responses(db)} == {ResponseStatus.FINAL}


# --- a final response stays as it is ------------------------------------------------------------


def test_a_replayed_older_session_cookie_of_a_shared_code_changes_nothing(app, world, db):
    code = _open(world, db, ScanMode.ANONYMOUS)[0]
    student = app.test_client()
    _start(student, code)
    assert _save(student, code, 1, _form(world, 1, "2")).status_code == 302
    # The session cookie as it was halfway: it holds the respondent, not yet "finished".
    older = student.get_cookie("session").value
    for number in range(2, len(world["pages"]) + 1):
        assert _save(student, code, number, _form(world, number, "2")).status_code == 302
    stored, responses = _stored(db), _responses(db)
    assert {status for _, status, _, _ in responses} == {ResponseStatus.FINAL}

    replay = app.test_client()
    replay.set_cookie("session", older)
    last = len(world["pages"])
    for number, nav in ((1, "next"), (2, "back"), (7, "next"), (last, "next"), (last, "back")):
        sent = _save(replay, code, number, {**_form(world, number, "5"), "nav": nav})
        assert sent.status_code == 302
        assert sent.headers["Location"].endswith(f"/s/{code}/klaar")
    # survey.js's save (in a browser with the old cookie): told where to go, nothing saved.
    script = app.test_client()
    script.set_cookie("session", older)
    sent = _save(script, code, 1, _form(world, 1, "5"), headers={"X-Wijscan-Save": "1"})
    assert sent.get_json() == {"saved": True, "next": f"/s/{code}/klaar"}
    # Looking at a page with the old cookie shows no answers: it goes to the thank-you.
    replay_again = app.test_client()
    replay_again.set_cookie("session", older)
    looked = replay_again.get(f"/s/{code}/1")
    assert looked.status_code == 302
    assert looked.headers["Location"].endswith(f"/s/{code}/klaar")
    intro = app.test_client()
    intro.set_cookie("session", older)
    assert intro.get(f"/s/{code}").headers["Location"].endswith(f"/s/{code}/klaar")

    assert _stored(db) == stored
    assert _responses(db) == responses  # status, resume point and finishing time as they were


def test_a_used_personal_code_changes_nothing(app, world, db):
    code = _open(world, db, ScanMode.PERSONAL)[0]
    student = app.test_client()
    _start(student, code)
    assert _save(student, code, 1, _form(world, 1, "2")).status_code == 302
    older = student.get_cookie("session").value
    for number in range(2, len(world["pages"]) + 1):
        assert _save(student, code, number, _form(world, number, "2")).status_code == 302
    stored, responses = _stored(db), _responses(db)
    for cookie in (older, None):
        other = app.test_client()
        if cookie:
            other.set_cookie("session", cookie)
        for number in (1, len(world["pages"])):
            sent = _save(other, code, number, _form(world, number, "5"))
            assert sent.status_code == 404
            assert "Je hebt de vragenlijst al ingevuld." in sent.get_data(as_text=True)
    assert _stored(db) == stored
    assert _responses(db) == responses


# --- an answer of 0 --------------------------------------------------------------------------


@pytest.mark.parametrize("value", OFF_SCALE)
def test_an_answer_off_the_scale_is_refused_and_overwrites_nothing(app, world, db, value):
    code = _open(world, db, ScanMode.PERSONAL)[0]
    student = app.test_client()
    _start(student, code)
    items = _items(world, 1)
    refused = _save(student, code, 1, _form(world, 1, "3", **{items[1]: value}))
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "Kies bij deze vraag een van de antwoorden." in body
    assert body.count("has-error") == 1
    assert _stored(db) == {}  # nothing of the page was written, not even its good answers
    assert _responses(db) in ([], [("klas", ResponseStatus.IN_PROGRESS, 0, None)])

    assert _save(student, code, 1, _form(world, 1, "4")).status_code == 302
    again = _save(student, code, 1, _form(world, 1, "2", **{items[0]: value}))
    assert again.status_code == 400
    assert _stored(db) == dict.fromkeys(items, 4)  # the stored page stays as it was


def test_an_answer_of_0_on_the_last_page_does_not_finish(app, world, db):
    code = _open(world, db, ScanMode.ANONYMOUS)[0]
    student = app.test_client()
    _start(student, code)
    last = len(world["pages"])
    for number in range(1, last):
        assert _save(student, code, number, _form(world, number, "3")).status_code == 302
    item = _items(world, last)[0]
    refused = _save(student, code, last, _form(world, last, "3", **{item: "0"}))
    assert refused.status_code == 400
    assert {status for _, status, _, _ in _responses(db)} == {ResponseStatus.IN_PROGRESS}
    assert item not in _stored(db)
    finished = _save(student, code, last, _form(world, last, "3"))
    assert finished.headers["Location"].endswith(f"/s/{code}/klaar")
    assert {status for _, status, _, _ in _responses(db)} == {ResponseStatus.FINAL}
