"""The real migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from wijscan.extensions import db as _db


def test_migrations_match_the_models(app, db):
    with _db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        difference = compare_metadata(context, _db.metadata)
    assert difference == []


def test_migrations_create_every_table_with_named_constraints(app, db):
    inspector = inspect(_db.engine)
    tables = set(inspector.get_table_names())
    assert set(_db.metadata.tables) <= tables
    assert "alembic_version" in tables
    for table in _db.metadata.tables:
        for fk in inspector.get_foreign_keys(table):
            if _db.engine.dialect.name == "postgresql":
                assert fk["name"].startswith(f"fk_{table}_"), fk
        for unique in inspector.get_unique_constraints(table):
            assert unique["name"].startswith(f"uq_{table}_"), unique


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app, db):
    if _db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings; this run uses PostgreSQL")
    with _db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
