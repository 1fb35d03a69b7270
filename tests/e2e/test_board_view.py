"""The scan morning in the browser, on a phone (390×844) and a smartboard (1920×1080): the board
view shows the short address as large as the code and no names, the mentor closes the scan after
the confirmation, and the start page's history lists the closed scan and leads to its result."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import Factory
from tests.e2e.conftest import log_in
from wijscan.models import AccessCode, Role, ScanRound

pytestmark = pytest.mark.e2e

SCREENS = {"phone": (390, 844), "board": (1920, 1080)}
NAMES = ("Aya", "Bram", "Chloë")


@pytest.fixture
def klas_of_three(make, db):
    school = make.school("Het Testcollege")
    mentor = make.staff(school, Role.DOCENT, email="mentor@test.school", name="Mo Mentor")
    klas = make.klas(school, "2B", mentors=[mentor])
    for name in NAMES:
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


def _mentor_page(browser, live_server, screen: str):
    width, height = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    log_in(page, live_server, "mentor@test.school", Factory.password)
    page.get_by_role("heading", name="Goedendag, Mo Mentor").wait_for()
    return context, page


def _open_scan(page, live_server, klas, mode_label: str):
    page.goto(f"{live_server}/klassen/{klas.id}/scan")
    page.get_by_label(mode_label).check()
    page.get_by_role("button", name="Scan openen").click()
    page.get_by_role("heading", name="Scan 2B").wait_for()


def _font_px(locator) -> float:
    return locator.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")


def _fits_the_width(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_the_board_shows_code_and_address_large_and_no_names(
    live_server, browser, klas_of_three, screen
):
    context, page = _mentor_page(browser, live_server, screen)
    _open_scan(page, live_server, klas_of_three, "Anoniem: één code voor de klas")
    page.get_by_role("link", name="Toon op het digibord").click()
    code = page.locator("[data-board-code]")
    address = page.locator("[data-board-address]")
    code.wait_for()
    code_px, address_px = _font_px(code), _font_px(address)
    assert address_px == code_px  # the address as large as the code
    assert code_px >= (90 if screen == "board" else 30)
    assert code_px >= 1.8 * _font_px(page.locator("body"))
    assert address.inner_text().endswith("/s")
    assert len(code.inner_text()) == 11  # "ACD-EFG-HJK"
    text = page.locator("body").inner_text()
    assert not any(name in text for name in NAMES)
    assert "Mo Mentor" not in text
    assert page.locator("nav").count() == 0  # no staff menu
    assert page.locator("img.qr").is_visible()
    assert _fits_the_width(page)
    if screen == "board":  # all the class needs, on the first screen, with nothing to scroll
        for part in (address, code, page.locator("img.qr")):
            box = part.bounding_box()
            assert box["y"] + box["height"] <= SCREENS[screen][1]
    page.screenshot(path=f"test-results/board-anonymous-{screen}.png")
    context.close()


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_the_personal_board_has_no_names_the_mentor_screen_keeps_them_folded(
    live_server, browser, klas_of_three, db, screen
):
    context, page = _mentor_page(browser, live_server, screen)
    _open_scan(page, live_server, klas_of_three, "Persoonlijk: elke leerling een eigen code")
    # The mentor's own screen: who has not finished is there, closed until asked for.
    folded = page.locator("details[data-not-finished-list]")
    assert folded.get_attribute("open") is None
    assert not folded.get_by_text("Aya Test").is_visible()
    folded.locator("summary").click()
    assert folded.get_by_text("Aya Test").is_visible()

    page.get_by_role("link", name="Toon op het digibord").click()
    address = page.locator("[data-board-address]")
    address.wait_for()
    assert _font_px(address) >= (90 if screen == "board" else 30)
    assert page.get_by_text("en typ de code van je briefje").is_visible()
    text = page.locator("body").inner_text()
    assert not any(name in text for name in NAMES)
    assert "0 van 3 klaar" in text
    assert page.locator("nav").count() == 0
    assert _fits_the_width(page)
    page.screenshot(path=f"test-results/board-personal-{screen}.png")
    db.session.commit()
    assert not any(code in text for code in db.session.scalars(select(AccessCode.code)))
    context.close()


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_the_history_lists_the_closed_scan_and_links_to_it(
    live_server, browser, klas_of_three, screen
):
    context, page = _mentor_page(browser, live_server, screen)
    _open_scan(page, live_server, klas_of_three, "Persoonlijk: elke leerling een eigen code")
    page.get_by_role("link", name="Scan sluiten en resultaten berekenen").click()
    page.get_by_text("0 van 3 klaar — na sluiten werken de codes niet meer.").wait_for()
    assert page.get_by_text("het klasresultaat wordt niet getoond").is_visible()
    page.get_by_role("button", name="Ja, scan sluiten en resultaten berekenen").click()
    page.get_by_text("De scan is gesloten en de resultaten zijn berekend.").wait_for()

    page.get_by_role("link", name="Start").click()
    item = page.locator(".scan-history-short li")
    assert item.count() == 1
    assert "gesloten, 0 van 3 klaar" in item.inner_text()
    assert _fits_the_width(page)
    page.screenshot(path=f"test-results/start-history-{screen}.png")
    item.get_by_role("link", name="Meetmoment 2 2B").click()
    page.get_by_role("heading", name="Klasrapport 2B").wait_for()
    assert "/rapport/" in page.url
    report_url = page.url

    # The class page: the closed scan and its result, no second scan offered.
    page.get_by_role("link", name="Start").click()
    page.get_by_role("link", name="2B", exact=True).click()
    page.get_by_text("De scan van Meetmoment 2 is gesloten: 0 van 3 klaar.").wait_for()
    assert page.get_by_role("link", name="Scan afnemen").count() == 0
    row = page.locator("table.scan-history tbody tr")
    assert row.count() == 1
    assert _fits_the_width(page)
    page.screenshot(path=f"test-results/class-history-{screen}.png", full_page=True)
    row.get_by_role("link", name="Klasrapport Meetmoment 2").click()
    page.get_by_role("heading", name="Klasrapport 2B").wait_for()
    assert page.url == report_url
    context.close()
