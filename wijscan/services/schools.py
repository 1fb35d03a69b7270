"""Schools as the programme administrator sees them: counts only, never a person."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from wijscan.extensions import db
from wijscan.models import Klas, Role, School, Student, User
from wijscan.services import accounts
from wijscan.services.setup import audit, invite_staff


@dataclass
class SchoolRow:
    school: School
    classes: int
    students: int


def create_school(
    *,
    name: str,
    town: str,
    coordinator_name: str,
    coordinator_email: str,
    created_by: User | None,
    valid_days: int,
) -> tuple[School, accounts.Link | None]:
    """A new school and the invitation of its first coordinator (the same invitation as a
    coordinator's staff page sends: the beheerder sees no link and no account)."""
    school = School(name=name.strip(), town=town.strip())
    db.session.add(school)
    db.session.flush()
    audit(school.id, created_by.id if created_by else None, "create_school", school)
    link = invite_staff(
        school.id,
        email=coordinator_email,
        name=coordinator_name,
        roles=[Role.COORDINATOR],
        invited_by=created_by,
        valid_days=valid_days,
    )
    return school, link


def overview() -> list[SchoolRow]:
    classes = dict(
        db.session.execute(
            select(Klas.school_id, func.count())
            .where(Klas.archived.is_(False))
            .group_by(Klas.school_id)
        ).all()
    )
    students = dict(
        db.session.execute(
            select(Student.school_id, func.count())
            .where(Student.active.is_(True))
            .group_by(Student.school_id)
        ).all()
    )
    return [
        SchoolRow(school=s, classes=classes.get(s.id, 0), students=students.get(s.id, 0))
        for s in db.session.scalars(select(School).order_by(School.name))
    ]
