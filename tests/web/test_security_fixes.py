"""Defects from the black-box probe: 500s on input a form should refuse, no request size limit,
missing security headers and caching rules, invisible characters in names, bare error pages."""

from __future__ import annotations

import http.client
import io
import re
import socket
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import abort
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.serving import make_server
from werkzeug.test import encode_multipart

from tests.conftest import login, make_test_app
from wijscan import access
from wijscan.models import (
    AccessCode,
    Answer,
    Klas,
    Response,
    Role,
    ScanRound,
    School,
    Student,
    User,
)
from wijscan.services import setup as setup_service

#: Answers that pass str.isdigit() but not int(), and one too long for int() to read.
NOT_NUMBERS = ["²", "⁵", "④", "9" * 5000]
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE


@pytest.fixture
def world(app, make, db):
    school = make.school()
    mentor = make.staff(school, Role.DOCENT, name="Mentor")
    coordinator = make.staff(school, Role.COORDINATOR, name="Coord")
    klas = make.klas(school, "2B", mentors=[mentor])
    students = [make.student(school, klas, roepnaam=n, achternaam="Test") for n in ("Ada", "Bo")]
    db.session.add(
        ScanRound(
            school_id=school.id,
            school_year_id=school.years[0].id,
            name="Meetmoment 2",
            opens_on=date.today() - timedelta(days=1),
            closes_on=date.today() + timedelta(days=10),
        )
    )
    db.session.commit()
    return {
        "app": app,
        "school": school,
        "mentor": mentor,
        "coordinator": coordinator,
        "klas": klas,
        "students": students,
        "content": app.extensions["wijscan_content"],
    }


def _open_scan(client, world, mode="personal") -> int:
    login(client, world["mentor"])
    opened = client.post(f"/klassen/{world['klas'].id}/scan", data={"mode": mode})
    assert opened.status_code == 302, opened.get_data(as_text=True)[:300]
    return int(opened.headers["Location"].rsplit("/", 1)[1])


def _shared_code(client, world, db) -> str:
    scan_id = _open_scan(client, world, mode="anonymous")
    return db.session.scalar(select(AccessCode.code).where(AccessCode.scan_id == scan_id))


def _first_page_items(world) -> list[str]:
    return [item.id for item in world["content"].instruments["klas"].themes[0].items]


def _answers(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Answer))


# --- (2) input a form should refuse, not a 500 ----------------------------------------------------


@pytest.mark.parametrize("answer", NOT_NUMBERS, ids=["sup2", "sup5", "circled4", "5000digits"])
def test_questionnaire_refuses_an_answer_that_is_not_a_plain_number(app, client, world, db, answer):
    code = _shared_code(client, world, db)
    student = app.test_client()
    student.post(f"/s/{code}")
    items = _first_page_items(world)
    data = dict.fromkeys(items, "3") | {items[1]: answer, "nav": "next"}
    refused = student.post(f"/s/{code}/1", data=data)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Kies bij deze vraag een van de antwoorden." in page
    marked = re.search(r'<fieldset class="item has-error">\s*<legend>([^<]*)</legend>', page)
    assert marked is not None
    assert marked.group(1) == str(
        escape(world["content"].instruments["klas"].themes[0].items[1].text.nl)
    )
    assert _answers(db) == 0  # nothing of the page was written


@pytest.mark.parametrize("answer", NOT_NUMBERS, ids=["sup2", "sup5", "circled4", "5000digits"])
def test_observation_list_refuses_it_and_writes_nothing(client, world, db, answer):
    scan_id = _open_scan(client, world)
    student = world["students"][0]
    items = world["content"].instruments["observatie"].items
    data = {item.id: "2" for item in items} | {items[-1].id: answer}
    refused = client.post(f"/scans/{scan_id}/observatie/{student.id}", data=data)
    assert refused.status_code == 400
    assert "Kies een van de antwoorden." in refused.get_data(as_text=True)
    assert _answers(db) == 0
    observed = select(func.count()).select_from(Response).where(Response.observer_id.is_not(None))
    assert db.session.scalar(observed) == 0


