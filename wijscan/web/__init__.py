"""The web layer: one blueprint per domain. Views stay thin and go through wijscan.access."""

from __future__ import annotations

from flask import Flask, render_template


def register_blueprints(app: Flask) -> None:
    from wijscan.web.admin.views import bp as admin_bp
    from wijscan.web.auth.views import bp as auth_bp
    from wijscan.web.main.views import bp as main_bp
    from wijscan.web.scans.views import bp as scans_bp
    from wijscan.web.setup.views import bp as setup_bp
    from wijscan.web.survey.views import bp as survey_bp

    for blueprint in (main_bp, auth_bp, setup_bp, scans_bp, survey_bp, admin_bp):
        app.register_blueprint(blueprint)

    for status in (403, 404, 429):

        @app.errorhandler(status)
        def _error(error, status=status):
            return render_template("error.html", status=status), status
