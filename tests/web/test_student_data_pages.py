"""The coordinator's pages for a student's data: the readable export, the JSON download and the
erasure with its confirmation; who else may reach them (nobody)."""

from __future__ import annotations

import json

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.conftest import login
from tests.services.test_student_data import NAME, NUMBER, SURNAME, build_world
from wijscan.models import AuditEntry, RespondentLink, Response, Role, Signal, Student
from wijscan.services import student_data


@pytest.fixture
def world(app, make, db):
    return build_world(app, make, db)


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _entries(db, action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_page_shows_everything_stored_and_is_audited(app, db, world):
    target = world["target"]
    page = _client(app, world["coordinator"]).get(f"/leerlingen/{target.id}/gegevens")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"Gegevens van {NAME} {SURNAME}" in html
    assert NUMBER in html
    assert "Meetmoment 1" in html
    assert "Meetmoment 2" in html
    answered = db.session.scalar(
        select(Response).where(
            Response.respondent_id.in_(student_data.respondent_ids(target)),
            Response.instrument_id == "individu",
        )
    )
    item_text = world["content"].instruments["individu"].items[0].text.nl
    assert answered.answers
    assert str(escape(item_text)) in html
    assert "Gesprek gepland met de mentor." in html
    assert "nooit een diagnose" in html
    assert "Zorg Zoë" in html  # who wrote the notes and who looked
    assert "Leerlingbeeld bekeken" in html
    for code in db.session.scalars(
        select(RespondentLink.respondent_id).where(RespondentLink.student_id == target.id)
    ):
        assert code in html
    assert "Klasgenoot1" not in html  # a classmate's data is not here
    (entry,) = _entries(db, "export_student_data")
    assert entry.object_type == "Student"
    assert entry.object_id == str(target.id)
    assert entry.user_id == world["coordinator"].id
    assert entry.detail == {"form": "page"}


def test_the_download_is_a_json_attachment_with_every_section(app, db, world):
    target = world["target"]
    response = _client(app, world["coordinator"]).get(f"/leerlingen/{target.id}/gegevens.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"leerling-{NUMBER}.json" in disposition
    data = json.loads(response.get_data(as_text=True))
    assert data["student"]["achternaam"] == SURNAME
    assert set(student_data.SECTIONS) <= {
        table
        for table in student_data.SECTIONS
        if student_data.rows_in(data, table)  # every kind of row is there for this student
    }
    (entry,) = _entries(db, "export_student_data")
    assert entry.detail == {"form": "json"}
    assert data["audit"][0]["id"] == entry.id  # the download lists itself


def test_erasure_shows_the_counts_and_needs_the_right_number(app, db, world):
    target = world["target"]
    counts = student_data.erasure_counts(target)
    client = _client(app, world["coordinator"])
    page = client.get(f"/leerlingen/{target.id}/wissen")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"<li>{counts['answers']} antwoorden op vragen</li>" in html
    assert f"<li>{counts['signal_follow_ups']} notities bij signalen</li>" in html
    assert "<li>1 signaal</li>" in html
    assert "<li>de leerling zelf (naam, leerlingnummer, klas)</li>" in html
    assert "uitslagen van de klas en de school" in html

    wrong = client.post(f"/leerlingen/{target.id}/wissen", data={"leerlingnummer": "LLN-0000"})
    assert wrong.status_code == 200
    html = wrong.get_data(as_text=True)
    assert "Dit is niet het leerlingnummer van deze leerling. Er is niets gewist." in html
    assert 'id="leerlingnummer-error"' in html  # the message is on the field
    empty = client.post(f"/leerlingen/{target.id}/wissen", data={"leerlingnummer": " "})
    assert "Typ het leerlingnummer" in empty.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Student, target.id) is not None
    assert student_data.erasure_counts(target) == counts
    assert _entries(db, "erase_student_data") == []


def test_the_right_number_erases_and_is_audited_without_the_name(app, db, world):
    target, target_id = world["target"], world["target"].id
    counts = student_data.erasure_counts(target)
    respondents = student_data.respondent_ids(target)
    signals_before = db.session.scalar(select(func.count(Signal.id)))
    client = _client(app, world["coordinator"])
    done = client.post(f"/leerlingen/{target_id}/wissen", data={"leerlingnummer": NUMBER.lower()})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/leerlingen")
    db.session.expire_all()
    assert db.session.get(Student, target_id) is None
    assert (
        db.session.scalar(select(Response).where(Response.respondent_id.in_(respondents))) is None
    )
    assert db.session.scalar(select(func.count(Signal.id))) == signals_before - 1
    (entry,) = _entries(db, "erase_student_data")
    assert entry.object_type == "Student"
    assert entry.object_id == str(target_id)
    assert entry.detail == counts
    assert NAME not in json.dumps(entry.detail)
    assert NUMBER not in json.dumps(entry.detail)
    listing = client.get("/leerlingen").get_data(as_text=True)
    assert "De gegevens van de leerling zijn gewist" in listing
    assert SURNAME not in listing
    assert client.get(f"/leerlingen/{target_id}/gegevens").status_code == 404


def test_the_student_page_in_set_up_links_to_both(app, db, world):
    target = world["target"]
    html = _client(app, world["coordinator"]).get(f"/leerlingen/{target.id}").get_data(as_text=True)
    assert f'href="/leerlingen/{target.id}/gegevens"' in html
    assert f'href="/leerlingen/{target.id}/wissen"' in html


@pytest.mark.parametrize("who", ["mentor", "zorg"])
def test_a_mentor_and_the_care_coordinator_get_403(app, db, world, who):
    target = world["target"]
    client = _client(app, world[who])
    for path in ("gegevens", "gegevens.json", "wissen"):
        assert client.get(f"/leerlingen/{target.id}/{path}").status_code == 403, path
    refused = client.post(f"/leerlingen/{target.id}/wissen", data={"leerlingnummer": NUMBER})
    assert refused.status_code == 403
    assert db.session.get(Student, target.id) is not None
    assert _entries(db, "export_student_data") == []


def test_another_schools_coordinator_gets_404(app, db, make, world):
    target = world["target"]
    stranger = make.staff(world["other_school"], Role.COORDINATOR, name="Vreemde Coord")
    client = _client(app, stranger)
    for path in ("gegevens", "gegevens.json", "wissen"):
        response = client.get(f"/leerlingen/{target.id}/{path}")
        assert response.status_code == 404, path
        assert SURNAME not in response.get_data(as_text=True)
    refused = client.post(f"/leerlingen/{target.id}/wissen", data={"leerlingnummer": NUMBER})
    assert refused.status_code == 404
    db.session.expire_all()
    assert db.session.get(Student, target.id) is not None
    assert _entries(db, "export_student_data") == []
    assert _entries(db, "erase_student_data") == []
