"""Schools as the programme administrator sees them: counts only, never a person."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from wijscan.extensions import db
from wijscan.models import Klas, Role, School, Student, User
from wijscan.services import accounts
from wijscan.services.setup import audit


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
) -> tuple[School, User, str]:
    school = School(name=name.strip(), town=town.strip())
    db.session.add(school)
    db.session.flush()
    coordinator = accounts.ensure_staff(
        email=coordinator_email, name=coordinator_name, school_id=school.id, role=Role.COORDINATOR
    )
    token = accounts.create_invite(coordinator, created_by, valid_days)
    audit(school.id, created_by.id if created_by else None, "create_school", school)
    return school, coordinator, token


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