@pytest.mark.parametrize("leerjaar", ["²", "9" * 5000])
def test_csv_import_refuses_a_leerjaar_that_is_not_a_plain_number(client, world, db, leerjaar):
    login(client, world["coordinator"])
    csv = f"leerlingnummer;roepnaam;achternaam;klas;leerjaar\n77;Sam;Jansen;3C;{leerjaar}\n"
    page = client.post(
        "/leerlingen/import", data={"file": (io.BytesIO(csv.encode()), "leerlingen.csv")}
    ).get_data(as_text=True)
    assert "rij 2, kolom leerjaar:" in page
    assert "is geen leerjaar; gebruik 1 t/m 6" in page
    assert db.session.scalar(select(func.count(Klas.id)).where(Klas.name == "3C")) == 0
    assert (
        db.session.scalar(select(func.count(Student.id)).where(Student.leerlingnummer == "77")) == 0
    )


@pytest.mark.parametrize(
    ("field", "day"),
    [("opens_on", "9999-12-31"), ("opens_on", "0001-01-01"), ("closes_on", "9999-01-01")],
)
def test_round_dates_far_away_are_a_form_error(client, world, db, field, day):
    login(client, world["coordinator"])
    data = {"name": "Ver weg", "opens_on": "2026-09-01", "closes_on": "2026-10-01", field: day}
    page = client.post("/meetmomenten", data=data)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    first, last = setup_service.round_date_bounds(date.today())
    message = f"Kies een datum tussen {first.year} en {last.year}."
    assert re.search(rf'id="{field}-error">{re.escape(message)}<', body)
    assert (
        db.session.scalar(select(func.count(ScanRound.id)).where(ScanRound.name == "Ver weg")) == 0
    )


def test_a_mentor_chosen_twice_is_one_mentor(client, world, db):
    login(client, world["coordinator"])
    mentor = str(world["mentor"].id)
    data = {"name": "5A", "leerjaar": "5", "stream": "vwo", "mentors": [mentor, mentor]}
    assert client.post("/klassen/nieuw", data=data).status_code == 302
    klas = db.session.scalar(select(Klas).where(Klas.name == "5A"))
    assert [m.id for m in klas.mentors] == [world["mentor"].id]


def test_the_round_service_refuses_far_dates_itself(world, db):
    school = db.session.get(School, world["school"].id)
    with pytest.raises(setup_service.SetupError) as error:
        setup_service.save_round(
            school,
            scan_round=None,
            name="x",
            opens_on=date(9999, 12, 1),
            closes_on=date(9999, 12, 31),
            user_id=None,
        )
    assert error.value.field == "opens_on"


# --- (3) request size limits --------------------------------------------------------------------


def test_an_oversized_questionnaire_post_gets_413_in_the_chosen_language(app, client, world, db):
    code = _shared_code(client, world, db)
    student = app.test_client()
    student.post(f"/s/{code}")
    big = {"nav": "next", "pad": "x" * (app.config["MAX_SURVEY_BYTES"] + 1)}
    refused = student.post(f"/s/{code}/1", data=big)
    assert refused.status_code == 413
    assert "hier kan hoogstens 16 kB" in refused.get_data(as_text=True)
    assert student.post("/s", data={"code": "x" * 20000}).status_code == 413
    student.get("/taal/en")
    english = student.post(f"/s/{code}/1", data=big).get_data(as_text=True)
    assert "at most 16 kB fits here" in english
    assert _answers(db) == 0
    # An ordinary page still goes through.
    saved = student.post(f"/s/{code}/1", data=dict.fromkeys(_first_page_items(world), "3"))
    assert saved.status_code == 302


