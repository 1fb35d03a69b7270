"""The lesbrieven pages: catalogue, lesbrief (page and PDF), the class's action plan, the matches
in the class report, the school interventions on the dashboard, and 'Wat werkt'."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from markupsafe import escape
from pypdf import PdfReader

from tests.conftest import login
from tests.web.test_reports import _answers, _round, _statements, closed_scan
from wijscan.matching import ThemeResult, match_class
from wijscan.matching.effect import ClassChange, effect
from wijscan.models import LesbriefPlan, Role, ScanMode
from wijscan.services import what_works


@pytest.fixture
def world(app, make, db):
    school = make.school()
    mentor = make.staff(school, Role.DOCENT, name="Mentor")
    klas = make.klas(school, "2B", leerjaar=2, stream="havo", mentors=[mentor])
    db.session.commit()
    return {
        "school": school,
        "mentor": mentor,
        "other_docent": make.staff(school, Role.DOCENT, name="Andere docent"),
        "coordinator": make.staff(school, Role.COORDINATOR, name="Coord"),
        "klas": klas,
        "content": app.extensions["wijscan_content"],
    }


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


# --- the catalogue and one lesbrief ------------------------------------------------------------


def test_the_catalogue_lists_every_lesbrief_and_filters(app, world):
    content = world["content"]
    client = _client(app, world["other_docent"])
    page = client.get("/lesbrieven").get_data(as_text=True)
    assert f"{len(content.lesbrieven)} van de {len(content.lesbrieven)} lesbrieven" in page
    democratie_5 = [b for b in content.lesbrieven if b.theme == "democratie" and 5 in b.levels]
    page = client.get("/lesbrieven?theme=democratie&level=5").get_data(as_text=True)
    assert f"{len(democratie_5)} van de {len(content.lesbrieven)} lesbrieven" in page
    for lesbrief in democratie_5:
        assert f'href="/lesbrieven/{lesbrief.id}"' in page
    short = [b for b in content.lesbrieven if b.duration <= 45 and 6 in b.grades]
    page = client.get("/lesbrieven?duration=45&grade=6").get_data(as_text=True)
    assert f"{len(short)} van de" in page
    # a word search looks in the title, the goals and the text
    target = content.lesbrieven[0]
    word = target.title.split()[0]
    page = client.get(f"/lesbrieven?q={word}").get_data(as_text=True)
    assert f'href="/lesbrieven/{target.id}"' in page
    page = client.get("/lesbrieven?q=zzzgeenwoordzzz").get_data(as_text=True)
    assert "Geen lesbrief past bij al deze filters" in page
    # unknown filter values are ignored, not an error
    assert client.get("/lesbrieven?theme=onzin&level=9&stream=x&duration=7").status_code == 200


def test_a_lesbrief_page_has_every_part_and_its_steps(app, world):
    content = world["content"]
    lesbrief = content.lesbrieven[0]
    page = _client(app, world["other_docent"]).get(f"/lesbrieven/{lesbrief.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for part in ("Doel", "Voorbereiding", "Lesverloop", "Materiaal", "Nabespreking", "Let op"):
        assert f"<h2>{part}</h2>" in text
    assert "De les in het kort" in text
    # a docent who mentors nothing reads it but has no class to plan it for
    assert "In het plan van een klas zetten" not in text
    assert (
        _client(app, world["mentor"])
        .get(f"/lesbrieven/{lesbrief.id}")
        .get_data(as_text=True)
        .count("In het plan van een klas zetten")
        == 1
    )
    assert _client(app, world["mentor"]).get("/lesbrieven/bestaat-niet").status_code == 404


def test_a_lesbrief_as_pdf(app, world):
    lesbrief = world["content"].lesbrieven[0]
    response = _client(app, world["mentor"]).get(f"/lesbrieven/{lesbrief.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert lesbrief.title.split(":")[0] in " ".join(text.split())
    for part in ("Doel", "Lesverloop", "Let op"):
        assert part in text


# --- the action plan ---------------------------------------------------------------------------


def test_plan_teach_and_reflect(app, db, world):
    klas = world["klas"]
    lesbrief = world["content"].lesbrieven[0]
    client = _client(app, world["mentor"])
    page = client.get(f"/lesbrieven/{lesbrief.id}").get_data(as_text=True)
    assert f'<option selected value="{klas.id}">2B</option>' in page or (
        f'<option value="{klas.id}">2B</option>' in page
    )
    day = date.today() + timedelta(days=3)
    response = client.post(
        "/plan",
        data={
            "lesbrief_id": lesbrief.id,
            "klas_id": klas.id,
            "planned_on": day.isoformat(),
        },
    )
    assert response.status_code == 302
    plan = db.session.query(LesbriefPlan).one()
    assert (plan.klas_id, plan.lesbrief_id, plan.planned_on) == (klas.id, lesbrief.id, day)
    page = client.get(f"/klassen/{klas.id}/plan").get_data(as_text=True)
    assert lesbrief.title in page
    # planning it again moves the date, it does not add a second row
    client.post(
        "/plan",
        data={"lesbrief_id": lesbrief.id, "klas_id": klas.id},
    )
    db.session.expire_all()
    assert db.session.query(LesbriefPlan).count() == 1
    assert db.session.query(LesbriefPlan).one().planned_on is None
    # a date in the future is refused, with the field named
    prefix = f"p{plan.id}"
    response = client.post(
        f"/plan/{plan.id}/gegeven",
        data={
            f"{prefix}-taught_on": (date.today() + timedelta(days=1)).isoformat(),
            f"{prefix}-rating": "4",
            f"{prefix}-reflection": "Ging goed.",
        },
    )
    assert response.status_code == 400
    assert "Die datum ligt in de toekomst" in response.get_data(as_text=True)
    response = client.post(
        f"/plan/{plan.id}/gegeven",
        data={
            f"{prefix}-taught_on": date.today().isoformat(),
            f"{prefix}-rating": "4",
            f"{prefix}-reflection": "De klas deed goed mee,\nvooral in de groepjes.",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    plan = db.session.get(LesbriefPlan, plan.id)
    assert (plan.taught_on, plan.rating) == (date.today(), 4)
    assert plan.reflection == "De klas deed goed mee, vooral in de groepjes."
    page = client.get(f"/klassen/{klas.id}/plan").get_data(as_text=True)
    assert "4 van 5" in page
    assert "De klas deed goed mee, vooral in de groepjes." in page


def test_a_rating_is_required_and_stays_in_range(app, db, world):
    klas = world["klas"]
    plan = LesbriefPlan(
        school_id=klas.school_id, klas_id=klas.id, lesbrief_id=world["content"].lesbrieven[0].id
    )
    db.session.add(plan)
    db.session.commit()
    client = _client(app, world["mentor"])
    page = client.get(f"/klassen/{klas.id}/plan").get_data(as_text=True)
    assert "Gegeven? Zet het in het plan" in page
    for rating in ("", "6", "0"):
        response = client.post(
            f"/plan/{plan.id}/gegeven",
            data={
                f"p{plan.id}-taught_on": date.today().isoformat(),
                f"p{plan.id}-rating": rating,
            },
        )
        assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(LesbriefPlan, plan.id).taught_on is None


def test_only_the_mentor_keeps_the_plan(app, db, make, world):
    klas = world["klas"]
    lesbrief = world["content"].lesbrieven[0]
    plan = LesbriefPlan(school_id=klas.school_id, klas_id=klas.id, lesbrief_id=lesbrief.id)
    db.session.add(plan)
    db.session.commit()
    other = _client(app, world["other_docent"])
    # a docent who is not the class's mentor cannot plan for it, see its plan or change it
    response = other.post("/plan", data={"lesbrief_id": lesbrief.id, "klas_id": klas.id})
    assert response.status_code == 403
    assert other.get(f"/klassen/{klas.id}/plan").status_code == 404
    assert other.post(f"/plan/{plan.id}/verwijderen", data={}).status_code in (
        403,
        404,
    )
    # the coordinator reads the plan but does not keep it
    coordinator = _client(app, world["coordinator"])
    page = coordinator.get(f"/klassen/{klas.id}/plan").get_data(as_text=True)
    assert lesbrief.title in page
    assert "Opslaan als gegeven" not in page
    # another school's mentor gets nothing
    elsewhere = make.school("Andere school")
    stranger = make.staff(elsewhere, Role.DOCENT, name="Vreemde")
    make.klas(elsewhere, "9Z", mentors=[stranger])
    db.session.commit()
    client = _client(app, stranger)
    assert client.get(f"/klassen/{klas.id}/plan").status_code == 404
    page = client.get(f"/lesbrieven/{lesbrief.id}").get_data(as_text=True)
    assert f'value="{klas.id}"' not in page
    response = client.post("/plan", data={"lesbrief_id": lesbrief.id, "klas_id": klas.id})
    assert response.status_code == 400  # not one of their classes
    assert db.session.query(LesbriefPlan).count() == 1


# --- the class report --------------------------------------------------------------------------


def _two_rounds(db, world):
    """Two closed scans of the class, the first closed 50 days ago, the second opened 20."""
    content, klas = world["content"], world["klas"]
    first_round = _round(db, world["school"], "Meetmoment 1", 60)
    second_round = _round(db, world["school"], "Meetmoment 2", 20)
    first = closed_scan(
        db, content, klas, first_round, _answers(content, 12, seed=3), mode=ScanMode.ANONYMOUS
    )
    second = closed_scan(
        db,
        content,
        klas,
        second_round,
        _answers(content, 12, seed=4, shift=0.3),
        mode=ScanMode.ANONYMOUS,
    )
    first.closed_at = datetime.now(UTC) - timedelta(days=50)
    second.created_at = datetime.now(UTC) - timedelta(days=20)
    db.session.commit()
    return first, second


def test_the_report_shows_the_first_lesbrief_and_three_per_weak_theme(app, db, world):
    _first, second = _two_rounds(db, world)
    page = _client(app, world["mentor"]).get(f"/rapport/{second.id}").get_data(as_text=True)
    content = world["content"]
    from wijscan.services.reports import class_report

    with app.test_request_context():
        report = class_report(second, content, with_names=False)
    results = [ThemeResult(t.theme_id, t.klas.level, t.klas.mean) for t in report.themes if t.shown]
    plan = match_class(results, content.lesbrieven, content.interventions, grade=2, stream="havo")
    first_lesbrief = next(t.matches[0].item for t in plan if t.matches)
    glance = page.split('aria-label="In één oogopslag"')[1].split("</section>")[0]
    assert "Eerste les:" in glance
    assert first_lesbrief.title in glance
    for theme in plan:
        section = page.split(f'id="thema-{theme.result.theme}"')[1].split("</section>")[0]
        for match in theme.matches[:3]:
            assert match.item.title in section
        if theme.matches:
            assert f"Past bij niveau {theme.result.level} (" in section
            assert ", voor havo 2." in section
        else:  # the explained empty result
            assert "Er is nog geen lesbrief" in section or "Er zijn lesbrieven voor" in section


def test_the_next_report_shows_what_was_taught_between_the_rounds(app, db, world):
    first, second = _two_rounds(db, world)
    klas = world["klas"]
    democratie = next(b for b in world["content"].lesbrieven if b.theme == "democratie")
    conflicten = next(b for b in world["content"].lesbrieven if b.theme == "conflicten")
    db.session.add_all(
        [
            LesbriefPlan(
                school_id=klas.school_id,
                klas_id=klas.id,
                lesbrief_id=democratie.id,
                taught_on=date.today() - timedelta(days=30),
                rating=5,
            ),
            # taught before the first round closed: not "between"
            LesbriefPlan(
                school_id=klas.school_id,
                klas_id=klas.id,
                lesbrief_id=conflicten.id,
                taught_on=date.today() - timedelta(days=55),
                rating=3,
            ),
        ]
    )
    db.session.commit()
    page = _client(app, world["mentor"]).get(f"/rapport/{second.id}").get_data(as_text=True)
    section = page.split('id="thema-democratie"')[1].split("</section>")[0]
    assert "Gegeven sinds de vorige meting" in section
    assert democratie.title in section
    assert "5 van 5" in section
    other = page.split('id="thema-conflicten"')[1].split("</section>")[0]
    assert conflicten.title not in other.split("Lesbrieven die passen")[0]
    assert "Geen lesbrief van dit thema gegeven tussen de twee metingen." in other
    # the first report has no previous round: nothing about "since"
    page = _client(app, world["mentor"]).get(f"/rapport/{first.id}").get_data(as_text=True)
    assert "Gegeven sinds de vorige meting" not in page


def test_the_plan_adds_one_statement_to_the_report(app, db, world):
    _first, second = _two_rounds(db, world)
    path = f"/rapport/{second.id}"
    _statements(app, world["mentor"], path)  # fills the body cache
    before = _statements(app, world["mentor"], path)
    klas = world["klas"]
    for lesbrief in world["content"].lesbrieven[:20]:
        db.session.add(
            LesbriefPlan(
                school_id=klas.school_id,
                klas_id=klas.id,
                lesbrief_id=lesbrief.id,
                taught_on=date.today() - timedelta(days=30),
            )
        )
    db.session.commit()
    assert _statements(app, world["mentor"], path) == before


# --- what works --------------------------------------------------------------------------------


def test_what_works_on_the_page_with_the_numbers_of_the_core(app, db, make, world):
    """Ten classes, two rounds; five taught the lesbrief between them. The page shows the
    numbers the pure effect() gives on the stored class means; with four on a side, nothing."""
    content = world["content"]
    lesbrief = next(b for b in content.lesbrieven if b.theme == "democratie")
    first_round = _round(db, world["school"], "Meetmoment 1", 60)
    second_round = _round(db, world["school"], "Meetmoment 2", 20)
    classes = []
    for i in range(10):
        klas = make.klas(world["school"], f"1{chr(65 + i)}", leerjaar=1)
        taught = i < 5
        first = closed_scan(
            db, content, klas, first_round, _answers(content, 8, seed=i), mode=ScanMode.ANONYMOUS
        )
        second = closed_scan(
            db,
            content,
            klas,
            second_round,
            _answers(content, 8, seed=100 + i, shift=0.4 if taught else 0.0),
            mode=ScanMode.ANONYMOUS,
        )
        first.closed_at = datetime.now(UTC) - timedelta(days=50)
        second.created_at = datetime.now(UTC) - timedelta(days=20)
        if taught:
            db.session.add(
                LesbriefPlan(
                    school_id=klas.school_id,
                    klas_id=klas.id,
                    lesbrief_id=lesbrief.id,
                    taught_on=date.today() - timedelta(days=30),
                )
            )
        classes.append(klas)
    db.session.commit()
    with app.app_context():
        changes = what_works.class_changes([world["school"].id])
    expected = effect(lesbrief.id, "democratie", changes, min_classes=5)
    assert (expected.taught.n, expected.other.n) == (5, 5)
    page = _client(app, world["coordinator"]).get("/wat-werkt").get_data(as_text=True)
    row = page.split(f'id="les-{lesbrief.id}"')[1].split("</tr>")[0]

    def signed(value):
        text = f"{abs(value):.1f}".replace(".", ",")
        return ("+" if value >= 0 else "−") + text

    assert signed(expected.taught.mean) in row
    assert signed(expected.other.mean) in row
    assert signed(expected.difference) in row
    # one class fewer on the taught side: counts only
    db.session.query(LesbriefPlan).filter_by(klas_id=classes[0].id).delete()
    db.session.commit()
    page = _client(app, world["coordinator"]).get("/wat-werkt").get_data(as_text=True)
    row = page.split(f'id="les-{lesbrief.id}"')[1].split("</tr>")[0]
    assert "te weinig klassen (minimaal 5 aan elke kant)" in row
    assert "<td>4</td>" in row
    assert "<td>6</td>" in row
    assert "," not in row.split("te weinig")[0].split("</th>")[1]  # no mean shown
    # docents do not see it
    assert _client(app, world["mentor"]).get("/wat-werkt").status_code == 403


def test_what_works_pairs_consecutive_scans_and_the_window(app, db, make, world):
    content = world["content"]
    lesbrief = content.lesbrieven[0]
    _two_rounds(db, world)
    klas = world["klas"]
    db.session.add(
        LesbriefPlan(
            school_id=klas.school_id,
            klas_id=klas.id,
            lesbrief_id=lesbrief.id,
            taught_on=date.today() - timedelta(days=10),  # after the second scan opened
        )
    )
    db.session.commit()
    with app.app_context():
        changes = what_works.class_changes([world["school"].id])
    assert {c.klas for c in changes} == {klas.id}
    assert all(c.taught == frozenset() for c in changes)
    themes = {c.theme for c in changes}
    assert themes == {t.id for t in content.instruments["klas"].themes}
    assert all(isinstance(c, ClassChange) for c in changes)


def test_the_dashboard_matches_school_interventions_to_the_staff_scan(app, db, make, world):
    from tests.web.test_dashboard import _staff_scan
    from wijscan.matching import match_school
    from wijscan.scoring import group_result, score_respondents, spec_from_content

    content = world["content"]
    scan_round = _round(db, world["school"], "Meetmoment 1", 30)
    for i in range(2):
        klas = make.klas(world["school"], f"3{chr(65 + i)}")
        closed_scan(
            db, content, klas, scan_round, _answers(content, 8, seed=i), mode=ScanMode.ANONYMOUS
        )
    values = _staff_scan(db, content, world["school"], scan_round, 12, seed=5)
    spec = spec_from_content(content.instruments["school"], content.pyramid)
    core = group_result(spec, values, score_respondents(spec, values))
    expected = match_school(
        [ThemeResult(t, s.level, s.mean) for t, s in core.themes.items()], content.interventions
    )
    page = _client(app, world["coordinator"]).get("/dashboard").get_data(as_text=True)
    section = page.split('id="staff-h"')[1].split("</section>")[0]
    assert "Wat de school kan doen" in section
    assert expected
    assert all(theme.matches for theme in expected[:2])
    for theme in expected[:2]:
        for match in theme.matches[:3]:
            assert str(escape(match.item.title)) in section


def test_worksheet_tables_have_no_empty_column_headers():
    """A grid of cards (an empty header row) gets no header row; the empty corner above a
    column of numbers is a plain cell; a header with words stays as it is."""
    from wijscan.web.lesbrieven.words import render_markdown

    cards = str(render_markdown("| | |\n|---|---|\n| boos | blij |\n"))
    assert "<thead>" not in cards
    assert "<th" not in cards
    assert "<td>boos</td>" in cards
    corner = str(render_markdown("| | Bericht | Trede |\n|---|---|---|\n| 1 | Hoi | ___ |\n"))
    assert "<thead>\n<tr>\n<td></td>\n<th>Bericht</th>\n<th>Trede</th>" in corner
    assert "<th></th>" not in corner
    plain = str(render_markdown("| Zin | Helpt |\n|---|---|\n| a | b |\n"))
    assert "<th>Zin</th>\n<th>Helpt</th>" in plain
