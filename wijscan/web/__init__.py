"""The web layer: one blueprint per domain. Views stay thin and go through wijscan.access."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

#: Statuses answered with the app's own page (templates/error.html), in Dutch or English.
ERROR_STATUSES = (400, 403, 404, 405, 413, 429, 500)


def register_blueprints(app: Flask) -> None:
    from wijscan.web.admin.views import bp as admin_bp
    from wijscan.web.auth.sessions import bp as account_bp
    from wijscan.web.auth.views import bp as auth_bp
    from wijscan.web.lesbrieven.views import bp as lesbrieven_bp
    from wijscan.web.main.views import bp as main_bp
    from wijscan.web.privacy import bp as privacy_bp
    from wijscan.web.privacy import load_views as load_privacy_views
    from wijscan.web.reports.views import bp as reports_bp
    from wijscan.web.scans.views import bp as scans_bp
    from wijscan.web.setup.views import bp as setup_bp
    from wijscan.web.signals.views import bp as signals_bp
    from wijscan.web.survey.views import bp as survey_bp

    load_privacy_views()
    for blueprint in (
        main_bp,
        auth_bp,
        account_bp,
        setup_bp,
        scans_bp,
        survey_bp,
        admin_bp,
        reports_bp,
        lesbrieven_bp,
        privacy_bp,
        signals_bp,
    ):
        app.register_blueprint(blueprint)

    # App-wide handlers: a blueprint's own handler (the questionnaire's 429, a CSRF failure on a
    # questionnaire page) is found first and still wins.
    for status in ERROR_STATUSES:
        app.register_error_handler(status, _error_page)


def _error_page(error: HTTPException):
    status = error.code or 500
    if status == 500:
        return _server_error()
    kept = error.get_response().headers  # Allow (405), Retry-After (429) when given
    headers = {name: kept[name] for name in ("Allow", "Retry-After") if name in kept}
    return render_template("error.html", status=status, limit=_limit()), status, headers


def _limit() -> str | None:
    from wijscan.security import format_size

    size = request.max_content_length
    return format_size(size) if size else None


def _server_error():
    """The 500 page: the full page when it can be drawn, else a plain one in both languages
    (the error may be the database itself, which the menu and the language choice read)."""
    from wijscan.extensions import db

    try:
        db.session.rollback()
        return render_template("error.html", status=500, limit=None), 500
    except Exception:  # anything: the plain page needs nothing that can fail
        return render_template("error_plain.html"), 500
