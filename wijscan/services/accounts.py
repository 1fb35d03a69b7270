"""Staff accounts: passwords (argon2id), login sessions, and the one-time links mailed to an
address (activate a new account, join a school with an existing one, reset a password).

An invitation never sets, resets or reveals anything of an account that exists: the person who
invites sees no link and no stored name, and an existing account joins a school only when its
holder accepts after logging in with their own password.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import joinedload
from zxcvbn import zxcvbn

from wijscan.extensions import db
from wijscan.models import (
    Invite,
    InviteKind,
    LoginSession,
    Membership,
    Role,
    User,
    utcnow,
)

_hasher = PasswordHasher()  # argon2id with the library's current defaults

MIN_PASSWORD_LENGTH = 10
#: zxcvbn's score (0–4) a password needs: 3 is "safely unguessable" against an online attack.
MIN_PASSWORD_SCORE = 3
#: Words every WIJscan password guess would start with.
_APP_WORDS = ["wijscan", "wijschool", "school", "inclusie", "mentor", "docent"]


class AccountError(ValueError):
    """A user-facing problem with an account action; the message can be shown as is."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


# --- passwords ----------------------------------------------------------------------------------


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is not good enough, in the user's language, or None when it is.

    At least MIN_PASSWORD_LENGTH characters, not the user's address or a part of it, and not
    common, repeated or otherwise easy to guess (zxcvbn, with the user's address and name)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Kies minstens %(n)d tekens.", n=MIN_PASSWORD_LENGTH)
    folded = password.casefold()
    address = normalise_email(email)
    local = address.partition("@")[0]
    if address and (address in folded or (len(local) >= 4 and local in folded)):
        return _("Gebruik je e-mailadres niet in je wachtwoord.")
    inputs = [w for w in [address, local, *name.casefold().split()] if w] + _APP_WORDS
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < MIN_PASSWORD_SCORE:
        return _(
            "Dit wachtwoord is te makkelijk te raden (veel gebruikt, herhaald of een reeks). "
            "Neem bijvoorbeeld drie of vier losse woorden."
        )
    return None


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(user: User, password: str) -> None:
    """A new password; every login session of the user ends (log in again on each device)."""
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    end_sessions(user)


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Takes equal time either way."""
    user = find_user(email)
    if user is None or not user.password_hash or not user.active:
        # Spend the same effort so response times do not tell which emails exist.
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    if not check_password(user, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


_DUMMY_HASH = _hasher.hash("not-a-real-password")


# --- login sessions -----------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, user_agent: str = "") -> str:
    """A new login session (one device) for ``user``; returns the token for its cookie. The
    user's sessions that have run out are removed on the way."""
    token = secrets.token_urlsafe(32)
    _drop_expired(user.id)
    row = LoginSession(user_id=user.id, token_hash=token_hash(token), user_agent=user_agent[:200])
    db.session.add(row)
    db.session.flush()
    user.login_session_token = token
    user.login_session_id = row.id
    return token


@dataclass(frozen=True)
class SessionLimits:
    """How long a staff login session lasts: ``idle`` without a request, ``longest`` in all
    (config ``STAFF_IDLE_MINUTES`` and ``STAFF_SESSION_MAX_HOURS``)."""

    idle: timedelta
    longest: timedelta

    @classmethod
    def from_config(cls) -> SessionLimits:
        config = current_app.config
        return _limits(config["STAFF_IDLE_MINUTES"], config["STAFF_SESSION_MAX_HOURS"])

    def expired(self, created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
        return now - _aware(last_seen_at) > self.idle or now - _aware(created_at) > self.longest


@functools.lru_cache(maxsize=16)
def _limits(idle_minutes: int | str, longest_hours: int | str) -> SessionLimits:
    return SessionLimits(
        idle=timedelta(minutes=int(idle_minutes)), longest=timedelta(hours=int(longest_hours))
    )


#: A session's last-seen time is written at most this often (not on every request).
LAST_SEEN_STEP = timedelta(minutes=1)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


#: The user of a login session with their memberships (every request needs their roles), in one
#: statement built once.
_SESSION_USER = (
    select(User, LoginSession.id, LoginSession.created_at, LoginSession.last_seen_at)
    .join(LoginSession, LoginSession.user_id == User.id)
    .options(joinedload(User.memberships))
    .where(User.id == bindparam("user_id"), LoginSession.token_hash == bindparam("token_hash"))
)


def session_user(user_id: int, token: str) -> User | None:
    """The active user of this login session, or None when it has ended or run out (too long
    without a request, or older than the longest a session may last). A session that ran out
    is removed; the last-seen time is brought up to date at most once a minute."""
    if not token:
        return None
    row = (
        db.session.execute(_SESSION_USER, {"user_id": user_id, "token_hash": token_hash(token)})
        .unique()
        .first()
    )
    if row is None:
        return None
    user, session_id, created_at, last_seen_at = row
    now = utcnow()
    # The user is loaded before the view changes anything; should a view load it later, with
    # changes of its own pending, nothing is written here (the next request writes it).
    clean = not (db.session.new or db.session.dirty or db.session.deleted)
    if SessionLimits.from_config().expired(created_at, last_seen_at, now):
        if clean:
            db.session.execute(delete(LoginSession).where(LoginSession.id == session_id))
            db.session.commit()
        g.login_session_ran_out = True
        return None
    if not user.active:
        return None
    if clean and now - _aware(last_seen_at) >= LAST_SEEN_STEP:
        db.session.execute(
            update(LoginSession).where(LoginSession.id == session_id).values(last_seen_at=now)
        )
        db.session.commit()
    user.login_session_token = token
    user.login_session_id = session_id
    return user


def active_sessions(user: User) -> list[LoginSession]:
    """The user's login sessions that have not run out, the most recently used first."""
    limits = SessionLimits.from_config()
    now = utcnow()
    rows = db.session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == user.id)
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    )
    return [s for s in rows if not limits.expired(s.created_at, s.last_seen_at, now)]


