"""Fixtures shared by the web tests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from wijscan.models import Role, ScanRound


@pytest.fixture
def klas_world(app, make, db):
    school = make.school()
    mentor = make.staff(school, Role.DOCENT, name="Mentor")
    coordinator = make.staff(school, Role.COORDINATOR, name="Coord")
    klas = make.klas(school, "2B", mentors=[mentor])
    students = [
        make.student(school, klas, roepnaam=name, achternaam="Test")
        for name in ("Ada", "Bo", "Cem", "Dewi", "Eva", "Finn")
    ]
    scan_round = ScanRound(
        school_id=school.id,
        school_year_id=school.years[0].id,
        name="Meetmoment 2",
        opens_on=date.today() - timedelta(days=1),
        closes_on=date.today() + timedelta(days=10),
    )
    db.session.add(scan_round)
    db.session.commit()
    return {
        "school": school,
        "mentor": mentor,
        "coordinator": coordinator,
        "klas": klas,
        "students": students,
        "round": scan_round,
        "content": app.extensions["wijscan_content"],
    }
