"""A school's own settings: how long data is kept, the signal rule, the care protocol and whether
all staff must use two-step login.

Every change is written to the audit log with the old and the new value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wijscan.extensions import db
from wijscan.models import School
from wijscan.services.setup import audit

#: The longest care protocol a school can enter (Markdown): a few pages of text.
CARE_PROTOCOL_LENGTH = 20_000
#: The signal rule's level a school can choose: at most 2. A higher level would flag a large
#: share of a class, and a care coordinator must be able to follow every signal up.
SIGNAL_LEVELS = (0, 1, 2)
#: The audit action of a change.
ACTION = "update_school_settings"


@dataclass(frozen=True)
class Settings:
    retention_months: int
    audit_retention_months: int
    signal_level: int
    signal_on_critical: bool
    care_protocol: str
    #: Two-step login for all staff of the school (checked when someone logs in).
    require_two_factor: bool = False

    @classmethod
    def of(cls, school: School) -> Settings:
        return cls(
            retention_months=school.retention_months,
            audit_retention_months=school.audit_retention_months,
            signal_level=school.signal_level,
            signal_on_critical=school.signal_on_critical,
            care_protocol=school.care_protocol or "",
            require_two_factor=school.require_two_factor,
        )


def save_settings(school: School, new: Settings, user_id: int | None) -> dict[str, dict[str, Any]]:
    """Store ``new`` on ``school``; returns the changes ({field: {"old": …, "new": …}}), which are
    written to the audit log as one entry (none when nothing changed). Flushes only."""
    old = Settings.of(school)
    changes: dict[str, dict[str, Any]] = {}
    for name in Settings.__dataclass_fields__:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes[name] = {"old": before, "new": after}
            setattr(school, name, after)
    if changes:
        audit(school.id, user_id, ACTION, school, changes=changes)
    db.session.flush()
    return changes