def end_session_by_id(user: User, session_id: int) -> bool:
    """End one of the user's own sessions ("Mijn sessies"); False when it is not theirs or
    has ended already."""
    result = db.session.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.id == session_id)
    )
    db.session.flush()
    return bool(result.rowcount)


def end_other_sessions(user: User) -> int:
    """End every session of the user but this one; returns how many ended."""
    result = db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.id != (user.login_session_id or 0)
        )
    )
    db.session.flush()
    return int(result.rowcount or 0)


def _drop_expired(user_id: int) -> None:
    limits = SessionLimits.from_config()
    now = utcnow()
    stale = [
        s.id
        for s in db.session.scalars(select(LoginSession).where(LoginSession.user_id == user_id))
        if limits.expired(s.created_at, s.last_seen_at, now)
    ]
    if stale:
        db.session.execute(delete(LoginSession).where(LoginSession.id.in_(stale)))


def end_session(user: User, token: str | None) -> None:
    """End one login session (logout on this device)."""
    if token:
        db.session.execute(
            delete(LoginSession).where(
                LoginSession.user_id == user.id, LoginSession.token_hash == token_hash(token)
            )
        )
    db.session.flush()


def end_sessions(user: User) -> None:
    """End every login session of ``user`` (password change, deactivation)."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    user.login_session_token = None
    db.session.flush()


def deactivate(user: User) -> None:
    user.active = False
    end_sessions(user)


# --- accounts made by the command line, the demo and the tests ----------------------------------


def ensure_staff(
    *, email: str, name: str, school_id: int | None, role: Role | None, is_admin: bool = False
) -> User:
    """The user with this email (created when new) holding ``role`` in the school.

    For trusted callers only (``wijscan create-admin``, the demo, tests): it changes an existing
    account. Invitations go through :func:`invite_staff`."""
    user = find_user(email)
    if user is None:
        user = User(email=normalise_email(email), name=name.strip(), is_admin=is_admin)
        db.session.add(user)
        db.session.flush()
    elif is_admin:
        user.is_admin = True
    if role is not None and school_id is not None:
        _add_roles(user, school_id, [role])
    db.session.flush()
    return user


def _add_roles(user: User, school_id: int, roles: list[Role]) -> None:
    held = {(m.school_id, m.role) for m in user.memberships}
    for role in roles:
        if (school_id, role) not in held:
            user.memberships.append(Membership(school_id=school_id, role=role))
            held.add((school_id, role))


# --- one-time links -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A one-time link to mail: its kind, the address to send it to and the token."""

    kind: InviteKind
    email: str
    token: str
    school_id: int | None = None


