"""Staff accounts: passwords (argon2id), login, logout and one-time invitations."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from wijscan.extensions import db
from wijscan.models import Invite, Membership, Role, User, new_session_token, utcnow

_hasher = PasswordHasher()  # argon2id with the library's current defaults

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A user-facing problem with an account action; the message can be shown as is."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Takes equal time either way."""
    user = find_user(email)
    if user is None or not user.password_hash or not user.active:
        # Spend the same effort so response times do not tell which emails exist.
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


_DUMMY_HASH = _hasher.hash("not-a-real-password")


def renew_session_token(user: User) -> None:
    """Invalidate every session of the user (called at login and logout)."""
    user.session_token = new_session_token()
    db.session.flush()


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = hash_password(password)
    renew_session_token(user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ensure_staff(
    *, email: str, name: str, school_id: int | None, role: Role | None, is_admin: bool = False
) -> User:
    """The user with this email (created when new) holding ``role`` in the school."""
    user = find_user(email)
    if user is None:
        user = User(email=normalise_email(email), name=name.strip(), is_admin=is_admin)
        db.session.add(user)
        db.session.flush()
    elif is_admin:
        user.is_admin = True
    if role is not None and school_id is not None:
        held = {(m.school_id, m.role) for m in user.memberships}
        if (school_id, role) not in held:
            user.memberships.append(Membership(school_id=school_id, role=role))
    db.session.flush()
    return user


def create_invite(user: User, invited_by: User | None, valid_days: int) -> str:
    """A new one-time token for ``user`` to set a password; earlier unused invites stop working."""
    for old in db.session.scalars(
        select(Invite).where(Invite.user_id == user.id, Invite.used_at.is_(None))
    ):
        old.used_at = utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(
        Invite(
            user_id=user.id,
            token_hash=_token_hash(token),
            expires_at=utcnow() + timedelta(days=valid_days),
            invited_by_id=invited_by.id if invited_by else None,
        )
    )
    db.session.flush()
    return token


def find_invite(token: str) -> Invite | None:
    """The unused, unexpired invite for this token, or None."""
    invite = db.session.scalar(select(Invite).where(Invite.token_hash == _token_hash(token)))
    if invite is None or invite.used_at is not None:
        return None
    expires = invite.expires_at
    if expires.tzinfo is None:  # SQLite returns naive datetimes
        expires = expires.replace(tzinfo=utcnow().tzinfo)
    if expires < utcnow():
        return None
    return invite


def accept_invite(invite: Invite, password: str) -> User:
    set_password(invite.user, password)
    invite.used_at = utcnow()
    db.session.flush()
    return invite.user
