"""Database engine set-up: SQLite pragmas and write transactions that lock at their start;
on a server database, a liveness check for connections that were idle."""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


def ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection at checkout only when it lay idle in the pool for at least
    ``idle_seconds`` (a server restart or a dropped connection happens while a connection waits;
    a connection handed back a moment ago is as alive as it was). A dead one is replaced by a
    new one: the pool retries the checkout on ``DisconnectionError``.

    SQLAlchemy's ``pool_pre_ping`` pings at every checkout: under load that is one round trip
    per request more (for a page save on PostgreSQL one of two). The questionnaire's hot path
    also goes the long way when its statement meets a dead connection
    (wijscan/web/survey/views.py), so nothing a student sends is lost to it.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        record.info["wijscan_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        since = record.info.pop("wijscan_idle_since", None)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # a new connection, or one in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError(str(error)) from error
            raise


def configure_engine(
    engine: Engine, busy_timeout_ms: int, ping_idle_seconds: float | None = 1.0
) -> None:
    """Give an SQLite engine WAL, foreign keys, a busy timeout and ``BEGIN IMMEDIATE``.

    pysqlite's own transaction handling starts transactions late and as DEFERRED, so two writers
    can both read and then fail to upgrade their lock ("database is locked"). We switch it off and
    begin ourselves: IMMEDIATE for every request that may write (anything but GET and HEAD),
    plain BEGIN for reading requests and for work outside a request (CLI commands, which run one
    short transaction each, and tests, which must not hold the write lock while they read).

    Other databases get :func:`ping_after_idle` (``ping_idle_seconds`` None: not).
    """
    if engine.dialect.name != "sqlite":
        if ping_idle_seconds is not None:
            ping_after_idle(engine, ping_idle_seconds)
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        writes = has_request_context() and (
            request.method not in ("GET", "HEAD") or g.get("wijscan_writes", False)
        )
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


@contextmanager
def write_transaction(session: Session) -> Iterator[None]:
    """A write inside a reading request (a GET that finds work to do, such as closing a scan
    whose round has ended): the read transaction ends, and the work runs in a transaction of its
    own that is committed at the end of the block (rolled back on an error). On SQLite that
    transaction begins IMMEDIATE, so it takes the write lock at once instead of failing to
    upgrade a read snapshot that another writer has moved past."""
    session.commit()  # a reading request has nothing to write: this only ends the transaction
    g.wijscan_writes = True
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        g.wijscan_writes = False


class OneRead:
    """A SELECT run on a DBAPI connection, compiled once per dialect: for a hot read of one
    statement (a kept page's stamp, :mod:`wijscan.services.page_stamps`), where SQLAlchemy's own
    execution — the statement's cache key, the transaction's begin and end, the result's
    processing, the pool's checkout and return — costs several times the query itself.
    Parameters go through their column types' bind processors as in ``Connection.execute``; rows
    come back as the DBAPI gives them (tuples).

    On SQLite each thread keeps one connection of its own for these reads, taken from the pool
    once and detached from it (it does not hold a pool slot): it was set up by the pool's connect
    hook (:func:`configure_engine`: no implicit transactions, WAL, busy timeout), so every
    statement is its own read of the last committed data. Other databases use the pool."""

    def __init__(self, statement: Any):
        self.statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}
        self._held: weakref.WeakKeyDictionary[Engine, threading.local] = weakref.WeakKeyDictionary()

    def _for(self, engine: Engine) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        name = engine.dialect.name
        if name not in self._compiled:
            compiled = self.statement.compile(dialect=engine.dialect)
            processors = {
                key: bind.type.bind_processor(engine.dialect)
                for key, bind in compiled.binds.items()
            }
            positions = tuple(compiled.positiontup) if compiled.positiontup else None
            self._compiled[name] = (str(compiled), positions, processors)
        return self._compiled[name]

    def rows(self, engine: Engine, **params: Any) -> list[tuple]:
        sql, positions, processors = self._for(engine)
        values = {
            key: processor(value) if (processor := processors.get(key)) else value
            for key, value in params.items()
        }
        arguments: Any = tuple(values[key] for key in positions) if positions else values
        if engine.dialect.name != "sqlite":
            connection = engine.raw_connection()
            try:
                return _fetch(connection, sql, arguments)
            finally:
                connection.close()  # back to the pool, which ends the read transaction
        held = self._held.get(engine)
        if held is None:
            held = self._held[engine] = threading.local()
        if getattr(held, "pid", None) != os.getpid():  # none yet in this thread, or forked
            pooled = engine.raw_connection()
            pooled.detach()
            held.connection, held.pid = pooled.dbapi_connection, os.getpid()
        try:
            return _fetch(held.connection, sql, arguments)
        except engine.dialect.loaded_dbapi.Error:
            held.connection.close()
            held.pid = None
            raise


def _fetch(connection: Any, sql: str, arguments: Any) -> list[tuple]:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, arguments)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()
