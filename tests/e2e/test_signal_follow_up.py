"""The zorgcoördinator follows the start page's link to a signal, records "in gesprek" with a
note, and the mentor of that class sees the new status."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import log_in
from wijscan.services import demo

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_school(app, db):
    demo.create_demo(app.extensions["wijscan_content"])
    db.session.commit()


def _login(browser, live_server, email):
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(page, live_server, email, demo.DEMO_PASSWORD)
    return page


def test_the_care_coordinator_follows_up_and_the_mentor_sees_it(live_server, browser, demo_school):
    zorg = _login(browser, live_server, "zorg@demo.wijscan.test")
    zorg.get_by_role("link", name=re.compile("signalen wachten op een gesprek")).click()
    zorg.get_by_role("heading", name="Signalen", exact=True).wait_for()
    row = zorg.locator("table.signal-table tbody tr", has=zorg.locator("td", has_text="1K")).first
    name = row.locator("th a").inner_text()
    row.locator("th a").click()
    zorg.get_by_role("heading", name=f"Signaal: {name}").wait_for()
    assert "geen diagnose" in zorg.locator(".notice").first.inner_text()
    zorg.get_by_label("in gesprek").check()
    zorg.get_by_label(re.compile("Korte notitie")).fill("Gesprek met de leerling op dinsdag.")
    zorg.get_by_role("button", name="Opslaan").click()
    zorg.get_by_text("De stand van zaken is opgeslagen.").wait_for()
    log = zorg.locator(".signal-log").inner_text()
    assert "Gesprek met de leerling op dinsdag." in log
    assert "Zorgcoördinator Demo" in log
    zorg.screenshot(path="test-results/signal-follow-up.png", full_page=True)

    mentor = _login(browser, live_server, "mentor@demo.wijscan.test")
    mentor.get_by_role("link", name="Signalen", exact=True).click()
    row = mentor.locator("table.signal-table tbody tr", has_text=name).first
    assert "in gesprek" in row.inner_text()
    row.locator("th a").click()
    assert "Gesprek met de leerling op dinsdag." in mentor.locator(".signal-log").inner_text()
