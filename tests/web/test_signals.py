"""The signals page and one signal: the order, the follow-up log, who may see it, the link to the
same student's earlier signal, and the start page's count."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from tests.conftest import login
from tests.web.test_reports import _round
from wijscan.models import (
    AuditEntry,
    RespondentLink,
    Role,
    Scan,
    ScanKind,
    ScanMode,
    ScanStatus,
    Signal,
    SignalFollowUp,
    SignalStatus,
)

RULE = {"level": 2, "critical": True}


def _scan(db, klas, scan_round):
    scan = Scan(
        school_id=klas.school_id,
        round_id=scan_round.id,
        klas_id=klas.id,
        kind=ScanKind.LEERLING,
        mode=ScanMode.PERSONAL,
        status=ScanStatus.CLOSED,
        instruments="klas individu",
    )
    db.session.add(scan)
    db.session.flush()
    return scan


def _signal(db, scan, student, *, level, items=(), themes=()):
    respondent = str(uuid.uuid4())
    db.session.add(RespondentLink(respondent_id=respondent, scan_id=scan.id, student_id=student.id))
    signal = Signal(
        school_id=scan.school_id,
        scan_id=scan.id,
        klas_id=scan.klas_id,
        respondent_id=respondent,
        level=level,
        detail={"themes": {"individu": list(themes)}, "items": list(items), "rule": RULE},
    )
    db.session.add(signal)
    db.session.flush()
    return signal


@pytest.fixture
def world(app, make, db):
    school = make.school()
    mentor = make.staff(school, Role.DOCENT, name="Mentor Een")
    other_mentor = make.staff(school, Role.DOCENT, name="Mentor Twee")
    zorg = make.staff(school, Role.ZORG, name="Zorg")
    klas = make.klas(school, "2B", mentors=[mentor])
    other_klas = make.klas(school, "3C", mentors=[other_mentor])
    students = [make.student(school, klas, roepnaam=f"Leerling{i}") for i in range(4)]
    elsewhere = make.student(school, other_klas, roepnaam="Anderklas")
    first, second = _round(db, school, "Meetmoment 1", 60), _round(db, school, "Meetmoment 2", 20)
    old_scan, new_scan = _scan(db, klas, first), _scan(db, klas, second)
    other_scan = _scan(db, other_klas, second)
    content = app.extensions["wijscan_content"]
    critical_item = next(i.id for i in content.instruments["individu"].items if i.critical)
    signals = {
        "old_level2": _signal(db, old_scan, students[0], level=2),
        "new_level2": _signal(db, new_scan, students[0], level=2, themes=["democratie"]),
        "level1": _signal(db, new_scan, students[1], level=1),
        "critical_old": _signal(db, old_scan, students[2], level=2, items=[critical_item]),
        "other_class": _signal(db, other_scan, elsewhere, level=2),
    }
    db.session.commit()
    return {
        "school": school,
        "mentor": mentor,
        "other_mentor": other_mentor,
        "zorg": zorg,
        "plain_docent": make.staff(school, Role.DOCENT, name="Zonder klas"),
        "coordinator": make.staff(school, Role.COORDINATOR, name="Coord"),
        "klas": klas,
        "students": students,
        "signals": signals,
        "content": content,
    }


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _order(page: str, ids) -> list[int]:
    found = [(page.index(f'id="signaal-{i}"'), i) for i in ids if f'id="signaal-{i}"' in page]
    return [i for _, i in sorted(found)]


def test_the_order_most_serious_first_then_newest(app, world):
    s = world["signals"]
    page = _client(app, world["zorg"]).get("/signalen").get_data(as_text=True)
    ids = [x.id for x in s.values()]
    # critical first (even from the older round), then level 1, then level 2 newest first
    assert _order(page, ids) == [
        s["critical_old"].id,
        s["level1"].id,
        s["other_class"].id,
        s["new_level2"].id,
        s["old_level2"].id,
    ]
    assert "een reden voor een gesprek, nooit een diagnose" in page


def test_a_mentor_sees_the_signals_of_their_classes_only(app, world):
    s = world["signals"]
    page = _client(app, world["mentor"]).get("/signalen").get_data(as_text=True)
    assert f'id="signaal-{s["level1"].id}"' in page
    assert f'id="signaal-{s["other_class"].id}"' not in page
    assert "Anderklas" not in page
    page = _client(app, world["plain_docent"]).get("/signalen").get_data(as_text=True)
    assert "Er zijn geen open signalen." in page
    assert "Leerling" not in page


def test_follow_up_is_stored_logged_and_shown_only_to_those_allowed(app, db, world):
    signal = world["signals"]["level1"]
    zorg = _client(app, world["zorg"])
    response = zorg.post(
        f"/signalen/{signal.id}", data={"status": "TALKING", "note": "Gesprek gepland\nop dinsdag."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Signal, signal.id)
    assert stored.status == SignalStatus.TALKING
    [entry] = db.session.scalars(select(SignalFollowUp)).all()
    assert (entry.user_id, entry.status, entry.note) == (
        world["zorg"].id,
        SignalStatus.TALKING,
        "Gesprek gepland op dinsdag.",
    )
    # the class's mentor sees the new status and the note, with who wrote it
    page = _client(app, world["mentor"]).get(f"/signalen/{signal.id}").get_data(as_text=True)
    assert "in gesprek" in page
    assert "Gesprek gepland op dinsdag." in page
    assert "Zorg" in page
    # the mentor of another class, a docent without a class, the coordinator who mentors nothing:
    # nothing (404), and they cannot write either
    for user in ("other_mentor", "plain_docent", "coordinator"):
        client = _client(app, world[user])
        assert client.get(f"/signalen/{signal.id}").status_code == 404, user
        assert (
            client.post(
                f"/signalen/{signal.id}", data={"status": "CLOSED", "note": "x"}
            ).status_code
            == 404
        ), user
    db.session.expire_all()
    assert db.session.get(Signal, signal.id).status == SignalStatus.TALKING
    # viewing a signal is audited
    views = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "view_signal")).all()
    assert [v.user_id for v in views] == [world["mentor"].id]
    assert all(v.detail["student_id"] == world["students"][1].id for v in views)


def test_a_bad_status_or_note_is_refused_with_the_field(app, db, world):
    signal = world["signals"]["level1"]
    zorg = _client(app, world["zorg"])
    response = zorg.post(f"/signalen/{signal.id}", data={"status": "GEDIAGNOSTICEERD"})
    assert response.status_code == 400
    response = zorg.post(f"/signalen/{signal.id}", data={"status": "CLOSED", "note": "x" * 1001})
    assert response.status_code == 400
    assert "hoogstens 1000 tekens" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Signal, signal.id).status == SignalStatus.NEW
    assert db.session.scalars(select(SignalFollowUp)).all() == []


def test_another_schools_care_coordinator_sees_nothing(app, make, db, world):
    elsewhere = make.school("Andere school")
    zorg = make.staff(elsewhere, Role.ZORG, name="Andere zorg")
    db.session.commit()
    client = _client(app, zorg)
    signal = world["signals"]["level1"]
    assert client.get(f"/signalen/{signal.id}").status_code == 404
    assert "Leerling" not in client.get("/signalen").get_data(as_text=True)


def test_the_signal_links_the_same_students_other_round(app, world):
    s = world["signals"]
    page = _client(app, world["zorg"]).get(f"/signalen/{s['new_level2'].id}").get_data(as_text=True)
    assert f'href="/signalen/{s["old_level2"].id}"' in page
    assert "Meetmoment 1" in page
    page = _client(app, world["zorg"]).get(f"/signalen/{s['old_level2'].id}").get_data(as_text=True)
    assert f'href="/signalen/{s["new_level2"].id}"' in page


def test_the_detail_has_interventions_and_the_care_protocol(app, db, world):
    s = world["signals"]
    page = _client(app, world["zorg"]).get(f"/signalen/{s['new_level2'].id}").get_data(as_text=True)
    assert "Zorgprotocol (standaard van WIJscan)" in page
    assert "Democratie" in page  # the listed low theme
    world["school"].care_protocol = "## Ons protocol\n\nBel eerst de mentor."
    db.session.commit()
    page = _client(app, world["zorg"]).get(f"/signalen/{s['new_level2'].id}").get_data(as_text=True)
    assert "Het zorgprotocol van de school" in page
    assert "Bel eerst de mentor." in page


def test_the_start_page_count_links_to_the_signals(app, world):
    page = _client(app, world["zorg"]).get("/start").get_data(as_text=True)
    assert 'href="/signalen"' in page
    assert "5 signalen wachten op een gesprek of opvolging." in page
    page = _client(app, world["mentor"]).get("/start").get_data(as_text=True)
    assert "4 signalen in jouw klassen wachten op een gesprek." in page
