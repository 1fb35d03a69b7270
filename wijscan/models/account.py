"""Staff accounts, their roles per school and invitations. Students never have an account."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijscan.models.base import Base, Timestamped


class Role(enum.StrEnum):
    """A role a staff member holds in one school."""

    DOCENT = "docent"
    ZORG = "zorgcoordinator"
    COORDINATOR = "schoolcoordinator"


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


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
    #: Changes at every login and logout so that an old session cookie stops working.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    #: Preferred interface language.
    locale: Mapped[str] = mapped_column(String(5), default="nl")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:
        # The token is part of the id so that logout elsewhere invalidates this cookie.
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "school_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=30))

    user: Mapped[User] = relationship(back_populates="memberships")


class Invite(Timestamped, Base):
    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    #: sha256 of the token in the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Who sent it (a coordinator or beheerder).
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
