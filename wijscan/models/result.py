"""Stored scoring results: reproducible, because they record instrument and scoring versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from wijscan.models.base import Base, Timestamped


class StoredResult(Timestamped, Base):
    __tablename__ = "stored_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scan.id", ondelete="CASCADE"), index=True)
    instrument_id: Mapped[str] = mapped_column(String(40))
    instrument_version: Mapped[int]
    scoring_version: Mapped[str] = mapped_column(String(20))
    #: Empty for a group result (the class or the school); the respondent id otherwise.
    respondent_id: Mapped[str | None] = mapped_column(String(36), index=True)
    #: Themes and overall as the scoring core returned them (suppressed groups hold no numbers).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
