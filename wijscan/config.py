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
    #: A staff login session ends after this many minutes without a request, and after this
    #: many hours in all (a student's questionnaire has no login session and is not cut off).
    "STAFF_IDLE_MINUTES": 120,
    "STAFF_SESSION_MAX_HOURS": 12,
    #: Rate limits on login and code entry (wijscan/ratelimit.py, docs/deployment.md); storage
    #: as a ``limits`` storage URI: memory:// counts per process, so with more than one worker
    #: or app server it must be shared (redis://host:6379/0); production refuses memory://
    #: unless RATELIMIT_ALLOW_MEMORY says there is one process.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ALLOW_MEMORY": False,
    #: Seconds a rate-limit store may take to connect or answer; after a failure it is left
    #: alone 20 times as long, at least 5 s (the limits fail open meanwhile; it is logged).
    "RATELIMIT_STORAGE_TIMEOUT": 0.5,
    "RATE_LIMITS": True,
    "LOGIN_RATE_LIMIT": "10 per minute",
    #: Wrong codes per browser (an id in its session) and per client address (a ceiling for
    #: clients that drop cookies; a school is one address). A valid code is never refused.
    "CODE_RATE_LIMIT": "10 per minute",
    "CODE_ADDRESS_RATE_LIMIT": "300 per minute",
    #: Reverse proxies in front of the app that set X-Forwarded-For and -Proto (0: none, the
    #: headers are ignored and the client is the connection's address).
    "TRUSTED_PROXIES": 0,
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
    #: Security headers (wijscan/security.py, docs/deployment.md). CONTENT_SECURITY_POLICY None
    #: is the app's strict default; HSTS is only sent when ENV_NAME is production.
    "SECURITY_HEADERS": True,
    "CONTENT_SECURITY_POLICY": None,
    "HSTS_MAX_AGE": 365 * 24 * 3600,
    #: Request size limits per kind (wijscan/security.py): a questionnaire page is a few kB, a
    #: CSV import a few MB (the import itself refuses files over 5 MB with a message).
    #: MAX_CONTENT_LENGTH is the backstop for anything read before the per-request limit is set.
    "MAX_SURVEY_BYTES": 16 * 1024,
    "MAX_FORM_BYTES": 64 * 1024,
    "MAX_UPLOAD_BYTES": 6 * 1024 * 1024,
    "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
    #: Largest text part of a multipart form (Flask's default); must stay above Werkzeug's
    #: 64 kB read buffer, or a file upload is refused while it streams.
    "MAX_FORM_MEMORY_SIZE": 500_000,
    "MAX_FORM_PARTS": 100,
    #: A password-reset link works this long (it is mailed to the account's own address).
    "RESET_VALID_HOURS": 2,
    "SQLITE_BUSY_TIMEOUT_MS": 10000,
    #: PostgreSQL: a pooled connection idle this long is checked before use (wijscan/db.py);
    #: ``pool_pre_ping`` in SQLALCHEMY_ENGINE_OPTIONS checks every one instead.
    "DB_PING_IDLE_SECONDS": 1.0,
}

