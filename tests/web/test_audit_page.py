"""The coordinator's audit page: the own school's entries only, newest first, in Dutch words,
filtered by staff member and by student, fifty to a page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import login
from tests.services.test_student_data import NUMBER, SURNAME, build_world
from wijscan.models import AuditEntry, Role, utcnow
from wijscan.services import student_data
from wijscan.services.audit_log import PER_PAGE
from wijscan.services.setup import audit


@pytest.fixture
def world(app, make, db):
    w = build_world(app, make, db)
    stranger = make.staff(w["other_school"], Role.COORDINATOR, name="Geheim Persoon")
    audit(w["other_school"].id, stranger.id, "view_student", w["others"][0])
    audit(w["school"].id, w["zorg"].id, "follow_up_signal", w["signal"], status="CLOSED")
    db.session.commit()
    w["stranger"] = stranger
    return w


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="audit-(\d+)"', html)]


def _own_ids(db, school_id, **where) -> list[int]:
    query = select(AuditEntry.id).where(AuditEntry.school_id == school_id)
    for column, value in where.items():
        query = query.where(getattr(AuditEntry, column) == value)
    return list(
        db.session.scalars(query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()))
    )


def test_the_own_schools_entries_newest_first_in_dutch(app, db, world):
    html = _client(app, world["coordinator"]).get("/audit").get_data(as_text=True)
    assert _row_ids(html) == _own_ids(db, world["school"].id)
    assert "Leerlingbeeld bekeken (persoonlijke uitslagen)" in html
    assert "Signaal bekeken" in html
    assert "Vervolgstap bij een signaal vastgelegd" in html
    assert "Scan geopend" in html
    assert ">view_student<" not in html
    assert "Geheim Persoon" not in html  # another school's entry, and its staff
    assert "Ander0" not in html
    assert f"{world['target'].full_name}</a>" in html  # the entry names whom it is about
    assert "scan van 2B" in html  # the mentor opened the scan of 2B


def test_the_filter_by_staff_member(app, db, world):
    client = _client(app, world["coordinator"])
    zorg = world["zorg"]
    html = client.get(f"/audit?medewerker={zorg.id}").get_data(as_text=True)
    ids = _row_ids(html)
    assert ids == _own_ids(db, world["school"].id, user_id=zorg.id)
    assert len(ids) == 3  # the student view, the signal view and the follow-up
    assert f'<option value="{zorg.id}" selected>Zorg Zoë</option>' in html
    assert f'<option value="{world["mentor"].id}">Mentor Mo</option>' in html
    assert "Geheim Persoon" not in html
    # Another school's staff member is no filter here: everything of the own school shows.
    all_rows = client.get(f"/audit?medewerker={world['stranger'].id}").get_data(as_text=True)
    assert _row_ids(all_rows) == _own_ids(db, world["school"].id)


def test_the_filter_by_student_number_or_name(app, db, world):
    client = _client(app, world["coordinator"])
    target, signal = world["target"], world["signal"]
    about_target = {
        e.id
        for e in db.session.scalars(select(AuditEntry))
        if (e.object_type, e.object_id) in {("Student", str(target.id)), ("Signal", str(signal.id))}
    }
    assert len(about_target) == 3  # viewed, signal viewed, signal followed up
    for query in (NUMBER, NUMBER.lower(), "doelwit", f"Tessa {SURNAME[:5].upper()}"):
        html = client.get("/audit", query_string={"leerling": query}).get_data(as_text=True)
        assert set(_row_ids(html)) == about_target, query
        assert f'value="{query}"' in html
    classmate = world["classmates"][0]
    html = client.get("/audit", query_string={"leerling": classmate.roepnaam}).get_data(
        as_text=True
    )
    (row,) = _row_ids(html)
    assert db.session.get(AuditEntry, row).object_id == str(classmate.id)
    for nobody in ("Niemand", "Ander0", "%", "_"):  # Ander0 is another school's student
        html = client.get("/audit", query_string={"leerling": nobody}).get_data(as_text=True)
        assert _row_ids(html) == [], nobody
        assert "Geen leerling van deze school met dit leerlingnummer of deze naam." in html
    both = client.get(
        "/audit", query_string={"leerling": NUMBER, "medewerker": world["mentor"].id}
    ).get_data(as_text=True)
    assert _row_ids(both) == []  # the mentor did not look at the target


def test_fifty_to_a_page(app, db, world):
    school, mentor = world["school"], world["mentor"]
    start = utcnow() - timedelta(days=1)
    db.session.add_all(
        AuditEntry(
            school_id=school.id,
            user_id=mentor.id,
            action="save_round",
            created_at=start + timedelta(minutes=i),
        )
        for i in range(120)
    )
    db.session.commit()
    total = db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.school_id == school.id)
    )
    pages = -(-total // PER_PAGE)
    assert pages == 3
    everything = _own_ids(db, school.id)
    client = _client(app, world["coordinator"])
    first = client.get("/audit").get_data(as_text=True)
    assert _row_ids(first) == everything[:PER_PAGE]
    assert f"pagina 1 van {pages}" in first
    assert 'rel="next"' in first
    assert 'rel="prev"' not in first
    last = client.get(f"/audit?pagina={pages}").get_data(as_text=True)
    assert _row_ids(last) == everything[PER_PAGE * (pages - 1) :]
    assert 'rel="next"' not in last
    assert client.get("/audit?pagina=99").get_data(as_text=True).count('<tr id="audit-') == len(
        _row_ids(last)
    )
    filtered = client.get(f"/audit?medewerker={mentor.id}").get_data(as_text=True)
    assert f"medewerker={mentor.id}" in re.search(r'href="([^"]*)" rel="next"', filtered)[1]


def test_an_erased_student_shows_without_a_name(app, db, world):
    target_id = world["target"].id
    student_data.erase(world["target"], user_id=world["coordinator"].id)
    db.session.commit()
    html = _client(app, world["coordinator"]).get("/audit").get_data(as_text=True)
    assert "Alle gegevens van een leerling gewist" in html
    assert f"leerling met intern nummer {target_id} (gegevens verwijderd)" in html
    assert SURNAME not in html


@pytest.mark.parametrize("who", ["mentor", "zorg"])
def test_only_the_coordinator_reads_the_log(app, db, world, who):
    client = _client(app, world[who])
    assert client.get("/audit").status_code == 403
    assert 'href="/audit"' not in client.get("/start").get_data(as_text=True)


def test_the_coordinator_finds_it_in_the_navigation(app, db, world):
    html = _client(app, world["coordinator"]).get("/start").get_data(as_text=True)
    assert 'href="/audit">Audit</a>' in html
