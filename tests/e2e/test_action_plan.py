"""A mentor of a demo class follows a matched lesbrief from the class report, plans it, marks it
taught with a reflection, finds it in the action plan, and sees it in the next round's report
beside the change of its theme."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.e2e.conftest import log_in
from wijscan.models import Klas, Scan, ScanRound
from wijscan.services import demo

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_school(app, db):
    demo.create_demo(app.extensions["wijscan_content"])
    db.session.commit()
    klas = db.session.scalar(select(Klas).where(Klas.name == "1K"))
    first, second = db.session.execute(
        select(Scan, ScanRound)
        .join(ScanRound, ScanRound.id == Scan.round_id)
        .where(Scan.klas_id == klas.id)
        .order_by(ScanRound.opens_on)
    ).all()
    return {"first": first, "second": second}


def test_plan_teach_and_see_it_in_the_next_report(live_server, browser, demo_school):
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(page, live_server, "mentor@demo.wijscan.test", demo.DEMO_PASSWORD)
    # the start page links the first round's report of 1K as well ("Alle scans van de klas")
    page.get_by_role("link", name="klasrapport 1K").click()
    page.get_by_role("link", name="Alle scans van de klas").click()
    page.get_by_role("link", name=re.compile("Meetmoment 1")).first.click()
    page.get_by_role("heading", name=re.compile("Klasrapport 1K")).wait_for()

    # follow the first matched lesbrief of the weakest theme
    weakest = page.locator(".first-themes li a").first
    theme_name = weakest.inner_text()
    theme_id = weakest.get_attribute("href").split("#thema-")[1]
    section = page.locator(f"#thema-{theme_id}")
    first_match = section.locator(".match-list li a").first
    title = first_match.inner_text()
    assert section.locator(".reason").first.inner_text().startswith("Past bij niveau")
    first_match.click()
    page.get_by_role("heading", name=title).wait_for()
    assert page.get_by_label("Klas", exact=True).input_value() != ""

    # plan it for a day between the two rounds, then mark it taught with a reflection
    first_round, second_round = demo_school["first"][1], demo_school["second"][1]
    day = first_round.closes_on + timedelta(days=10)
    assert day < second_round.opens_on
    page.get_by_label("Klas", exact=True).select_option(label="1K")
    page.get_by_label("Datum waarop je de les geeft").fill(day.isoformat())
    page.get_by_role("button", name="Inplannen").click()
    page.get_by_role("heading", name="Actieplan 1K").wait_for()
    card = page.locator(".plan-list li", has_text=title)
    card.get_by_text("Gegeven? Zet het in het plan").click()
    card.get_by_label("Gegeven op").fill(day.isoformat())
    card.get_by_text("4 · goed").click()
    card.get_by_label(re.compile("Eén zin")).fill("Rustig gesprek, iedereen deed mee.")
    card.get_by_role("button", name="Opslaan als gegeven").click()
    page.get_by_text("De les staat als gegeven in het plan.").wait_for()
    row = page.locator("table.plan-done tr", has_text=title)
    assert "4 van 5" in row.inner_text()
    assert "Rustig gesprek, iedereen deed mee." in row.inner_text()
    page.screenshot(path="test-results/action-plan.png", full_page=True)

    # the next round's report shows it beside the change of its theme
    page.goto(f"{live_server}/rapport/{demo_school['second'][0].id}")
    section = page.locator(f"#thema-{theme_id}")
    taught = section.locator(".taught")
    assert "Gegeven sinds de vorige meting" in taught.inner_text()
    assert title in taught.inner_text()
    assert "4 van 5" in taught.inner_text()
    assert "Sinds Meetmoment 1:" in section.inner_text()
    assert theme_name in section.inner_text()