#: Environment variables read as config keys (name without the WIJSCAN_ prefix unless mapped).
ENV_MAP = {
    "WIJSCAN_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "WIJSCAN_SECRET_KEY": "SECRET_KEY",
    "WIJSCAN_SECRET_KEY_FALLBACKS": "SECRET_KEY_FALLBACKS",
    "WIJSCAN_ENV": "ENV_NAME",
    "WIJSCAN_CONTENT_ROOT": "CONTENT_ROOT",
    "WIJSCAN_RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "WIJSCAN_RATELIMIT_ALLOW_MEMORY": "RATELIMIT_ALLOW_MEMORY",
    "WIJSCAN_LOGIN_RATE_LIMIT": "LOGIN_RATE_LIMIT",
    "WIJSCAN_CODE_RATE_LIMIT": "CODE_RATE_LIMIT",
    "WIJSCAN_CODE_ADDRESS_RATE_LIMIT": "CODE_ADDRESS_RATE_LIMIT",
    "WIJSCAN_TRUSTED_PROXIES": "TRUSTED_PROXIES",
    "WIJSCAN_MAIL_SENDER": "MAIL_SENDER",
    "WIJSCAN_MAIL_FROM": "MAIL_FROM",
    "WIJSCAN_SMTP_HOST": "SMTP_HOST",
    "WIJSCAN_SMTP_PORT": "SMTP_PORT",
    "WIJSCAN_SMTP_USER": "SMTP_USER",
    "WIJSCAN_SMTP_PASSWORD": "SMTP_PASSWORD",
    "WIJSCAN_SESSION_COOKIE_SECURE": "SESSION_COOKIE_SECURE",
    "WIJSCAN_HSTS_MAX_AGE": "HSTS_MAX_AGE",
    "WIJSCAN_MAX_SURVEY_BYTES": "MAX_SURVEY_BYTES",
    "WIJSCAN_MAX_FORM_BYTES": "MAX_FORM_BYTES",
    "WIJSCAN_MAX_UPLOAD_BYTES": "MAX_UPLOAD_BYTES",
    "WIJSCAN_STAFF_IDLE_MINUTES": "STAFF_IDLE_MINUTES",
    "WIJSCAN_STAFF_SESSION_MAX_HOURS": "STAFF_SESSION_MAX_HOURS",
}

_BOOL_KEYS = {"SESSION_COOKIE_SECURE", "RATELIMIT_ALLOW_MEMORY"}
#: Comma-separated lists.
_LIST_KEYS = {"SECRET_KEY_FALLBACKS"}
_INT_KEYS = {
    "SMTP_PORT",
    "TRUSTED_PROXIES",
    "HSTS_MAX_AGE",
    "MAX_SURVEY_BYTES",
    "MAX_FORM_BYTES",
    "MAX_UPLOAD_BYTES",
    "STAFF_IDLE_MINUTES",
    "STAFF_SESSION_MAX_HOURS",
}

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
            elif key in _LIST_KEYS:
                values[key] = [part.strip() for part in raw.split(",") if part.strip()]
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
    _check_rate_limits(config, env_name)
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
    # Nothing may be read past the largest per-kind limit, whatever the backstop says.
    largest = max(config[k] for k in ("MAX_SURVEY_BYTES", "MAX_FORM_BYTES", "MAX_UPLOAD_BYTES"))
    if not config.get("MAX_CONTENT_LENGTH") or config["MAX_CONTENT_LENGTH"] > largest:
        config["MAX_CONTENT_LENGTH"] = largest
    if options.get("pool_pre_ping"):
        config["DB_PING_IDLE_SECONDS"] = None  # pinged at every checkout already
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _check_rate_limits(config: dict[str, Any], env_name: str) -> None:
    """Refuse rate limits that would not hold: an unreadable rate, a negative number of proxies,
    or in production counters kept per process (memory://) without being told there is one."""
    from limits import parse

    for key in ("LOGIN_RATE_LIMIT", "CODE_RATE_LIMIT", "CODE_ADDRESS_RATE_LIMIT"):
        try:
            parse(str(config[key]))
        except ValueError:
            raise ConfigError(
                f"{key} = {config[key]!r} is not a rate; write it as, for example, "
                "'10 per minute' (WIJSCAN_{key})"
            ) from None
    if int(config.get("TRUSTED_PROXIES") or 0) < 0:
        raise ConfigError("WIJSCAN_TRUSTED_PROXIES is the number of proxies in front: 0 or more")
    uri = str(config.get("RATELIMIT_STORAGE_URI") or "")
    if (
        env_name == "production"
        and config.get("RATE_LIMITS", True)
        and uri.startswith("memory://")
        and not config.get("RATELIMIT_ALLOW_MEMORY")
    ):
        raise ConfigError(
            "WIJSCAN_RATELIMIT_STORAGE_URI is memory://: every worker process counts for itself, "
            "so with 2 gunicorn workers the login limit lets twice as many attempts through. "
            "Point it at a Redis server all workers and app servers share, for example "
            "WIJSCAN_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0, or, when the app really "
            "runs as one process, set WIJSCAN_RATELIMIT_ALLOW_MEMORY=true (docs/deployment.md)."
        )
