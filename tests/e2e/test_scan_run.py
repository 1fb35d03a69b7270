"""A Monday morning: a mentor opens a personal scan, three students answer it on phones (one
closes the browser halfway and resumes on another device), the live count reaches 3 of 3."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import Factory
from tests.e2e.conftest import log_in
from wijscan.models import AccessCode, RespondentLink, Response, ResponseStatus, Role, ScanRound

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def klas_of_three(make, db):
    school = make.school("Het Testcollege")
    mentor = make.staff(school, Role.DOCENT, email="mentor@test.school", name="Mo Mentor")
    klas = make.klas(school, "2B", mentors=[mentor])
    for name in ("Aya", "Bram", "Chloë"):
        make.student(school, klas, roepnaam=name, achternaam="Test")
    db.session.add(
        ScanRound(
            school_id=school.id,
            school_year_id=school.years[0].id,
            name="Meetmoment 2",
            opens_on=date.today() - timedelta(days=1),
            closes_on=date.today() + timedelta(days=14),
        )
    )
    db.session.commit()
    return klas


def _log_in_mentor(page, live_server):
    log_in(page, live_server, "mentor@test.school", Factory.password)
    page.get_by_role("heading", name="Goedendag, Mo Mentor").wait_for()


def _answer_pages(page, first: int, last: int, choice: str = "Mee eens"):
    for number in range(first, last + 1):
        page.get_by_text(f"Pagina {number} van 12").wait_for()
        for group in page.locator("fieldset.item").all():
            group.get_by_label(choice, exact=True).check()
        button = "Klaar, versturen" if number == 12 else "Volgende"
        page.get_by_role("button", name=button).click()
        if number == 6:  # the short page between the class and yourself
            page.get_by_role("heading", name="Nu gaan de vragen over jou").wait_for()
            page.get_by_role("link", name="Verder").click()


def _start(page, live_server, code: str):
    page.goto(f"{live_server}/s")
    page.get_by_label("Je code").fill(code.lower())
    page.get_by_role("button", name="Start").click()


def test_personal_scan_on_phones_with_resume(live_server, browser, page, klas_of_three, db):
    _log_in_mentor(page, live_server)
    page.goto(f"{live_server}/klassen/{klas_of_three.id}/scan")
    page.get_by_label("Persoonlijk: elke leerling een eigen code").check()
    page.get_by_role("button", name="Scan openen").click()
    page.get_by_role("heading", name="Scan 2B").wait_for()
    assert page.locator("[data-finished]").inner_text() == "0"
    assert page.locator("[data-expected]").inner_text() == "3"
    db.session.commit()  # end the test's read snapshot: the server wrote meanwhile
    codes = db.session.scalars(select(AccessCode.code)).all()
    assert len(codes) == 3

    # Student 1 answers everything on a phone.
    phone = browser.new_context(**PHONE)
    student = phone.new_page()
    _start(student, live_server, codes[0])
    student.get_by_role("button", name="Beginnen").click()
    _answer_pages(student, 1, 12)
    student.get_by_role("heading", name="Klaar, dank je wel!").wait_for()
    phone.close()

    # Student 2 stops halfway, closes the browser and resumes on another device.
    first_phone = browser.new_context(**PHONE)
    student = first_phone.new_page()
    _start(student, live_server, codes[1])
    student.get_by_role("button", name="Beginnen").click()
    _answer_pages(student, 1, 5, choice="Mee oneens")
    first_phone.close()
    chromebook = browser.new_context(**PHONE)
    student = chromebook.new_page()
    _start(student, live_server, codes[1])
    student.get_by_role("button", name="Verder waar ik was").click()
    student.get_by_text("Pagina 6 van 12").wait_for()
    student.get_by_role("button", name="Vorige").click()
    student.get_by_text("Pagina 5 van 12").wait_for()
    assert student.locator("input[type=radio]:checked").count() == 4
    student.get_by_role("button", name="Volgende").click()
    _answer_pages(student, 6, 12)
    chromebook.close()

    # Student 3.
    phone = browser.new_context(**PHONE)
    student = phone.new_page()
    _start(student, live_server, codes[2])
    student.get_by_role("button", name="Beginnen").click()
    _answer_pages(student, 1, 12)

    # The class screen counts up by itself, without a reload.
    page.locator("[data-finished]").filter(has_text="3").wait_for(timeout=15000)
    assert page.locator("[data-expected]").inner_text() == "3"

    # A used code cannot start again, and says so in words that help.
    _start(student, live_server, codes[0])
    student.get_by_text("Je hebt de vragenlijst al ingevuld.").wait_for()
    phone.close()

    db.session.commit()
    finals = db.session.scalar(
        select(func.count()).select_from(Response).where(Response.status == ResponseStatus.FINAL)
    )
    assert finals == 6  # three students × klas and individu


def test_anonymous_scan_stores_no_student_link(live_server, browser, page, klas_of_three, db):
    _log_in_mentor(page, live_server)
    page.goto(f"{live_server}/klassen/{klas_of_three.id}/scan")
    page.get_by_label("Anoniem: één code voor de klas").check()
    page.get_by_role("button", name="Scan openen").click()
    code = page.locator(".scan-code").inner_text()
    assert page.locator("img.qr").is_visible()
    phone = browser.new_context(**PHONE)
    student = phone.new_page()
    _start(student, live_server, code)
    student.get_by_text("Je antwoorden zijn anoniem").wait_for()
    student.get_by_role("button", name="Beginnen").click()
    _answer_pages(student, 1, 12)
    student.get_by_role("heading", name="Klaar, dank je wel!").wait_for()
    phone.close()
    page.locator("[data-finished]").filter(has_text="1").wait_for(timeout=15000)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RespondentLink)) == 0
    assert db.session.scalar(select(func.count(func.distinct(Response.respondent_id)))) == 1


def test_answers_wait_in_the_browser_while_offline(live_server, browser, page, klas_of_three, db):
    _log_in_mentor(page, live_server)
    page.goto(f"{live_server}/klassen/{klas_of_three.id}/scan")
    page.get_by_role("button", name="Scan openen").click()
    page.get_by_role("heading", name="Scan 2B").wait_for()
    db.session.commit()
    code = db.session.scalars(select(AccessCode.code)).first()
    phone = browser.new_context(**PHONE)
    student = phone.new_page()
    _start(student, live_server, code)
    student.get_by_role("button", name="Beginnen").click()
    student.get_by_text("Pagina 1 van 12").wait_for()
    for group in student.locator("fieldset.item").all():
        group.get_by_label("Mee eens", exact=True).check()
    phone.set_offline(True)
    student.get_by_role("button", name="Volgende").click()
    student.get_by_text("Geen verbinding.").wait_for()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    phone.set_offline(False)
    student.get_by_text("Pagina 2 van 12").wait_for()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    phone.close()
