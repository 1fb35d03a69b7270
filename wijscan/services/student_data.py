"""Everything WIJscan stores about one student, on a request of the student or a parent: the
export (inzage, AVG article 15) and the erasure (AVG article 17).

A student's data is every row that names the student (``student``, ``respondent_link``) or
carries one of their respondent ids (``response`` with its ``answer`` rows, ``stored_result``,
``signal`` with its ``signal_follow_up`` rows, ``access_code``), and the audit entries about the
student or one of their signals. :data:`SECTIONS` says where each table's rows are in the export;
a test derives the tables that refer to a student or a respondent id from the models' metadata and
checks that every one of them is there, so a new table cannot be forgotten.

The erasure deletes all of it, the ``student`` row too: once the respondent links are gone no
row keeps a foreign key to the student, so there is nothing that needs an anonymised stand-in.
What stays is what identifies no student: the group results (stored results without a
respondent id), the round totals, and the audit log, whose entries refer to the student by their
bare id only (the accountability of who looked at the data, kept for the school's audit term).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import selectinload

from wijscan.content import Content
from wijscan.extensions import db
from wijscan.models import (
    AccessCode,
    Answer,
    AuditEntry,
    Klas,
    RespondentLink,
    Response,
    Scan,
    ScanRound,
    Signal,
    SignalFollowUp,
    StoredResult,
    Student,
    User,
    utcnow,
)
from wijscan.services.setup import audit

EXPORT_ACTION = "export_student_data"
ERASE_ACTION = "erase_student_data"

#: Where the rows of each table are in :meth:`StudentData.to_dict`: the keys to follow from the
#: top (each step a list of rows, or the one ``student`` row). Every row holds all its columns.
SECTIONS: dict[str, tuple[str, ...]] = {
    "student": ("student",),
    "respondent_link": ("respondent_links",),
    "response": ("responses",),
    "answer": ("responses", "answers"),
    "stored_result": ("results",),
    "signal": ("signals",),
    "signal_follow_up": ("signals", "follow_ups"),
    "access_code": ("access_codes",),
    "audit_log": ("audit",),
}

#: What an erasure deletes, in the order it deletes it (children before their parents), with the
#: words the confirmation page and the audit entry use for the counts.
ERASE_KINDS = (
    "answers",
    "responses",
    "signal_follow_ups",
    "signals",
    "individual_results",
    "access_codes",
    "respondent_links",
    "student",
)


def json_value(value: Any) -> Any:
    """A column value as JSON holds it: dates and times in ISO 8601, enums by their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _columns(row: Any) -> dict[str, Any]:
    """Every column of an ORM row, by column name."""
    return {c.name: json_value(getattr(row, c.key)) for c in row.__table__.columns}


def rows_in(data: dict[str, Any], table: str) -> list[dict[str, Any]]:
    """The rows of ``table`` in an export made by :meth:`StudentData.to_dict`."""
    first, *rest = SECTIONS[table]
    found = data[first]
    rows = [found] if isinstance(found, dict) else list(found)
    for key in rest:
        rows = [child for row in rows for child in row[key]]
    return rows


@dataclass
class ScanData:
    """One scan the student was linked to (personal mode), with what was stored under the
    respondent id of that scan."""

    link: RespondentLink
    scan: Scan
    round: ScanRound
    klas: Klas | None
    responses: list[Response] = field(default_factory=list)
    results: list[StoredResult] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    codes: list[AccessCode] = field(default_factory=list)


