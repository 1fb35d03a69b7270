"""Scan rounds (meetmomenten), scans and their access codes."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, DateTime, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijscan.models.base import Base, Timestamped
from wijscan.models.klas import Klas


class ScanRound(Timestamped, Base):
    """A meetmoment: the weeks in which a school runs its scans."""

    __tablename__ = "scan_round"
    __table_args__ = (CheckConstraint("closes_on >= opens_on", name="closes_after_opens"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    school_year_id: Mapped[int] = mapped_column(
        ForeignKey("school_year.id", ondelete="CASCADE"), index=True
    )
    #: For example "Meetmoment 1 (najaar)".
    name: Mapped[str] = mapped_column(String(120))
    opens_on: Mapped[date]
    closes_on: Mapped[date]

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.closes_on


class ScanKind(enum.StrEnum):
    #: Students answer klas + individu in one sitting.
    LEERLING = "leerling"
    #: Staff answer the school instrument.
    MEDEWERKER = "medewerker"


class ScanMode(enum.StrEnum):
    PERSONAL = "personal"
    ANONYMOUS = "anonymous"


class ScanStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Scan(Timestamped, Base):
    __tablename__ = "scan"
    #: A class has at most one student scan per round: a second one would hide the first (and its
    #: finished students) from the round's participation. The staff scan has no class, and NULLs
    #: are distinct in a unique index (SQLite and PostgreSQL alike), so it is not limited. A unique
    #: index rather than a constraint: SQLite adds it without rebuilding the table.
    __table_args__ = (Index("uq_scan_round_id_klas_id", "round_id", "klas_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("scan_round.id", ondelete="CASCADE"))
    #: The class for a student scan; empty for the staff scan.
    klas_id: Mapped[int | None] = mapped_column(ForeignKey("klas.id", ondelete="CASCADE"))
    kind: Mapped[ScanKind] = mapped_column(Enum(ScanKind, native_enum=False, length=20))
    mode: Mapped[ScanMode] = mapped_column(Enum(ScanMode, native_enum=False, length=20))
    status: Mapped[ScanStatus] = mapped_column(
        Enum(ScanStatus, native_enum=False, length=20), default=ScanStatus.OPEN
    )
    #: Space-separated instrument ids in the order they are answered, e.g. "klas individu".
    instruments: Mapped[str] = mapped_column(String(100))
    opened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    round: Mapped[ScanRound] = relationship()
    klas: Mapped[Klas | None] = relationship()


class AccessCode(Timestamped, Base):
    """A code that opens a scan: one per student (personal) or one per class (anonymous)."""

    __tablename__ = "access_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scan.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    #: Personal codes belong to one respondent; a shared class or staff code has none.
    respondent_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    #: Set when the respondent finished: the code cannot start the scan again.
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: A shared code: how many respondents (browsers) have started with it.
    claims: Mapped[int] = mapped_column(default=0)
    #: A shared class code lets at most this many respondents start (the class size and a small
    #: margin); the mentor can add a place or end the code (cap = claims). None: no cap.
    max_claims: Mapped[int | None]
