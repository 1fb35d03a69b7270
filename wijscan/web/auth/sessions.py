"""The staff member's own account page and "Mijn sessies": the devices where they are logged in,
each of which they can end, or all at once (a lost phone, a shared school PC)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, logout_user

from wijscan import access
from wijscan.extensions import db
from wijscan.services import accounts
from wijscan.services.devices import device_label
from wijscan.web.util import local_time

bp = Blueprint("account", __name__)


@bp.route("/account")
@access.allow(*access.ALL_ROLES)
def overview():
    return render_template("account/overview.html")


@bp.route("/account/sessies")
@access.allow(*access.ALL_ROLES)
def sessions():
    user = current_user._get_current_object()
    rows = [
        {
            "id": s.id,
            "device": device_label(s.user_agent),
            "created_at": s.created_at,
            "last_seen_at": s.last_seen_at,
            "this": s.id == user.login_session_id,
        }
        for s in accounts.active_sessions(user)
    ]
    limits = accounts.SessionLimits.from_config()
    minutes = int(limits.idle.total_seconds() // 60)
    idle = (
        ngettext("%(num)d uur", "%(num)d uur", minutes // 60)
        if minutes % 60 == 0
        else ngettext("%(num)d minuut", "%(num)d minuten", minutes)
    )
    return render_template(
        "account/sessions.html", rows=rows, limits=limits, idle=idle, when=local_time
    )


@bp.route("/account/sessies/<int:session_id>/beeindigen", methods=["POST"])
@access.allow(*access.ALL_ROLES)
def end_one(session_id: int):
    user = current_user._get_current_object()
    this_device = session_id == user.login_session_id
    if not accounts.end_session_by_id(user, session_id):
        abort(404)
    db.session.commit()
    if this_device:
        return _logged_out()
    flash(_("De sessie is beëindigd: op dat apparaat ben je uitgelogd."), "success")
    return redirect(url_for("account.sessions"))


@bp.route("/account/sessies/andere-beeindigen", methods=["POST"])
@access.allow(*access.ALL_ROLES)
def end_others():
    user = current_user._get_current_object()
    ended = accounts.end_other_sessions(user)
    db.session.commit()
    flash(
        _("Op %(n)s andere apparaten ben je uitgelogd.", n=ended)
        if ended != 1
        else _("Op 1 ander apparaat ben je uitgelogd."),
        "success",
    )
    return redirect(url_for("account.sessions"))


@bp.route("/account/sessies/alle-beeindigen", methods=["POST"])
@access.allow(*access.ALL_ROLES)
def end_all():
    accounts.end_sessions(current_user._get_current_object())
    db.session.commit()
    return _logged_out()


def _logged_out():
    logout_user()
    session.clear()
    flash(_("Je bent uitgelogd."), "success")
    return redirect(url_for("auth.login"))
