"""Random input into every form, public and staff: never a server error (5xx), and what is stored
stays in range — answers 1..points, leerjaar 1..6, round dates sane, no invisible characters in
names. Small example counts keep the whole file to well under a minute."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import Factory, login
from wijscan.models import STREAMS, AccessCode, Answer, Klas, Role, ScanRound, Student, User
from wijscan.services import setup as setup_service
from wijscan.text import hidden_characters

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

#: Values that broke the app before, or are likely to: digits that are not ASCII, a number too
#: long for int(), control and invisible characters, dates far away.
NASTY = [
    "",
    " ",
    "0",
    "1",
    "3",
    "5",
    "6",
    "7",
    "-1",
    "+2",
    "1.5",
    "²",
    "⁵",
    "④",
    "٣",
    "9" * 5000,
    "\x00",
    "\u202e",
    "\u200b",
    "a\nb",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "<script>",
    "' OR 1=1 --",
]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
)
#: A name: mostly plain, sometimes with a hidden character in it, sometimes anything.
NAME = st.one_of(
    st.from_regex(r"[A-Za-zé' -]{1,20}", fullmatch=True),
    st.tuples(
        st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True),
        st.sampled_from(["\u202e", "\u200b", "\u2066", "\x07", "\u2029", "\ue000", "\ufeff"]),
    ).map("".join),
    TEXT,
)
LEERJAAR = st.one_of(st.sampled_from(["1", "2", "6", "0", "7", "²", "٣", "9" * 5000]), TEXT)
NUMMER = st.one_of(st.from_regex(r"[A-Za-z0-9-]{1,12}", fullmatch=True), TEXT)


def _ok(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]


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
        "school": school,
        "mentor": mentor,
        "coordinator": coordinator,
        "klas": klas,
        "students": students,
        "content": app.extensions["wijscan_content"],
    }


def _open_scan(client, world, mode: str) -> int:
    login(client, world["mentor"])
    opened = client.post(f"/klassen/{world['klas'].id}/scan", data={"mode": mode})
    assert opened.status_code == 302
    return int(opened.headers["Location"].rsplit("/", 1)[1])


def _answers_in_range(db, points: int) -> None:
    db.session.commit()
    values = set(db.session.scalars(select(Answer.value)))
    assert values <= set(range(1, points + 1)), values


def _names_clean(*values: str) -> None:
    assert [v for v in values if hidden_characters(v)] == []


# --- public -------------------------------------------------------------------------------------


def test_code_entry(app):
    client = app.test_client()

    @FUZZ
    @given(code=TEXT)
    def run(code):
        _ok(client.post("/s", data={"code": code}))

    run()


def test_questionnaire_pages(app, world, db):
    scan_id = _open_scan(app.test_client(), world, "anonymous")
    code = db.session.scalar(select(AccessCode.code).where(AccessCode.scan_id == scan_id))
    content = world["content"]
    pages = [
        [item.id for item in theme.items]
        for name in ("klas", "individu")
        for theme in content.instruments[name].themes
    ]
    points = content.instruments["klas"].scale.points

    @FUZZ
    @given(
        number=st.one_of(st.integers(1, len(pages)), st.sampled_from([0, len(pages) + 1])),
        data=st.data(),
        extra=st.dictionaries(TEXT, TEXT, max_size=2),
        nav=st.sampled_from(["next", "back", "", "x"]),
    )
    def run(number, data, extra, nav):
        items = pages[number - 1] if 1 <= number <= len(pages) else pages[0]
        answer = st.one_of(
            st.sampled_from([str(n) for n in range(1, points + 1)]), st.sampled_from(NASTY), TEXT
        )
        answers = data.draw(st.dictionaries(st.sampled_from(items), answer, min_size=1))
        student = app.test_client()
        _ok(student.post(f"/s/{code}"))
        _ok(student.post(f"/s/{code}/{number}", data={**extra, **answers, "nav": nav}))
        _answers_in_range(db, points)

    run()


# --- staff --------------------------------------------------------------------------------------


def test_observation_list(app, world, db):
    client = app.test_client()
    scan_id = _open_scan(client, world, "personal")
    student = world["students"][0]
    instrument = world["content"].instruments["observatie"]
    items = [i.id for i in instrument.items]

    @FUZZ
    @given(
        answers=st.dictionaries(
            st.sampled_from(items), st.one_of(st.sampled_from(["1", "2", "3"]), TEXT)
        )
    )
    def run(answers):
        _ok(client.post(f"/scans/{scan_id}/observatie/{student.id}", data=answers))
        _answers_in_range(db, instrument.scale.points)

    run()


def test_login(app, world):
    client = app.test_client()

    @FUZZ
    @given(email=TEXT, password=TEXT)
    def run(email, password):
        _ok(client.post("/inloggen", data={"email": email, "password": password}))

    run()


def test_classes(app, world, db):
    client = app.test_client()
    login(client, world["coordinator"])

    @FUZZ
    @given(
        name=NAME,
        leerjaar=LEERJAAR,
        stream=st.one_of(st.sampled_from(STREAMS), TEXT),
        mentors=st.lists(st.one_of(TEXT, st.just(str(world["mentor"].id))), max_size=3),
    )
    def run(name, leerjaar, stream, mentors):
        data = {"name": name, "leerjaar": leerjaar, "stream": stream, "mentors": mentors}
        _ok(client.post("/klassen/nieuw", data=data))
        db.session.commit()
        for klas in db.session.scalars(select(Klas)):
            assert 1 <= klas.leerjaar <= 6
            assert klas.stream in STREAMS
            _names_clean(klas.name)

    run()


def test_students(app, world, db):
    client = app.test_client()
    login(client, world["coordinator"])
    klas_ids = {world["klas"].id}

    @FUZZ
    @given(
        fields=st.fixed_dictionaries(
            {
                "leerlingnummer": NUMMER,
                "roepnaam": NAME,
                "tussenvoegsel": st.one_of(st.just(""), NAME),
                "achternaam": NAME,
                "klas_id": st.one_of(TEXT, st.just(str(world["klas"].id))),
                "active": st.sampled_from(["y", "", "x"]),
            }
        )
    )
    def run(fields):
        _ok(client.post("/leerlingen/nieuw", data=fields))
        db.session.commit()
        for s in db.session.scalars(select(Student)):
            _names_clean(s.roepnaam, s.tussenvoegsel, s.achternaam)
            assert s.klas_id is None or s.klas_id in klas_ids

    run()


def test_rounds(app, world, db):
    client = app.test_client()
    login(client, world["coordinator"])
    first, last = setup_service.round_date_bounds(date.today())
    soon = st.dates(date.today() - timedelta(days=400), date.today() + timedelta(days=400))
    day = st.one_of(soon.map(date.isoformat), st.dates().map(date.isoformat), TEXT)

    @FUZZ
    @given(name=NAME, opens_on=day, closes_on=day)
    def run(name, opens_on, closes_on):
        data = {"name": name, "opens_on": opens_on, "closes_on": closes_on}
        _ok(client.post("/meetmomenten", data=data))
        db.session.commit()
        for r in db.session.scalars(select(ScanRound)):
            assert first <= r.opens_on <= r.closes_on <= last
            _names_clean(r.name)

    run()


CELL = st.one_of(
    TEXT,
    st.text(st.sampled_from('ab;,"\t\r\n 1234567²\u202e'), max_size=12),
)
HEADERS = ["leerlingnummer", "roepnaam", "tussenvoegsel", "achternaam", "klas", "leerjaar"]


def _import_state_is_sane(db) -> None:
    db.session.commit()
    for klas in db.session.scalars(select(Klas)):
        assert 1 <= klas.leerjaar <= 6
        assert klas.stream in STREAMS
        _names_clean(klas.name)
    for s in db.session.scalars(select(Student)):
        _names_clean(s.roepnaam, s.tussenvoegsel, s.achternaam)


def test_csv_import_random_bytes(app, world, db):
    client = app.test_client()
    login(client, world["coordinator"])

    @FUZZ
    @given(data=st.binary(max_size=600), name=st.sampled_from(["l.csv", "l.txt", "l.xlsx"]))
    def run(data, name):
        _ok(client.post("/leerlingen/import", data={"file": (io.BytesIO(data), name)}))
        _import_state_is_sane(db)

    run()


def test_csv_import_random_rows(app, world, db):
    client = app.test_client()
    login(client, world["coordinator"])

    @FUZZ
    @given(
        header=st.permutations(HEADERS),
        rows=st.lists(
            st.fixed_dictionaries(
                {
                    "leerlingnummer": st.one_of(NUMMER, CELL),
                    "roepnaam": st.one_of(NAME, CELL),
                    "tussenvoegsel": st.one_of(st.just(""), CELL),
                    "achternaam": st.one_of(NAME, CELL),
                    "klas": st.one_of(st.sampled_from(["2B", "H3a", "v4"]), NAME, CELL),
                    "leerjaar": st.one_of(LEERJAAR, CELL),
                }
            ),
            min_size=1,
            max_size=5,
        ),
        delimiter=st.sampled_from([";", ",", "\t"]),
    )
    def run(header, rows, delimiter):
        lines = [delimiter.join(header)]
        lines += [delimiter.join(cells[h] for h in header) for cells in rows]
        data = ("\n".join(lines) + "\n").encode("utf-8", "replace")
        _ok(client.post("/leerlingen/import", data={"file": (io.BytesIO(data), "l.csv")}))
        _import_state_is_sane(db)

    run()


# --- invitations (last: the invitation service is being rewritten) ------------------------------


def test_staff_invitation_form(app, world, db):
    client = app.test_client()
    login(client, world["coordinator"])
    roles = [r.value for r in Role]

    @FUZZ
    @given(
        name=NAME,
        email=st.one_of(TEXT, st.emails().map(str)),
        chosen=st.lists(st.one_of(st.sampled_from(roles), TEXT), max_size=3),
    )
    def run(name, email, chosen):
        _ok(client.post("/medewerkers", data={"name": name, "email": email, "roles": chosen}))
        db.session.commit()
        _names_clean(*db.session.scalars(select(User.name)))

    run()


def test_accept_invite_password_form(app, world):
    client = app.test_client()
    login(client, world["coordinator"])
    outbox = app.extensions["wijscan_outbox"]
    outbox.clear()
    invited = client.post(
        "/medewerkers",
        data={"name": "Nieuw", "email": "nieuw@voorbeeld.nl", "roles": [Role.DOCENT.value]},
    )
    _ok(invited)
    links = [m for _, _, body in outbox for m in re.findall(r"https?://[^\s]+", body)]
    assert links, "the invitation mail holds a link"
    path = "/" + links[-1].split("://", 1)[1].split("/", 1)[1]
    stranger = app.test_client()

    @FUZZ
    @given(password=TEXT, confirm=st.one_of(TEXT, st.just("same")))
    def run(password, confirm):
        data = {"password": password, "confirm": password if confirm == "same" else confirm}
        _ok(stranger.post(path, data=data))

    run()


# --- the forms this round of work added ---------------------------------------------------------


def test_forgot_password_and_reset_forms(app, world, make):
    make.staff(world["school"], Role.DOCENT, email="vergeten@voorbeeld.nl")
    client = app.test_client()
    outbox = app.extensions["wijscan_outbox"]
    outbox.clear()
    _ok(client.post("/wachtwoord-vergeten", data={"email": "vergeten@voorbeeld.nl"}))
    links = [m for _, _, body in outbox for m in re.findall(r"https?://[^\s]+", body)]
    assert links, "the reset mail holds a link"
    path = "/" + links[-1].split("://", 1)[1].split("/", 1)[1]

    @FUZZ
    @given(email=st.one_of(TEXT, st.emails().map(str)), password=TEXT)
    def run(email, password):
        _ok(client.post("/wachtwoord-vergeten", data={"email": email}))
        _ok(client.post(path, data={"password": password, "confirm": password}))

    run()


def test_change_password_form(app, world):
    client = app.test_client()
    login(client, world["mentor"])

    @FUZZ
    @given(current=TEXT, password=TEXT, confirm=TEXT)
    def run(current, password, confirm):
        data = {"current": current, "password": password, "confirm": confirm}
        _ok(client.post("/account/wachtwoord", data=data))

    run()
    assert client.get("/start").status_code == 200  # no random input changed the password


def test_two_step_login_forms(app, world, db):
    import pyotp

    from wijscan.services import two_factor

    mentor = world["mentor"]
    secret = two_factor.begin_setup(mentor)
    at = 1_800_000_000
    assert two_factor.confirm_setup(mentor, pyotp.TOTP(secret).at(at), now=at) is not None
    db.session.commit()
    waiting = app.test_client()
    waiting.post("/inloggen", data={"email": mentor.email, "password": Factory.password})
    setting_up = app.test_client()
    login(setting_up, world["coordinator"])
    setting_up.get("/account/tweestaps")

    @FUZZ
    @given(code=TEXT, password=TEXT)
    def run(code, password):
        _ok(waiting.post("/inloggen/code", data={"code": code}))
        _ok(waiting.post("/inloggen/herstelcode", data={"code": code}))
        _ok(setting_up.post("/account/tweestaps", data={"code": code}))
        _ok(setting_up.post("/account/tweestaps/uit", data={"off-password": password}))

    run()
    assert waiting.get("/start").status_code == 302  # no random code logged the mentor in


def test_school_switch_and_class_code_forms(app, world, db):
    client = app.test_client()
    scan_id = _open_scan(client, world, "anonymous")

    @FUZZ
    @given(school=TEXT, action=TEXT)
    def run(school, action):
        _ok(client.post("/school", data={"school_id": school}))
        _ok(client.post(f"/scans/{scan_id}/code", data={"action": action}))

    run()
    db.session.commit()
    code = db.session.scalar(select(AccessCode).where(AccessCode.scan_id == scan_id))
    assert 0 <= code.claims <= code.max_claims


def test_report_and_dashboard_filters(app, world):
    client = app.test_client()
    login(client, world["coordinator"])

    @FUZZ
    @given(round_id=TEXT, leerjaar=TEXT, stream=st.one_of(TEXT, st.sampled_from(STREAMS)))
    def run(round_id, leerjaar, stream):
        query = {"round": round_id, "leerjaar": leerjaar, "stream": stream}
        for path in ("/dashboard", "/dashboard/export.csv", "/dashboard/export.xlsx"):
            _ok(client.get(path, query_string=query))

    run()


def test_lesbrieven_forms_and_filters(app, world, db):
    """The catalogue's filters, planning a lesbrief and marking it taught: no server error, and
    what is stored is a known lesbrief, a rating 1..5 and a reflection without hidden
    characters."""
    from wijscan.models import LesbriefPlan

    client = app.test_client()
    login(client, world["mentor"])
    lesbrief_id = world["content"].lesbrieven[0].id
    klas_id = world["klas"].id

    @FUZZ
    @given(
        q=TEXT,
        theme=TEXT,
        level=LEERJAAR,
        duration=TEXT,
        lesbrief=st.one_of(st.just(lesbrief_id), TEXT),
        klas=st.one_of(st.just(str(klas_id)), TEXT),
        day=TEXT,
        rating=st.one_of(st.sampled_from(["1", "5"]), TEXT),
        reflection=TEXT,
    )
    def run(q, theme, level, duration, lesbrief, klas, day, rating, reflection):
        query = {"q": q, "theme": theme, "level": level, "grade": level, "duration": duration}
        _ok(client.get("/lesbrieven", query_string=query))
        _ok(
            client.post("/plan", data={"lesbrief_id": lesbrief, "klas_id": klas, "planned_on": day})
        )
        for plan in db.session.scalars(select(LesbriefPlan)).all():
            prefix = f"p{plan.id}"
            _ok(
                client.post(
                    f"/plan/{plan.id}/gegeven",
                    data={
                        f"{prefix}-taught_on": day,
                        f"{prefix}-rating": rating,
                        f"{prefix}-reflection": reflection,
                    },
                )
            )
        db.session.rollback()

    run()
    db.session.commit()
    known = {b.id for b in world["content"].lesbrieven}
    for plan in db.session.scalars(select(LesbriefPlan)):
        assert plan.lesbrief_id in known
        assert plan.rating is None or 1 <= plan.rating <= 5
        assert plan.taught_on is None or plan.taught_on <= date.today()
        _names_clean(plan.reflection or "")
