"""The school's settings page (/school/instellingen): the coordinator saves valid values, every
out-of-range value is refused with its field named, other roles get 403, changes are audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import login
from wijscan.models import AuditEntry, Role, School
from wijscan.services.content import get_content

URL = "/school/instellingen"

VALID = {
    "retention_months": "6",
    "audit_retention_months": "36",
    "signal_level": "1",
    "signal_on_critical": "y",
    "care_protocol": "# Ons protocol\r\n\r\nBel de zorgcoördinator binnen een dag.",
}


@pytest.fixture
def school_world(app, make, db):
    school = make.school("Instelschool")
    other = make.school("Andere school")
    return {
        "school": school,
        "other": other,
        "coordinator": make.staff(school, Role.COORDINATOR, name="Coord"),
        "docent": make.staff(school, Role.DOCENT, name="Docent"),
        "zorg": make.staff(school, Role.ZORG, name="Zorg"),
    }


def _tag(page: str, field_id: str) -> str:
    """The opening tag of the form field with this id."""
    match = re.search(rf'<(input|textarea)[^>]* id="{re.escape(field_id)}"[^>]*>', page)
    assert match, field_id
    return match.group(0)


def _settings(db, school_id: int) -> tuple:
    db.session.commit()
    school = db.session.get(School, school_id)
    db.session.refresh(school)
    return (
        school.retention_months,
        school.audit_retention_months,
        school.signal_level,
        school.signal_on_critical,
        school.care_protocol,
    )


def _audits(db) -> list[AuditEntry]:
    db.session.commit()
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "update_school_settings")
            .order_by(AuditEntry.id)
        )
    )


def test_the_coordinator_sees_the_settings_explained(client, school_world):
    login(client, school_world["coordinator"])
    response = client.get(URL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'value="12"' in _tag(page, "retention_months")
    assert 'value="24"' in _tag(page, "audit_retention_months")
    assert "checked" in _tag(page, "signal_level-2")
    assert "checked" not in _tag(page, "signal_level-1")
    assert "checked" in _tag(page, "signal_on_critical")
    assert "Een signaal bij een totaalniveau van ten hoogste" in page
    assert "alleen bij kritieke antwoorden" in page
    assert "nooit een diagnose" in page
    assert "standaardprotocol" in page
    # the default protocol is there to read, and the page is in the coordinator's menu
    first_line = next(line for line in get_content().zorgprotocol.splitlines() if line.strip())
    assert first_line.lstrip("# ").strip()[:30] in page
    assert f'href="{URL}"' in client.get("/start").get_data(as_text=True)


def test_saving_valid_settings_stores_them_and_writes_the_audit_log(client, db, school_world):
    school_id = school_world["school"].id
    login(client, school_world["coordinator"])
    response = client.post(URL, data=VALID)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(URL)
    assert _settings(db, school_id) == (
        6,
        36,
        1,
        True,
        "# Ons protocol\n\nBel de zorgcoördinator binnen een dag.",
    )
    [entry] = _audits(db)
    assert entry.school_id == school_id
    assert entry.user_id == school_world["coordinator"].id
    assert entry.object_type == "School"
    assert entry.object_id == str(school_id)
    assert entry.detail["changes"] == {
        "retention_months": {"old": 12, "new": 6},
        "audit_retention_months": {"old": 24, "new": 36},
        "signal_level": {"old": 2, "new": 1},
        "care_protocol": {
            "old": "",
            "new": "# Ons protocol\n\nBel de zorgcoördinator binnen een dag.",
        },
    }
    # the other school is not touched
    assert _settings(db, school_world["other"].id) == (12, 24, 2, True, "")
    # the saved values are shown again; saving them unchanged writes nothing more
    page = client.get(URL).get_data(as_text=True)
    assert "De instellingen zijn opgeslagen." in page
    assert 'value="6"' in _tag(page, "retention_months")
    assert 'value="36"' in _tag(page, "audit_retention_months")
    assert "checked" in _tag(page, "signal_level-1")
    assert client.post(URL, data=VALID).status_code == 302
    assert len(_audits(db)) == 1
    assert "Er is niets veranderd." in client.get(URL).get_data(as_text=True)


def test_turning_critical_off_and_emptying_the_protocol_is_audited(client, db, school_world):
    school_id = school_world["school"].id
    login(client, school_world["coordinator"])
    client.post(URL, data=VALID)
    data = {k: v for k, v in VALID.items() if k != "signal_on_critical"} | {"care_protocol": " "}
    assert client.post(URL, data=data).status_code == 302
    assert _settings(db, school_id) == (6, 36, 1, False, "")
    last = _audits(db)[-1]
    assert last.detail["changes"] == {
        "signal_on_critical": {"old": True, "new": False},
        "care_protocol": {
            "old": "# Ons protocol\n\nBel de zorgcoördinator binnen een dag.",
            "new": "",
        },
    }


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("retention_months", "0", "Bewaartermijn leerlinggegevens"),
        ("retention_months", "121", "Bewaartermijn leerlinggegevens"),
        ("retention_months", "", "Bewaartermijn leerlinggegevens"),
        ("retention_months", "twaalf", "Bewaartermijn leerlinggegevens"),
        ("audit_retention_months", "0", "Bewaartermijn logboek"),
        ("audit_retention_months", "500", "Bewaartermijn logboek"),
        ("signal_level", "3", "Signaalregel"),
        ("signal_level", "-1", "Signaalregel"),
        ("signal_level", "hoog", "Signaalregel"),
        ("signal_level", None, "Signaalregel"),
        ("care_protocol", "x" * 20_001, "Zorgprotocol"),
        ("care_protocol", "Bel \u202ede zorg", "Zorgprotocol"),
    ],
)
def test_out_of_range_values_are_refused_with_the_field_named(
    client, db, school_world, field, value, named
):
    school_id = school_world["school"].id
    login(client, school_world["coordinator"])
    data = {k: v for k, v in VALID.items() if k != field}
    if value is not None:
        data[field] = value
    response = client.post(URL, data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<p class="error" id="{field}-error">{named}' in page
    assert page.count('class="error"') == 1
    assert _settings(db, school_id) == (12, 24, 2, True, "")
    assert _audits(db) == []


def test_the_longest_protocol_is_accepted(client, db, school_world):
    login(client, school_world["coordinator"])
    text = ("Stap één: praat met de leerling.\n" * 700)[:20_000].strip()
    response = client.post(URL, data=VALID | {"care_protocol": text})
    assert response.status_code == 302
    assert _settings(db, school_world["school"].id)[4] == text


def test_a_rule_that_never_signals_is_refused(client, db, school_world):
    login(client, school_world["coordinator"])
    data = {k: v for k, v in VALID.items() if k != "signal_on_critical"} | {"signal_level": "0"}
    response = client.post(URL, data=data)
    assert response.status_code == 200
    assert "geen enkele" in response.get_data(as_text=True)
    assert _settings(db, school_world["school"].id) == (12, 24, 2, True, "")
    # level 0 with critical answers on is a valid rule
    assert client.post(URL, data=VALID | {"signal_level": "0"}).status_code == 302
    assert _settings(db, school_world["school"].id)[2:4] == (0, True)


@pytest.mark.parametrize("role", ["docent", "zorg"])
def test_other_roles_are_refused(client, db, school_world, role):
    login(client, school_world[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, data=VALID).status_code == 403
    assert _settings(db, school_world["school"].id) == (12, 24, 2, True, "")
    assert _audits(db) == []
    assert f'href="{URL}"' not in client.get("/start").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]
