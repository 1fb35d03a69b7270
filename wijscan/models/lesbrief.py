"""Lesbrieven a class plans and teaches (the catalogue itself is content, not data)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wijscan.models.base import Base, Timestamped


class LesbriefPlan(Timestamped, Base):
    __tablename__ = "lesbrief_plan"
    __table_args__ = (UniqueConstraint("klas_id", "lesbrief_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    klas_id: Mapped[int] = mapped_column(ForeignKey("klas.id", ondelete="CASCADE"))
    #: The lesbrief's id in lesbrieven/.
    lesbrief_id: Mapped[str] = mapped_column(String(80))
    planned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: Set when the mentor marks it taught.
    taught_on: Mapped[date | None]
