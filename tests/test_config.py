"""Configuration: how the connection check of a server database is chosen (wijscan/config.py)."""

from __future__ import annotations

from wijscan import config as cfg


def _finalised(**values):
    config = {**cfg.DEFAULTS, "ENV_NAME": "testing", **values}
    cfg.finalise(config, "/tmp/instance")  # noqa: S108 (only a path in the config, not used)
    return config


def test_postgresql_checks_idle_connections_and_not_every_checkout():
    config = _finalised(SQLALCHEMY_DATABASE_URI="postgresql://wijscan@db/wijscan")
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert "pool_pre_ping" not in config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert config["DB_PING_IDLE_SECONDS"] == 1.0


def test_pool_pre_ping_in_the_engine_options_replaces_the_idle_check():
    config = _finalised(
        SQLALCHEMY_DATABASE_URI="postgresql://wijscan@db/wijscan",
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
    )
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    assert config["DB_PING_IDLE_SECONDS"] is None


def test_old_secret_keys_come_from_the_environment_as_a_list():
    from wijscan.config import from_environment

    values = from_environment({"WIJSCAN_SECRET_KEY_FALLBACKS": " oud-een , oud-twee,,"})
    assert values["SECRET_KEY_FALLBACKS"] == ["oud-een", "oud-twee"]
    assert "SECRET_KEY_FALLBACKS" not in from_environment({})
