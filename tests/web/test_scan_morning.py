"""The mentor's scan morning: one scan per class per round (in the database and on the page),
closing only after a confirmation that says what it means, the scan history on the start page
and the class page, the board view, and the observation list."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.conftest import login
from tests.web.test_scans import _answer_all, _open, _page_answers
from wijscan.models import (
    AccessCode,
    Response,
    Scan,
    ScanKind,
    ScanMode,
    ScanStatus,
)
from wijscan.services import scans as scan_service

CLOSE_TEXT = "{f} van {e} klaar — na sluiten werken de codes niet meer."
TOO_FEW = "het klasresultaat wordt niet getoond"


def _codes(db, scan_id: int) -> list[str]:
    db.session.commit()  # a fresh snapshot: the app wrote meanwhile
    return list(
        db.session.scalars(
            select(AccessCode.code).where(AccessCode.scan_id == scan_id).order_by(AccessCode.id)
        )
    )


def _scan_count(db) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Scan))


def _closed_after(app, client, world, db, finishing: int = 1) -> int:
    """A personal scan of the six students in which ``finishing`` finished, closed."""
    scan_id = _open(client, world)
    for code in _codes(db, scan_id)[:finishing]:
        _answer_all(app.test_client(), code, world)
    assert client.post(f"/scans/{scan_id}/sluiten").status_code == 302
    return scan_id


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


# --- one scan per class per round ---------------------------------------------------------------


def test_the_database_refuses_a_second_scan_of_a_class_in_a_round(app, klas_world, db):
    w = klas_world
    scan_service.open_student_scan(
        w["klas"], w["round"], ScanMode.PERSONAL, w["mentor"], w["content"]
    )
    db.session.commit()
    fields = {
        "school_id": w["school"].id,
        "round_id": w["round"].id,
        "kind": ScanKind.LEERLING,
        "mode": ScanMode.ANONYMOUS,
        "instruments": "klas individu",
    }
    db.session.add(Scan(klas_id=w["klas"].id, **fields))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # The staff scan has no class: NULLs are distinct, the rule does not limit it.
    staff = {**fields, "kind": ScanKind.MEDEWERKER, "instruments": "school"}
    db.session.add_all([Scan(klas_id=None, **staff), Scan(klas_id=None, **staff)])
    db.session.commit()
    assert _scan_count(db) == 3


def test_the_service_refuses_a_second_scan_also_after_closing(app, klas_world, db):
    w = klas_world
    args = (w["klas"], w["round"], ScanMode.PERSONAL, w["mentor"], w["content"])
    first = scan_service.open_student_scan(*args)
    scan_service.close_scan(first, w["content"], w["mentor"])
    db.session.commit()
    with pytest.raises(scan_service.ScanExists) as refused:
        scan_service.open_student_scan(*args)
    assert refused.value.scan.id == first.id
    assert refused.value.field == "mode"


def test_after_closing_the_class_pages_show_the_closed_scan_not_a_second_one(
    app, client, klas_world, db
):
    scan_id = _closed_after(app, client, klas_world, db, finishing=1)
    klas_id = klas_world["klas"].id

    page = client.get(f"/klassen/{klas_id}/scan")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "De scan is gesloten: 1 van 6 klaar." in html
    assert f"/rapport/{scan_id}" in _links(html)
    assert 'name="mode"' not in html
    assert "Scan openen" not in html

    # Submitting the old form anyway (a second tab, a back button) makes no second scan.
    again = client.post(f"/klassen/{klas_id}/scan", data={"mode": "personal"})
    assert again.status_code == 200
    assert "De scan is gesloten: 1 van 6 klaar." in again.get_data(as_text=True)
    assert _scan_count(db) == 1

    detail = client.get(f"/klassen/{klas_id}").get_data(as_text=True)
    assert "De scan van Meetmoment 2 is gesloten: 1 van 6 klaar." in detail
    assert "Scan afnemen" not in detail
    assert f"/klassen/{klas_id}/scan" not in _links(detail)
    assert f"/rapport/{scan_id}" in _links(detail)

    # The coordinator's participation page keeps the finished student in sight.
    login(coordinator := app.test_client(), klas_world["coordinator"])
    participation = coordinator.get(f"/meetmomenten/{klas_world['round'].id}/deelname")
    row = re.search(r"<tr><td>2B</td>.*?</tr>", participation.get_data(as_text=True), re.S)
    assert row
    assert "gesloten" in row.group(0)
    assert "1 / 6" in row.group(0)


def test_an_open_scan_sends_the_class_page_to_it(app, client, klas_world, db):
    scan_id = _open(client, klas_world)
    klas_id = klas_world["klas"].id
    detail = client.get(f"/klassen/{klas_id}").get_data(as_text=True)
    assert f"/scans/{scan_id}" in _links(detail)
    assert "Scan afnemen" not in detail
    start = client.get("/start").get_data(as_text=True)
    item = re.search(rf'<li data-scan="{scan_id}">.*?</li>', start, re.S)
    assert item
    assert "open, 0 van 6 klaar" in item.group(0)
    assert _links(item.group(0)) == {f"/scans/{scan_id}"}
    opened = client.get(f"/klassen/{klas_id}/scan")
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/scans/{scan_id}")


def test_two_submits_that_pass_the_check_together_make_one_scan_and_no_error(
    app, client, klas_world, db, monkeypatch
):
    """The other request's scan is committed after this one looked (its view and its service
    both saw none): the unique index refuses the insert and the page shows the other scan."""
    w = klas_world
    other = scan_service.open_student_scan(
        w["klas"], w["round"], ScanMode.PERSONAL, w["mentor"], w["content"]
    )
    db.session.commit()
    real = scan_service.current_scan
    looks = []

    def looked_too_early(klas, scan_round):
        looks.append(klas.id)
        return None if len(looks) <= 2 else real(klas, scan_round)

    monkeypatch.setattr(scan_service, "current_scan", looked_too_early)
    login(client, w["mentor"])
    response = client.post(f"/klassen/{w['klas'].id}/scan", data={"mode": "anonymous"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/scans/{other.id}")
    assert len(looks) == 3  # the view, the service, and the look after the refusal
    assert _scan_count(db) == 1
    assert db.session.scalar(select(Scan.mode)) == ScanMode.PERSONAL


def test_two_submits_at_once_on_postgresql(app, klas_world, db, monkeypatch):
    """A real race: both requests have looked before either inserts. On SQLite a writing
    request holds the write lock from its start, so there they cannot overlap at all."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writing requests; the race needs PostgreSQL")
    w = klas_world
    real = scan_service.current_scan
    both_looked = threading.Barrier(2, timeout=10)
    first_looks: dict[int, int] = {}

    def look(klas, scan_round):
        found = real(klas, scan_round)
        me = threading.get_ident()
        first_looks[me] = first_looks.get(me, 0) + 1
        if first_looks[me] == 1:  # the view's look: wait until the other one looked too
            both_looked.wait()
        return found

    url = f"/klassen/{w['klas'].id}/scan"
    clients = []
    for _ in range(2):
        login(client := app.test_client(), w["mentor"])
        clients.append(client)
    monkeypatch.setattr(scan_service, "current_scan", look)
    real_open = scan_service.open_student_scan
    refusals = []

    def opening(*args):
        try:
            return real_open(*args)
        except (IntegrityError, scan_service.ScanExists) as error:
            refusals.append(type(error).__name__)
            raise

    monkeypatch.setattr(scan_service, "open_student_scan", opening)
    results = {}

    def submit(client, mode):
        try:
            results[mode] = client.post(url, data={"mode": mode})
        except BaseException as error:  # seen by the assertion below, not lost in the thread
            results[mode] = error

    threads = [
        threading.Thread(target=submit, args=(c, m))
        for c, m in zip(clients, ("personal", "anonymous"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(getattr(r, "status_code", r) for r in results.values()) == [302, 302]
    assert len({r.headers["Location"] for r in results.values()}) == 1
    assert _scan_count(db) == 1
    # The second one met the other's scan: in its service's look, or (both looks early) the
    # unique index.
    assert len(refusals) == 1, refusals


# --- closing ------------------------------------------------------------------------------------


def test_closing_asks_first_and_says_the_result_will_not_be_shown(app, client, klas_world, db):
    scan_id = _open(client, klas_world)
    codes = _codes(db, scan_id)
    _answer_all(app.test_client(), codes[0], klas_world)
    started = app.test_client()
    assert started.post(f"/s/{codes[1]}").status_code == 302
    first_page, _ = _page_answers(klas_world, 1)
    started.post(f"/s/{codes[1]}/1", data={**first_page, "nav": "next"})  # begun, not finished

    screen = client.get(f"/scans/{scan_id}").get_data(as_text=True)
    assert f"/scans/{scan_id}/sluiten" in _links(screen)
    assert f'action="/scans/{scan_id}/sluiten"' not in screen  # no close without the question

    page = client.get(f"/scans/{scan_id}/sluiten")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert CLOSE_TEXT.format(f=1, e=6) in html
    assert "Er zijn minder dan 5 leerlingen klaar: " + TOO_FEW in html
    assert "1 is nog bezig en kan na sluiten niet meer afmaken." in html
    assert f'action="/scans/{scan_id}/sluiten"' in html
    assert 'method="post"' in html
    db.session.commit()
    assert db.session.get(Scan, scan_id).status == ScanStatus.OPEN  # asking closes nothing

    assert client.post(f"/scans/{scan_id}/sluiten").status_code == 302
    db.session.commit()
    assert db.session.get(Scan, scan_id).status == ScanStatus.CLOSED
    # Asked again after it closed: back to the scan, nothing to confirm.
    after = client.get(f"/scans/{scan_id}/sluiten")
    assert after.status_code == 302
    assert after.headers["Location"].endswith(f"/scans/{scan_id}")


def test_closing_with_enough_finished_does_not_warn(app, client, klas_world, db):
    scan_id = _open(client, klas_world)
    for code in _codes(db, scan_id)[:5]:
        _answer_all(app.test_client(), code, klas_world)
    html = client.get(f"/scans/{scan_id}/sluiten").get_data(as_text=True)
    assert CLOSE_TEXT.format(f=5, e=6) in html
    assert TOO_FEW not in html
    assert "nog bezig" not in html


def test_closing_an_anonymous_scan_speaks_of_its_one_code(app, client, klas_world, db):
    scan_id = _open(client, klas_world, mode="anonymous")
    html = client.get(f"/scans/{scan_id}/sluiten").get_data(as_text=True)
    assert "0 klaar — na sluiten werkt de code niet meer." in html
    assert TOO_FEW in html


# --- the scan history ---------------------------------------------------------------------------


def test_the_history_lists_the_closed_scan_and_links_to_it(app, client, klas_world, db):
    scan_id = _closed_after(app, client, klas_world, db, finishing=2)
    klas_id = klas_world["klas"].id

    start = client.get("/start").get_data(as_text=True)
    item = re.search(rf'<li data-scan="{scan_id}">.*?</li>', start, re.S)
    assert item, start
    assert "Meetmoment 2" in item.group(0)
    assert "gesloten, 2 van 6 klaar" in item.group(0)
    assert _links(item.group(0)) == {f"/rapport/{scan_id}"}  # the closed scan's result
    # The class's scan of this round is done: no "scan" link that would open another.
    assert f"/klassen/{klas_id}/scan" not in _links(start)

    for url in (f"/klassen/{klas_id}", f"/klassen/{klas_id}/scans"):
        html = client.get(url).get_data(as_text=True)
        row = re.search(rf'<tr data-scan="{scan_id}">.*?</tr>', html, re.S)
        assert row, url
        assert "gesloten" in row.group(0)
        assert "2 van 6 klaar" in row.group(0)
        assert _links(row.group(0)) == {f"/rapport/{scan_id}"}

    closed_screen = client.get(f"/scans/{scan_id}").get_data(as_text=True)
    assert f"/rapport/{scan_id}" in _links(closed_screen)


def test_the_start_page_offers_the_scan_while_the_class_has_none(app, client, klas_world):
    login(client, klas_world["mentor"])
    start = client.get("/start").get_data(as_text=True)
    assert f"/klassen/{klas_world['klas'].id}/scan" in _links(start)
    assert "data-scan=" not in start


# --- the board view -----------------------------------------------------------------------------


def test_the_board_shows_no_names_and_no_staff_menu(app, client, klas_world, db):
    scan_id = _open(client, klas_world)
    board = client.get(f"/scans/{scan_id}/bord")
    assert board.status_code == 200
    html = board.get_data(as_text=True)
    for student in klas_world["students"]:
        assert student.roepnaam not in html
    assert "Hoofdmenu" not in html
    assert "Uitloggen" not in html
    assert klas_world["mentor"].name not in html
    assert "localhost/s" in html  # the short address, without http://
    assert "0 van 6 klaar" in re.sub(r"<[^>]+>", "", html)
    # The mentor's own screen keeps the names, folded away.
    screen = client.get(f"/scans/{scan_id}").get_data(as_text=True)
    assert re.search(r"<details data-not-finished-list>", screen)
    assert "Ada Test" in screen
    assert f"/scans/{scan_id}/bord" in _links(screen)


def test_the_anonymous_board_shows_the_class_code(app, client, klas_world, db):
    scan_id = _open(client, klas_world, mode="anonymous")
    code = _codes(db, scan_id)[0]
    html = client.get(f"/scans/{scan_id}/bord").get_data(as_text=True)
    assert scan_service.show_code(code) in html


# --- the observation list -----------------------------------------------------------------------


def _observations(db) -> int:
    db.session.commit()
    return db.session.scalar(
        select(func.count()).select_from(Response).where(Response.instrument_id == "observatie")
    )


def test_an_empty_observation_list_is_not_stored(app, client, klas_world, db):
    scan_id = _open(client, klas_world)
    student = klas_world["students"][0]
    empty = client.post(f"/scans/{scan_id}/observatie/{student.id}", data={"then": "next"})
    assert empty.status_code == 400
    assert "Een lege lijst wordt niet opgeslagen." in empty.get_data(as_text=True)
    assert _observations(db) == 0
    screen = client.get(f"/scans/{scan_id}").get_data(as_text=True)
    assert "0 van 6 ingevuld" in screen
    assert 'badge">ingevuld' not in screen


def test_save_and_next_student_counts_what_was_filled(app, client, klas_world, db):
    scan_id = _open(client, klas_world)
    students = sorted(klas_world["students"], key=lambda s: (s.achternaam, s.roepnaam))
    instrument = klas_world["content"].instruments["observatie"]
    one_answer = {instrument.items[0].id: "2", "then": "next"}

    page = client.get(f"/scans/{scan_id}/observatie/{students[0].id}").get_data(as_text=True)
    assert "Opslaan en volgende leerling" in page
    assert "0 van 6 ingevuld" in page
    saved = client.post(f"/scans/{scan_id}/observatie/{students[0].id}", data=one_answer)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/scans/{scan_id}/observatie/{students[1].id}")
    assert _observations(db) == 1
    following = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "1 van 6 ingevuld" in following

    # Plain "Opslaan" goes back to the list; the last student has no "next".
    plain = client.post(
        f"/scans/{scan_id}/observatie/{students[1].id}", data={**one_answer, "then": "list"}
    )
    assert plain.headers["Location"].endswith(f"/scans/{scan_id}#obs-h")
    last = client.get(f"/scans/{scan_id}/observatie/{students[-1].id}").get_data(as_text=True)
    assert "Opslaan en volgende leerling" not in last
    at_end = client.post(f"/scans/{scan_id}/observatie/{students[-1].id}", data=one_answer)
    assert at_end.headers["Location"].endswith(f"/scans/{scan_id}#obs-h")
    assert "3 van 6 ingevuld" in client.get(f"/scans/{scan_id}").get_data(as_text=True)
