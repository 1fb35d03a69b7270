"""Two-step login: a time-based code from an authenticator app (TOTP, RFC 6238, with pyotp) after
the password, and ten one-time recovery codes for a lost phone.

- Required for the beheerder and for all staff of a school that asks for it
  (``School.require_two_factor``); anyone else may switch it on for themselves.
- Set-up: a new secret for every view of the set-up page (a QR code and the key as text), and a
  code from the app that must be right before two-step login is on. The secret is kept to verify
  codes and is never shown again, nor exported.
- A code is accepted for the current time step and one step either side (clock drift). pyotp
  has no replay protection: the step of every accepted code is stored, and a code of that step
  or an earlier one is refused (set atomically, so two requests cannot both use one code).
- Recovery codes: only their sha256 is stored (they are random, not chosen by a person, so a
  fast hash is enough); each works once.
- The second step is checked at login only: the user loader does no extra work per request.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from wijscan.extensions import db
from wijscan.models import Membership, School, User, utcnow
from wijscan.models.account import RecoveryCode
from wijscan.services import accounts, sealed
from wijscan.services.setup import audit

log = logging.getLogger(__name__)

#: The name the authenticator app shows beside the account.
ISSUER = "WIJscan"
#: Seconds per time step, and the steps accepted either side of the current one.
STEP_SECONDS = 30
DRIFT_STEPS = 1
DIGITS = 6
#: Recovery codes made at a time, their length, and their letters (no 0/O, 1/I/L: easy to type).
RECOVERY_CODES = 10
RECOVERY_LENGTH = 10
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: The audit action of a reset by a coordinator.
RESET_ACTION = "reset_two_factor"


class TwoFactorError(ValueError):
    """A two-step action that does not fit the account's state."""


def _now(now: float | None) -> float:
    return time.time() if now is None else now


# --- who needs it -------------------------------------------------------------------------------


def is_enabled(user: User) -> bool:
    return user.totp_enabled_at is not None


def required_for(user: User) -> bool:
    """Whether the user must use two-step login: the beheerder, and staff of a school that
    requires it (any of their schools). One statement, at login."""
    if user.is_admin:
        return True
    return (
        db.session.scalar(
            select(School.id)
            .join(Membership, Membership.school_id == School.id)
            .where(Membership.user_id == user.id, School.require_two_factor.is_(True))
            .limit(1)
        )
        is not None
    )


def asks_second_step(user: User) -> bool:
    """Whether a right password is not enough to log in: the user has two-step login on, or
    must set it up first."""
    return is_enabled(user) or required_for(user)


# --- set-up -------------------------------------------------------------------------------------


def begin_setup(user: User) -> str:
    """A new secret for the set-up page (the one shown before stops counting); flushes. Not for
    an account that has two-step login on: its secret is never replaced or shown."""
    if is_enabled(user):
        raise TwoFactorError("two-step login is on already")
    secret = pyotp.random_base32()
    user.totp_secret = sealed.seal(secret)
    db.session.flush()
    return secret


def pending_secret(user: User) -> str:
    """The secret of a set-up in progress (to show again after a wrong confirmation code), or
    "" (none, or two-step login is on: then it is never shown)."""
    return "" if is_enabled(user) else secret_of(user)


def secret_of(user: User) -> str:
    """The user's TOTP secret, opened (it is stored sealed: :mod:`wijscan.services.sealed`);
    "" when there is none or no key of this app opens it (then no app code is right, and the
    user logs in with a recovery code or has the second step reset)."""
    try:
        return sealed.unseal(user.totp_secret)
    except sealed.Unreadable:
        log.error(
            "user %s: the two-step secret does not open with this SECRET_KEY (changed without "
            "the old one in SECRET_KEY_FALLBACKS?)",
            user.id,
        )
        return ""


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=user.email, issuer_name=ISSUER
    )


def qr_svg(uri: str, title: str) -> str:
    """The QR code of ``uri`` as inline SVG markup: attributes only, no style attribute (the
    Content-Security-Policy allows none), dark on a light square so that it scans in any
    colour scheme."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5,
        border=4,
        title=title,
        svgclass="qr-code",
        lineclass=None,
        dark="#000",
        light="#fff",
    )
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)


def grouped(secret: str) -> str:
    """The key in groups of four, for typing into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_setup(user: User, code: str, now: float | None = None) -> list[str] | None:
    """Switch two-step login on when ``code`` is right for the secret being set up: returns the
    new recovery codes (to show once), or None for a wrong code. Flushes."""
    if is_enabled(user):
        raise TwoFactorError("two-step login is on already")
    step = matching_step(secret_of(user), code, now)
    if step is None:
        return None
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step  # the confirmation code cannot log in afterwards
    codes = new_recovery_codes(user)
    db.session.flush()
    return codes


# --- codes --------------------------------------------------------------------------------------


def _digits(code: str) -> str | None:
    """The code as typed without spaces, when it is 6 ASCII digits; else None."""
    cleaned = "".join((code or "").split())
    if len(cleaned) == DIGITS and cleaned.isascii() and cleaned.isdigit():
        return cleaned
    return None


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step (unix time // 30) whose code ``code`` is, within one step of ``now``
    either way, or None. pyotp's ``verify(valid_window=1)`` says only yes or no; the step is
    needed to refuse a replay."""
    digits = _digits(code)
    if not secret or digits is None:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(_now(now)) // STEP_SECONDS
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Compare every candidate (constant work), keep the match.
        if secrets.compare_digest(totp.generate_otp(step), digits):
            found = step
    return found


def verify_code(user: User, code: str, now: float | None = None) -> bool:
    """Whether ``code`` is a right app code that was not used before; uses it up. Flushes."""
    if not is_enabled(user):
        return False
    secret = secret_of(user)
    step = matching_step(secret, code, now)
    if step is None or step <= user.totp_last_step:
        return False
    used = db.session.execute(
        update(User)
        .where(User.id == user.id, User.totp_last_step < step)
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # another request used this step (or a later one) first
        db.session.refresh(user, ["totp_last_step"])
        return False
    set_committed_value(user, "totp_last_step", step)
    if sealed.needs_new_seal(user.totp_secret):  # stored before sealing, or under an old key
        user.totp_secret = sealed.seal(secret)
        db.session.flush()
    return True


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def _format_recovery(raw: str) -> str:
    half = len(raw) // 2
    return f"{raw[:half]}-{raw[half:]}"


def new_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes (the earlier ones stop working): returned to be shown once, only
    their hashes are stored. Flushes."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        _format_recovery("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)))
        for _ in range(RECOVERY_CODES)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(c)) for c in codes)
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Whether ``code`` is one of the user's unused recovery codes; uses it up. Flushes."""
    if not is_enabled(user) or len(_normalise_recovery(code)) != RECOVERY_LENGTH:
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return used.rowcount >= 1


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


# --- off and reset ------------------------------------------------------------------------------


def switch_off(user: User) -> None:
    """Two-step login off: the secret and the recovery codes are gone. Flushes."""
    user.totp_secret = ""
    user.totp_enabled_at = None
    user.totp_last_step = 0
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def reset(user: User, *, by: User, school_id: int) -> None:
    """A coordinator resets a staff member's second step (a lost phone): two-step login is off
    (to be set up again at the next login where it is required), every login session of the
    user ends, and the school's audit log says who did it. The caller checks the right
    (:func:`wijscan.access.get_staff_for_reset`)."""
    was_on = is_enabled(user)
    switch_off(user)
    accounts.end_sessions(user)
    audit(school_id, by.id, RESET_ACTION, user, email=user.email, was_on=was_on)
    db.session.flush()
