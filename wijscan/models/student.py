"""Students: imported from the student information system, never given an account."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijscan.models.base import Base, Timestamped
from wijscan.models.klas import Klas


class Student(Timestamped, Base):
    __tablename__ = "student"
    __table_args__ = (UniqueConstraint("school_id", "leerlingnummer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    #: The number in the student information system; the key for re-imports.
    leerlingnummer: Mapped[str] = mapped_column(String(30))
    roepnaam: Mapped[str] = mapped_column(String(100))
    tussenvoegsel: Mapped[str] = mapped_column(String(30), default="")
    achternaam: Mapped[str] = mapped_column(String(120))
    klas_id: Mapped[int | None] = mapped_column(
        ForeignKey("klas.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)

    klas: Mapped[Klas | None] = relationship()

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.roepnaam, self.tussenvoegsel, self.achternaam) if p)
