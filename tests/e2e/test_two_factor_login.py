"""Two-step login in a real browser: the beheerder sets it up at the first login (the QR code
shows as inline SVG without one CSP violation, the key can be read as text), sees the recovery
codes once, and logs in the next time with a code from the app."""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.conftest import Factory
from tests.e2e.test_csp import _watch

pytestmark = pytest.mark.e2e


def _password(page, live_server, email):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(Factory.password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


def test_the_beheerder_sets_up_two_step_login_and_logs_in_with_a_code(
    live_server, browser, make, db
):
    make.staff(None, None, email="beheer@test.school", name="Bea Beheer", is_admin=True)
    page = browser.new_page()
    violations = _watch(page)
    _password(page, live_server, "beheer@test.school")
    page.get_by_role("heading", name="Tweestapsverificatie instellen").wait_for()
    qr = page.locator("svg.qr-code")
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] > 100
    assert box["height"] > 100
    key = "".join(page.locator("#secret-key").inner_text().split())
    assert len(key) == 32

    code = page.get_by_label("Code uit de app (6 cijfers)")
    code.fill("000000")
    page.get_by_role("button", name="Tweestapsverificatie aanzetten").click()
    page.locator("#code-error").wait_for()
    page.get_by_label("Code uit de app (6 cijfers)").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Tweestapsverificatie aanzetten").click()
    page.get_by_role("heading", name="Je herstelcodes").wait_for()
    assert page.locator("ul.recovery-codes li").count() == 10
    page.get_by_role("link", name="Ik heb de codes bewaard, verder").click()
    page.wait_for_url(f"{live_server}/start")
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(f"{live_server}/inloggen")

    # The next login: the code page, with a code of the next step (the confirmation used this
    # step's code, which would be a replay now).
    _password(page, live_server, "beheer@test.school")
    page.get_by_role("heading", name="Inloggen: code uit je app").wait_for()
    totp = pyotp.TOTP(key)
    page.get_by_label("Code uit de app (6 cijfers)").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server}/start")
    assert violations == []
