"""The mentor of a demo class opens the class report from the start page: the first screen, on
a laptop and on a phone, shows the pyramid, the change since the previous round and the two
themes to start with; the PDF has the same level and numbers."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import log_in
from wijscan.services import demo

pytestmark = pytest.mark.e2e

SCREENS = {"laptop": (1280, 800), "phone": (390, 844)}


@pytest.fixture
def demo_school(app, db):
    demo.create_demo(app.extensions["wijscan_content"])
    db.session.commit()


def _in_first_screen(page, locator, height: int) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_the_first_screen_of_the_class_report(live_server, browser, demo_school, screen):
    width, height = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    log_in(page, live_server, "mentor@demo.wijscan.test", demo.DEMO_PASSWORD)
    page.get_by_role("link", name="klasrapport 1K").click()
    page.get_by_role("heading", name=re.compile("Klasrapport 1K")).wait_for()

    pyramid = page.locator(".glance svg[role=img]")
    title = pyramid.get_attribute("aria-labelledby").split()[0]
    assert page.locator(f"[id='{title}']").text_content() == "De klas in de piramide"
    for part in (
        pyramid,
        page.get_by_role("heading", name="Waar staat de klas?"),
        page.locator(".level-line"),
        page.get_by_role("heading", name="Wat is er veranderd?"),
        page.locator(".glance").get_by_text(re.compile("^Sinds Meetmoment 1: gestegen")),
        page.locator(".first-themes li").nth(0),
        page.locator(".first-themes li").nth(1),
        page.locator(".first-lesbrief a"),
    ):
        assert _in_first_screen(page, part, height), (screen, part)
    page.screenshot(path=f"test-results/class-report-{screen}.png")

    level = page.locator(".level-line").inner_text()
    pdf = page.request.get(page.url + ".pdf")
    assert pdf.status == 200
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages).split()
    )
    assert level in text
    for theme in page.locator(".two-views p").all()[:4]:
        assert theme.inner_text().split(" · ")[2] in text  # "score 52,3 van 100"
    context.close()
