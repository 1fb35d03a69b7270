"""Care signals (level 1–2 or a critical answer) and their follow-up. A reason for a
conversation, never a diagnosis."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Select, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijscan.models.base import Base, Timestamped
from wijscan.models.response import RespondentLink
from wijscan.models.student import Student


class SignalStatus(enum.StrEnum):
    """Where the follow-up of a signal stands. Stored by name."""

    NEW = "nieuw"
    TALKING = "in_gesprek"
    REFERRED = "doorverwezen"
    CLOSED = "afgesloten"

    @property
    def open(self) -> bool:
        return self is not SignalStatus.CLOSED


class Signal(Timestamped, Base):
    __tablename__ = "signal"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scan.id", ondelete="CASCADE"), index=True)
    klas_id: Mapped[int | None] = mapped_column(ForeignKey("klas.id", ondelete="SET NULL"))
    respondent_id: Mapped[str] = mapped_column(String(36))
    #: The respondent's (capped) overall level.
    level: Mapped[int | None]
    #: Theme ids at level 1–2 (per instrument), the critical item ids that fired, and the
    #: school's signal rule when it was raised ({"level": 2, "critical": true}).
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[SignalStatus] = mapped_column(
        Enum(SignalStatus, native_enum=False, length=20), default=SignalStatus.NEW
    )

    follow_ups: Mapped[list[SignalFollowUp]] = relationship(
        back_populates="signal", cascade="all, delete-orphan", order_by="SignalFollowUp.id"
    )


class SignalFollowUp(Timestamped, Base):
    __tablename__ = "signal_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signal.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    status: Mapped[SignalStatus] = mapped_column(Enum(SignalStatus, native_enum=False, length=20))
    note: Mapped[str] = mapped_column(Text, default="")

    signal: Mapped[Signal] = relationship(back_populates="follow_ups")


def with_student(query: Select) -> Select:
    """``query`` over signals, joined to each signal's student through its scan's respondent
    link: the student is None when the link (anonymous, purged) or the student is gone."""
    return query.outerjoin(
        RespondentLink,
        (RespondentLink.respondent_id == Signal.respondent_id)
        & (RespondentLink.scan_id == Signal.scan_id),
    ).outerjoin(Student, Student.id == RespondentLink.student_id)
