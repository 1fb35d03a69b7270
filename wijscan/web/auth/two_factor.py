"""Two-step login pages: the second step after the password (an app code or a recovery code), the
set-up that a user who must use two-step login does before their first login session, and the
account page where anyone switches it on, makes new recovery codes or switches it off.

Between the password and the second step no login session exists: the Flask session holds only
who gave the right password and when (:data:`PENDING`), for a few minutes. The routes join the
auth blueprint (imported at the end of :mod:`wijscan.web.auth.views`).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from wijscan import access, ratelimit
from wijscan.extensions import db
from wijscan.models import User
from wijscan.services import accounts
from wijscan.services import two_factor as service
from wijscan.web.auth.forms import PasswordCheckForm, RecoveryCodeForm, TotpCodeForm
from wijscan.web.auth.views import _log_in, bp
from wijscan.web.util import local_time, safe_next

#: Session key of a login waiting for its second step: {"user": id, "at": unix time, "next": path}.
PENDING = "two_factor_login"
#: Seconds after the password that the code may be given, and that the set-up may take (an app
#: may have to be installed first).
CODE_SECONDS = 5 * 60
SETUP_SECONDS = 15 * 60
#: Recovery codes left below which the login says to make new ones.
FEW_CODES_LEFT = 3


def begin_second_step(user: User, next_url: str | None):
    """The password of ``user`` was right and they need a second step: remember who (no login
    session yet) and send them to the code page, or to the set-up when they have none yet."""
    db.session.commit()  # a rehashed password
    session[PENDING] = {
        "user": user.id,
        "at": int(time.time()),
        "next": next_url or "",
        "password": _password_mark(user),
    }
    if service.is_enabled(user):
        return redirect(url_for("auth.second_step"))
    return redirect(url_for("auth.setup_at_login"))


def _pending_user(max_age: int) -> User | None:
    """The active user whose password was right less than ``max_age`` seconds ago, or None."""
    state = session.get(PENDING)
    if not isinstance(state, dict):
        return None
    user_id, at = state.get("user"), state.get("at")
    if type(user_id) is not int or type(at) is not int:
        return None
    now = time.time()
    if now - at > max_age or at > now + 60:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or not user.password_hash:
        return None
    if not hmac.compare_digest(str(state.get("password", "")), _password_mark(user)):
        return None  # the password changed since (a reset): the old one is no first step
    return user


def _password_mark(user: User) -> str:
    """A short fingerprint of the stored password hash (not the hash itself) for the cookie."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _start_again():
    session.pop(PENDING, None)
    flash(_("Log opnieuw in met je e-mailadres en wachtwoord."), "info")
    return redirect(url_for("auth.login"))


def _next_url() -> str:
    state = session.get(PENDING)
    target = state.get("next") if isinstance(state, dict) else None
    return safe_next(target if isinstance(target, str) else None) or url_for("main.start")


def _wrong_code(form) -> None:
    form.code.errors.append(
        _(
            "Deze code klopt niet of is al gebruikt. Wacht op de volgende code in je app en "
            "probeer het opnieuw."
        )
    )


def _setup_page(user: User, form: TotpCodeForm, *, at_login: bool):
    """The set-up: the QR code, the key as text and the confirmation code."""
    secret = _secret_to_show(user)
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        qr=service.qr_svg(
            service.provisioning_uri(user, secret), _("QR-code om WIJscan aan je app toe te voegen")
        ),
        key=service.grouped(secret),
        at_login=at_login,
        # At login the set-up is there because two-step login is required.
        required=at_login or service.required_for(user),
    )


def _secret_to_show(user: User) -> str:
    """The secret of the set-up page: after a wrong confirmation code the same one, on every
    other view a new one (a secret seen by someone else earlier stops counting)."""
    secret = service.pending_secret(user) if request.method == "POST" else ""
    if not secret:
        secret = service.begin_setup(user)
        db.session.commit()
    return secret


def _codes_page(codes: list[str], next_url: str):
    return render_template("auth/two_factor_codes.html", codes=codes, next_url=next_url)


# --- the second step ----------------------------------------------------------------------------


def _pending_with_two_step():
    """(the user of the pending login, None) when they have two-step login on; else (None, the
    response to send: the start page when logged in already, the login page when nothing is
    pending or it ran out, the set-up when they still have to set it up)."""
    if current_user.is_authenticated:
        return None, redirect(url_for("main.start"))
    user = _pending_user(CODE_SECONDS)
    if user is None:
        return None, _start_again()
    if not service.is_enabled(user):
        return None, redirect(url_for("auth.setup_at_login"))
    return user, None


@bp.route("/inloggen/code", methods=["GET", "POST"])
@access.public
@ratelimit.limit("LOGIN_RATE_LIMIT", "login")
def second_step():
    user, elsewhere = _pending_with_two_step()
    if user is None:
        return elsewhere
    form = TotpCodeForm()
    if form.validate_on_submit():
        if service.verify_code(user, form.code.data):
            target = _next_url()
            _log_in(user)
            return redirect(target)
        db.session.rollback()
        _wrong_code(form)
    return render_template("auth/two_factor_code.html", form=form)


