"""A school (tenant) and its school years."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijscan.models.base import Base, Timestamped


class School(Timestamped, Base):
    __tablename__ = "school"
    __table_args__ = (
        CheckConstraint("retention_months BETWEEN 1 AND 120", name="retention_range"),
        CheckConstraint("audit_retention_months BETWEEN 1 AND 120", name="audit_retention_range"),
        CheckConstraint("signal_level BETWEEN 0 AND 5", name="signal_level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The school's name as staff know it.
    name: Mapped[str] = mapped_column(String(200))
    #: Town, shown beside the name where schools share a name.
    town: Mapped[str] = mapped_column(String(120), default="")
    #: Months after a round closes that individual data is kept (answers, respondent links,
    #: individual results, signals and their notes); then ``wijscan purge`` deletes it.
    retention_months: Mapped[int] = mapped_column(default=12)
    #: Months the audit log is kept.
    audit_retention_months: Mapped[int] = mapped_column(default=24)
    #: The signal rule: a student gets a signal when their overall level is at most this
    #: (0: never by level) ...
    signal_level: Mapped[int] = mapped_column(default=2)
    #: ... or when they gave a critical answer (if this is on).
    signal_on_critical: Mapped[bool] = mapped_column(default=True)
    #: The school's own care protocol, shown beside individual signals ("": the default one).
    care_protocol: Mapped[str] = mapped_column(Text, default="")
    #: Two-step login (a code from an app) for every staff member of the school, not only for
    #: those who switch it on themselves; checked when someone logs in.
    require_two_factor: Mapped[bool] = mapped_column(default=False, server_default=false())
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
