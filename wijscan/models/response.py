"""Responses and answers, and the separate link from a respondent to a student.

A response knows only a random respondent id. In personal mode the link from that id to a student
lives in ``respondent_link``, which only the class's mentors and the care coordinator may read; in
anonymous mode there is no link at all.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijscan.models.base import Base, Timestamped


class ResponseStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    FINAL = "final"


class Response(Timestamped, Base):
    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("scan_id", "respondent_id", "instrument_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scan.id", ondelete="CASCADE"), index=True)
    #: Random id (uuid4); the only thing a response knows of who answered.
    respondent_id: Mapped[str] = mapped_column(String(36), index=True)
    instrument_id: Mapped[str] = mapped_column(String(40))
    instrument_version: Mapped[int]
    status: Mapped[ResponseStatus] = mapped_column(
        Enum(ResponseStatus, native_enum=False, length=20), default=ResponseStatus.IN_PROGRESS
    )
    #: Pages of this instrument saved so far; resuming starts after them.
    next_page: Mapped[int] = mapped_column(default=0)
    #: The mentor who filled an observation list (the respondent id is the student's).
    observer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class Answer(Base):
    __tablename__ = "answer"
    # One answer per item per response: a retried page save updates, never duplicates.
    __table_args__ = (UniqueConstraint("response_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(40))
    #: 1..points; a skipped item has no row.
    value: Mapped[int] = mapped_column(SmallInteger)

    response: Mapped[Response] = relationship(back_populates="answers")


class RespondentLink(Timestamped, Base):
    """Personal mode only: which student a respondent id belongs to."""

    __tablename__ = "respondent_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[str] = mapped_column(String(36), unique=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scan.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("student.id", ondelete="CASCADE"), index=True
    )
