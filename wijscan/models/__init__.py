"""SQLAlchemy 2.0 typed models, one module per aggregate."""

from wijscan.models.account import (
    Invite,
    InviteKind,
    LoginSession,
    Membership,
    Role,
    User,
    new_session_token,
)
from wijscan.models.audit import AuditEntry
from wijscan.models.base import Base, utcnow
from wijscan.models.klas import STREAMS, Klas, klas_mentor
from wijscan.models.lesbrief import LesbriefPlan
from wijscan.models.response import Answer, RespondentLink, Response, ResponseStatus
from wijscan.models.result import StoredResult
from wijscan.models.round_total import RoundTotal, TotalKind
from wijscan.models.scan import AccessCode, Scan, ScanKind, ScanMode, ScanRound, ScanStatus
from wijscan.models.school import School, SchoolYear
from wijscan.models.signal import Signal, SignalFollowUp, SignalStatus
from wijscan.models.student import Student

__all__ = [
    "STREAMS",
    "AccessCode",
    "Answer",
    "AuditEntry",
    "Base",
    "Invite",
    "InviteKind",
    "Klas",
    "LesbriefPlan",
    "LoginSession",
    "Membership",
    "RespondentLink",
    "Response",
    "ResponseStatus",
    "Role",
    "RoundTotal",
    "Scan",
    "ScanKind",
    "ScanMode",
    "ScanRound",
    "ScanStatus",
    "School",
    "SchoolYear",
    "Signal",
    "SignalFollowUp",
    "SignalStatus",
    "StoredResult",
    "Student",
    "TotalKind",
    "User",
    "klas_mentor",
    "new_session_token",
    "utcnow",
]
