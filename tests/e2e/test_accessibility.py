"""Accessibility: axe-core (bundled with axe-playwright-python, nothing is fetched) checks every
page each role of the demo school reaches, a student's way through the questionnaire and the
pages an anonymous visitor sees, and fails on any violation of impact "serious" or "critical".

Staff pages are found by crawling: from the start page after logging in, every same-origin link
(GET only) is followed, one address per endpoint (and set of arguments), downloads and the
logout skipped. Each role must reach a list of important endpoints, so a broken link cannot make
the crawl silently smaller. Every violation is collected first and reported at the end, so one
run shows all of them.

The app's Content-Security-Policy forbids inline scripts, but Playwright's page.evaluate (how
axe is injected and run) goes through the DevTools protocol, which CSP does not govern:
Findings.check asserts that axe really ran on every page, so no bypass_csp is needed."""

from __future__ import annotations

import threading
import traceback
from collections import deque
from urllib.parse import urljoin, urlsplit

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from werkzeug.serving import make_server

from tests.conftest import make_test_app
from wijscan.models import AccessCode, Klas, Scan, ScanKind, ScanMode, ScanRound, User
from wijscan.services import demo
from wijscan.services import scans as scan_service

pytestmark = pytest.mark.e2e

FAILING = ("serious", "critical")
AXE = Axe()

ACCOUNTS = {
    "schoolcoordinator": "coordinator@demo.wijscan.test",
    "mentor": "mentor@demo.wijscan.test",
    "zorgcoordinator": "zorg@demo.wijscan.test",
    "beheerder": "beheer@demo.wijscan.test",
}
#: What each role's crawl must reach (the reports, lesbrieven, signals, privacy and scan pages).
IMPORTANT = {
    "schoolcoordinator": {
        "main.start",
        "reports.dashboard",
        "reports.class_report",
        "reports.class_scans",
        "lesbrieven.catalogue",
        "lesbrieven.lesbrief",
        "lesbrieven.plan",
        "lesbrieven.what_works",
        "privacy.school_settings",
        "privacy.audit_log",
        "privacy.student_data",
        "privacy.erase_student",
        "setup.my_classes",
        "setup.klas_detail",
        "setup.edit_klas",
        "setup.new_klas",
        "setup.students",
        "setup.edit_student",
        "setup.import_students",
        "setup.rounds",
        "setup.staff",
        "scans.screen",
        "scans.board",
        "scans.confirm_close",
        "scans.participation",
        "auth.change_password",
    },
    "mentor": {
        "main.start",
        "setup.my_classes",
        "setup.klas_detail",
        "reports.class_report",
        "reports.class_scans",
        "reports.student_view",
        "lesbrieven.catalogue",
        "lesbrieven.lesbrief",
        "lesbrieven.plan",
        "signals.signal_list",
        "signals.signal_detail",
        "scans.screen",
        "scans.board",
        "scans.confirm_close",
        "scans.slips",
        "scans.observation",
        "scans.open_scan",
        "account.overview",
        "account.sessions",
        "auth.account_two_factor",
    },
    "zorgcoordinator": {
        "main.start",
        "signals.signal_list",
        "signals.signal_detail",
        "lesbrieven.catalogue",
        "lesbrieven.lesbrief",
    },
    "beheerder": {"main.start", "admin.schools", "lesbrieven.what_works"},
    "anonymous": {"auth.login", "auth.forgot_password", "survey.enter"},
}
#: Never followed: logging out, and the language switch (it changes the language for good).
SKIPPED = {"auth.logout", "main.language", "static"}
DOWNLOADS = (".pdf", ".csv", ".xlsx", ".json", ".svg", ".png", ".zip")


# --- the app, the data, the browser -------------------------------------------------------------


@pytest.fixture(scope="module")
def csrf_app(app, database_url, tmp_path_factory):
    """The test app with the CSRF check on, as in production (the "check failed" page is one of
    the pages checked); the same database as ``app``, which the tests request so that
    tests/conftest.py empties it after each test."""
    return make_test_app(database_url, tmp_path_factory, WTF_CSRF_ENABLED=True)


