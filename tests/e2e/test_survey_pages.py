"""The questionnaire as a student sees it, on a phone (390×844) and a school laptop (1366×768):
page headings in the questionnaire's own words, the short page between the part about the class
and the part about yourself, radio circles in one line where a label wraps, and a logo that
does not lead to the staff login. Screenshots go to test-results/ (look at them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from wijscan.models import Scan
from wijscan.services import scans as scan_service

pytestmark = pytest.mark.e2e

SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1366, "height": 768}},
}
RESULTS = Path("test-results")


def _circles_in_line(page, side: str) -> list[str]:
    """Per question, the distinct ``side`` (top, left) of its radio circles: one value when they
    line up (side by side on a laptop: one row; under each other on a phone: one column)."""
    return page.evaluate(
        """side => [...document.querySelectorAll('fieldset.item')].map(f =>
            [...new Set([...f.querySelectorAll('input[type=radio]')]
                .map(i => Math.round(i.getBoundingClientRect()[side])))].join(','))""",
        side,
    )


def _wrapped_labels(page) -> int:
    """How many answer labels run over more than one line."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.choice span')].filter(s =>
            s.getClientRects().length > 1 ||
            s.getBoundingClientRect().height > 1.6 * parseFloat(getComputedStyle(s).lineHeight
                || getComputedStyle(s).fontSize)).length"""
    )


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_a_questionnaire_page_on_a_phone_and_a_laptop(live_server, browser, code, screen):
    RESULTS.mkdir(exist_ok=True)
    context = browser.new_context(**SCREENS[screen])
    page = context.new_page()
    page.goto(f"{live_server}/s/{code}")
    assert page.locator(".brand a").count() == 0  # the logo leads nowhere, not to the login
    page.get_by_role("button", name="Beginnen").click()
    page.get_by_text("Pagina 1 van 12").wait_for()
    # The heading is the questionnaire's own words, not the theme name for staff.
    assert page.get_by_role("heading", level=1).inner_text() == "Afspraken maken en elkaar helpen"
    assert page.locator(".brand a").count() == 0
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= SCREENS[screen]["viewport"]["width"]  # nothing sticks out sideways
    if screen == "laptop":
        assert _wrapped_labels(page) > 0, "no label wraps at this width: the check checks nothing"
    lines = _circles_in_line(page, "top" if screen == "laptop" else "left")
    assert lines
    assert all(line and "," not in line for line in lines), lines
    page.locator("fieldset.item").first.get_by_label("Mee eens", exact=True).check()
    page.screenshot(path=str(RESULTS / f"survey-page-{screen}.png"), full_page=True)

    for number in range(1, 7):
        page.get_by_text(f"Pagina {number} van 12").wait_for()
        for group in page.locator("fieldset.item").all():
            group.get_by_label("Mee eens", exact=True).check()
        page.get_by_role("button", name="Volgende").click()
    # Between the part about the class and the part about yourself: a short page.
    page.get_by_role("heading", name="Nu gaan de vragen over jou").wait_for()
    assert page.locator("fieldset.item").count() == 0
    page.screenshot(path=str(RESULTS / f"survey-part-{screen}.png"), full_page=True)
    page.get_by_role("link", name="Verder").click()
    page.get_by_text("Pagina 7 van 12").wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == "Afspraken, regels en helpen"
    context.close()


def test_a_scan_closed_while_a_student_answers_says_so(live_server, browser, app, code, db):
    """survey.js saves the page; the mentor closed the scan meanwhile: the student reads why
    (not "try again"), and the answers stay kept in the browser."""
    context = browser.new_context(**SCREENS["phone"])
    page = context.new_page()
    page.goto(f"{live_server}/s/{code}")
    page.get_by_role("button", name="Beginnen").click()
    page.get_by_text("Pagina 1 van 12").wait_for()
    for group in page.locator("fieldset.item").all():
        group.get_by_label("Mee eens", exact=True).check()
    scan = db.session.scalars(select(Scan)).one()
    scan_service.close_scan(scan, app.extensions["wijscan_content"], None)
    db.session.commit()
    page.get_by_role("button", name="Volgende").click()
    page.get_by_text("Deze vragenlijst is gesloten — vraag je docent.").wait_for()
    assert page.locator(".save-note").count() == 0
    page.screenshot(path=str(RESULTS / "survey-closed-phone.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_the_staff_login_shows_students_the_way_in(live_server, browser, screen):
    RESULTS.mkdir(exist_ok=True)
    context = browser.new_context(**SCREENS[screen])
    page = context.new_page()
    page.goto(live_server)  # the address a student may type: it lands on the staff login
    page.get_by_role("heading", name="Heb je een code?").wait_for()
    page.screenshot(path=str(RESULTS / f"login-{screen}.png"), full_page=True)
    page.get_by_role("link", name="Code invullen").click()
    page.get_by_label("Je code").wait_for()
    assert page.url.endswith("/s")
    context.close()
