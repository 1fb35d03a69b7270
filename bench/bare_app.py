"""The baseline for bench/bench_submit.py: a bare Flask endpoint that does one INSERT.

``POST /submit`` takes the same form a page of the questionnaire posts (a respondent, the item ids
with their values) and stores the answers with one INSERT statement in one transaction, through
SQLAlchemy Core on the same database with the same settings as WIJscan: on SQLite WAL,
synchronous=NORMAL, foreign keys, the same busy timeout and ``BEGIN IMMEDIATE`` for every POST
(wijscan/db.py); on PostgreSQL psycopg 3 with a pooled connection. No CSRF, sessions, templates,
rate limit or ORM: what is left is Flask, the driver and the database.

With ``BARE_MINIMAL=1`` in the environment it is the least the database needs: the INSERT alone
in autocommit (no BEGIN and COMMIT) and, on PostgreSQL, no ping of the pooled connection — one
round trip per POST. That is the stricter baseline for wijscan's page save on PostgreSQL, which
is one statement in autocommit without a ping under load (docs/performance.md).

    .venv/bin/python -c 'from bench.bare_app import create_schema; create_schema("sqlite:////tmp/bare.sqlite3")'
    WIJSCAN_DATABASE_URL=sqlite:////tmp/bare.sqlite3 gunicorn -w 2 -b 127.0.0.1:8001 \\
        --no-control-socket 'bench.bare_app:create_app()'
"""

from __future__ import annotations

import os

from flask import Flask, abort, redirect, request
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    create_engine,
    event,
    insert,
)

BUSY_TIMEOUT_MS = 10000  # wijscan.config DEFAULTS["SQLITE_BUSY_TIMEOUT_MS"]

metadata = MetaData()
bare_answer = Table(
    "bare_answer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("respondent_id", String(36), nullable=False),
    Column("item_id", String(40), nullable=False),
    Column("value", SmallInteger, nullable=False),
)


def minimal() -> bool:
    return os.environ.get("BARE_MINIMAL") == "1"


def make_engine(url: str):
    if not url.startswith("sqlite"):
        if minimal():
            return create_engine(url, isolation_level="AUTOCOMMIT")
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if not minimal():  # pysqlite with isolation_level None: autocommit
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_schema(url: str) -> None:
    """Create the table (once, before the workers start)."""
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def create_app(url: str | None = None) -> Flask:
    app = Flask(__name__)
    engine = make_engine(url or os.environ["WIJSCAN_DATABASE_URL"])

    @app.post("/submit")
    def submit():
        respondent = request.form.get("respondent", "")
        rows = [
            {"respondent_id": respondent, "item_id": key, "value": int(value)}
            for key, value in request.form.items()
            if key not in ("respondent", "csrf_token", "nav") and value.isdigit()
        ]
        if not respondent or not rows:
            abort(400)
        with engine.begin() as conn:
            conn.execute(insert(bare_answer).values(rows))  # one statement, like save_page
        return redirect("/done")  # a 302, like the questionnaire

    @app.get("/ready")
    def ready():
        return "ok"

    return app
