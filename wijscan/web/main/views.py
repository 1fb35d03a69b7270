"""The front door: the landing page per role and the language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from wijscan import access
from wijscan.services import dashboard, reports
from wijscan.web.util import safe_next

bp = Blueprint("main", __name__)


@bp.route("/")
@access.public
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.start"))
    return redirect(url_for("auth.login"))


@bp.route("/start")
@access.allow(*access.ALL_ROLES)
def start():
    school_id = access.current_school_id()
    overview = dashboard.landing(
        school_id=school_id,
        roles=access.current_roles(),
        user=current_user,
        klassen=access.visible_klassen() if school_id is not None else [],
    )
    # The scan history of the classes the user mentors (per round: status, "x van y klaar").
    history = {}
    if "docent" in overview.roles:
        history = reports.classes_scans(
            [k.id for k in overview.klassen if current_user in k.mentors]
        )
    return render_template("main/start.html", overview=overview, history=history)


@bp.route("/school", methods=["POST"])
@access.allow(*access.SCHOOL_ROLES)
def switch_school():
    """Work in another of the user's schools from now on (this browser's session)."""
    raw = request.form.get("school_id", "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        abort(400)
    access.choose_school(int(raw))
    return redirect(url_for("main.start"))


@bp.route("/taal/<code>")
@access.public
def language(code: str):
    if code in current_app.config["BABEL_SUPPORTED_LOCALES"]:
        session["locale"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
