"""Login, logout, one-time links (invitation, joining a school, password reset) and changing
one's own password."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
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
from wijscan.models import InviteKind, School, User
from wijscan.services import accounts
from wijscan.services import two_factor as two_factor_service
from wijscan.web.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    SetPasswordForm,
)
from wijscan.web.setup.forms import ROLE_LABELS
from wijscan.web.util import safe_next, send_link

bp = Blueprint("auth", __name__)


def _log_in(user: User) -> None:
    """A fresh session for a new login session of ``user`` (nothing carried over from the
    session before: a cookie from before the login stays anonymous)."""
    accounts.start_session(user, request.user_agent.string)
    db.session.commit()
    session.clear()
    login_user(user)


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
        elif two_factor_service.asks_second_step(user):
            # No login session before the second step (or its set-up).
            return two_factor_views.begin_second_step(user, safe_next(request.args.get("next")))
        else:
            _log_in(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.start"))
    return render_template("auth/login.html", form=form)


@bp.route("/uitloggen", methods=["POST"])
@access.allow(*access.ALL_ROLES)
def logout():
    accounts.end_session(current_user, current_user.login_session_token)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Je bent uitgelogd."), "success")
    return redirect(url_for("auth.login"))


def _set_password_page(invite, template: str, **context):
    """The page of a link that sets a password (a new account, a reset)."""
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.use_invite(invite, form.password.data)
        except accounts.AccountError as error:
            db.session.rollback()
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash(_("Je wachtwoord is ingesteld. Log nu in."), "success")
            return redirect(url_for("auth.login"))
    return render_template(template, form=form, user=invite.user, **context)


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@access.public
@ratelimit.limit("LOGIN_RATE_LIMIT", "invite")
def accept_invite(token: str):
    invite = accounts.find_invite(token, (InviteKind.ACTIVATE, InviteKind.JOIN))
    if invite is None:
        return render_template("auth/invite_invalid.html"), 404
    school = db.session.get(School, invite.school_id) if invite.school_id else None
    roles = [ROLE_LABELS[r] for r in accounts.invite_roles(invite)]
    if accounts.sets_password(invite):
        return _set_password_page(invite, "auth/invite.html", school=school, roles=roles)
    # An account with a password joins a school only through its holder, logged in.
    if not current_user.is_authenticated:
        flash(_("Log in met je eigen account om de uitnodiging aan te nemen."), "info")
        return redirect(url_for("auth.login", next=request.path))
    if current_user.id != invite.user_id:
        return render_template("auth/invite_other.html"), 403
    if request.method == "POST" and request.form.get("accept") == "1":
        accounts.use_invite(invite)
        db.session.commit()
        access.choose_school(invite.school_id)
        flash(_("Je werkt nu ook voor %(school)s.", school=school.name), "success")
        return redirect(url_for("main.start"))
    return render_template("auth/join.html", school=school, roles=roles)


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@access.public
@ratelimit.limit("LOGIN_RATE_LIMIT", "reset")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        link = accounts.request_reset(
            form.email.data, timedelta(hours=current_app.config["RESET_VALID_HOURS"])
        )
        if link is not None:
            send_link(link)
        db.session.commit()
        # The same answer whether the address has an account or not.
        flash(
            _(
                "Als er een account met dit adres is, staat er nu een mail met een link klaar. "
                "Kijk ook bij ongewenste mail."
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/wachtwoord/<token>", methods=["GET", "POST"])
@access.public
@ratelimit.limit("LOGIN_RATE_LIMIT", "invite")
def reset_password(token: str):
    invite = accounts.find_invite(token, (InviteKind.RESET,))
    if invite is None:
        return render_template("auth/invite_invalid.html", reset=True), 404
    return _set_password_page(invite, "auth/reset.html")


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@access.allow(*access.ALL_ROLES)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not accounts.check_password(user, form.current.data):
            form.current.errors.append(_("Dit is niet je huidige wachtwoord."))
        else:
            try:
                accounts.set_password(user, form.password.data)
            except accounts.AccountError as error:
                db.session.rollback()
                form.password.errors.append(str(error))
            else:
                school_id = session.get("school_id")
                _log_in(user)  # every other device is logged out; this one goes on
                if school_id is not None:
                    session["school_id"] = school_id
                flash(
                    _("Je wachtwoord is gewijzigd. Op andere apparaten ben je uitgelogd."),
                    "success",
                )
                return redirect(url_for("main.start"))
    return render_template("auth/change_password.html", form=form)


# The two-step login pages join this blueprint (they use _log_in above).
from wijscan.web.auth import two_factor as two_factor_views  # noqa: E402
