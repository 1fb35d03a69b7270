"""Rate limits in one process (the two-worker, Redis and proxy behaviour is in
tests/load/test_ratelimits.py): wrong codes per browser and per address without ever refusing a
valid code, a store that is down, and the configurations production refuses."""

from __future__ import annotations

import logging

import pytest
from flask import request
from sqlalchemy import select

from tests.conftest import make_test_app
from tests.load.server import free_port
from tests.web.test_scans import _open
from wijscan import access, create_app
from wijscan.config import ConfigError
from wijscan.models import AccessCode


def _codes(db, scan_id):
    return db.session.scalars(select(AccessCode.code).where(AccessCode.scan_id == scan_id)).all()


def test_a_valid_code_goes_through_a_browser_over_its_limit(
    database_url, tmp_path_factory, klas_world, db
):
    app = make_test_app(
        database_url, tmp_path_factory, RATE_LIMITS=True, CODE_RATE_LIMIT="2 per minute"
    )
    codes = _codes(db, _open(app.test_client(), klas_world))
    browser = app.test_client()
    wrong = [browser.get(f"/s/ACDEFGHJ{c}").status_code for c in "KMNP"]
    assert wrong == [404, 404, 429, 429]
    assert browser.get(f"/s/{codes[0]}").status_code == 200
    assert browser.post(f"/s/{codes[0]}").status_code == 302
    # The opened code is this browser's now: not counted, whatever its pages answer.
    assert browser.get(f"/s/{codes[0]}/99").status_code == 404
    with browser.session_transaction() as session:
        assert session["opened"] == [codes[0]]
        assert session["browser"]


def test_passing_the_address_ceiling_is_logged_and_blocks_no_valid_code(
    database_url, tmp_path_factory, klas_world, db, caplog
):
    app = make_test_app(
        database_url, tmp_path_factory, RATE_LIMITS=True, CODE_ADDRESS_RATE_LIMIT="3 per minute"
    )
    codes = _codes(db, _open(app.test_client(), klas_world))
    caplog.set_level(logging.WARNING, logger="wijscan.security")
    # A client that drops its cookies: a new browser (and browser id) at every request.
    wrong = [app.test_client().get(f"/s/ACDEFGHJ{c}").status_code for c in "KMNPQ"]
    assert wrong == [404, 404, 404, 429, 429]
    warnings = [r for r in caplog.records if r.name == "wijscan.security"]
    assert len(warnings) == 1
    assert "127.0.0.1" in warnings[0].getMessage()
    assert "passed the address ceiling" in warnings[0].getMessage()
    assert app.test_client().get(f"/s/{codes[1]}").status_code == 200


def test_a_store_that_is_down_turns_nothing_into_an_error(
    database_url, tmp_path_factory, klas_world, db, caplog
):
    """Nothing listens at the store's address: login and codes fail open (the limits are off,
    logged once), no request becomes a 500."""
    app = make_test_app(
        database_url,
        tmp_path_factory,
        RATE_LIMITS=True,
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0",
        LOGIN_RATE_LIMIT="1 per minute",
    )
    codes = _codes(db, _open(app.test_client(), klas_world))
    caplog.set_level(logging.ERROR, logger="wijscan.security")
    staff = app.test_client()
    attempts = [
        staff.post("/inloggen", data={"email": "x@school.test", "password": "fout"}).status_code
        for _ in range(3)
    ]
    assert attempts == [200, 200, 200]
    student = app.test_client()
    assert student.get("/s/ACDEFGHJK").status_code == 404
    assert student.get(f"/s/{codes[0]}").status_code == 200
    errors = [r for r in caplog.records if r.name == "wijscan.security"]
    assert len(errors) == 1
    assert "rate-limit store" in errors[0].getMessage()


def test_production_refuses_per_process_counters_unless_told(monkeypatch):
    for name in ("WIJSCAN_RATELIMIT_STORAGE_URI", "WIJSCAN_RATELIMIT_ALLOW_MEMORY"):
        monkeypatch.delenv(name, raising=False)
    base = {
        "ENV_NAME": "production",
        "SECRET_KEY": "s" * 64,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
    }
    with pytest.raises(ConfigError, match="WIJSCAN_RATELIMIT_STORAGE_URI is memory://"):
        create_app(base)
    create_app({**base, "RATELIMIT_ALLOW_MEMORY": True})
    create_app({**base, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})


@pytest.mark.parametrize(
    ("key", "value"),
    [("LOGIN_RATE_LIMIT", "tien per minuut"), ("TRUSTED_PROXIES", -1)],
)
def test_a_limit_that_cannot_work_is_refused_at_start(key, value):
    with pytest.raises(ConfigError, match=key):
        create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", key: value})


def test_forwarded_headers_count_only_with_trusted_proxies(database_url, tmp_path_factory):
    seen = []
    for proxies in (0, 1):
        app = make_test_app(database_url, tmp_path_factory, TRUSTED_PROXIES=proxies)

        @app.get("/_address")
        @access.public
        def address():
            return f"{request.remote_addr} {request.scheme}"

        client = app.test_client()
        seen.append(
            client.get(
                "/_address",
                headers={"X-Forwarded-For": "6.6.6.6, 10.0.0.7", "X-Forwarded-Proto": "https"},
            ).get_data(as_text=True)
        )
    assert seen == ["127.0.0.1 http", "10.0.0.7 https"]
