"""Configuration: defaults, then the instance config file, then ``WIJSCAN_*`` variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

#: The project root (holds surveys/ and lesbrieven/ in a source checkout).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """Raised when the configuration cannot work; the message says what to set."""


DEFAULTS: dict[str, Any] = {
    "ENV_NAME": "development",
    "SECRET_KEY": None,
    "SQLALCHEMY_DATABASE_URI": None,
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "CONTENT_ROOT": str(PROJECT_ROOT),
    "WTF_CSRF_ENABLED": True,
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "RATELIMIT_STORAGE_URI": "memory://",
    #: Rate limits on login and code entry (wijscan/ratelimit.py); storage as a ``limits``
    #: storage URI (memory://, redis://host:6379/0 …).
    "RATE_LIMITS": True,
    "LOGIN_RATE_LIMIT": "10 per minute",
    "CODE_RATE_LIMIT": "30 per minute",
    "BABEL_DEFAULT_LOCALE": "nl",
    "BABEL_SUPPORTED_LOCALES": ["nl", "en"],
    "MAIL_SENDER": "console",
    "MAIL_FROM": "wijscan@localhost",
    "SMTP_HOST": None,
    "SMTP_PORT": 587,
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": True,
    "INVITE_VALID_DAYS": 7,
    "SQLITE_BUSY_TIMEOUT_MS": 10000,
    #: PostgreSQL: a pooled connection idle this long is checked before use (wijscan/db.py);
    #: ``pool_pre_ping`` in SQLALCHEMY_ENGINE_OPTIONS checks every one instead.
    "DB_PING_IDLE_SECONDS": 1.0,
}

#: Environment variables read as config keys (name without the WIJSCAN_ prefix unless mapped).
ENV_MAP = {
    "WIJSCAN_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "WIJSCAN_SECRET_KEY": "SECRET_KEY",
    "WIJSCAN_ENV": "ENV_NAME",
    "WIJSCAN_CONTENT_ROOT": "CONTENT_ROOT",
    "WIJSCAN_RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "WIJSCAN_MAIL_SENDER": "MAIL_SENDER",
    "WIJSCAN_MAIL_FROM": "MAIL_FROM",
    "WIJSCAN_SMTP_HOST": "SMTP_HOST",
    "WIJSCAN_SMTP_PORT": "SMTP_PORT",
    "WIJSCAN_SMTP_USER": "SMTP_USER",
    "WIJSCAN_SMTP_PASSWORD": "SMTP_PASSWORD",
    "WIJSCAN_SESSION_COOKIE_SECURE": "SESSION_COOKIE_SECURE",
}

_BOOL_KEYS = {"SESSION_COOKIE_SECURE"}
_INT_KEYS = {"SMTP_PORT"}

#: Only used when ENV_NAME is development or testing; never in production.
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"  # noqa: S105


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the config keys set through ``WIJSCAN_*`` environment variables."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    for env_name, key in ENV_MAP.items():
        if env_name in environ and environ[env_name] != "":
            raw = environ[env_name]
            if key in _BOOL_KEYS:
                values[key] = raw.lower() in {"1", "true", "yes", "on"}
            elif key in _INT_KEYS:
                values[key] = int(raw)
            else:
                values[key] = raw
    return values


def finalise(config: dict[str, Any], instance_path: str) -> None:
    """Fill derived values and refuse a configuration that cannot run safely."""
    env_name = config.get("ENV_NAME", "development")
    if not config.get("SECRET_KEY"):
        if env_name in {"development", "testing"}:
            config["SECRET_KEY"] = DEV_SECRET_KEY
        else:
            raise ConfigError(
                "WIJSCAN_SECRET_KEY is not set. Outside development WIJscan needs a long random "
                "secret key, for example: export WIJSCAN_SECRET_KEY=$(python3 -c "
                "'import secrets; print(secrets.token_hex(32))')"
            )
    if env_name == "production":
        config["SESSION_COOKIE_SECURE"] = config.get("SESSION_COOKIE_SECURE") or True
        config["REMEMBER_COOKIE_SECURE"] = True
    uri = config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        uri = "sqlite:///" + str(Path(instance_path) / "wijscan.sqlite3")
        config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("postgresql://") or uri.startswith("postgres://"):
        # psycopg 3 is the driver we ship; plain URLs would ask for psycopg2.
        uri = "postgresql+psycopg://" + uri.split("://", 1)[1]
        config["SQLALCHEMY_DATABASE_URI"] = uri
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("timeout", config["SQLITE_BUSY_TIMEOUT_MS"] / 1000)
        options["connect_args"] = connect_args
    if options.get("pool_pre_ping"):
        config["DB_PING_IDLE_SECONDS"] = None  # pinged at every checkout already
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options