@bp.route("/inloggen/herstelcode", methods=["GET", "POST"])
@access.public
@ratelimit.limit("LOGIN_RATE_LIMIT", "login")
def recovery_login():
    user, elsewhere = _pending_with_two_step()
    if user is None:
        return elsewhere
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        if service.use_recovery_code(user, form.code.data):
            left = service.recovery_codes_left(user)
            target = _next_url()
            _log_in(user)
            flash(
                ngettext(
                    "Je bent ingelogd met een herstelcode. Je hebt nog %(num)d herstelcode.",
                    "Je bent ingelogd met een herstelcode. Je hebt nog %(num)d herstelcodes.",
                    left,
                ),
                "success",
            )
            if left < FEW_CODES_LEFT:
                flash(
                    _(
                        "Maak nieuwe herstelcodes op de pagina Tweestapsverificatie, of stel "
                        "tweestapsverificatie opnieuw in als je telefoon kwijt is."
                    ),
                    "info",
                )
            return redirect(target)
        db.session.rollback()
        form.code.errors.append(_("Deze herstelcode klopt niet of is al gebruikt."))
    return render_template("auth/two_factor_recovery.html", form=form)


@bp.route("/inloggen/tweestaps-instellen", methods=["GET", "POST"])
@access.public
@ratelimit.limit("LOGIN_RATE_LIMIT", "login")
def setup_at_login():
    """The set-up for a user who must use two-step login and has none yet: after the password,
    before any login session."""
    if current_user.is_authenticated:
        return redirect(url_for("main.start"))
    user = _pending_user(SETUP_SECONDS)
    if user is None:
        return _start_again()
    if service.is_enabled(user):
        return redirect(url_for("auth.second_step"))
    form = TotpCodeForm()
    if form.validate_on_submit():
        codes = service.confirm_setup(user, form.code.data)
        if codes is not None:
            target = _next_url()
            _log_in(user)
            flash(_("Tweestapsverificatie staat aan. Je bent ingelogd."), "success")
            return _codes_page(codes, target)
        db.session.rollback()
        _wrong_code(form)
    return _setup_page(user, form, at_login=True)


# --- the account page ---------------------------------------------------------------------------


def _status_page(user: User, *, off_form=None, codes_form=None):
    return render_template(
        "auth/two_factor_status.html",
        enabled_at=local_time(user.totp_enabled_at),
        required=service.required_for(user),
        left=service.recovery_codes_left(user),
        off_form=off_form or PasswordCheckForm(prefix="off"),
        codes_form=codes_form or PasswordCheckForm(prefix="codes"),
    )


@bp.route("/account/tweestaps", methods=["GET", "POST"])
@access.allow(*access.ALL_ROLES)
def account_two_factor():
    user = current_user._get_current_object()
    if service.is_enabled(user):
        if request.method == "POST":
            return redirect(url_for("auth.account_two_factor"))
        return _status_page(user)
    form = TotpCodeForm()
    if form.validate_on_submit():
        codes = service.confirm_setup(user, form.code.data)
        if codes is not None:
            accounts.end_sessions(user)
            school_id = session.get("school_id")
            _log_in(user)  # every other device is logged out; this one goes on
            if school_id is not None:
                session["school_id"] = school_id
            flash(
                _("Tweestapsverificatie staat aan. Op andere apparaten ben je uitgelogd."),
                "success",
            )
            return _codes_page(codes, url_for("auth.account_two_factor"))
        db.session.rollback()
        _wrong_code(form)
    return _setup_page(user, form, at_login=False)


@bp.route("/account/tweestaps/herstelcodes", methods=["POST"])
@access.allow(*access.ALL_ROLES)
@ratelimit.limit("LOGIN_RATE_LIMIT", "login")
def new_recovery_codes():
    user = current_user._get_current_object()
    if not service.is_enabled(user):
        return redirect(url_for("auth.account_two_factor"))
    form = PasswordCheckForm(prefix="codes")
    if form.validate_on_submit():
        if accounts.check_password(user, form.password.data):
            codes = service.new_recovery_codes(user)
            db.session.commit()
            flash(_("Je hebt nieuwe herstelcodes. De oude werken niet meer."), "success")
            return _codes_page(codes, url_for("auth.account_two_factor"))
        form.password.errors.append(_("Dit is niet je wachtwoord."))
    return _status_page(user, codes_form=form)


@bp.route("/account/tweestaps/uit", methods=["POST"])
@access.allow(*access.ALL_ROLES)
@ratelimit.limit("LOGIN_RATE_LIMIT", "login")
def two_factor_off():
    """Switch two-step login off; for a user who must use it, this starts it over (a new
    phone): the set-up page follows."""
    user = current_user._get_current_object()
    if not service.is_enabled(user):
        return redirect(url_for("auth.account_two_factor"))
    form = PasswordCheckForm(prefix="off")
    if form.validate_on_submit():
        if accounts.check_password(user, form.password.data):
            required = service.required_for(user)
            service.switch_off(user)
            db.session.commit()
            if required:
                flash(_("Stel tweestapsverificatie nu opnieuw in met je nieuwe app."), "info")
            else:
                flash(_("Tweestapsverificatie staat uit."), "success")
            return redirect(url_for("auth.account_two_factor"))
        form.password.errors.append(_("Dit is niet je wachtwoord."))
    return _status_page(user, off_form=form)
