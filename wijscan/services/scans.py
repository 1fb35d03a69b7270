"""Opening, watching and closing scans, and their access codes.

A student scan asks a class the klas and individu instruments in one sitting. In personal mode
every student gets a code of their own and a random respondent id, linked to the student in
``respondent_link``; in anonymous mode the class shares one code and nothing links a response to
a student. The staff scan asks the school instrument with a shared staff code, and optionally
personal links that only let a staff member resume on another device.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from wijscan.content import Content
from wijscan.extensions import db
from wijscan.models import (
    AccessCode,
    Klas,
    RespondentLink,
    Response,
    ResponseStatus,
    Scan,
    ScanKind,
    ScanMode,
    ScanRound,
    ScanStatus,
    Student,
    User,
)
from wijscan.services import results
from wijscan.services.setup import SetupError, audit

#: No look-alikes: without 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
#: 9 characters of 25 = 41.8 bits of randomness.
CODE_LENGTH = 9

STUDENT_INSTRUMENTS = ("klas", "individu")
STAFF_INSTRUMENTS = ("school",)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a student typed, as stored: upper case, without spaces and dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def show_code(code: str) -> str:
    """A code in groups of three, easier to read from the board: ``ACD-EFG-HJK``."""
    return "-".join(code[i : i + 3] for i in range(0, len(code), 3))


def new_respondent_id() -> str:
    return str(uuid.uuid4())


def _unique_codes(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(new_code())
    taken = set(db.session.scalars(select(AccessCode.code).where(AccessCode.code.in_(codes))))
    return list(codes - taken) + (_unique_codes(len(taken)) if taken else [])


def open_round(school_id: int, today: date) -> ScanRound | None:
    return db.session.scalar(
        select(ScanRound)
        .where(
            ScanRound.school_id == school_id,
            ScanRound.opens_on <= today,
            ScanRound.closes_on >= today,
        )
        .order_by(ScanRound.opens_on)
    )


def current_scan(klas: Klas, scan_round: ScanRound) -> Scan | None:
    """The student scan of ``klas`` in ``scan_round`` (open or closed), if any: there is at most
    one (a unique index on round and class)."""
    return db.session.scalar(
        select(Scan).where(Scan.klas_id == klas.id, Scan.round_id == scan_round.id)
    )


class ScanExists(SetupError):
    """The class already has its scan of this round (open or closed); ``scan`` is that one."""

    def __init__(self, scan: Scan):
        if scan.status == ScanStatus.OPEN:
            message = _("Deze klas heeft in dit meetmoment al een open scan.")
        else:
            message = _("Deze klas heeft de scan van dit meetmoment al gedaan.")
        super().__init__("mode", message)
        self.scan = scan


def open_student_scan(
    klas: Klas, scan_round: ScanRound, mode: ScanMode, user: User, content: Content
) -> Scan:
    """Open the klas + individu scan for a class; one code per student or one for the class.

    A class has one student scan per round: when it already has one (open or closed) this raises
    :class:`ScanExists`. Two requests at once both pass that check; the unique index refuses the
    second insert (IntegrityError), and the caller shows the scan the other one made."""
    existing = current_scan(klas, scan_round)
    if existing is not None:
        raise ScanExists(existing)
    scan = Scan(
        school_id=klas.school_id,
        round_id=scan_round.id,
        klas_id=klas.id,
        kind=ScanKind.LEERLING,
        mode=mode,
        instruments=" ".join(STUDENT_INSTRUMENTS),
        opened_by_id=user.id,
    )
    db.session.add(scan)
    db.session.flush()
    students = list(
        db.session.scalars(
            select(Student).where(Student.klas_id == klas.id, Student.active.is_(True))
        )
    )
    if not students:
        raise SetupError("mode", _("Deze klas heeft nog geen leerlingen."))
    if mode == ScanMode.PERSONAL:
        for student, code in zip(students, _unique_codes(len(students)), strict=True):
            respondent = new_respondent_id()
            db.session.add(AccessCode(scan_id=scan.id, code=code, respondent_id=respondent))
            db.session.add(
                RespondentLink(respondent_id=respondent, scan_id=scan.id, student_id=student.id)
            )
    else:
        db.session.add(
            AccessCode(
                scan_id=scan.id, code=_unique_codes(1)[0], max_claims=class_code_cap(len(students))
            )
        )
    db.session.flush()
    audit(klas.school_id, user.id, "open_scan", scan, mode=str(mode), klas=klas.name)
    return scan


def class_code_cap(class_size: int) -> int:
    """How many respondents may start with a class's shared code: the class and a small margin
    (a student whose browser lost the session starts again), so that anyone who sees the board
    cannot fill the class result with answers of their own."""
    return class_size + max(2, -(-class_size // 10))


def add_place(scan: Scan, code: AccessCode, user: User) -> None:
    """One more respondent may start with the class code (the mentor saw the code was full)."""
    code.max_claims = max(code.max_claims or 0, code.claims) + 1
    audit(
        scan.school_id, user.id, "class_code_place", code, claims=code.claims, cap=code.max_claims
    )
    db.session.flush()


def end_code(scan: Scan, code: AccessCode, user: User) -> None:
    """Nobody new starts with the class code; whoever started can finish."""
    code.max_claims = code.claims
    audit(scan.school_id, user.id, "class_code_end", code, claims=code.claims)
    db.session.flush()


def open_staff_scan(school_id: int, scan_round: ScanRound, user: User) -> Scan:
    existing = db.session.scalar(
        select(Scan).where(
            Scan.round_id == scan_round.id,
            Scan.kind == ScanKind.MEDEWERKER,
            Scan.status == ScanStatus.OPEN,
        )
    )
    if existing is not None:
        return existing
    scan = Scan(
        school_id=school_id,
        round_id=scan_round.id,
        klas_id=None,
        kind=ScanKind.MEDEWERKER,
        mode=ScanMode.ANONYMOUS,
        instruments=" ".join(STAFF_INSTRUMENTS),
        opened_by_id=user.id,
    )
    db.session.add(scan)
    db.session.flush()
    db.session.add(AccessCode(scan_id=scan.id, code=_unique_codes(1)[0]))
    audit(school_id, user.id, "open_staff_scan", scan)
    db.session.flush()
    return scan


def personal_staff_codes(scan: Scan, staff: list[User]) -> list[tuple[User, str]]:
    """One resumable code per staff member. Nothing records whose code is whose."""
    codes = _unique_codes(len(staff))
    for code in codes:
        db.session.add(AccessCode(scan_id=scan.id, code=code, respondent_id=new_respondent_id()))
    db.session.flush()
    return list(zip(staff, codes, strict=True))


def respondent_of(scan: Scan, student: Student) -> str | None:
    """The student's respondent id in a personal scan (None in anonymous mode)."""
    return db.session.scalar(
        select(RespondentLink.respondent_id).where(
            RespondentLink.scan_id == scan.id, RespondentLink.student_id == student.id
        )
    )


