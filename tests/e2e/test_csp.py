"""The strict Content-Security-Policy in a real browser: the main pages load their script,
style and QR code without one violation (no inline script, handler or style attribute left)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import Factory
from tests.e2e.conftest import log_in
from wijscan.models import AccessCode, Role, ScanRound

pytestmark = pytest.mark.e2e


@pytest.fixture
def school_with_round(make, db):
    school = make.school("Het Testcollege")
    mentor = make.staff(school, Role.DOCENT, email="mentor@test.school", name="Mo Mentor")
    klas = make.klas(school, "2B", mentors=[mentor])
    for name in ("Aya", "Bram"):
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


def _watch(page) -> list[str]:
    """Every CSP violation the page reports, from the console and from the DOM event."""
    seen: list[str] = []
    page.on(
        "console",
        lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective + ' '"
        " + e.blockedURI));"
    )
    return seen


def test_main_pages_show_no_csp_violation(live_server, page, school_with_round, db):
    violations = _watch(page)
    log_in(page, live_server, "mentor@test.school", Factory.password)
    page.get_by_role("heading", name="Goedendag, Mo Mentor").wait_for()

    page.goto(f"{live_server}/klassen")
    page.get_by_role("link", name="2B").first.wait_for()
    page.goto(f"{live_server}/klassen/{school_with_round.id}/scan")
    page.get_by_label("Persoonlijk: elke leerling een eigen code").check()
    page.get_by_role("button", name="Scan openen").click()
    page.get_by_role("heading", name="Scan 2B").wait_for()
    qr = page.locator("img.qr")
    qr.wait_for()
    page.wait_for_function("document.querySelector('img.qr').complete")
    assert qr.evaluate("img => img.naturalWidth") > 0, "the QR code does not show"
    page.wait_for_timeout(4500)  # progress.js refreshes once (a fetch under connect-src)

    page.get_by_role("link", name="Briefjes met codes afdrukken").click()
    page.get_by_role("button", name="Afdrukken").wait_for()  # shown by print.js

    db.session.commit()  # see what the server wrote
    code = db.session.scalars(select(AccessCode.code)).first()
    student = page.context.new_page()
    violations_student = _watch(student)
    student.goto(f"{live_server}/s/{code}")
    student.get_by_role("button", name="Beginnen").click()
    student.get_by_text("Pagina 1 van 12").wait_for()
    bar = student.locator("progress.progress")
    assert bar.get_attribute("value") == "1"
    assert bar.evaluate("el => el.getBoundingClientRect().width") > 0
    student.locator("fieldset.item").first.get_by_label("Mee eens", exact=True).check()
    student.get_by_role("button", name="Volgende").click()  # survey.js posts with fetch
    student.get_by_text("Pagina 2 van 12").wait_for()

    assert violations == []
    assert violations_student == []