def test_staff_forms_have_their_own_limit(app, client, world, db):
    login(client, world["coordinator"])
    fine = {"name": "4A", "leerjaar": "4", "stream": "havo", "note": "x" * 20000}
    assert client.post("/klassen/nieuw", data=fine).status_code == 302  # above the survey limit
    big = fine | {"name": "4B", "note": "x" * (app.config["MAX_FORM_BYTES"] + 1)}
    refused = client.post("/klassen/nieuw", data=big)
    assert refused.status_code == 413
    assert "Te groot" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Klas.id)).where(Klas.name == "4B")) == 0


def _upload(client, data: bytes):
    """Post a file to the import as one bytes body (the test client would spool a large one to
    a temporary file that it never closes)."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), "l.csv")})
    return client.post(
        "/leerlingen/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_the_csv_import_takes_a_few_mb_and_not_more(app, client, world, db):
    login(client, world["coordinator"])
    header = b"leerlingnummer;roepnaam;achternaam;klas\n"
    row = b"1;Sam;Jansen;2B\n"
    few_mb = header + row + b";;;\n" * ((5 * 1024 * 1024 - 100) // 4)
    taken = _upload(client, few_mb)
    assert taken.status_code == 200
    assert "De import is gelukt." in taken.get_data(as_text=True)
    refused = _upload(client, header + b"x" * app.config["MAX_UPLOAD_BYTES"])
    assert refused.status_code == 413
    assert "hier kan hoogstens 6 MB" in refused.get_data(as_text=True)


@pytest.fixture
def live(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=5)


def test_a_chunked_body_over_the_limit_gets_413(app, live):
    def post(body_parts):
        conn = http.client.HTTPConnection("127.0.0.1", live, timeout=10)
        conn.request(
            "POST",
            "/s",
            body=iter(body_parts),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            encode_chunked=True,
        )
        response = conn.getresponse()
        text = response.read().decode()
        conn.close()
        return response.status, text

    status, text = post([b"code=", *([b"x" * 8192] * 4)])
    assert (status, "Te groot" in text) == (413, True)
    status, text = post([b"code=", b"ABC-DEF"])  # a small chunked post is read as usual
    assert status == 404
    assert "Met deze code kun je nu geen scan starten." in text


def test_a_too_large_content_length_is_refused_before_the_body_is_read(app, live):
    with socket.create_connection(("127.0.0.1", live), timeout=10) as conn:
        conn.sendall(
            b"POST /s HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 209715200\r\n\r\ncode=abc"
        )
        head = b""
        while b"\r\n\r\n" not in head:  # the answer comes without the 200 MB being sent
            head += conn.recv(4096)
    assert head.startswith(b"HTTP/1.1 413")


# --- (8) headers and caching ----------------------------------------------------------------------


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def test_security_headers_on_pages_static_files_and_errors(client):
    for path in ("/inloggen", "/s", "/static/wijscan.css", "/bestaat-niet"):
        response = client.get(path)
        response.close()
        csp = _csp(response)
        assert csp["default-src"] == "'self'"
        assert csp["script-src"] == "'self'"
        assert csp["style-src"] == "'self'"
        assert csp["object-src"] == "'none'"
        assert csp["frame-ancestors"] == "'none'"
        assert "unsafe" not in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers  # not in testing


def test_hsts_only_in_production(app, database_url, tmp_path_factory):
    production = make_test_app(
        database_url, tmp_path_factory, ENV_NAME="production", SECRET_KEY="x" * 40
    )
    hsts = production.test_client().get("/inloggen").headers["Strict-Transport-Security"]
    assert hsts == "max-age=31536000"


def test_no_store_on_pages_with_names_and_on_the_questionnaire(app, client, world, db):
    scan_id = _open_scan(client, world)  # personal: slips with names
    for path in ("/start", "/klassen", f"/klassen/{world['klas'].id}", f"/scans/{scan_id}"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    assert client.get(f"/scans/{scan_id}/briefjes").headers["Cache-Control"] == "no-store"
    login(client, world["coordinator"])
    assert client.get("/leerlingen").headers["Cache-Control"] == "no-store"
    code = db.session.scalar(select(AccessCode.code).where(AccessCode.respondent_id.is_not(None)))
    student = app.test_client()
    for response in (
        student.get("/s"),
        student.get(f"/s/{code}"),
        student.post(f"/s/{code}"),
        student.get(f"/s/{code}/1"),
        student.get(f"/s/{code}/klaar"),
    ):
        assert response.headers["Cache-Control"] == "no-store"


TEMPLATES = Path(__file__).resolve().parents[2] / "wijscan" / "web" / "templates"


def test_templates_have_nothing_inline_that_the_policy_would_block():
    inline = re.compile(
        r"\sstyle\s*=|<style|\son[a-z]+\s*=|<script(?![^>]*\ssrc=)|javascript:", re.IGNORECASE
    )
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group()}"
        for path in TEMPLATES.rglob("*.html")
        for match in inline.finditer(path.read_text())
    ]
    assert found == []


# --- (9) invisible characters in names ------------------------------------------------------------

HIDDEN = [RLO, "\u200b", "\x07", "\u2028", "\ue000"]


@pytest.mark.parametrize("field", ["roepnaam", "tussenvoegsel", "achternaam"])
@pytest.mark.parametrize("hidden", HIDDEN, ids=["RLO", "ZWSP", "BEL", "LS", "PUA"])
def test_student_names_refuse_invisible_characters(client, world, db, field, hidden):
    login(client, world["coordinator"])
    data = {"leerlingnummer": "555", "roepnaam": "Sam", "achternaam": "Jansen", "klas_id": "0"}
    data[field] = f"Sam{hidden}naJ"
    refused = client.post("/leerlingen/nieuw", data=data)
    assert refused.status_code == 200
    body = refused.get_data(as_text=True)
    assert re.search(
        rf'id="{field}-error">Bevat een onzichtbaar teken[^<]*U\+{ord(hidden):04X}', body
    )
    assert (
        db.session.scalar(select(func.count(Student.id)).where(Student.leerlingnummer == "555"))
        == 0
    )


@pytest.mark.parametrize("column", ["roepnaam", "tussenvoegsel", "achternaam", "klas"])
def test_csv_import_refuses_invisible_characters_with_row_and_column(client, world, db, column):
    login(client, world["coordinator"])
    values = {"leerlingnummer": "1", "roepnaam": "Ada", "tussenvoegsel": "", "achternaam": "Ok"}
    values |= {"klas": "2B"}
    rows = [dict(values), dict(values, leerlingnummer="2")]
    rows[1][column] = f"Bo{RLO}ed"
    lines = [";".join(values)] + [";".join(r.values()) for r in rows]
    csv = ("\n".join(lines) + "\n").encode()
    page = client.post(
        "/leerlingen/import", data={"file": (io.BytesIO(csv), "leerlingen.csv")}
    ).get_data(as_text=True)
    assert f"rij 3, kolom {column}: bevat een onzichtbaar teken of stuurteken (U+202E)" in page
    assert (
        db.session.scalar(select(func.count(Student.id)).where(Student.leerlingnummer == "1")) == 0
    )


def test_class_name_refuses_invisible_characters(client, world, db):
    login(client, world["coordinator"])
    data = {"name": f"2{RLO}C", "leerjaar": "2", "stream": "havo"}
    refused = client.post("/klassen/nieuw", data=data)
    assert 'id="name-error">Bevat een onzichtbaar teken' in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Klas.id))) == 1


def test_round_name_refuses_invisible_characters(client, world, db):
    login(client, world["coordinator"])
    data = {"name": f"Ronde{RLO}", "opens_on": "2026-09-01", "closes_on": "2026-10-01"}
    refused = client.post("/meetmomenten", data=data)
    assert 'id="name-error">Bevat een onzichtbaar teken' in refused.get_data(as_text=True)


def test_staff_invite_name_refuses_invisible_characters(client, world, db):
    login(client, world["coordinator"])
    data = {"name": f"Mo{RLO}ed", "email": "nieuw@voorbeeld.nl", "roles": ["docent"]}
    refused = client.post("/medewerkers", data=data)
    assert 'id="name-error">Bevat een onzichtbaar teken' in refused.get_data(as_text=True)
    assert db.session.scalar(select(User.id).where(User.email == "nieuw@voorbeeld.nl")) is None


@pytest.mark.parametrize("field", ["name", "town", "coordinator_name"])
def test_school_form_refuses_invisible_characters(client, make, db, field):
    admin = make.staff(None, None, name="Beheer", is_admin=True)
    login(client, admin)
    data = {
        "name": "Nieuwe school",
        "town": "Zwolle",
        "coordinator_name": "Co",
        "coordinator_email": "co@nieuw.test",
    }
    data[field] = data[field] + "\u200f"  # RIGHT-TO-LEFT MARK
    refused = client.post("/beheer/scholen", data=data)
    assert f'id="{field}-error">Bevat een onzichtbaar teken' in refused.get_data(as_text=True)
    assert db.session.scalar(select(School.id).where(School.name.like("Nieuwe school%"))) is None


# --- (9) the app's own error pages, in Dutch and English ------------------------------------------


@pytest.fixture
def error_app(app, database_url, tmp_path_factory):
    """An app that answers unexpected errors as production does (no exception propagation),
    with routes that fail on purpose."""
    failing = make_test_app(database_url, tmp_path_factory, PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError("broken on purpose")

    def refuse(status: int):
        abort(status)

    failing.add_url_rule("/kapot", "boom", access.public(boom))
    failing.add_url_rule("/fout/<int:status>", "refuse", access.public(refuse))
    return failing


ERRORS = {
    400: ("Dit ging niet goed", "That did not work"),
    403: ("Geen toegang", "No access"),
    404: ("Niet gevonden", "Not found"),
    405: ("Dit kan hier niet", "Not possible here"),
    413: ("Te groot", "Too large"),
    429: ("Even geduld", "Please wait a moment"),
    500: ("Er ging iets mis", "Something went wrong"),
}


def _provoke(client, status):
    if status == 404:
        return client.get("/bestaat-niet")
    if status == 405:
        return client.delete("/inloggen")
    if status == 413:
        return client.post("/s", data={"code": "x" * 20000})
    if status == 500:
        return client.get("/kapot")
    return client.get(f"/fout/{status}")


@pytest.mark.parametrize("status", sorted(ERRORS))
def test_error_pages_are_the_apps_own_in_both_languages(error_app, status):
    client = error_app.test_client()
    dutch, english = ERRORS[status]
    response = _provoke(client, status)
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert f"<h1>{dutch}</h1>" in body
    assert "Naar de startpagina" in body
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response.headers
    client.get("/taal/en")
    response = _provoke(client, status)
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert f"<h1>{english}</h1>" in body
    assert "Internal Server Error" not in body


def test_a_failed_csrf_check_gets_the_own_400_page(app, database_url, tmp_path_factory):
    guarded = make_test_app(database_url, tmp_path_factory, WTF_CSRF_ENABLED=True)
    refused = guarded.test_client().post("/inloggen", data={"email": "a@b.c", "password": "x"})
    assert refused.status_code == 400
    assert "<h1>Dit ging niet goed</h1>" in refused.get_data(as_text=True)


def test_a_405_keeps_its_allow_header(client):
    response = client.delete("/inloggen")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("POST", "/inloggen", {"email": "a\x00@school.nl", "password": "x"}),
        ("POST", "/s", {"code": "ABC\x00DEF"}),
        ("GET", "/s/ABC%00DEF", None),
        ("GET", "/inloggen?next=/start%00", None),
    ],
)
def test_a_nul_character_is_refused_before_it_reaches_a_query(client, method, path, data):
    """PostgreSQL refuses NUL in text: without this check these were 500s there."""
    response = client.open(path, method=method, data=data)
    assert response.status_code == 400
