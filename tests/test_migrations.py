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


def test_totp_secrets_stored_before_are_sealed_by_the_migration(tmp_path, tmp_path_factory):
    """A secret stored in plain text (before sealing) is sealed by the migration and opens to
    the same secret; a downgrade opens it again."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from tests.conftest import make_test_app
    from wijscan.services import sealed

    app = make_test_app(f"sqlite:///{tmp_path / 'old.sqlite3'}", tmp_path_factory)
    with app.app_context():
        upgrade(revision="33950a621145")
        with _db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO user_account (email, name, password_hash, is_admin, active, "
                    "locale, created_at, totp_secret, totp_last_step) VALUES ('a@b.nl', 'A', '',"
                    " 0, 1, 'nl', '2026-01-01 00:00:00', 'JBSWY3DPEHPK3PXP', 0)"
                )
            )
        upgrade()
        with _db.engine.connect() as connection:
            stored = connection.execute(text("SELECT totp_secret FROM user_account")).scalar()
        assert stored.startswith(sealed.PREFIX)
        assert "JBSWY3DPEHPK3PXP" not in stored
        assert sealed.unseal(stored) == "JBSWY3DPEHPK3PXP"
        downgrade(revision="33950a621145")
        with _db.engine.connect() as connection:
            plain = connection.execute(text("SELECT totp_secret FROM user_account")).scalar()
        assert plain == "JBSWY3DPEHPK3PXP"
        _db.engine.dispose()
