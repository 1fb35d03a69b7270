"""Classes (klassen) and their mentors."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijscan.content.models import STREAMS
from wijscan.models.account import User
from wijscan.models.base import Base, Timestamped

__all__ = ["STREAMS", "Klas", "klas_mentor"]

klas_mentor = Table(
    "klas_mentor",
    Base.metadata,
    Column("klas_id", ForeignKey("klas.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)


class Klas(Timestamped, Base):
    __tablename__ = "klas"
    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        CheckConstraint("leerjaar BETWEEN 1 AND 6", name="leerjaar_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    #: The class name as the school uses it, e.g. "2B" or "H3a".
    name: Mapped[str] = mapped_column(String(40))
    leerjaar: Mapped[int]
    #: One of STREAMS.
    stream: Mapped[str] = mapped_column(String(20))
    archived: Mapped[bool] = mapped_column(default=False)

    mentors: Mapped[list[User]] = relationship(secondary=klas_mentor, order_by=User.name)
