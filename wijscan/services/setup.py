"""Setting up a school: classes and mentors, students by hand, scan rounds and staff invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from wijscan.extensions import db
from wijscan.models import (
    AuditEntry,
    Klas,
    Membership,
    Role,
    Scan,
    ScanRound,
    ScanStatus,
    School,
    SchoolYear,
    Student,
    User,
)
from wijscan.services import accounts, round_totals
from wijscan.services.content import get_content


class SetupError(ValueError):
    """A problem the coordinator can fix; ``field`` names the form field it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def audit(school_id: int | None, user_id: int | None, action: str, obj=None, **detail) -> None:
    db.session.add(
        AuditEntry(
            school_id=school_id,
            user_id=user_id,
            action=action,
            object_type=type(obj).__name__ if obj is not None else "",
            object_id=str(obj.id) if obj is not None and obj.id is not None else "",
            detail=detail,
        )
    )


# --- classes ------------------------------------------------------------------------------------


def _class_name_taken(school_id: int, name: str, except_id: int | None = None) -> bool:
    query = select(Klas.id).where(Klas.school_id == school_id, Klas.name == name)
    if except_id is not None:
        query = query.where(Klas.id != except_id)
    return db.session.scalar(query) is not None


def school_mentors(school_id: int) -> list[User]:
    """Staff of the school who can be a mentor (any staff role), by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership)
            .where(Membership.school_id == school_id, User.active.is_(True))
            .distinct()
            .order_by(User.name)
        )
    )


def save_klas(
    school_id: int,
    *,
    klas: Klas | None,
    name: str,
    leerjaar: int,
    stream: str,
    mentor_ids: list[int],
    user_id: int | None,
) -> Klas:
    """Create a class (``klas`` None) or change one: name, leerjaar, stream and mentors."""
    name = name.strip()
    if _class_name_taken(school_id, name, klas.id if klas else None):
        raise SetupError("name", _("Er is al een klas met de naam %(name)s.", name=name))
    mentor_ids = list(dict.fromkeys(mentor_ids))  # a mentor chosen twice is one mentor
    allowed = {u.id: u for u in school_mentors(school_id)}
    unknown = [i for i in mentor_ids if i not in allowed]
    if unknown:
        raise SetupError("mentors", _("Kies alleen medewerkers van deze school als mentor."))
    moved = False
    if klas is None:
        klas = Klas(school_id=school_id, name=name, leerjaar=leerjaar, stream=stream)
        db.session.add(klas)
        action = "create_klas"
    else:
        moved = (klas.leerjaar, klas.stream) != (leerjaar, stream)
        klas.name, klas.leerjaar, klas.stream = name, leerjaar, stream
        action = "update_klas"
    klas.mentors = [allowed[i] for i in mentor_ids]
    db.session.flush()
    if moved:
        _refresh_totals_of(klas)
    audit(school_id, user_id, action, klas, name=name)
    return klas


def _refresh_totals_of(klas: Klas) -> None:
    """A class moved to another leerjaar or stream: the stored totals of the rounds it has a
    closed scan in count it in its old group, so they are stored again (about 0.1 s a round);
    the dashboard would otherwise compute those rounds from the answers until the next close."""
    rounds = db.session.scalars(
        select(ScanRound)
        .join(Scan, Scan.round_id == ScanRound.id)
        .where(Scan.klas_id == klas.id, Scan.status == ScanStatus.CLOSED)
        .distinct()
    )
    content = get_content()
    for scan_round in list(rounds):
        round_totals.refresh(scan_round, content)


def set_archived(klas: Klas, archived: bool, user_id: int | None) -> None:
    klas.archived = archived
    audit(klas.school_id, user_id, "archive_klas" if archived else "restore_klas", klas)
    db.session.flush()


def students_of(school_id: int, klas_id: int | None = None, include_inactive: bool = False):
    query = select(Student).where(Student.school_id == school_id)
    if klas_id is not None:
        query = query.where(Student.klas_id == klas_id)
    if not include_inactive:
        query = query.where(Student.active.is_(True))
    return list(db.session.scalars(query.order_by(Student.achternaam, Student.roepnaam)))


def school_klassen(school_id: int, include_archived: bool = False) -> list[Klas]:
    query = select(Klas).where(Klas.school_id == school_id).order_by(Klas.name)
    if not include_archived:
        query = query.where(Klas.archived.is_(False))
    return list(db.session.scalars(query))


# --- students by hand ---------------------------------------------------------------------------


@dataclass
class StudentData:
    leerlingnummer: str
    roepnaam: str
    tussenvoegsel: str
    achternaam: str
    klas_id: int | None
    active: bool = True


def save_student(
    school_id: int, *, student: Student | None, data: StudentData, user_id: int | None
) -> Student:
    nummer = data.leerlingnummer.strip()
    clash = db.session.scalar(
        select(Student.id).where(
            Student.school_id == school_id,
            Student.leerlingnummer == nummer,
            Student.id != (student.id if student else -1),
        )
    )
    if clash is not None:
        raise SetupError(
            "leerlingnummer",
            _("Leerlingnummer %(nummer)s bestaat al op deze school.", nummer=nummer),
        )
    if data.klas_id is not None:
        klas = db.session.get(Klas, data.klas_id)
        if klas is None or klas.school_id != school_id:
            raise SetupError("klas_id", _("Kies een klas van deze school."))
    if student is None:
        student = Student(school_id=school_id, leerlingnummer=nummer, roepnaam="", achternaam="")
        db.session.add(student)
    student.leerlingnummer = nummer
    student.roepnaam = data.roepnaam.strip()
    student.tussenvoegsel = data.tussenvoegsel.strip()
    student.achternaam = data.achternaam.strip()
    student.klas_id = data.klas_id
    student.active = data.active
    db.session.flush()
    audit(school_id, user_id, "save_student", student)
    return student


# --- scan rounds --------------------------------------------------------------------------------


def school_year_for(school: School, day: date) -> SchoolYear:
    """The school year containing ``day`` (1 August – 31 July), created when missing."""
    start_year = day.year if day.month >= 8 else day.year - 1
    name = f"{start_year}-{start_year + 1}"
    for year in school.years:
        if year.name == name:
            return year
    year = SchoolYear(
        name=name, starts_on=date(start_year, 8, 1), ends_on=date(start_year + 1, 7, 31)
    )
    school.years.append(year)
    db.session.flush()
    return year


#: Rounds are planned within this many years of today; a date in year 1 or 9999 is a typo.
ROUND_YEARS_AROUND_TODAY = 5


def round_date_bounds(today: date) -> tuple[date, date]:
    """The first and last day a scan round may open or close on, seen from ``today``."""
    return (
        date(today.year - ROUND_YEARS_AROUND_TODAY, 1, 1),
        date(today.year + ROUND_YEARS_AROUND_TODAY, 12, 31),
    )


def round_date_problem(day: date, today: date) -> str | None:
    """Why ``day`` cannot be a round's date, or None when it can."""
    first, last = round_date_bounds(today)
    if first <= day <= last:
        return None
    return _("Kies een datum tussen %(first)d en %(last)d.", first=first.year, last=last.year)


