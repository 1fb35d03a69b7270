"""The class form's mentors and the staff invitation's roles are checkboxes (a fieldset with a
legend, each box in its own clickable label), and staff addresses are checked for delivery:
the reserved test domains of the demo accounts work in development and testing, not in
production."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from wtforms.validators import ValidationError

from tests.conftest import login
from wijscan.models import Invite, Klas, Membership, Role, User
from wijscan.services import accounts
from wijscan.web.validators import DeliverableEmail

PRODUCTION_REFUSAL = "dat domein is alleen voor tests, voorbeelden of een eigen netwerk"


class _Group:
    def __init__(self, attrs: dict[str, str | None]) -> None:
        self.attrs = attrs
        self.legend = ""
        self.boxes: list[dict] = []  # each input's attributes and the text of its label
        self.other_inputs: list[dict] = []
        self.text = ""


class _Fieldsets(HTMLParser):
    """The fieldsets of a page with their legend, checkboxes (and the label around each) and text;
    also every ``<select multiple>`` on the page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.groups: list[_Group] = []
        self.multi_selects: list[dict] = []
        self._group: _Group | None = None
        self._in_legend = False
        self._label: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "fieldset":
            self._group = _Group(attrs)
            self.groups.append(self._group)
        elif tag == "legend":
            self._in_legend = True
        elif tag == "label" and self._group is not None:
            self._label = {"for": attrs.get("for"), "text": "", "inputs": []}
        elif tag == "select" and "multiple" in attrs:
            self.multi_selects.append(attrs)
        elif tag == "input" and self._group is not None:
            box = dict(attrs, label="")
            if attrs.get("type") == "checkbox":
                self._group.boxes.append(box)
                if self._label is not None:
                    self._label["inputs"].append(box)
            else:
                self._group.other_inputs.append(box)

    def handle_endtag(self, tag):
        if tag == "fieldset":
            self._group = None
        elif tag == "legend":
            self._in_legend = False
        elif tag == "label" and self._label is not None:
            for box in self._label["inputs"]:
                box["label"] = " ".join(self._label["text"].split())
            self._label = None

    def handle_data(self, data):
        if self._group is None:
            return
        self._group.text += data
        if self._in_legend:
            self._group.legend += data.strip()
        if self._label is not None:
            self._label["text"] += data

    def group(self, legend: str) -> _Group:
        found = [g for g in self.groups if g.legend == legend]
        assert len(found) == 1, [g.legend for g in self.groups]
        return found[0]


@pytest.fixture
def school_people(make):
    school = make.school()
    coordinator = make.staff(school, Role.COORDINATOR, name="Coco Coördinator")
    marit = make.staff(school, Role.DOCENT, name="Marit Mentor")
    jesse = make.staff(school, Role.DOCENT, name="Jesse Janssen")
    return school, coordinator, marit, jesse


def _labels(group: _Group) -> dict[str, str]:
    return {box["value"]: box["label"] for box in group.boxes}


# --- mentors of a class ---------------------------------------------------------------------


def test_class_form_offers_the_mentors_as_labelled_checkboxes(client, school_people):
    _school, coordinator, marit, jesse = school_people
    login(client, coordinator)
    page = client.get("/klassen/nieuw").get_data(as_text=True)
    parsed = _Fieldsets(page)
    assert parsed.multi_selects == []
    assert "Ctrl" not in page
    mentors = parsed.group("Mentoren")
    assert _labels(mentors) == {
        str(coordinator.id): "Coco Coördinator",
        str(jesse.id): "Jesse Janssen",
        str(marit.id): "Marit Mentor",
    }
    for box in mentors.boxes:
        assert box["name"] == "mentors"
        assert "checked" not in box
        assert "required" not in box
    hint_id = mentors.attrs["id"] + "-hint"
    assert hint_id in mentors.attrs["aria-describedby"].split()
    assert f'id="{hint_id}"' in page


def test_class_form_saves_the_ticked_mentors_and_shows_them_ticked(client, db, school_people):
    _school, coordinator, marit, jesse = school_people
    login(client, coordinator)
    response = client.post(
        "/klassen/nieuw",
        data={
            "name": "1A",
            "leerjaar": "1",
            "stream": "vmbo-b",
            "mentors": [str(marit.id), str(jesse.id)],
        },
    )
    assert response.status_code == 302
    klas = db.session.scalar(select(Klas).where(Klas.name == "1A"))
    assert sorted(m.name for m in klas.mentors) == ["Jesse Janssen", "Marit Mentor"]

    edit = _Fieldsets(client.get(f"/klassen/{klas.id}/bewerken").get_data(as_text=True))
    ticked = {box["label"] for box in edit.group("Mentoren").boxes if "checked" in box}
    assert ticked == {"Jesse Janssen", "Marit Mentor"}

    # Untick one: only the other stays.
    client.post(
        f"/klassen/{klas.id}/bewerken",
        data={"name": "1A", "leerjaar": "1", "stream": "vmbo-b", "mentors": [str(jesse.id)]},
    )
    db.session.refresh(klas)
    assert [m.name for m in klas.mentors] == ["Jesse Janssen"]


