"""Browser tests: the real app on a loopback port, driven by Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
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
