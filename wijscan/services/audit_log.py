"""The school's audit log as its coordinator reads it: who looked at or changed what, and when,
newest first, a page at a time, filtered by staff member and by student.

An entry is about a student when its object is the student, or one of the student's signals (the
care coordinator's views and follow-ups). Entries of an erased student keep only the bare id: the
page says the student's data was erased, and a search by name or number cannot find them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, and_, cast, func, or_, select

from wijscan.extensions import db
from wijscan.models import (
    AuditEntry,
    Klas,
    RespondentLink,
    Scan,
    ScanKind,
    ScanRound,
    Signal,
    Student,
    User,
)

PER_PAGE = 50
#: A search looks at this many characters and words at most.
MAX_SEARCH, MAX_WORDS = 100, 5


@dataclass(frozen=True)
class AuditFilters:
    #: Only the entries of this staff member.
    user_id: int | None = None
    #: Only the entries about a student with this leerlingnummer or whose name holds these words.
    student: str = ""
    page: int = 1


@dataclass
class AuditRow:
    entry: AuditEntry
    #: Who did it (None: the system, such as the daily close of scans).
    user: str | None
    #: The student the entry is about, when they are still stored.
    student: Student | None = None
    #: The entry is about a student whose data was erased (or purged with their signal).
    student_gone: bool = False
    #: For an entry about something else: what it is ("Klas", "Scan", "ScanRound", …) and its
    #: name where the log can still find one.
    subject_kind: str = ""
    subject_name: str = ""


@dataclass
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int
    #: The staff members that appear in the school's log, by name: the choices of the filter.
    staff: list[tuple[int, str]]
    filters: AuditFilters
    #: How many students the student search matched (None: no search).
    students_found: int | None


def _search_words(text: str) -> list[str]:
    return text[:MAX_SEARCH].split()[:MAX_WORDS]


def _students_matching(school_id: int, text: str):
    """A query of the ids of the school's students whose leerlingnummer is ``text`` or whose
    name holds every word of it (any case)."""
    words = _search_words(text)
    name_matches = and_(
        *(
            or_(
                Student.roepnaam.icontains(word, autoescape=True),
                Student.tussenvoegsel.icontains(word, autoescape=True),
                Student.achternaam.icontains(word, autoescape=True),
            )
            for word in words
        )
    )
    return select(Student.id).where(
        Student.school_id == school_id,
        or_(func.lower(Student.leerlingnummer) == text.strip().lower(), name_matches),
    )


def about_students(student_ids) -> object:
    """The condition for entries about one of ``student_ids`` (a list or a query of ids): the
    student as the object, or one of their signals."""
    as_text = select(cast(Student.id, String)).where(Student.id.in_(student_ids))
    signals = (
        select(cast(Signal.id, String))
        .join(
            RespondentLink,
            and_(
                RespondentLink.respondent_id == Signal.respondent_id,
                RespondentLink.scan_id == Signal.scan_id,
            ),
        )
        .where(RespondentLink.student_id.in_(student_ids))
    )
    return or_(
        and_(AuditEntry.object_type == "Student", AuditEntry.object_id.in_(as_text)),
        and_(AuditEntry.object_type == "Signal", AuditEntry.object_id.in_(signals)),
        # A view of a signal names the student in its detail: found after the signal is purged.
        and_(
            AuditEntry.object_type == "Signal",
            AuditEntry.detail["student_id"].as_integer().in_(student_ids),
        ),
    )


def staff_in_log(school_id: int) -> list[tuple[int, str]]:
    """The staff members with entries in the school's log, by name."""
    in_log = select(AuditEntry.user_id).where(AuditEntry.school_id == school_id).distinct()
    return [
        (user_id, name)
        for user_id, name in db.session.execute(
            select(User.id, User.name).where(User.id.in_(in_log)).order_by(User.name, User.id)
        )
    ]


