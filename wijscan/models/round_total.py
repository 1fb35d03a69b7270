"""The totals of a round (the school, each leerjaar, each stream), stored when a scan closes.

A class's group result is stored with its scan (:class:`~wijscan.models.result.StoredResult`);
a total spans the classes of a round, so it is kept per round and written again whenever one of
the round's student scans closes (``wijscan.services.round_totals``). The payload has the shape
of a stored group result: themes and overall, suppressed groups holding nothing but ``n``.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wijscan.models.base import Base, Timestamped


class TotalKind(enum.StrEnum):
    SCHOOL = "school"
    LEERJAAR = "leerjaar"
    STROMING = "stroming"


class RoundTotal(Timestamped, Base):
    __tablename__ = "round_total"
    __table_args__ = (
        UniqueConstraint("round_id", "kind", "key", "instrument_id"),
        CheckConstraint("kind IN ('school', 'leerjaar', 'stroming')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("scan_round.id", ondelete="CASCADE"))
    #: One of :class:`TotalKind`.
    kind: Mapped[str] = mapped_column(String(20))
    #: The leerjaar ("1".."6") or the stream; empty for the school.
    key: Mapped[str] = mapped_column(String(20), default="")
    instrument_id: Mapped[str] = mapped_column(String(40))
    instrument_version: Mapped[int]
    scoring_version: Mapped[str] = mapped_column(String(20))
    #: A fingerprint of what the total was computed from: the round's closed scans with their
    #: class's leerjaar and stream, and the scoring rules. A reader whose own fingerprint differs
    #: (a class moved to another leerjaar, other rules) computes the total again instead.
    basis: Mapped[str] = mapped_column(String(64))
    #: Themes and overall as the scoring core returned them (suppressed groups hold no numbers).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
