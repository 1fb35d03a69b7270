"""Login, logout and accepting an invitation."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from wijscan import access, ratelimit
from wijscan.extensions import db
from wijscan.services import accounts
from wijscan.web.auth.forms import LoginForm, SetPasswordForm
from wijscan.web.util import safe_next

bp = Blueprint("auth", __name__)


@bp.route("/inloggen", methods=["GET", "POST"])
@access.public
@ratelimit.limit("LOGIN_RATE_LIMIT", "login")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.start"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("E-mailadres of wachtwoord klopt niet."))
        else:
            accounts.renew_session_token(user)
            db.session.commit()
            session.clear()  # a fresh session at login: nothing carried over from before
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.start"))
    return render_template("auth/login.html", form=form)


@bp.route("/uitloggen", methods=["POST"])
@access.allow(*access.ALL_ROLES)
def logout():
    accounts.renew_session_token(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Je bent uitgelogd."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@access.public
@ratelimit.limit("LOGIN_RATE_LIMIT", "invite")
def accept_invite(token: str):
    invite = accounts.find_invite(token)
    if invite is None:
        return render_template("auth/invite_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        accounts.accept_invite(invite, form.password.data)
        db.session.commit()
        flash(_("Je wachtwoord is ingesteld. Log nu in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/invite.html", form=form, user=invite.user)