@dataclass
class StudentData:
    student: Student
    klas: Klas | None
    #: Per linked scan, newest round first.
    scans: list[ScanData]
    #: Audit entries about the student or one of their signals, newest first.
    audit: list[AuditEntry]
    #: Names of the staff that appear (observers, follow-ups, audit), by user id.
    users: dict[int, str]
    #: Question texts (nl) and answer labels (nl) from the content, by item id.
    item_texts: dict[str, str]
    item_labels: dict[str, list[str]]
    generated_at: datetime

    def user_name(self, user_id: int | None) -> str | None:
        return self.users.get(user_id) if user_id is not None else None

    def answer_label(self, item_id: str, value: int) -> str | None:
        labels = self.item_labels.get(item_id)
        return labels[value - 1] if labels and 1 <= value <= len(labels) else None

    def to_dict(self) -> dict[str, Any]:
        """The whole export, as JSON holds it: every stored column of every row, and beside it
        what makes it readable (question texts, who wrote a note, the scan's round)."""
        klas = self.klas
        scans = self.scans
        return {
            "generated_at": json_value(self.generated_at),
            "student": {
                **_columns(self.student),
                "klas": _columns(klas) if klas is not None else None,
            },
            "respondent_links": [
                {
                    **_columns(s.link),
                    "scan": {
                        **_columns(s.scan),
                        "round": _columns(s.round),
                        "klas": s.klas.name if s.klas is not None else None,
                    },
                }
                for s in scans
            ],
            "responses": [
                {
                    **_columns(response),
                    "observer": self.user_name(response.observer_id),
                    "answers": [
                        {
                            **_columns(answer),
                            "item_text": self.item_texts.get(answer.item_id),
                            "answer_label": self.answer_label(answer.item_id, answer.value),
                        }
                        for answer in response.answers
                    ],
                }
                for s in scans
                for response in s.responses
            ],
            "results": [
                {**_columns(result), "levels": levels(result)}
                for s in scans
                for result in s.results
            ],
            "signals": [
                {
                    **_columns(signal),
                    "item_texts": [
                        self.item_texts.get(i, i) for i in signal.detail.get("items", [])
                    ],
                    "follow_ups": [
                        {**_columns(step), "user": self.user_name(step.user_id)}
                        for step in signal.follow_ups
                    ],
                }
                for s in scans
                for signal in s.signals
            ],
            "access_codes": [_columns(code) for s in scans for code in s.codes],
            "audit": [
                {**_columns(entry), "user": self.user_name(entry.user_id)} for entry in self.audit
            ],
        }


def levels(result: StoredResult) -> dict[str, Any]:
    """The levels of an individual result: per theme, and overall."""
    payload = result.payload or {}
    return {
        "themes": {theme: v.get("level") for theme, v in payload.get("themes", {}).items()},
        "overall": (payload.get("overall") or {}).get("level"),
    }


def respondent_ids(student: Student) -> list[str]:
    """The respondent ids linked to ``student`` (one per personal scan)."""
    return list(
        db.session.scalars(
            select(RespondentLink.respondent_id).where(RespondentLink.student_id == student.id)
        )
    )


def _audit_about(student: Student, signal_ids: list[int]):
    """The condition for the school's audit entries about the student or one of their signals."""
    about_student = and_(
        AuditEntry.object_type == "Student", AuditEntry.object_id == str(student.id)
    )
    about_signal = and_(
        AuditEntry.object_type == "Signal",
        AuditEntry.object_id.in_([str(i) for i in signal_ids]),
    )
    return and_(AuditEntry.school_id == student.school_id, or_(about_student, about_signal))