@pytest.fixture(scope="module")
def server(csrf_app):
    http = make_server("127.0.0.1", 0, csrf_app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def demo_school(app, db):
    """The real demo school, with open scans in the current round: a personal one for the
    mentor's class 1K (the student's codes) and a class code one for 1A."""
    content = app.extensions["wijscan_content"]
    school = demo.create_demo(content)
    current = db.session.scalars(
        select(ScanRound).where(ScanRound.name == "Meetmoment 3", ScanRound.school_id == school.id)
    ).one()
    users = {u.email: u for u in db.session.scalars(select(User))}
    for klas_name, mode, email in (
        ("1K", ScanMode.PERSONAL, ACCOUNTS["mentor"]),
        ("1A", ScanMode.ANONYMOUS, ACCOUNTS["schoolcoordinator"]),
    ):
        klas = db.session.scalars(
            select(Klas).where(Klas.school_id == school.id, Klas.name == klas_name)
        ).one()
        scan_service.open_student_scan(klas, current, mode, users[email], content)
    db.session.commit()
    return school


def _new_page(browser):
    return browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL").new_page()


def log_in(page, server: str, email: str, check=None) -> None:
    """Log in through the real login form, with the second step when the account needs one
    (the beheerder must set up two-step login at the first login): the one place to change when
    the login changes. ``check(page, what)`` is called on the pages between password and
    start."""
    page.goto(f"{server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: urlsplit(url).path != "/inloggen")
    if "/inloggen/tweestaps-instellen" in page.url:
        if check:
            check(page, "two-step set-up at login")
        _SECRETS[email] = "".join(page.locator("#secret-key").inner_text().split())
        page.locator("input[name=code]").fill(pyotp.TOTP(_SECRETS[email]).now())
        page.locator("main form button[type=submit]").click()
        page.locator(".recovery-codes").wait_for()
        if check:
            check(page, "two-step recovery codes")
        page.locator("main a.button").click()
    elif "/inloggen/code" in page.url:
        page.locator("input[name=code]").fill(pyotp.TOTP(_SECRETS[email]).now())
        page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/inloggen" not in url)


#: The two-step secrets set up at login, by e-mail address.
_SECRETS: dict[str, str] = {}


# --- axe ------------------------------------------------------------------------------------------


class Findings:
    """Every serious or critical violation seen, and every page checked, over one test."""

    def __init__(self) -> None:
        self.violations: list[str] = []
        self.problems: list[str] = []
        self.pages: list[str] = []

    def check(self, page, who: str, what: str | None = None) -> None:
        where = f"[{who}] {what or urlsplit(page.url).path}"
        response = AXE.run(page).response
        # axe ran in the page despite the CSP (page.evaluate is not subject to it).
        assert response["testEngine"]["name"] == "axe-core", response.get("testEngine")
        self.pages.append(where)
        for violation in response["violations"]:
            if violation["impact"] not in FAILING:
                continue
            targets = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"])
            self.violations.append(
                f"{where} ({page.url}): {violation['id']} [{violation['impact']}] "
                f"{violation['help']} -> {targets}"
            )

    def assert_clean(self) -> None:
        report = self.problems + self.violations
        assert not report, f"{len(report)} problems on {len(self.pages)} pages:\n" + "\n".join(
            report
        )


# --- the crawl ------------------------------------------------------------------------------------


def _endpoint(adapter, url: str) -> tuple[str, tuple[str, ...]] | None:
    """(endpoint, its argument names) of a GET address of the app, None when it has none."""
    try:
        endpoint, arguments = adapter.match(urlsplit(url).path, method="GET")
    except RequestRedirect:
        return None
    except HTTPException:
        return ("<no route>", ())
    return endpoint, tuple(sorted(arguments))


def crawl(page, server: str, app, who: str, findings: Findings) -> set[str]:
    """Check the page ``page`` is on and every page reachable from it by same-origin links, one
    address per endpoint and set of arguments; the endpoints reached."""
    adapter = app.url_map.bind("")
    queue = deque([page.url])
    queued = {_endpoint(adapter, page.url)}
    reached: set[str] = set()
    checked: set = set()
    while queue:
        url = queue.popleft()
        key = _endpoint(adapter, url)
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" not in str(error):
                findings.problems.append(f"[{who}] {url}: {error}")
            continue  # a download the address did not tell
        kind = (response.headers.get("content-type", "") if response else "").split(";")[0]
        if response is None or response.status >= 400:
            findings.problems.append(
                f"[{who}] {url}: status {response.status if response else '?'} for a link"
            )
        landed = _endpoint(adapter, page.url) or key
        if kind != "text/html" or landed in checked:
            continue  # a download, or a redirect to a page checked already
        checked.add(landed)
        reached.update({key[0], landed[0]})
        findings.check(page, who)
        links = page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => a.href)"
        )
        for href in links:
            target = urljoin(url, href).split("#")[0]
            if not target.startswith(server + "/"):
                continue
            target_key = _endpoint(adapter, target)
            if (
                target_key is None
                or target_key in queued
                or target_key[0] in SKIPPED
                or urlsplit(target).path.lower().endswith(DOWNLOADS)
            ):
                continue
            queued.add(target_key)
            queue.append(target)
    return reached


