"""WIJscan: the inclusion scan of the WIJschool programme."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the pure core (wijscan.content, .scoring, …) must import without Flask
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, content and blueprints — nothing else."""
    from flask import Flask

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="web/templates",
        static_folder="web/static",
    )
    from wijscan import config as cfg

    app.config.from_mapping(cfg.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(cfg.from_environment())
    if config:
        app.config.from_mapping(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    cfg.finalise(app.config, app.instance_path)

    from wijscan import access, db, i18n, mail, ratelimit, security
    from wijscan.extensions import csrf, login, migrate
    from wijscan.extensions import db as sqla
    from wijscan.services import content as content_service

    sqla.init_app(app)
    with app.app_context():
        db.configure_engine(
            sqla.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"], app.config["DB_PING_IDLE_SECONDS"]
        )
    migrate.init_app(
        app, sqla, directory=str(Path(__file__).resolve().parent.parent / "migrations")
    )
    security.init_app(app)  # first: size limits are set before the CSRF check reads a form
    csrf.init_app(app)
    ratelimit.init_app(app)
    login.init_app(app)
    i18n.init_app(app)
    mail.init_app(app)
    access.init_app(app)
    content_service.init_app(app)

    from wijscan.web import register_blueprints

    register_blueprints(app)
    return app