def test_a_refused_class_form_keeps_the_ticked_mentors(client, school_people):
    _school, coordinator, marit, _jesse = school_people
    login(client, coordinator)
    page = client.post(
        "/klassen/nieuw",
        data={"name": "", "leerjaar": "1", "stream": "havo", "mentors": [str(marit.id)]},
    ).get_data(as_text=True)
    assert "Geef de klas een naam." in page
    ticked = [b["label"] for b in _Fieldsets(page).group("Mentoren").boxes if "checked" in b]
    assert ticked == ["Marit Mentor"]


# --- roles of an invitation -----------------------------------------------------------------


def _invite(client, email: str, roles=("docent",), name="Nina Nieuw"):
    return client.post("/medewerkers", data={"name": name, "email": email, "roles": list(roles)})


def test_invitation_offers_the_roles_as_labelled_checkboxes(client, school_people):
    _school, coordinator, _marit, _jesse = school_people
    login(client, coordinator)
    parsed = _Fieldsets(client.get("/medewerkers").get_data(as_text=True))
    assert parsed.multi_selects == []
    roles = parsed.group("Rollen")
    assert _labels(roles) == {
        "docent": "Docent / mentor",
        "zorgcoordinator": "Zorgcoördinator",
        "schoolcoordinator": "Schoolcoördinator",
    }
    # "At least one" is said in words; no single box is marked required.
    assert all(b["name"] == "roles" and "required" not in b for b in roles.boxes)
    assert "Kies een of meer rollen." in roles.text


def test_invitation_saves_the_ticked_roles(client, db, school_people):
    school, coordinator, _marit, _jesse = school_people
    login(client, coordinator)
    response = _invite(client, "nina@school.nl", roles=("docent", "zorgcoordinator"))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nina@school.nl"))
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id))
    assert {(m.school_id, Role(m.role)) for m in memberships} == {
        (school.id, Role.DOCENT),
        (school.id, Role.ZORG),
    }


def test_invitation_without_a_role_says_so_in_the_fieldset(client, db, school_people):
    _school, coordinator, _marit, _jesse = school_people
    login(client, coordinator)
    response = _invite(client, "nina@school.nl", roles=())
    assert response.status_code == 200
    roles = _Fieldsets(response.get_data(as_text=True)).group("Rollen")
    assert "Kies minstens één rol." in roles.text
    assert "roles-error" in roles.attrs["aria-describedby"].split()
    assert "has-error" in roles.attrs["class"]
    assert db.session.scalar(select(User).where(User.email == "nina@school.nl")) is None


def test_a_refused_invitation_keeps_the_ticked_roles(client, school_people):
    _school, coordinator, _marit, _jesse = school_people
    login(client, coordinator)
    page = _invite(client, "geen adres", roles=("zorgcoordinator",)).get_data(as_text=True)
    assert "Dit is geen geldig e-mailadres." in page
    ticked = [b["value"] for b in _Fieldsets(page).group("Rollen").boxes if "checked" in b]
    assert ticked == ["zorgcoordinator"]


# --- e-mail addresses -----------------------------------------------------------------------


def _field_error(page: str, field: str) -> str:
    """The text of the error paragraph of ``field`` (empty when there is none)."""
    marker = f'id="{field}-error">'
    if marker not in page:
        return ""
    return page.split(marker, 1)[1].split("</p>", 1)[0]


@pytest.fixture
def production(app, monkeypatch):
    """The test app with the production environment name: the validators read it per request."""
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    return app


def test_a_demo_address_can_be_invited_in_testing(client, db, school_people):
    _school, coordinator, _marit, _jesse = school_people
    login(client, coordinator)
    response = _invite(client, "nieuwe.mentor@demo.wijscan.test")
    assert response.status_code == 302
    assert accounts.find_user("nieuwe.mentor@demo.wijscan.test") is not None


