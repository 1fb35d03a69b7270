"""School set-up by the coordinator: classes and mentors, students by hand, rounds."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from tests.conftest import login
from wijscan.models import AuditEntry, Klas, Role, ScanRound, Student


def _coordinator(client, make):
    school = make.school()
    coordinator = make.staff(school, Role.COORDINATOR, name="Coord")
    login(client, coordinator)
    return school, coordinator


def test_create_rename_and_archive_a_class_with_mentors(client, make, db):
    school, _ = _coordinator(client, make)
    mentor = make.staff(school, Role.DOCENT, name="Mentor Marit")
    response = client.post(
        "/klassen/nieuw",
        data={"name": "2B", "leerjaar": "2", "stream": "havo", "mentors": [str(mentor.id)]},
    )
    assert response.status_code == 302
    klas = db.session.scalar(select(Klas).where(Klas.name == "2B"))
    assert (klas.leerjaar, klas.stream, [m.name for m in klas.mentors]) == (
        2,
        "havo",
        ["Mentor Marit"],
    )

    client.post(
        f"/klassen/{klas.id}/bewerken",
        data={"name": "2B-havo", "leerjaar": "2", "stream": "havo", "mentors": []},
    )
    db.session.refresh(klas)
    assert klas.name == "2B-havo"
    assert klas.mentors == []

    client.post(f"/klassen/{klas.id}/archief", data={"archive": "1"})
    db.session.refresh(klas)
    assert klas.archived
    assert ">2B-havo</a>" not in client.get("/klassen").get_data(as_text=True)
    assert ">2B-havo</a>" in client.get("/klassen?archief=1").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["create_klas", "update_klas", "archive_klas"]


def test_class_form_errors_name_the_field(client, make, db):
    school, _ = _coordinator(client, make)
    make.klas(school, "1A")
    other_school = make.school("Elders")
    stranger = make.staff(other_school, Role.DOCENT)
    page = client.post(
        "/klassen/nieuw", data={"name": "1A", "leerjaar": "7", "stream": "havo"}
    ).get_data(as_text=True)
    assert "Het leerjaar is 1 tot en met 6." in page
    page = client.post(
        "/klassen/nieuw", data={"name": "1A", "leerjaar": "1", "stream": "havo"}
    ).get_data(as_text=True)
    assert "Er is al een klas met de naam 1A." in page
    page = client.post(
        "/klassen/nieuw",
        data={"name": "1C", "leerjaar": "1", "stream": "havo", "mentors": [str(stranger.id)]},
    ).get_data(as_text=True)
    assert "Kies alleen medewerkers van deze school als mentor." in page
    assert db.session.scalar(select(Klas).where(Klas.name == "1C")) is None


def test_add_edit_and_deactivate_a_student_by_hand(client, make, db):
    school, _ = _coordinator(client, make)
    klas = make.klas(school, "1A")
    response = client.post(
        "/leerlingen/nieuw",
        data={
            "leerlingnummer": "123456",
            "roepnaam": "Fatima",
            "tussenvoegsel": "el",
            "achternaam": "Idrissi",
            "klas_id": str(klas.id),
            "active": "y",
        },
    )
    assert response.status_code == 302
    student = db.session.scalar(select(Student))
    assert student.full_name == "Fatima el Idrissi"
    duplicate = client.post(
        "/leerlingen/nieuw",
        data={"leerlingnummer": "123456", "roepnaam": "X", "achternaam": "Y", "klas_id": "0"},
    )
    assert "Leerlingnummer 123456 bestaat al op deze school." in duplicate.get_data(as_text=True)
    client.post(
        f"/leerlingen/{student.id}",
        data={
            "leerlingnummer": "123456",
            "roepnaam": "Fatima",
            "tussenvoegsel": "",
            "achternaam": "Idrissi",
            "klas_id": "0",
        },
    )
    db.session.refresh(student)
    assert (student.active, student.klas_id) == (False, None)
    assert ">Fatima Idrissi</a>" not in client.get("/leerlingen").get_data(as_text=True)
    page = client.get("/leerlingen?inactief=1").get_data(as_text=True)
    assert ">Fatima Idrissi</a>" in page
    assert db.session.query(Student).count() == 1


def test_plan_scan_rounds(client, make, db):
    school, _ = _coordinator(client, make)
    response = client.post(
        "/meetmomenten",
        data={"name": "Meetmoment 1", "opens_on": "2026-10-05", "closes_on": "2026-10-23"},
    )
    assert response.status_code == 302
    scan_round = db.session.scalar(select(ScanRound))
    assert scan_round.school_id == school.id
    assert scan_round.is_open(scan_round.opens_on)
    backwards = client.post(
        "/meetmomenten",
        data={"name": "Fout", "opens_on": "2026-10-23", "closes_on": "2026-10-05"},
    )
    assert "De einddatum ligt vóór de begindatum." in backwards.get_data(as_text=True)
    across = client.post(
        "/meetmomenten",
        data={"name": "Te lang", "opens_on": "2027-07-01", "closes_on": "2027-09-01"},
    )
    assert "Een meetmoment valt binnen één schooljaar (2026-2027)." in across.get_data(as_text=True)
    assert db.session.query(ScanRound).count() == 1


def test_landing_page_tells_an_empty_school_what_to_do(client, make):
    _coordinator(client, make)
    page = client.get("/start").get_data(as_text=True)
    assert "Er zijn nog geen klassen." in page
    assert "Plan de meetmomenten van dit schooljaar" in page


def test_import_problems_are_told_in_the_chosen_language(client, make, db):
    _coordinator(client, make)
    csv = b"leerlingnummer;roepnaam;achternaam;klas\n12a!;Sam;;2B\n"
    dutch = client.post(
        "/leerlingen/import", data={"file": (io.BytesIO(csv), "leerlingen.csv")}
    ).get_data(as_text=True)
    assert "rij 2, kolom achternaam: leeg; elke leerling heeft een achternaam nodig" in dutch
    client.get("/taal/en")
    english = client.post(
        "/leerlingen/import", data={"file": (io.BytesIO(csv), "leerlingen.csv")}
    ).get_data(as_text=True)
    assert "row 2, column achternaam: empty; every student needs an achternaam" in english
    assert "row 2, column leerlingnummer: ‘12a!’ is not a valid student number" in english
    assert db.session.scalar(select(func.count(Student.id))) == 0
