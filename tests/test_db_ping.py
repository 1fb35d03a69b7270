"""wijscan.db.ping_after_idle: on PostgreSQL a pooled connection is checked only after it lay
idle, and a dead one is replaced. Needs a PostgreSQL server (WIJSCAN_TEST_POSTGRES_URL; fails
in CI without it)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import need, postgres_server_url
from tests.load.server import create_postgres_database, drop_postgres_database
from wijscan.db import ping_after_idle


@pytest.fixture
def engine():
    server = postgres_server_url()
    need(server is not None, "WIJSCAN_TEST_POSTGRES_URL (a PostgreSQL server)")
    url = create_postgres_database(server, prefix="wijscan_ping")
    engine = create_engine(url, pool_size=1, max_overflow=0)
    admin = create_engine(url)
    try:
        yield engine, admin
    finally:
        engine.dispose()
        admin.dispose()
        drop_postgres_database(url)


def _backend(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_is_checked_only_after_it_was_idle_and_replaced_when_dead(engine):
    engine, admin = engine
    pings = []
    do_ping = engine.dialect.do_ping

    def counting_ping(dbapi_connection):
        pings.append(time.monotonic())
        return do_ping(dbapi_connection)

    engine.dialect.do_ping = counting_ping
    ping_after_idle(engine, 0.2)

    first = _backend(engine)
    assert _backend(engine) == first  # handed back a moment ago: used as it is
    assert pings == []

    time.sleep(0.3)
    assert _backend(engine) == first  # idle: checked, alive, kept
    assert len(pings) == 1

    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        conn.commit()
    time.sleep(0.3)
    replaced = _backend(engine)  # idle and dead: the pool connects anew
    assert replaced != first
    assert len(pings) == 2