def observed_students(scan: Scan) -> set[int]:
    """Ids of the students whose observation list the mentor filled in this scan."""
    return set(
        db.session.scalars(
            select(RespondentLink.student_id)
            .join(Response, Response.respondent_id == RespondentLink.respondent_id)
            .where(
                RespondentLink.scan_id == scan.id,
                Response.scan_id == scan.id,
                Response.instrument_id == "observatie",
                Response.status == ResponseStatus.FINAL,
            )
        )
    )


def shared_code(scan: Scan) -> AccessCode | None:
    return db.session.scalar(
        select(AccessCode).where(AccessCode.scan_id == scan.id, AccessCode.respondent_id.is_(None))
    )


@dataclass
class Slip:
    student: Student
    code: str


def slips(scan: Scan) -> list[Slip]:
    """Personal codes with the student's name, by name (for printing)."""
    rows = db.session.execute(
        select(Student, AccessCode.code)
        .join(RespondentLink, RespondentLink.student_id == Student.id)
        .join(AccessCode, AccessCode.respondent_id == RespondentLink.respondent_id)
        .where(RespondentLink.scan_id == scan.id)
        .order_by(Student.achternaam, Student.roepnaam)
    ).all()
    return [Slip(student=s, code=c) for s, c in rows]


@dataclass
class Progress:
    expected: int | None
    started: int
    finished: int
    #: Personal mode only: students who have not finished, by name.
    not_finished: list[Student] = field(default_factory=list)


def progress(scan: Scan) -> Progress:
    """Started and finished respondents (a respondent counts once, whatever the instruments)."""
    instruments = scan.instruments.split()
    started = db.session.scalar(
        select(func.count(func.distinct(Response.respondent_id))).where(
            Response.scan_id == scan.id, Response.instrument_id.in_(instruments)
        )
    )
    finished_ids = set(
        db.session.scalars(
            select(Response.respondent_id)
            .where(
                Response.scan_id == scan.id,
                Response.status == ResponseStatus.FINAL,
                Response.instrument_id.in_(instruments),
            )
            .group_by(Response.respondent_id)
            .having(func.count() == len(instruments))
        )
    )
    if scan.mode == ScanMode.ANONYMOUS:
        return Progress(expected=None, started=started, finished=len(finished_ids))
    linked = db.session.execute(
        select(Student, RespondentLink.respondent_id)
        .join(RespondentLink, RespondentLink.student_id == Student.id)
        .where(RespondentLink.scan_id == scan.id)
        .order_by(Student.achternaam, Student.roepnaam)
    ).all()
    return Progress(
        expected=len(linked),
        started=started,
        finished=len(finished_ids),
        not_finished=[s for s, r in linked if r not in finished_ids],
    )


def close_scan(scan: Scan, content: Content, user: User | None) -> None:
    """Close a scan: no code works any more; score it and raise signals (once, also when two
    requests close it at once: see :func:`results.close_scan`)."""
    if results.close_scan(scan, content):
        audit(scan.school_id, user.id if user else None, "close_scan", scan)


def close_due_scans(content: Content, today: date, school_id: int | None = None) -> int:
    """Close every open scan whose round has ended; returns how many."""
    query = (
        select(Scan)
        .join(ScanRound, Scan.round_id == ScanRound.id)
        .where(Scan.status == ScanStatus.OPEN, ScanRound.closes_on < today)
    )
    if school_id is not None:
        query = query.where(Scan.school_id == school_id)
    due = list(db.session.scalars(query))
    for scan in due:
        close_scan(scan, content, None)
    return len(due)


@dataclass
class RoundParticipation:
    klas: Klas
    scan: Scan | None
    progress: Progress | None


def participation(scan_round: ScanRound) -> list[RoundParticipation]:
    klassen = db.session.scalars(
        select(Klas)
        .where(Klas.school_id == scan_round.school_id, Klas.archived.is_(False))
        .order_by(Klas.name)
    )
    rows = []
    for klas in klassen:
        scan = current_scan(klas, scan_round)
        rows.append(RoundParticipation(klas, scan, progress(scan) if scan else None))
    return rows


def staff_scan(scan_round: ScanRound) -> Scan | None:
    return db.session.scalar(
        select(Scan)
        .where(Scan.round_id == scan_round.id, Scan.kind == ScanKind.MEDEWERKER)
        .order_by(Scan.id.desc())
    )
