"""Lesbrieven a class plans and teaches (the catalogue itself is content, not data)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wijscan.models.base import Base, Timestamped

#: The longest reflection a mentor writes: one or two sentences.
REFLECTION_LENGTH = 300


class LesbriefPlan(Timestamped, Base):
    """One lesbrief in a class's action plan: planned for a day, later marked taught.

    A class has a lesbrief in its plan once; planning it again moves the date.
    """

    __tablename__ = "lesbrief_plan"
    __table_args__ = (
        UniqueConstraint("klas_id", "lesbrief_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    klas_id: Mapped[int] = mapped_column(ForeignKey("klas.id", ondelete="CASCADE"))
    #: The lesbrief's id in lesbrieven/.
    lesbrief_id: Mapped[str] = mapped_column(String(80))
    planned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: The day the mentor means to teach it (None: not yet dated).
    planned_on: Mapped[date | None]
    #: Set when the mentor marks it taught.
    taught_on: Mapped[date | None]
    #: How it went, 1 (not well) to 5 (very well), and one sentence; written when marked taught.
    rating: Mapped[int | None]
    reflection: Mapped[str | None] = mapped_column(String(REFLECTION_LENGTH))