def _missing(who: str, reached: set[str]) -> list[str]:
    return [f"[{who}] the crawl did not reach {e}" for e in sorted(IMPORTANT[who] - reached)]


def _submit_empty(page) -> None:
    """Submit the page's main form without filling anything in, past the browser's own checks,
    to see the server's error messages."""
    page.evaluate("() => document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


# --- the parts of the test -----------------------------------------------------------------------


def _staff(browser, server, app, role: str, findings: Findings) -> None:
    page = _new_page(browser)
    log_in(page, server, ACCOUNTS[role], lambda p, what: findings.check(p, role, what))
    reached = crawl(page, server, app, role, findings)
    findings.problems += _missing(role, reached)

    # The error states of a few forms, sent empty.
    page.goto(f"{server}/account/wachtwoord")
    _submit_empty(page)
    findings.check(page, role, "change password, sent empty")
    if role in ("mentor", "zorgcoordinator"):
        page.goto(f"{server}/signalen")
        page.locator("table.signal-table tbody th a").first.click()
        _submit_empty(page)
        findings.check(page, role, "signal follow-up, sent empty")
    if role == "schoolcoordinator":
        page.goto(f"{server}/klassen/nieuw")
        _submit_empty(page)
        findings.check(page, role, "new class, sent empty")
    if role == "mentor":
        page.goto(f"{server}/medewerkers")  # not for a mentor
        findings.check(page, role, "403")
    page.context.close()


def _anonymous(browser, server, app, findings: Findings) -> None:
    who = "anonymous"
    page = _new_page(browser)
    policy = page.goto(f"{server}/inloggen").headers.get("content-security-policy", "")
    script_src = next((d for d in policy.split(";") if "script-src" in d), "")
    if not script_src or "unsafe-inline" in script_src:
        findings.problems.append(f"the CSP is not the strict one this test expects: {policy!r}")
    reached = crawl(page, server, app, who, findings)
    findings.problems += _missing(who, reached)

    page.goto(f"{server}/inloggen")
    _submit_empty(page)
    findings.check(page, who, "login, sent empty")
    page.get_by_label("E-mailadres").fill(ACCOUNTS["mentor"])
    page.get_by_label("Wachtwoord").fill("not the password")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    findings.check(page, who, "login, wrong password")
    page.goto(f"{server}/wachtwoord-vergeten")
    _submit_empty(page)
    findings.check(page, who, "forgot password, sent empty")
    page.goto(f"{server}/inloggen")
    page.locator("input[name=csrf_token]").evaluate("input => input.value = 'stale'")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    findings.check(page, who, "400 (the check token failed)")
    for path, what in (
        ("/bestaat-niet", "404"),
        ("/uitloggen", "405"),
        ("/uitnodiging/not-a-token", "invitation no longer valid"),
        ("/wachtwoord/not-a-token", "reset link no longer valid"),
        ("/s/privacy", "privacy for students"),
    ):
        page.goto(server + path)
        findings.check(page, who, what)
    page.context.close()


def _codes(db) -> dict[str, str]:
    """A fresh code of the open personal scan of 1K, a used one and one of a closed scan."""
    open_scan = db.session.scalars(
        select(Scan).join(Klas).where(Klas.name == "1K", Scan.closed_at.is_(None))
    ).one()
    first = select(AccessCode.code).order_by(AccessCode.id).limit(1)
    return {
        "fresh": db.session.scalars(first.where(AccessCode.scan_id == open_scan.id)).one(),
        "already used": db.session.scalars(first.where(AccessCode.used_at.is_not(None))).one(),
        "closed": db.session.scalars(
            first.join(Scan).where(
                Scan.kind == ScanKind.MEDEWERKER, AccessCode.respondent_id.is_(None)
            )
        ).one(),
    }


def _enter(page, server: str, code: str) -> None:
    page.goto(f"{server}/s")
    page.get_by_label("Je code").fill(code)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _student(browser, server, codes: dict[str, str], findings: Findings) -> None:
    who = "student"
    page = _new_page(browser)
    page.goto(f"{server}/s")
    findings.check(page, who, "enter the code")
    for what in ("unknown", "already used", "closed"):
        _enter(page, server, codes.get(what, "ONBEKEND1"))
        findings.check(page, who, f"code {what}")

    _enter(page, server, codes["fresh"])
    findings.check(page, who, "intro")
    page.get_by_role("button", name="Beginnen").click()

    # Page 1 with an answer the server refuses (off the scale): its error state.
    first = page.locator("fieldset.item input[type=radio]").first
    first.evaluate("radio => radio.value = '9'")
    first.check()
    page.get_by_role("button", name="Volgende").click()
    page.locator(".flash.error").first.wait_for()
    findings.check(page, who, "page 1, an answer refused")

    number = 1
    while True:
        if page.locator("fieldset.item").count() == 0:  # the short page between two parts
            findings.check(page, who, f"part page before page {number}")
            page.get_by_role("link", name="Verder").click()
            page.locator("fieldset.item").first.wait_for()
            continue
        page.get_by_text(f"Pagina {number} van").first.wait_for()
        findings.check(page, who, f"page {number}")
        for group in page.locator("fieldset.item").all():
            group.locator("input[type=radio]").nth(2).check()
        last = page.get_by_role("button", name="Klaar, versturen")
        if last.count():
            last.click()
            break
        page.get_by_role("button", name="Volgende").click()
        number += 1
        page.wait_for_url(lambda url, n=number: urlsplit(url).path.endswith(f"/{n}"))
    page.wait_for_url("**/klaar")
    findings.check(page, who, "done")
    if number < 6:
        findings.problems.append(f"[{who}] the questionnaire had only {number} pages")

    # The same code once more, in another browser: it has been used.
    again = _new_page(browser)
    again.goto(f"{server}/s/{codes['fresh']}")
    findings.check(again, who, "own code, after finishing")
    again.context.close()
    page.context.close()


# --- the test -------------------------------------------------------------------------------------


def test_every_page_of_the_demo_is_accessible(browser, server, csrf_app, demo_school, db):
    """One test, one demo school (about 4 s to load: tests/conftest.py empties the database
    after each test): every role's crawl, the anonymous pages, the student's way. A part that
    breaks off is reported with the rest."""
    findings = Findings()
    codes = _codes(db)
    parts = [
        (role, lambda r=role: _staff(browser, server, csrf_app, r, findings)) for role in ACCOUNTS
    ]
    parts.append(("anonymous", lambda: _anonymous(browser, server, csrf_app, findings)))
    parts.append(("student", lambda: _student(browser, server, codes, findings)))
    for who, part in parts:
        try:
            part()
        except Exception:  # reported below, with every violation found
            findings.problems.append(f"[{who}] broke off:\n{traceback.format_exc(limit=4)}")
    findings.assert_clean()