def save_round(
    school: School,
    *,
    scan_round: ScanRound | None,
    name: str,
    opens_on: date,
    closes_on: date,
    user_id: int | None,
) -> ScanRound:
    for field, day in (("opens_on", opens_on), ("closes_on", closes_on)):
        problem = round_date_problem(day, date.today())
        if problem:
            raise SetupError(field, problem)
    if closes_on < opens_on:
        raise SetupError("closes_on", _("De einddatum ligt vóór de begindatum."))
    year = school_year_for(school, opens_on)
    if closes_on > year.ends_on:
        raise SetupError(
            "closes_on", _("Een meetmoment valt binnen één schooljaar (%(year)s).", year=year.name)
        )
    if scan_round is None:
        scan_round = ScanRound(
            school_id=school.id,
            school_year_id=year.id,
            name="",
            opens_on=opens_on,
            closes_on=closes_on,
        )
        db.session.add(scan_round)
    scan_round.name = name.strip()
    scan_round.opens_on, scan_round.closes_on = opens_on, closes_on
    scan_round.school_year_id = year.id
    db.session.flush()
    audit(school.id, user_id, "save_round", scan_round, name=scan_round.name)
    return scan_round


# --- staff --------------------------------------------------------------------------------------


def staff_of(school_id: int) -> list[tuple[User, list[Role]]]:
    users = school_mentors(school_id)
    return [(u, sorted(m.role for m in u.memberships if m.school_id == school_id)) for u in users]


def pending_invitations(school_id: int) -> list[tuple[str, str, list[Role]]]:
    """Invitations of existing accounts that wait for their holder: (name, address, roles) as
    the inviter typed them."""
    return [
        (invite.name, invite.email, accounts.invite_roles(invite))
        for invite in accounts.pending_joins(school_id)
    ]


def invite_staff(
    school_id: int,
    *,
    email: str,
    name: str,
    roles: list[Role],
    invited_by: User | None,
    valid_days: int,
) -> accounts.Link | None:
    """Invite a person to the school (:func:`accounts.invite_staff`), written to the audit log
    with the address as typed."""
    if not roles:
        raise SetupError("roles", _("Kies minstens één rol."))
    link = accounts.invite_staff(
        school_id,
        email=email,
        name=name,
        roles=roles,
        invited_by=invited_by,
        valid_days=valid_days,
    )
    audit(
        school_id,
        invited_by.id if invited_by else None,
        "invite_staff",
        None,
        email=accounts.normalise_email(email),
        roles=[str(r) for r in roles],
    )
    return link
