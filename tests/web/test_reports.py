"""The class report: read from the stored results of a closed scan; the numbers on the page are
the scoring core's on the same answers; small groups show nothing but that they are small; names
only for the class's mentors and the care coordinator; the statements do not grow with the
class."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import event

from tests.conftest import login
from wijscan.extensions import db as _db
from wijscan.models import (
    AccessCode,
    Answer,
    RespondentLink,
    Response,
    ResponseStatus,
    Role,
    Scan,
    ScanKind,
    ScanMode,
    ScanRound,
    ScanStatus,
)
from wijscan.scoring import group_result, score_respondents, spec_from_content
from wijscan.services import results
from wijscan.services import scans as scan_service


def _round(db, school, name, days_ago):
    scan_round = ScanRound(
        school_id=school.id,
        school_year_id=school.years[0].id,
        name=name,
        opens_on=date.today() - timedelta(days=days_ago),
        closes_on=date.today() - timedelta(days=days_ago - 7),
    )
    db.session.add(scan_round)
    db.session.flush()
    return scan_round


def closed_scan(db, content, klas, scan_round, answers, *, mode=ScanMode.PERSONAL, students=()):
    """A closed scan of ``klas`` whose respondents gave ``answers``: instrument id -> matrix of
    raw answers (rows = respondents, 0 = missing), scored through the real close."""
    scan = Scan(
        school_id=klas.school_id,
        round_id=scan_round.id,
        klas_id=klas.id,
        kind=ScanKind.LEERLING,
        mode=mode,
        instruments="klas individu",
    )
    db.session.add(scan)
    db.session.flush()
    rows = len(next(iter(answers.values())))
    for row in range(rows):
        respondent = str(uuid.uuid4())
        if mode == ScanMode.PERSONAL:
            db.session.add(
                RespondentLink(
                    respondent_id=respondent, scan_id=scan.id, student_id=students[row].id
                )
            )
            db.session.add(
                AccessCode(scan_id=scan.id, code=uuid.uuid4().hex[:9], respondent_id=respondent)
            )
        for instrument_id, matrix in answers.items():
            instrument = content.instruments[instrument_id]
            response = Response(
                scan_id=scan.id,
                respondent_id=respondent,
                instrument_id=instrument_id,
                instrument_version=instrument.version,
                status=ResponseStatus.FINAL,
            )
            response.answers = [
                Answer(item_id=item.id, value=int(value))
                for item, value in zip(instrument.items, matrix[row], strict=True)
                if value
            ]
            db.session.add(response)
    db.session.flush()
    results.close_scan(scan, content)
    db.session.commit()
    return scan


def _answers(content, n, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    out = {}
    for instrument_id in ("klas", "individu"):
        instrument = content.instruments[instrument_id]
        raw = rng.normal(3.6 + shift, 0.9, size=(n, len(instrument.items)))
        values = np.clip(np.rint(raw), 1, instrument.scale.points).astype(np.uint8)
        # No critical answers: the signals are tested on their own.
        for j, item in enumerate(instrument.items):
            if item.critical:
                values[:, j] = np.where(
                    np.isin(values[:, j], item.critical.answers), 3, values[:, j]
                )
        out[instrument_id] = values
    return out


@pytest.fixture
def report_world(app, make, db):
    school = make.school()
    mentor = make.staff(school, Role.DOCENT, name="Mentor")
    other_mentor = make.staff(school, Role.DOCENT, name="Andere Mentor")
    zorg = make.staff(school, Role.ZORG, name="Zorg")
    coordinator = make.staff(school, Role.COORDINATOR, name="Coord")
    klas = make.klas(school, "2B", mentors=[mentor])
    make.klas(school, "3C", mentors=[other_mentor])
    students = [make.student(school, klas, roepnaam=f"Leerling{i}") for i in range(8)]
    return {
        "school": school,
        "klas": klas,
        "students": students,
        "mentor": mentor,
        "other_mentor": other_mentor,
        "zorg": zorg,
        "coordinator": coordinator,
        "content": app.extensions["wijscan_content"],
    }


def _page(app, user, path):
    client = app.test_client()
    login(client, user)
    return client.get(path)


def test_the_report_shows_the_scoring_cores_numbers(app, db, report_world):
    w = report_world
    content = w["content"]
    first = _round(db, w["school"], "Meetmoment 1", 60)
    second = _round(db, w["school"], "Meetmoment 2", 20)
    before = _answers(content, 8, seed=1, shift=-1.2)
    after = _answers(content, 8, seed=2, shift=0.6)
    closed_scan(db, content, w["klas"], first, before, students=w["students"])
    scan = closed_scan(db, content, w["klas"], second, after, students=w["students"])

    page = _page(app, w["mentor"], f"/rapport/{scan.id}").get_data(as_text=True)
    spec = spec_from_content(content.instruments["klas"], content.pyramid)
    core = group_result(spec, after["klas"], score_respondents(spec, after["klas"]))
    level = content.pyramid.level(core.overall.level)
    assert f"Niveau {core.overall.level} · {level.name.nl}" in page
    assert level.summary.nl in page
    assert "Sinds Meetmoment 1:" in page
    assert "gestegen" in page
    weakest = sorted((t for t in core.themes.items() if t[1].level < 6), key=lambda t: t[1].mean)[
        :2
    ]
    glance = page.split("Per thema")[0]
    for theme_id, _ in weakest:
        assert content.pyramid.theme(theme_id).name.nl in glance
    for theme_id, stat in core.themes.items():
        shown = f"score {stat.mean:.1f}".replace(".", ",") + " van 100"
        assert shown in page, theme_id


def test_a_group_of_four_shows_nothing_but_that_it_is_small(app, db, report_world):
    w = report_world
    content = w["content"]
    scan_round = _round(db, w["school"], "Meetmoment 1", 30)
    four = closed_scan(
        db, content, w["klas"], scan_round, _answers(content, 4, seed=3), students=w["students"]
    )
    page = _page(app, w["mentor"], f"/rapport/{four.id}").get_data(as_text=True)
    assert "Te weinig deelnemers voor een klasbeeld" in page
    assert "Niveau" not in page
    assert "score " not in page
    assert "<svg" not in page


def test_a_group_of_five_is_shown(app, db, report_world):
    w = report_world
    content = w["content"]
    scan_round = _round(db, w["school"], "Meetmoment 1", 30)
    five = closed_scan(
        db, content, w["klas"], scan_round, _answers(content, 5, seed=4), students=w["students"]
    )
    page = _page(app, w["mentor"], f"/rapport/{five.id}").get_data(as_text=True)
    assert "Te weinig deelnemers voor een klasbeeld" not in page
    assert "Niveau " in page


def test_names_of_students_with_a_signal_only_for_mentors_and_care(app, db, report_world):
    w = report_world
    content = w["content"]
    scan_round = _round(db, w["school"], "Meetmoment 1", 30)
    answers = _answers(content, 6, seed=5)
    individu = content.instruments["individu"]
    critical = next(j for j, item in enumerate(individu.items) if item.critical)
    answers["individu"][0, critical] = individu.items[critical].critical.answers[0]
    scan = closed_scan(db, content, w["klas"], scan_round, answers, students=w["students"])
    name = w["students"][0].full_name
    for who in ("mentor", "zorg"):
        page = _page(app, w[who], f"/rapport/{scan.id}").get_data(as_text=True)
        assert "Leerlingen met een signaal" in page, who
        assert name in page, who
        assert individu.items[critical].text.nl in page
    coordinator = _page(app, w["coordinator"], f"/rapport/{scan.id}").get_data(as_text=True)
    assert "Niveau" in coordinator
    assert name not in coordinator
    assert "Leerlingen met een signaal" not in coordinator
    assert _page(app, w["other_mentor"], f"/rapport/{scan.id}").status_code == 404


def test_an_anonymous_scan_has_no_signal_list(app, db, report_world):
    w = report_world
    content = w["content"]
    scan_round = _round(db, w["school"], "Meetmoment 1", 30)
    scan = closed_scan(
        db, content, w["klas"], scan_round, _answers(content, 6, seed=6), mode=ScanMode.ANONYMOUS
    )
    page = _page(app, w["mentor"], f"/rapport/{scan.id}").get_data(as_text=True)
    assert "Niveau" in page
    assert "Leerlingen met een signaal" not in page


def test_another_schools_coordinator_and_a_docent_without_class_get_nothing(
    app, db, make, report_world
):
    w = report_world
    content = w["content"]
    scan_round = _round(db, w["school"], "Meetmoment 1", 30)
    scan = closed_scan(
        db, content, w["klas"], scan_round, _answers(content, 6, seed=7), students=w["students"]
    )
    other = make.school("Andere school")
    for user in (make.staff(other, Role.COORDINATOR), make.staff(w["school"], Role.DOCENT)):
        assert _page(app, user, f"/rapport/{scan.id}").status_code == 404
        assert _page(app, user, f"/klassen/{w['klas'].id}/scans").status_code == 404


def test_the_class_lists_its_scans_with_their_reports(app, db, report_world):
    w = report_world
    content = w["content"]
    first = _round(db, w["school"], "Meetmoment 1", 60)
    closed = closed_scan(
        db, content, w["klas"], first, _answers(content, 6, seed=8), students=w["students"]
    )
    now = ScanRound(
        school_id=w["school"].id,
        school_year_id=w["school"].years[0].id,
        name="Meetmoment 2",
        opens_on=date.today() - timedelta(days=1),
        closes_on=date.today() + timedelta(days=5),
    )
    db.session.add(now)
    db.session.flush()
    scan_service.open_student_scan(w["klas"], now, ScanMode.PERSONAL, w["mentor"], content)
    db.session.commit()
    page = _page(app, w["mentor"], f"/klassen/{w['klas'].id}/scans").get_data(as_text=True)
    assert page.index("Meetmoment 2") < page.index("Meetmoment 1")  # newest first
    assert f"/rapport/{closed.id}" in page
    assert "6 van 6 klaar" in page
    assert "0 van 8 klaar" in page
    detail = _page(app, w["mentor"], f"/klassen/{w['klas'].id}").get_data(as_text=True)
    assert f"/klassen/{w['klas'].id}/scans" in detail
    start = _page(app, w["mentor"], "/start").get_data(as_text=True)
    assert f"/rapport/{closed.id}" in start  # the newest closed scan's report


def _statements(app, user, path) -> int:
    client = app.test_client()
    login(client, user)
    count = 0

    def counter(*args):
        nonlocal count
        count += 1

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def test_the_statements_of_a_report_do_not_grow_with_the_class(app, db, make, report_world):
    w = report_world
    content = w["content"]
    small_round = _round(db, w["school"], "Meetmoment 1", 60)
    small = closed_scan(
        db, content, w["klas"], small_round, _answers(content, 6, seed=9), students=w["students"]
    )
    big_klas = make.klas(w["school"], "4D", mentors=[w["mentor"]])
    big_students = [make.student(w["school"], big_klas) for _ in range(30)]
    rounds = [_round(db, w["school"], f"Ronde {i}", 120 - 20 * i) for i in range(3)]
    for i, scan_round in enumerate(rounds):
        big = closed_scan(
            db,
            content,
            big_klas,
            scan_round,
            _answers(content, 30, seed=10 + i),
            students=big_students,
        )
    assert db.session.get(Scan, big.id).status == ScanStatus.CLOSED
    for path in ("/rapport/{}", "/klassen/{}/scans"):
        few = _statements(
            app, w["mentor"], path.format(small.id if "rapport" in path else w["klas"].id)
        )
        many = _statements(
            app, w["mentor"], path.format(big.id if "rapport" in path else big_klas.id)
        )
        assert few > 3, path  # the counter sees the page's statements
        assert few == many, path


def _pdf_text(response) -> str:
    import io

    from pypdf import PdfReader

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_has_the_pages_levels_and_numbers(app, db, report_world):
    w = report_world
    content = w["content"]
    scan_round = _round(db, w["school"], "Meetmoment 1", 30)
    answers = _answers(content, 6, seed=11)
    individu = content.instruments["individu"]
    critical = next(j for j, item in enumerate(individu.items) if item.critical)
    answers["individu"][0, critical] = individu.items[critical].critical.answers[0]
    scan = closed_scan(db, content, w["klas"], scan_round, answers, students=w["students"])
    spec = spec_from_content(content.instruments["klas"], content.pyramid)
    core = group_result(spec, answers["klas"], score_respondents(spec, answers["klas"]))

    text = " ".join(_pdf_text(_page(app, w["mentor"], f"/rapport/{scan.id}.pdf")).split())
    assert "Testschool · Klas 2B · Meetmoment 1" in text
    assert "Pagina 1 van" in text
    level = content.pyramid.level(core.overall.level).name.nl
    assert f"Niveau {core.overall.level} · {level}" in text
    for stat in core.themes.values():
        assert (f"score {stat.mean:.1f}".replace(".", ",") + " van 100") in text
    assert w["students"][0].full_name in text

    coordinator = _pdf_text(_page(app, w["coordinator"], f"/rapport/{scan.id}.pdf"))
    assert w["students"][0].full_name not in coordinator
    assert _page(app, w["other_mentor"], f"/rapport/{scan.id}.pdf").status_code == 404


def test_a_pdf_of_a_small_group_shows_no_numbers(app, db, report_world):
    w = report_world
    content = w["content"]
    scan_round = _round(db, w["school"], "Meetmoment 1", 30)
    scan = closed_scan(
        db, content, w["klas"], scan_round, _answers(content, 4, seed=12), students=w["students"]
    )
    text = _pdf_text(_page(app, w["mentor"], f"/rapport/{scan.id}.pdf"))
    assert "Te weinig deelnemers" in text
    assert "Niveau" not in text
    assert "score" not in text


def test_the_student_view_is_for_mentors_and_care_and_is_audited(app, db, report_world):
    from sqlalchemy import select

    from wijscan.models import AuditEntry

    w = report_world
    content = w["content"]
    first = _round(db, w["school"], "Meetmoment 1", 60)
    second = _round(db, w["school"], "Meetmoment 2", 20)
    closed_scan(
        db, content, w["klas"], first, _answers(content, 6, seed=13), students=w["students"]
    )
    answers = _answers(content, 6, seed=14)
    individu = content.instruments["individu"]
    critical = next(j for j, item in enumerate(individu.items) if item.critical)
    answers["individu"][0, critical] = individu.items[critical].critical.answers[0]
    closed_scan(db, content, w["klas"], second, answers, students=w["students"])
    student = w["students"][0]
    path = f"/leerlingen/{student.id}/beeld"

    page = _page(app, w["mentor"], path).get_data(as_text=True)
    assert student.full_name in page
    assert page.index("Meetmoment 2") < page.index("Meetmoment 1")
    assert individu.items[critical].text.nl in page
    assert "zorgwekkend antwoord" in page
    assert _page(app, w["zorg"], path).status_code == 200
    for user in (w["coordinator"], w["other_mentor"]):
        assert _page(app, user, path).status_code == 404
    viewers = db.session.scalars(
        select(AuditEntry.user_id).where(
            AuditEntry.action == "view_student", AuditEntry.object_id == str(student.id)
        )
    ).all()
    assert sorted(viewers) == sorted([w["mentor"].id, w["zorg"].id])


def _invited_too(db, scan, students):
    """Students who had a code in the scan but did not answer (as opening a scan links them)."""
    for student in students:
        db.session.add(
            RespondentLink(respondent_id=str(uuid.uuid4()), scan_id=scan.id, student_id=student.id)
        )
    db.session.commit()


def test_a_theme_warns_of_low_reliability_and_of_few_answers(app, db, make, report_world):
    w = report_world
    content = w["content"]
    scan_round = _round(db, w["school"], "Meetmoment 1", 30)
    pupils = w["students"] + [make.student(w["school"], w["klas"]) for _ in range(4)]  # 12
    rng = np.random.default_rng(21)
    klas = content.instruments["klas"]
    # Each respondent means the same on every klas question (reverse-keyed ones answered the
    # other way round): the questions agree fully, alpha 1. Only the klas view is warned about.
    level = np.array([[1], [5], [2], [4], [3], [5]])
    reverse = np.array([item.reverse for item in klas.items])
    steady = np.where(reverse, 6 - level, level).astype(np.uint8)
    answers = {"klas": steady, "individu": _answers(content, 6, seed=22)["individu"]}
    scan = closed_scan(db, content, w["klas"], scan_round, answers, students=pupils)
    _invited_too(db, scan, pupils[6:])
    page = _page(app, w["mentor"], f"/rapport/{scan.id}").get_data(as_text=True)
    assert "hangen in deze klas weinig samen" not in page
    assert "minder dan de helft van de klas" not in page  # 6 of 12 is half, not fewer

    noisy = rng.integers(1, 6, size=(5, len(klas.items))).astype(np.uint8)
    answers = {"klas": noisy, "individu": _answers(content, 5, seed=23)["individu"]}
    later = _round(db, w["school"], "Meetmoment 2", 10)
    scan = closed_scan(db, content, w["klas"], later, answers, students=pupils)
    _invited_too(db, scan, pupils[5:])
    page = _page(app, w["mentor"], f"/rapport/{scan.id}").get_data(as_text=True)
    assert "hangen in deze klas weinig samen" in page  # random answers: alpha near 0
    assert "minder dan de helft van de klas" in page  # 5 of 12


# --- the whole page kept per login session ---------------------------------------------------


def _signal_for(db, scan, student):
    from sqlalchemy import select

    from wijscan.models import Signal

    respondent = db.session.scalar(
        select(RespondentLink.respondent_id).where(
            RespondentLink.scan_id == scan.id, RespondentLink.student_id == student.id
        )
    )
    db.session.add(
        Signal(
            school_id=scan.school_id,
            scan_id=scan.id,
            klas_id=scan.klas_id,
            respondent_id=respondent,
            level=1,
            detail={"themes": {}, "items": [], "rule": {"level": 2, "critical": True}},
        )
    )
    db.session.commit()


def _renders(app, client, path) -> tuple[str, int]:
    from flask import template_rendered

    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        response = client.get(path)
    finally:
        template_rendered.disconnect(record, app)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(rendered)


def test_a_report_read_again_renders_nothing_and_follows_every_change(app, db, report_world):
    """The second view of a report renders no template; a renamed student with a signal, a
    renamed round and a planned lesbrief each show at once."""
    from wijscan.models import LesbriefPlan

    w = report_world
    content = w["content"]
    scan_round = _round(db, w["school"], "Meetmoment 1", 30)
    scan = closed_scan(
        db, content, w["klas"], scan_round, _answers(content, 8, seed=4), students=w["students"]
    )
    student = w["students"][0]
    _signal_for(db, scan, student)
    client = app.test_client()
    login(client, w["mentor"])
    path = f"/rapport/{scan.id}"
    first, first_renders = _renders(app, client, path)
    again, again_renders = _renders(app, client, path)
    assert first_renders > 0
    assert again_renders == 0
    assert again == first
    assert student.full_name in again

    student.roepnaam = "Hernoemd"
    db.session.commit()
    renamed, renders = _renders(app, client, path)
    assert renders > 0
    assert student.full_name in renamed
    assert "Leerling0 " not in renamed

    scan_round.name = "Herfstmeting"
    db.session.commit()
    assert "Herfstmeting" in _renders(app, client, path)[0]

    lesbrief = content.lesbrieven[0]
    db.session.add(
        LesbriefPlan(
            school_id=w["school"].id,
            klas_id=w["klas"].id,
            lesbrief_id=lesbrief.id,
            taught_on=date.today() - timedelta(days=60),
        )
    )
    db.session.commit()
    planned, renders = _renders(app, client, path)
    assert renders > 0
    assert planned != renamed


def test_a_kept_report_page_is_never_another_readers(app, db, report_world):
    """The mentor's page (with names) is kept; the coordinator, who mentors nothing, gets their
    own page without names, and the mentor's other session its own page too."""
    w = report_world
    content = w["content"]
    scan_round = _round(db, w["school"], "Meetmoment 1", 30)
    scan = closed_scan(
        db, content, w["klas"], scan_round, _answers(content, 8, seed=5), students=w["students"]
    )
    student = w["students"][1]
    _signal_for(db, scan, student)
    path = f"/rapport/{scan.id}"
    mentor = app.test_client()
    login(mentor, w["mentor"])
    assert student.full_name in mentor.get(path).get_data(as_text=True)
    assert student.full_name in mentor.get(path).get_data(as_text=True)
    coordinator = app.test_client()
    login(coordinator, w["coordinator"])
    page = coordinator.get(path).get_data(as_text=True)
    assert student.full_name not in page
    assert "Leerlingen met een signaal" not in page
    other_device = app.test_client()
    login(other_device, w["mentor"])
    _page_text, renders = _renders(app, other_device, path)
    assert renders > 0  # a session of its own: its own page (its own CSRF token)
