"""Running a scan through the web: opening, the questionnaire, resuming, closing, observation
lists and the staff scan."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import event, func, select

from tests.conftest import login, make_test_app
from wijscan.models import (
    AccessCode,
    Answer,
    RespondentLink,
    Response,
    ResponseStatus,
    Scan,
    ScanStatus,
    Signal,
    StoredResult,
)

CALM = "Met deze code kun je nu geen scan starten."


def _open(client, world, mode="personal"):
    login(client, world["mentor"])
    response = client.post(f"/klassen/{world['klas'].id}/scan", data={"mode": mode})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _page_answers(world, number, value="4"):
    content = world["content"]
    pages = [
        (instrument_id, theme)
        for instrument_id in ("klas", "individu")
        for theme in content.instruments[instrument_id].themes
    ]
    _, theme = pages[number - 1]
    return {item.id: value for item in theme.items}, len(pages)


def _answer_all(client, code, world, value="4"):
    assert client.post(f"/s/{code}").status_code == 302
    _, total = _page_answers(world, 1)
    for number in range(1, total + 1):
        answers, _ = _page_answers(world, number, value)
        response = client.post(f"/s/{code}/{number}", data={**answers, "nav": "next"})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert response.headers["Location"].endswith(f"/s/{code}/klaar")
    return total


def test_mentor_opens_a_personal_scan_with_a_code_per_student(app, client, klas_world, db):
    scan_id = _open(client, klas_world)
    scan = db.session.get(Scan, scan_id)
    codes = db.session.scalars(select(AccessCode).where(AccessCode.scan_id == scan_id)).all()
    assert len(codes) == 6
    assert all(len(c.code) == 9 and not set(c.code) & set("0O1IL2Z5S8B") for c in codes)
    links = db.session.scalars(select(RespondentLink)).all()
    assert {link.student_id for link in links} == {s.id for s in klas_world["students"]}
    assert {c.respondent_id for c in codes} == {link.respondent_id for link in links}
    screen = client.get(f"/scans/{scan_id}").get_data(as_text=True)
    assert "Briefjes met codes afdrukken" in screen
    assert "QR-code naar het adres van de scan" in screen
    assert b"<svg" in client.get(f"/scans/{scan_id}/qr.svg").data
    slips = client.get(f"/scans/{scan_id}/briefjes").get_data(as_text=True)
    for student in klas_world["students"]:
        assert student.full_name in slips
    shown = codes[0].code
    assert f"{shown[:3]}-{shown[3:6]}-{shown[6:]}" in slips
    assert scan.instruments == "klas individu"


def test_a_student_answers_resumes_elsewhere_and_cannot_start_again(app, client, klas_world, db):
    scan_id = _open(client, klas_world)
    code = db.session.scalars(select(AccessCode.code).where(AccessCode.scan_id == scan_id)).first()
    pretty = f"{code[:3].lower()}-{code[3:6]} {code[6:]}"
    phone = app.test_client()
    entered = phone.post("/s", data={"code": pretty})
    assert entered.headers["Location"].endswith(f"/s/{code}")
    assert "Beginnen" in phone.get(f"/s/{code}").get_data(as_text=True)
    phone.post(f"/s/{code}")
    first, total = _page_answers(klas_world, 1)
    phone.post(f"/s/{code}/1", data={**first, "nav": "next"})
    phone.post(f"/s/{code}/1", data={**first, "nav": "next"})  # a double submit
    second, _ = _page_answers(klas_world, 2, "2")
    phone.post(f"/s/{code}/2", data={**second, "nav": "next"})
    answers = db.session.scalar(select(func.count()).select_from(Answer))
    assert answers == len(first) + len(second)

    chromebook = app.test_client()  # another device, same personal code
    intro = chromebook.get(f"/s/{code}").get_data(as_text=True)
    assert "Verder waar ik was" in intro
    resumed = chromebook.post(f"/s/{code}")
    assert resumed.headers["Location"].endswith(f"/s/{code}/3")
    page_two = chromebook.get(f"/s/{code}/2").get_data(as_text=True)
    assert page_two.count("checked") == len(second)
    for number in range(3, total + 1):
        answers_, _ = _page_answers(klas_world, number)
        chromebook.post(f"/s/{code}/{number}", data={**answers_, "nav": "next"})
    responses = db.session.scalars(select(Response)).all()
    assert [r.status for r in responses] == [ResponseStatus.FINAL] * 2
    again = app.test_client().get(f"/s/{code}")
    assert again.status_code == 404
    assert "Je hebt de vragenlijst al ingevuld." in again.get_data(as_text=True)
    progress = client.get(f"/scans/{scan_id}/voortgang").get_json()
    assert (progress["started"], progress["finished"], progress["expected"]) == (1, 1, 6)
    assert len(progress["not_finished"]) == 5


def test_back_keeps_answers_and_a_bad_answer_is_refused(app, client, klas_world, db):
    scan_id = _open(client, klas_world)
    code = db.session.scalars(select(AccessCode.code).where(AccessCode.scan_id == scan_id)).first()
    student = app.test_client()
    student.post(f"/s/{code}")
    first, _ = _page_answers(klas_world, 1)
    student.post(f"/s/{code}/1", data={**first, "nav": "next"})
    back = student.post(f"/s/{code}/2", data={"nav": "back"})
    assert back.headers["Location"].endswith(f"/s/{code}/1")
    bad = dict(first)
    bad[next(iter(bad))] = "9"
    refused = student.post(f"/s/{code}/1", data={**bad, "nav": "next"})
    assert refused.status_code == 400
    assert "Er ging iets mis met een antwoord." in refused.get_data(as_text=True)
    values = set(db.session.scalars(select(Answer.value)))
    assert values == {4}


def test_anonymous_scan_stores_no_link_to_any_student(app, client, klas_world, db):
    scan_id = _open(client, klas_world, mode="anonymous")
    codes = db.session.scalars(select(AccessCode).where(AccessCode.scan_id == scan_id)).all()
    assert len(codes) == 1
    assert codes[0].respondent_id is None
    screen = client.get(f"/scans/{scan_id}").get_data(as_text=True)
    shown = codes[0].code
    assert f"{shown[:3]}-{shown[3:6]}-{shown[6:]}" in screen
    for _ in range(2):
        _answer_all(app.test_client(), codes[0].code, klas_world)
    assert db.session.scalar(select(func.count()).select_from(RespondentLink)) == 0
    respondents = set(db.session.scalars(select(Response.respondent_id)))
    assert len(respondents) == 2
    progress = client.get(f"/scans/{scan_id}/voortgang").get_json()
    assert progress == {
        "status": "open",
        "code_full": False,
        "expected": None,
        "started": 2,
        "finished": 2,
        "not_finished": [],
    }
    svg = client.get(f"/scans/{scan_id}/qr.svg")
    assert svg.mimetype == "image/svg+xml"
    assert b"<svg" in svg.data


def test_same_browser_cannot_answer_an_anonymous_scan_twice(app, client, klas_world, db):
    scan_id = _open(client, klas_world, mode="anonymous")
    code = db.session.scalar(select(AccessCode.code).where(AccessCode.scan_id == scan_id))
    browser = app.test_client()
    _answer_all(browser, code, klas_world)
    back = browser.get(f"/s/{code}")
    assert back.headers["Location"].endswith(f"/s/{code}/klaar")
    thanks = browser.get(f"/s/{code}/klaar").get_data(as_text=True)
    assert "Een andere leerling op dit apparaat?" in thanks
    assert app.test_client().get(f"/s/{code}").status_code == 200
    # The next student on this device starts a response of their own.
    browser.post(f"/s/{code}/opnieuw")
    _answer_all(browser, code, klas_world)
    assert len(set(db.session.scalars(select(Response.respondent_id)))) == 2


def test_a_double_tap_on_the_last_page_lands_on_the_thank_you(
    database_url, tmp_path_factory, klas_world, db
):
    app = make_test_app(
        database_url, tmp_path_factory, RATE_LIMITS=True, CODE_RATE_LIMIT="2 per minute"
    )
    mentor = app.test_client()
    scan_id = _open(mentor, klas_world)
    codes = db.session.scalars(select(AccessCode.code).where(AccessCode.scan_id == scan_id)).all()
    student = app.test_client()
    total = _answer_all(student, codes[0], klas_world)
    last, _ = _page_answers(klas_world, total)
    for _ in range(3):  # the taps that arrive after the finish
        late = student.post(f"/s/{codes[0]}/{total}", data={**last, "nav": "next"})
        assert late.headers["Location"].endswith(f"/s/{codes[0]}/klaar")
    # Nobody else at this address was locked out by them.
    classmate = app.test_client()
    assert classmate.get(f"/s/{codes[1]}").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Answer)) == sum(
        len(_page_answers(klas_world, n)[0]) for n in range(1, total + 1)
    )


def test_a_wrong_code_gets_the_calm_message_closed_and_expired_ones_say_closed(
    app, client, klas_world, db
):
    scan_id = _open(client, klas_world)
    codes = db.session.scalars(select(AccessCode.code).where(AccessCode.scan_id == scan_id)).all()
    wrong = app.test_client().get("/s/ACDEFGHJK")
    client.post(f"/scans/{scan_id}/sluiten")
    closed = app.test_client().get(f"/s/{codes[0]}")
    scan = db.session.get(Scan, scan_id)
    assert scan.status == ScanStatus.CLOSED
    klas_world["round"].closes_on = date.today() - timedelta(days=1)
    db.session.commit()
    expired = app.test_client().get(f"/s/{codes[1]}")
    assert wrong.status_code == 404
    assert CALM in wrong.get_data(as_text=True)
    bodies = []
    for response in (closed, expired):  # real codes: words that help (tests/web/test_survey_words)
        assert response.status_code == 404
        body = response.get_data(as_text=True)
        # The language switch links back to the page itself; the rest must be identical.
        bodies.append(re.sub(r'name="csrf_token"[^>]*>|next=[^"]*"', "", body))
        assert "Deze vragenlijst is gesloten — vraag je docent." in body
        assert CALM not in body
    assert bodies[0] == bodies[1]


def test_wrong_codes_are_rate_limited_per_address(database_url, tmp_path_factory, klas_world):
    app = make_test_app(
        database_url, tmp_path_factory, RATE_LIMITS=True, CODE_RATE_LIMIT="3 per minute"
    )
    client = app.test_client()
    codes = [client.post("/s", data={"code": "WRONGCODE"}).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    assert "Te veel pogingen" in client.get("/s/ACDEFGHJK").get_data(as_text=True)


def test_closing_scores_the_scan_and_raises_signals(app, client, klas_world, db):
    scan_id = _open(client, klas_world)
    codes = db.session.scalars(select(AccessCode.code).where(AccessCode.scan_id == scan_id)).all()
    for code in codes[:5]:
        _answer_all(app.test_client(), code, klas_world, value="4")
    _answer_all(app.test_client(), codes[5], klas_world, value="1")
    client.post(f"/scans/{scan_id}/sluiten")
    group = db.session.scalars(
        select(StoredResult).where(StoredResult.respondent_id.is_(None))
    ).all()
    assert {g.instrument_id for g in group} >= {"klas", "individu"}
    klas_result = next(g for g in group if g.instrument_id == "klas")
    assert klas_result.payload["overall"]["n"] == 6
    assert klas_result.scoring_version
    assert klas_result.instrument_version == klas_world["content"].instruments["klas"].version
    personal = db.session.scalars(
        select(StoredResult).where(StoredResult.respondent_id.is_not(None))
    ).all()
    assert len(personal) == 12
    # "4" everywhere agrees with the worrying statements (reverse-keyed critical items): each
    # of the five has a critical answer; "1" everywhere disagrees with them but is the lowest
    # answer on every other item: an overall level of 1-2. One signal per student, six in all.
    # (The rule at its edges: tests/services/test_signal_rule.py.)
    signals = db.session.scalars(select(Signal)).all()
    assert len(signals) == 6
    assert len({s.respondent_id for s in signals}) == 6
    assert all(s.klas_id == klas_world["klas"].id for s in signals)
    assert app.test_client().get(f"/s/{codes[0]}").status_code == 404


def test_mentor_fills_the_observation_list_for_a_student(app, client, klas_world, db):
    scan_id = _open(client, klas_world)
    student = klas_world["students"][0]
    page = client.get(f"/scans/{scan_id}/observatie/{student.id}")
    assert page.status_code == 200
    instrument = klas_world["content"].instruments["observatie"]
    data = {item.id: "3" for item in instrument.items}
    saved = client.post(f"/scans/{scan_id}/observatie/{student.id}", data=data)
    assert saved.status_code == 302
    response = db.session.scalar(select(Response).where(Response.instrument_id == "observatie"))
    assert response.observer_id == klas_world["mentor"].id
    link = db.session.scalar(select(RespondentLink).where(RespondentLink.student_id == student.id))
    assert response.respondent_id == link.respondent_id
    progress = client.get(f"/scans/{scan_id}/voortgang").get_json()
    assert progress["started"] == 0  # a mentor's list is not a student's start


def test_coordinator_runs_the_staff_scan(app, client, klas_world, db):
    login(client, klas_world["coordinator"])
    round_id = klas_world["round"].id
    opened = client.post(f"/meetmomenten/{round_id}/personeelsscan")
    scan_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    code = db.session.scalar(select(AccessCode.code).where(AccessCode.scan_id == scan_id))
    staff_member = app.test_client()
    staff_member.post(f"/s/{code}")
    instrument = klas_world["content"].instruments["school"]
    for number, theme in enumerate(instrument.themes, start=1):
        data = {item.id: "4" for item in theme.items}
        staff_member.post(f"/s/{code}/{number}", data={**data, "nav": "next"})
    assert db.session.scalar(select(Response.status)) == ResponseStatus.FINAL
    client.post(f"/scans/{scan_id}/uitnodigen")
    outbox = app.extensions["wijscan_outbox"]
    assert {to for to, _, _ in outbox} == {
        klas_world["coordinator"].email,
        klas_world["mentor"].email,
    }
    participation = client.get(f"/meetmomenten/{round_id}/deelname").get_data(as_text=True)
    assert "Naar de personeelsscan" in participation
    assert "2B" in participation


def test_close_due_closes_scans_of_ended_rounds(app, client, klas_world, db, runner):
    from wijscan.cli import main

    scan_id = _open(client, klas_world)
    first = runner.invoke(main, ["close-due"])
    assert first.output.strip() == "0 scan(s) closed."
    klas_world["round"].closes_on = date.today() - timedelta(days=1)
    klas_world["round"].opens_on = date.today() - timedelta(days=9)
    db.session.commit()
    second = runner.invoke(main, ["close-due"])
    assert second.output.strip() == "1 scan(s) closed."
    db.session.commit()
    assert db.session.get(Scan, scan_id).status == ScanStatus.CLOSED


def test_looking_at_a_scan_after_its_round_ended_closes_it_once(app, client, klas_world, db):
    scan_id = _open(client, klas_world)
    codes = db.session.scalars(select(AccessCode.code).where(AccessCode.scan_id == scan_id)).all()
    for code in codes[:5]:
        _answer_all(app.test_client(), code, klas_world)
    klas_world["round"].closes_on = date.today() - timedelta(days=1)
    klas_world["round"].opens_on = date.today() - timedelta(days=9)
    db.session.commit()
    # The mentor's look closes and scores it (a write in a GET, in a transaction of its own).
    assert client.get(f"/scans/{scan_id}").status_code == 200
    assert client.get(f"/scans/{scan_id}/voortgang").status_code == 200
    db.session.commit()
    assert db.session.get(Scan, scan_id).status == ScanStatus.CLOSED
    stored = db.session.scalars(
        select(StoredResult.instrument_id).where(StoredResult.respondent_id.is_(None))
    ).all()
    assert sorted(stored) == ["individu", "klas"]


def test_a_scan_closed_meanwhile_is_not_scored_again(app, client, klas_world, db):
    """Two closers at once: the one whose claim finds the scan already closed stores nothing."""
    from sqlalchemy import update

    from wijscan.services import scans as scan_service

    scan_id = _open(client, klas_world)
    codes = db.session.scalars(select(AccessCode.code).where(AccessCode.scan_id == scan_id)).all()
    for code in codes[:5]:
        _answer_all(app.test_client(), code, klas_world)
    db.session.commit()
    stale = db.session.get(Scan, scan_id)
    assert stale.status == ScanStatus.OPEN
    # Another request closes it after this one loaded it (the in-memory object stays open).
    db.session.execute(
        update(Scan)
        .where(Scan.id == scan_id)
        .values(status=ScanStatus.CLOSED)
        .execution_options(synchronize_session=False)
    )
    assert stale.status == ScanStatus.OPEN
    scan_service.close_scan(stale, klas_world["content"], None)
    db.session.commit()
    assert stale.status == ScanStatus.CLOSED
    assert db.session.scalar(select(func.count(StoredResult.id))) == 0
    assert db.session.scalar(select(func.count(Signal.id))) == 0


def test_the_last_page_makes_every_response_final_even_one_never_started(
    app, client, klas_world, db
):
    """A student who jumps straight to the last page still ends with both responses final
    (the klas one is created empty), and the personal code is used up."""
    scan_id = _open(client, klas_world)
    code = db.session.scalars(select(AccessCode.code).where(AccessCode.scan_id == scan_id)).first()
    student = app.test_client()
    assert student.post(f"/s/{code}").status_code == 302
    _, total = _page_answers(klas_world, 1)
    answers, _ = _page_answers(klas_world, total, "2")
    last = student.post(f"/s/{code}/{total}", data={**answers, "nav": "next"})
    assert last.status_code == 302
    assert last.headers["Location"].endswith(f"/s/{code}/klaar")
    db.session.commit()
    responses = db.session.scalars(select(Response).where(Response.scan_id == scan_id)).all()
    assert {r.instrument_id: r.status for r in responses} == {
        "klas": ResponseStatus.FINAL,
        "individu": ResponseStatus.FINAL,
    }
    klas_response = next(r for r in responses if r.instrument_id == "klas")
    assert (
        db.session.scalar(
            select(func.count(Answer.id)).where(Answer.response_id == klas_response.id)
        )
        == 0
    )
    used = db.session.scalar(select(AccessCode.used_at).where(AccessCode.code == code))
    assert used is not None
    assert app.test_client().get(f"/s/{code}").status_code == 404


def test_a_page_save_is_one_statement_on_postgresql(app, client, klas_world, db):
    """On PostgreSQL every page of a code the app has seen is saved in one statement, the first
    of an instrument and the last included (``survey.save_page_at_once``); SQLite takes the
    long way (look the code up, then write). Both end with the same rows."""
    scan_id = _open(client, klas_world)
    code = db.session.scalars(select(AccessCode.code).where(AccessCode.scan_id == scan_id)).first()
    student = app.test_client()
    assert student.get(f"/s/{code}").status_code == 200
    assert student.post(f"/s/{code}").status_code == 302
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    _, total = _page_answers(klas_world, 1)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for number in range(1, total + 1):
            answers, _ = _page_answers(klas_world, number, "5")
            saved = student.post(f"/s/{code}/{number}", data={**answers, "nav": "next"})
            assert saved.status_code == 302
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert saved.headers["Location"].endswith(f"/s/{code}/klaar")
    if db.engine.dialect.name == "postgresql":
        assert len(statements) == total, statements
    else:
        assert len(statements) > 3 * total, statements
    db.session.commit()
    responses = db.session.scalars(select(Response).where(Response.scan_id == scan_id)).all()
    assert sorted((r.instrument_id, r.status, r.next_page) for r in responses) == [
        ("individu", ResponseStatus.FINAL, 6),
        ("klas", ResponseStatus.FINAL, 6),
    ]
    values = db.session.scalars(select(Answer.value)).all()
    assert len(values) == sum(len(_page_answers(klas_world, n)[0]) for n in range(1, total + 1))
    assert set(values) == {5}
    assert db.session.scalar(select(AccessCode.used_at).where(AccessCode.code == code))
