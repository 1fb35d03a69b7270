"""A school (tenant) and its school years."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijscan.models.base import Base, Timestamped


class School(Timestamped, Base):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The school's name as staff know it.
    name: Mapped[str] = mapped_column(String(200))
    #: Town, shown beside the name where schools share a name.
    town: Mapped[str] = mapped_column(String(120), default="")
    #: How many days individual answers are kept before ``wijscan purge`` deletes them.
    retention_days: Mapped[int] = mapped_column(default=365)
    #: The school's own care protocol, shown beside individual signals.
    care_protocol: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    years: Mapped[list[SchoolYear]] = relationship(
        back_populates="school", order_by="SchoolYear.starts_on"
    )


class SchoolYear(Base):
    __tablename__ = "school_year"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    #: For example "2026-2027".
    name: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    school: Mapped[School] = relationship(back_populates="years")