@pytest.mark.parametrize(
    "address",
    ["mentor2@demo.wijscan.test", "a@voorbeeld.example", "b@example.com", "c@localhost"],
)
def test_reserved_test_domains_are_refused_in_production(
    production, client, db, school_people, address
):
    _school, coordinator, _marit, _jesse = school_people
    login(client, coordinator)
    response = _invite(client, address)
    assert response.status_code == 200
    error = _field_error(response.get_data(as_text=True), "email")
    domain = address.split("@")[1]
    assert error == (
        f"Naar {domain} kan geen e-mail worden gestuurd: {PRODUCTION_REFUSAL}. "
        "Vul een echt e-mailadres in."
    )
    assert accounts.find_user(address) is None
    assert db.session.scalar(select(Invite)) is None


@pytest.mark.parametrize("env", ["testing", "production"])
def test_an_ordinary_address_is_invited_in_every_environment(
    app, monkeypatch, client, db, school_people, env
):
    monkeypatch.setitem(app.config, "ENV_NAME", env)
    _school, coordinator, _marit, _jesse = school_people
    login(client, coordinator)
    response = _invite(client, "Pim.de-Vries+wijscan@scholengroep.nl")
    assert response.status_code == 302
    assert accounts.find_user("pim.de-vries+wijscan@scholengroep.nl") is not None


@pytest.mark.parametrize("env", ["testing", "production"])
@pytest.mark.parametrize(
    ("address", "error"),
    [
        ("geen-apenstaartje", "Dit is geen geldig e-mailadres."),
        ("a@b", "Dit is geen geldig e-mailadres."),
        ("twee@@school.nl", "Dit is geen geldig e-mailadres."),
        ("punt.@school.nl", "Dit is geen geldig e-mailadres."),
        # A school network's own domain is no test domain, in testing neither.
        (
            "docent@school.local",
            f"Naar school.local kan geen e-mail worden gestuurd: {PRODUCTION_REFUSAL}. "
            "Vul een echt e-mailadres in.",
        ),
    ],
)
def test_an_address_mail_cannot_reach_is_refused_everywhere(
    app, monkeypatch, client, db, school_people, env, address, error
):
    monkeypatch.setitem(app.config, "ENV_NAME", env)
    _school, coordinator, _marit, _jesse = school_people
    login(client, coordinator)
    response = _invite(client, address)
    assert response.status_code == 200
    assert _field_error(response.get_data(as_text=True), "email") == error
    assert db.session.scalar(select(Invite)) is None
    assert accounts.find_user(address) is None


class _Field:
    def __init__(self, data):
        self.data = data


@pytest.mark.parametrize(
    ("address", "in_testing", "in_production"),
    [
        ("mentor@demo.wijscan.test", True, False),
        ("iemand@test", True, False),
        ("iemand@school.example", True, False),
        ("iemand@example.org", True, False),
        ("iemand@school.invalid", True, False),
        ("iemand@localhost", True, False),
        ("iemand@LOCALHOST", True, False),
        ("  iemand@scholengroep.nl ", True, True),
        ("jörg@münchen.de", True, True),
        ("iemand@intranet", False, False),
        ("iemand@huis.local", False, False),
        ("iemand@x.onion", False, False),
        ("iemand@localhost.", False, False),
        ("@localhost", False, False),
        ("", False, False),
    ],
)
def test_deliverable_email_by_environment(app, monkeypatch, address, in_testing, in_production):
    for env, expected in (
        ("development", in_testing),
        ("testing", in_testing),
        ("production", in_production),
    ):
        monkeypatch.setitem(app.config, "ENV_NAME", env)
        with app.test_request_context():
            try:
                DeliverableEmail()(None, _Field(address))
            except ValidationError as error:
                accepted, why = False, str(error)
            else:
                accepted, why = True, ""
        assert accepted is expected, (address, env, why)


def test_the_beheerder_and_the_reset_form_use_the_same_rule(production, client, make, db):
    admin = make.staff(None, None, email="beheer@wijscan.nl", is_admin=True)
    login(client, admin)
    page = client.post(
        "/beheer/scholen",
        data={
            "name": "Demoschool",
            "town": "Zwolle",
            "coordinator_name": "Coördinator Demo",
            "coordinator_email": "coordinator@demo.wijscan.test",
        },
    ).get_data(as_text=True)
    assert PRODUCTION_REFUSAL in _field_error(page, "coordinator_email")
    assert accounts.find_user("coordinator@demo.wijscan.test") is None

    forgot = production.test_client().post(
        "/wachtwoord-vergeten", data={"email": "mentor@demo.wijscan.test"}
    )
    assert PRODUCTION_REFUSAL in _field_error(forgot.get_data(as_text=True), "email")