def collect(student: Student, content: Content) -> StudentData:
    """Everything stored about ``student``; reads only. A constant number of statements."""
    rows = db.session.execute(
        select(RespondentLink, Scan, ScanRound, Klas)
        .join(Scan, Scan.id == RespondentLink.scan_id)
        .join(ScanRound, ScanRound.id == Scan.round_id)
        .outerjoin(Klas, Klas.id == Scan.klas_id)
        .where(RespondentLink.student_id == student.id)
        .order_by(ScanRound.opens_on.desc(), Scan.id.desc())
    ).all()
    scans = [ScanData(link=link, scan=scan, round=r, klas=k) for link, scan, r, k in rows]
    by_respondent = {s.link.respondent_id: s for s in scans}
    respondents = list(by_respondent)
    if respondents:
        # Every row kept under the student's respondent ids, per kind, onto its scan.
        for model, field, options in (
            (Response, "responses", (selectinload(Response.answers),)),
            (StoredResult, "results", ()),
            (Signal, "signals", (selectinload(Signal.follow_ups),)),
            (AccessCode, "codes", ()),
        ):
            for row in db.session.scalars(
                select(model)
                .where(model.respondent_id.in_(respondents))
                .options(*options)
                .order_by(model.id)
            ):
                getattr(by_respondent[row.respondent_id], field).append(row)
    signal_ids = [signal.id for s in scans for signal in s.signals]
    entries = list(
        db.session.scalars(
            select(AuditEntry)
            .where(_audit_about(student, signal_ids))
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        )
    )
    user_ids = {r.observer_id for s in scans for r in s.responses}
    user_ids |= {f.user_id for s in scans for signal in s.signals for f in signal.follow_ups}
    user_ids |= {e.user_id for e in entries}
    user_ids.discard(None)
    users = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
    item_texts, item_labels = {}, {}
    for instrument in content.instruments.values():
        for item in instrument.items:
            item_texts[item.id] = item.text.nl
            item_labels[item.id] = list(instrument.scale.labels["nl"])
    return StudentData(
        student=student,
        klas=db.session.get(Klas, student.klas_id) if student.klas_id is not None else None,
        scans=scans,
        audit=entries,
        users=users,
        item_texts=item_texts,
        item_labels=item_labels,
        generated_at=utcnow(),
    )


def export(student: Student, content: Content, *, user_id: int | None, form: str) -> StudentData:
    """Everything stored about ``student``, written to the audit log first as exported by
    ``user_id`` (``form``: "page" or "json"), so the export lists itself. Flushes only."""
    audit(student.school_id, user_id, EXPORT_ACTION, student, form=form)
    db.session.flush()
    return collect(student, content)


# --- erasure ------------------------------------------------------------------------------------


def _erase_targets(student: Student) -> dict[str, tuple[type, Any]]:
    """Per kind of :data:`ERASE_KINDS`: the model and the condition of the rows to erase."""
    respondents = respondent_ids(student)
    responses = select(Response.id).where(Response.respondent_id.in_(respondents))
    signals = select(Signal.id).where(Signal.respondent_id.in_(respondents))
    return {
        "answers": (Answer, Answer.response_id.in_(responses)),
        "responses": (Response, Response.respondent_id.in_(respondents)),
        "signal_follow_ups": (SignalFollowUp, SignalFollowUp.signal_id.in_(signals)),
        "signals": (Signal, Signal.respondent_id.in_(respondents)),
        # Group results have no respondent id: ``IN`` never matches them.
        "individual_results": (StoredResult, StoredResult.respondent_id.in_(respondents)),
        "access_codes": (AccessCode, AccessCode.respondent_id.in_(respondents)),
        "respondent_links": (RespondentLink, RespondentLink.student_id == student.id),
        "student": (Student, Student.id == student.id),
    }


def erasure_counts(student: Student) -> dict[str, int]:
    """How many rows of each kind an erasure of ``student`` would delete; reads only."""
    targets = _erase_targets(student)
    return {
        kind: db.session.scalar(select(func.count()).select_from(model).where(condition)) or 0
        for kind, (model, condition) in ((k, targets[k]) for k in ERASE_KINDS)
    }


def erase(student: Student, *, user_id: int | None) -> dict[str, int]:
    """Delete everything stored about ``student`` (see the module's docstring) and write the
    counts to the audit log, under the student's id only. Flushes, does not commit. Returns the
    counts per kind."""
    targets = _erase_targets(student)
    counts = {}
    for kind in ERASE_KINDS:
        model, condition = targets[kind]
        result = db.session.execute(
            delete(model).where(condition), execution_options={"synchronize_session": False}
        )
        counts[kind] = max(result.rowcount or 0, 0)
    audit(student.school_id, user_id, ERASE_ACTION, student, **counts)
    db.session.flush()
    # The deleted rows may still be in the session: forget them.
    db.session.expire_all()
    return counts