def audit_page(school_id: int, filters: AuditFilters) -> AuditPage:
    """One page of the school's audit log, newest first. A filter on a staff member who does not
    appear in the log is ignored; a page past the last shows the last."""
    staff = staff_in_log(school_id)
    user_id = filters.user_id if filters.user_id in {i for i, _ in staff} else None
    student_text = " ".join(_search_words(filters.student))
    conditions = [AuditEntry.school_id == school_id]
    if user_id is not None:
        conditions.append(AuditEntry.user_id == user_id)
    students_found = None
    if student_text:
        matching = _students_matching(school_id, student_text)
        students_found = db.session.scalar(select(func.count()).select_from(matching.subquery()))
        conditions.append(about_students(matching))
    total = db.session.scalar(select(func.count(AuditEntry.id)).where(*conditions)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(filters.page, 1), pages)
    entries = list(
        db.session.scalars(
            select(AuditEntry)
            .where(*conditions)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE)
        )
    )
    return AuditPage(
        rows=_rows(school_id, entries),
        total=total,
        page=page,
        pages=pages,
        staff=staff,
        filters=AuditFilters(user_id=user_id, student=student_text, page=page),
        students_found=students_found,
    )


def _ids(entries: list[AuditEntry], kind: str) -> set[int]:
    return {
        int(e.object_id)
        for e in entries
        if e.object_type == kind and e.object_id.isascii() and e.object_id.isdigit()
    }


def _rows(school_id: int, entries: list[AuditEntry]) -> list[AuditRow]:
    """The entries with who did it and what they are about: a few statements per page."""
    user_ids = {e.user_id for e in entries if e.user_id is not None}
    users = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
    signal_student = {}
    if signal_ids := _ids(entries, "Signal"):
        signal_student = dict(
            db.session.execute(
                select(Signal.id, RespondentLink.student_id)
                .join(
                    RespondentLink,
                    and_(
                        RespondentLink.respondent_id == Signal.respondent_id,
                        RespondentLink.scan_id == Signal.scan_id,
                    ),
                )
                .where(Signal.id.in_(signal_ids), Signal.school_id == school_id)
            ).all()
        )
    for entry in entries:
        named = (entry.detail or {}).get("student_id") if entry.object_type == "Signal" else None
        if isinstance(named, int) and entry.object_id.isdigit():
            signal_student.setdefault(int(entry.object_id), named)
    student_ids = _ids(entries, "Student") | set(signal_student.values())
    students = (
        {
            s.id: s
            for s in db.session.scalars(
                select(Student).where(Student.id.in_(student_ids), Student.school_id == school_id)
            )
        }
        if student_ids
        else {}
    )
    names: dict[tuple[str, int], str] = {}
    if klas_ids := _ids(entries, "Klas"):
        for klas_id, name in db.session.execute(
            select(Klas.id, Klas.name).where(Klas.id.in_(klas_ids), Klas.school_id == school_id)
        ):
            names["Klas", klas_id] = name
    if round_ids := _ids(entries, "ScanRound"):
        for round_id, name in db.session.execute(
            select(ScanRound.id, ScanRound.name).where(
                ScanRound.id.in_(round_ids), ScanRound.school_id == school_id
            )
        ):
            names["ScanRound", round_id] = name
    staff_scans = set()
    if scan_ids := _ids(entries, "Scan"):
        for scan_id, kind, klas_name in db.session.execute(
            select(Scan.id, Scan.kind, Klas.name)
            .outerjoin(Klas, Klas.id == Scan.klas_id)
            .where(Scan.id.in_(scan_ids), Scan.school_id == school_id)
        ):
            if kind == ScanKind.MEDEWERKER:
                staff_scans.add(scan_id)
            names["Scan", scan_id] = klas_name or ""

    rows = []
    for entry in entries:
        row = AuditRow(entry=entry, user=users.get(entry.user_id))
        object_id = int(entry.object_id) if entry.object_id.isdigit() else None
        if entry.object_type == "Student":
            row.student = students.get(object_id)
            row.student_gone = row.student is None
        elif entry.object_type == "Signal":
            student_id = signal_student.get(object_id)
            row.student = students.get(student_id) if student_id is not None else None
            row.student_gone = row.student is None
        else:
            row.subject_kind = entry.object_type
            if entry.object_type == "Scan" and object_id in staff_scans:
                row.subject_kind = "StaffScan"
            row.subject_name = names.get((entry.object_type, object_id), "")
        rows.append(row)
    return rows