def _new_link(
    user: User,
    kind: InviteKind,
    valid: timedelta,
    *,
    invited_by: User | None = None,
    school_id: int | None = None,
    roles: list[Role] | None = None,
    name: str = "",
    email: str = "",
) -> Link:
    """A new one-time token; earlier unused links of the same kind (and school) stop working."""
    query = select(Invite).where(
        Invite.user_id == user.id, Invite.kind == kind, Invite.used_at.is_(None)
    )
    if kind == InviteKind.JOIN:
        query = query.where(Invite.school_id == school_id)
    for old in db.session.scalars(query):
        old.used_at = utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(
        Invite(
            user_id=user.id,
            kind=kind,
            token_hash=token_hash(token),
            expires_at=utcnow() + valid,
            invited_by_id=invited_by.id if invited_by else None,
            school_id=school_id,
            roles=" ".join(sorted(str(r) for r in roles or [])),
            name=name,
            email=email or user.email,
        )
    )
    db.session.flush()
    return Link(kind=kind, email=user.email, token=token, school_id=school_id)


def invite_staff(
    school_id: int,
    *,
    email: str,
    name: str,
    roles: list[Role],
    invited_by: User | None,
    valid_days: int,
) -> Link | None:
    """Invite a person to work in the school with ``roles``: the one service behind the
    coordinator's staff page and the beheerder's new school. The caller mails the link.

    - A new address: a new account holding the roles, and a link that sets its first password.
    - An account that is already staff of this school: the roles are added, nothing else; if it
      never set a password, a fresh link to do so (mailed to the account's own address).
    - Any other existing account: nothing about it changes. Its holder is mailed a link to
      accept the roles after logging in (or, for an account that never set a password, by
      setting one through that link, which reached their own address).
    """
    if not roles:
        raise AccountError(_("Kies minstens één rol."))
    email, name = normalise_email(email), name.strip()
    valid = timedelta(days=valid_days)
    user = find_user(email)
    if user is None:
        user = User(email=email, name=name)
        db.session.add(user)
        db.session.flush()
        _add_roles(user, school_id, roles)
        return _new_link(user, InviteKind.ACTIVATE, valid, invited_by=invited_by, email=email)
    if any(m.school_id == school_id for m in user.memberships):
        _add_roles(user, school_id, roles)
        db.session.flush()
        if not user.password_hash:
            return _new_link(user, InviteKind.ACTIVATE, valid, invited_by=invited_by, email=email)
        return None
    return _new_link(
        user,
        InviteKind.JOIN,
        valid,
        invited_by=invited_by,
        school_id=school_id,
        roles=roles,
        name=name,
        email=email,
    )


def request_reset(email: str, valid: timedelta) -> Link | None:
    """A password-reset link for the active account with this address, or None (the caller
    answers the same either way, so the page does not tell which addresses have an account)."""
    user = find_user(email)
    if user is None or not user.active:
        return None
    return _new_link(user, InviteKind.RESET, valid)


def find_invite(token: str, kinds: tuple[InviteKind, ...]) -> Invite | None:
    """The unused, unexpired link of one of ``kinds`` for this token, or None."""
    invite = db.session.scalar(select(Invite).where(Invite.token_hash == token_hash(token)))
    if invite is None or invite.used_at is not None or invite.kind not in kinds:
        return None
    if _expired(invite) or not invite.user.active:
        return None
    return invite


def _expired(invite: Invite) -> bool:
    expires = invite.expires_at
    if expires.tzinfo is None:  # SQLite returns naive datetimes
        expires = expires.replace(tzinfo=utcnow().tzinfo)
    return expires < utcnow()


def invite_roles(invite: Invite) -> list[Role]:
    return [Role(r) for r in invite.roles.split()]


def sets_password(invite: Invite) -> bool:
    """Whether following this link sets a password: a reset, or an account that has none yet."""
    return invite.kind == InviteKind.RESET or not invite.user.password_hash


def use_invite(invite: Invite, password: str | None = None) -> User:
    """Follow a link: set the password where it sets one, add the roles of a join.

    The view makes sure that a join of an account with a password is used by its holder,
    logged in (``password`` None)."""
    if sets_password(invite):
        if password is None:
            raise AccountError(_("Kies een wachtwoord."))
        set_password(invite.user, password)
    if invite.kind == InviteKind.JOIN and invite.school_id is not None:
        _add_roles(invite.user, invite.school_id, invite_roles(invite))
    invite.used_at = utcnow()
    db.session.flush()
    return invite.user


def pending_joins(school_id: int) -> list[Invite]:
    """Invitations to this school that wait for their holder, as the inviter typed them."""
    return [
        invite
        for invite in db.session.scalars(
            select(Invite)
            .where(
                Invite.school_id == school_id,
                Invite.kind == InviteKind.JOIN,
                Invite.used_at.is_(None),
            )
            .order_by(Invite.name)
        )
        if not _expired(invite)
    ]
