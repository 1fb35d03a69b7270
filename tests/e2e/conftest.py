"""Browser tests: the real app on a loopback port, driven by Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.conftest import need

CHROMIUM = os.environ.get("WIJSCAN_CHROMIUM", "/usr/bin/chromium")


def _chromium() -> str | None:
    """The Chromium to drive: WIJSCAN_CHROMIUM (default /usr/bin/chromium), else one on PATH."""
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


def _need_chromium_here() -> None:
    need(
        _chromium() is not None,
        f"Chromium is not installed at {CHROMIUM} (Debian package chromium)",
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Before the session's browser is launched: a missing Chromium then says so (a skip, or a
    # failure with CI=true) instead of failing inside Playwright's launch.
    _need_chromium_here()
    return {
        **browser_type_launch_args,
        "executable_path": _chromium(),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def _need_chromium():
    _need_chromium_here()


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@dataclass
class StudentScan:
    """A class of one student (Aya) with an open personal scan, and that student's code."""

    mentor: object
    klas: object
    scan: object
    code: str


@pytest.fixture
def student_scan(app, make, db):
    """Builds a :class:`StudentScan`; the class's name, leerjaar and stream can be chosen."""
    from wijscan.models import AccessCode, Role, ScanMode, ScanRound
    from wijscan.services import scans as scan_service

    def build(name: str = "1A", leerjaar: int = 1, stream: str = "vmbo-b") -> StudentScan:
        school = make.school()
        mentor = make.staff(school, Role.DOCENT)
        klas = make.klas(school, name, leerjaar=leerjaar, stream=stream, mentors=[mentor])
        make.student(school, klas, roepnaam="Aya")
        scan_round = ScanRound(
            school_id=school.id,
            school_year_id=school.years[0].id,
            name="Meetmoment",
            opens_on=date.today() - timedelta(days=1),
            closes_on=date.today() + timedelta(days=7),
        )
        db.session.add(scan_round)
        db.session.flush()
        content = app.extensions["wijscan_content"]
        scan = scan_service.open_student_scan(klas, scan_round, ScanMode.PERSONAL, mentor, content)
        db.session.commit()
        code = db.session.scalars(
            select(AccessCode.code).where(AccessCode.scan_id == scan.id)
        ).one()
        return StudentScan(mentor=mentor, klas=klas, scan=scan, code=code)

    return build


@pytest.fixture
def code(student_scan) -> str:
    """The code of the one student of a 1 vmbo-b class with an open personal scan."""
    return student_scan().code


def log_in(page, server: str, email: str, password: str) -> None:
    """Log in through the login page as a staff member would (an account without a second
    step)."""
    page.goto(f"{server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
