"""Staff accounts, their roles per school and invitations. Students never have an account."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, Enum, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijscan.models.base import Base, Timestamped, utcnow


class Role(enum.StrEnum):
    """A role a staff member holds in one school."""

    DOCENT = "docent"
    ZORG = "zorgcoordinator"
    COORDINATOR = "schoolcoordinator"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class InviteKind(enum.StrEnum):
    """What a one-time link does."""

    #: A new account: the link sets its first password; its memberships exist already.
    ACTIVATE = "activate"
    #: An account that exists: the holder accepts the membership after logging in.
    JOIN = "join"
    #: Asked for by the holder ("wachtwoord vergeten"): the link sets a new password.
    RESET = "reset"


class User(UserMixin, Timestamped, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name, stored lower-case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: argon2id hash; empty until the invite is accepted.
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    #: Programme administrator (beheerder): manages schools, sees aggregates only.
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    #: Preferred interface language.
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    #: Two-step login (TOTP, RFC 6238): the base32 secret shared with the authenticator app.
    #: Set while setting up (a new one for every view of the set-up page) and kept to verify
    #: codes, sealed (wijscan/services/sealed.py); never shown again, never exported. "" when
    #: there is none.
    totp_secret: Mapped[str] = mapped_column(String(255), default="", server_default="")
    #: When two-step login was switched on (the confirmation code was right); None: off.
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The last time step (unix time // 30) whose code was accepted: a code of this step or an
    #: earlier one is refused, so an overheard code cannot be used again.
    totp_last_step: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    #: The login session this request belongs to (set by the user loader or at login).
    login_session_token = None
    #: The id of that login session's row ("Mijn sessies" marks it as this device).
    login_session_id = None

    def get_id(self) -> str:
        # The session's token is part of the id: ending that session ends this cookie.
        return f"{self.id}:{self.login_session_token or ''}"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active


class RecoveryCode(Base):
    """A one-time recovery code of a user's two-step login (for a lost phone): ten are shown
    once when two-step login is switched on; only their sha256 is stored; each works once."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: sha256 of the code as typed without spaces or dashes, in capitals.
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "school_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=30))

    user: Mapped[User] = relationship(back_populates="memberships")


class LoginSession(Base):
    """One logged-in device of a user. A user may have several (the board computer and a
    phone); logout ends one, a password change or deactivation ends them all."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: sha256 of the token in the session cookie; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: The browser as it named itself, shortened: lets a user recognise their devices.
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class Invite(Timestamped, Base):
    """A one-time link mailed to an address: activate a new account, join a school with an
    existing one, or reset a password. The link is never shown to the person who sent it."""

    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[InviteKind] = mapped_column(
        Enum(InviteKind, native_enum=False, length=20), default=InviteKind.ACTIVATE
    )
    #: JOIN: the school and roles the holder is asked to accept (space-separated role values).
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), index=True
    )
    roles: Mapped[str] = mapped_column(String(100), default="")
    #: The name and address as the inviter typed them: what the inviter's list shows until the
    #: invitation is accepted (never the account's stored name).
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    #: sha256 of the token in the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Who sent it (a coordinator or beheerder).
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
