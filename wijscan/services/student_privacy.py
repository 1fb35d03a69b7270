"""What the students' privacy page can say about a student's own scan: how long their school keeps
the answers and whether the scan is personal or anonymous.

The scan is found only from codes this browser's session holds — the questionnaire puts them
there once a code opened a scan — never from anything a visitor types into an address, so the
page cannot be used to test codes or to read another school's settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from wijscan.extensions import db
from wijscan.models import AccessCode, Scan, ScanKind, ScanMode, School

#: What a school keeps individual answers for when nobody changed it (months after the round).
DEFAULT_RETENTION_MONTHS: int = School.__table__.c.retention_months.default.arg

#: At most this many session codes are looked up (a shared device holds a few a morning).
MAX_CODES = 20


@dataclass(frozen=True)
class OwnScan:
    """The facts of the student's own scan that the privacy page shows."""

    #: The school's retention of individual answers, in months after the round closes.
    retention_months: int
    #: True for a personal student scan, False for an anonymous one, None for the staff scan.
    personal: bool | None


def own_scan(codes: Sequence[str]) -> OwnScan | None:
    """The scan of the first of ``codes`` (most wanted first) that exists, or None. ``codes``
    must come from the session, never from the request."""
    wanted = [c for c in dict.fromkeys(codes) if isinstance(c, str) and c][:MAX_CODES]
    if not wanted:
        return None
    rows = db.session.execute(
        select(AccessCode.code, Scan.kind, Scan.mode, School.retention_months)
        .join(Scan, Scan.id == AccessCode.scan_id)
        .join(School, School.id == Scan.school_id)
        .where(AccessCode.code.in_(wanted))
    ).all()
    found = {code: (kind, mode, months) for code, kind, mode, months in rows}
    for code in wanted:
        if code in found:
            kind, mode, months = found[code]
            personal = mode == ScanMode.PERSONAL if kind == ScanKind.LEERLING else None
            return OwnScan(retention_months=months, personal=personal)
    return None
