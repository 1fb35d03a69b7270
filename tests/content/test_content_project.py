"""load_content: a whole project directory, with the checks that span files, and lesbrieven."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from wijscan.content import ContentError, load_content, quality_problems, run_check

FIXTURES = Path(__file__).parent / "fixtures"


def problems(root: Path, **kwargs) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(root, **kwargs)
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def with_lesbrieven(project: Path) -> Path:
    """The project with a catalogue of one lesbrief and two interventions (the fixtures)."""
    shutil.rmtree(project / "lesbrieven")
    (project / "lesbrieven").mkdir()
    for path in (FIXTURES / "lesbrieven").iterdir():
        shutil.copy(path, project / "lesbrieven" / path.name)
    return project


def test_a_copy_of_the_shipped_content_loads(project):
    content = load_content(project)
    assert content.root == project
    assert len(content.lesbrieven) >= 78
    assert len(content.interventions) >= 30


def test_without_lesbrieven_folder(project):
    shutil.rmtree(project / "lesbrieven")
    content = load_content(project)
    assert content.lesbrieven == []
    assert content.interventions == []


def test_a_missing_pyramid(project):
    (project / "surveys" / "piramide.yaml").unlink()
    assert problems(project) == ["surveys/piramide.yaml: file not found"]


def test_an_item_id_used_in_two_instruments(project, edit, line_of):
    individu, klas = project / "surveys" / "individu.yaml", project / "surveys" / "klas.yaml"
    edit(klas, "- id: klas-demo-1\n", "- id: ind-burg-2\n")
    first, second = line_of(individu, "id: ind-burg-2"), line_of(klas, "id: ind-burg-2")
    assert problems(project, check_lock=False) == [
        f"surveys/klas.yaml:{second}: themes[4].items[0].id: item id 'ind-burg-2' is already used"
        f" in surveys/individu.yaml:{first} (themes[0].items[1].id)"
    ]


def test_an_instrument_id_used_twice(project):
    shutil.copy(project / "surveys" / "klas.yaml", project / "surveys" / "klas2.yaml")
    found = problems(project, check_lock=False)
    assert (
        "surveys/klas2.yaml:4: id: instrument id 'klas' is already used in surveys/klas.yaml"
        in found
    )


def test_an_unknown_theme_in_an_instrument(project, edit, line_of):
    path = project / "surveys" / "school.yaml"
    edit(path, "- id: leiderschap", "- id: leiding")
    assert problems(project) == [
        f"surveys/school.yaml:{line_of(path, 'id: leiding')}: themes[1].id: unknown theme"
        " 'leiding'; surveys/piramide.yaml has: burgerschap, participatie, identiteit,"
        " vaardigheden, democratie, conflicten, oefenplaats, leiderschap, medewerkers-ouders,"
        " polarisatie"
    ]


def test_every_problem_of_every_file_at_once(project, edit, line_of):
    pyramid = project / "surveys" / "piramide.yaml"
    klas = project / "surveys" / "klas.yaml"
    school = project / "surveys" / "school.yaml"
    edit(pyramid, "    from: 50\n", "    from: 30\n")
    edit(
        klas,
        "critical: {answers: [4, 5], cap: 2}\n      - id: klas-vaar-4",
        "critical: {answers: [4, 5], cap: 9}\n      - id: klas-vaar-4",
    )
    edit(school, "      - id: sch-oef-2\n", "      - id: sch-oef-2\n        wieght: 2\n")
    (project / "lesbrieven" / "kapot.md").write_text("geen front matter\n", encoding="utf-8")
    assert problems(project) == [
        f"surveys/piramide.yaml:{line_of(pyramid, 'from: 30')}: levels[3].from: 30 is not above"
        " the 'from' of the level before (35); the values must rise strictly",
        f"surveys/klas.yaml:{line_of(klas, 'cap: 9')}: themes[3].items[2].critical.cap:"
        " cap 9 is outside the levels 1..6",
        f"surveys/school.yaml:{line_of(school, 'wieght')}: themes[0].items[1].wieght: unknown key"
        " 'wieght'; did you mean 'weight'? (allowed: id, text, reverse, weight, critical)",
        "lesbrieven/kapot.md:1: a lesbrief starts with front matter: a line '---', the YAML keys"
        " (id, title, theme, ...) and another line '---'",
    ]


def test_lesbrieven_and_interventions_load(with_lesbrieven):
    content = load_content(with_lesbrieven)
    [lesbrief] = content.lesbrieven
    assert lesbrief.id == "test-conflicten-wij-zij"
    assert lesbrief.theme == "conflicten"
    assert lesbrief.levels == [2, 3]
    assert lesbrief.grades == [1, 2, 3]
    assert lesbrief.streams == ["vmbo-k", "havo", "vwo"]
    assert lesbrief.focus == ["kennis", "houding"]
    assert lesbrief.duration == 45
    assert len(lesbrief.goals) == 2
    assert lesbrief.body.startswith("## Doel\n")
    assert lesbrief.source == "lesbrieven/conflicten-wij-zij.md"
    assert [i.id for i in content.interventions] == ["test-herstelgesprek", "test-ouderavond"]
    assert content.interventions[0].scope == "individu"
    assert content.interventions[1].themes == ["medewerkers-ouders"]
    assert content.zorgprotocol.startswith("Een signaal is een reden voor een gesprek")
    # The lesbrief and the interventions are fine; a catalogue of one is not: every student
    # theme at every level 1–5 needs two lesbrieven, and individual follow-up at levels 1–2.
    found = [str(p) for p in quality_problems(content)]
    assert len(found) == 30 + 8
    assert (
        "lesbrieven: theme 'conflicten' at level 2 has 1 lesbrieven (test-conflicten-wij-zij);"
        " write at least 2" in found
    )
    assert "lesbrieven: theme 'burgerschap' at level 1 has 0 lesbrieven; write at least 2" in found
    assert (
        "lesbrieven/interventies.yaml: no individual follow-up (scope individu) for theme"
        " 'democratie' at level 1" in found
    )
    out = io.StringIO()
    assert run_check(with_lesbrieven, out) == 1
    assert "lesbrieven: 1\ninterventions: 2\n38 problems:\n" in out.getvalue()


def test_a_readme_in_lesbrieven_is_no_lesbrief(with_lesbrieven):
    (with_lesbrieven / "lesbrieven" / "README.md").write_text("# Lesbrieven\n", encoding="utf-8")
    assert len(load_content(with_lesbrieven).lesbrieven) == 1


LESBRIEF = """\
---
id: test-les
title: "Een les"
theme: democratie
levels: [4, 5]
grades: [2]
streams: [havo]
duration: 50
goals: ["Iets leren."]
focus: [kennis]
---

## Doel
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "theme: democratie",
            "theme: politiek",
            ":4: theme: unknown theme 'politiek'; surveys/piramide.yaml has: burgerschap,"
            " participatie, identiteit, vaardigheden, democratie, conflicten, oefenplaats,"
            " leiderschap, medewerkers-ouders, polarisatie",
            id="unknown-theme",
        ),
        pytest.param(
            "levels: [4, 5]",
            "levels: [4, 7]",
            ":5: levels[1]: level 7 is outside the levels 1..6",
            id="level-outside-pyramid",
        ),
        pytest.param(
            "grades: [2]",
            "grades: [0]",
            ":6: grades[0]: grade 0 is outside leerjaar 1..6",
            id="grade-outside-leerjaren",
        ),
        pytest.param(
            "duration: 50\n",
            "",
            ":2: duration: required key is missing",
            id="missing-key",
        ),
        pytest.param(
            "duration: 50",
            "duration: 50\nduur: 50",
            ":9: duur: unknown key 'duur' (allowed: id, title, theme, levels, grades, streams,"
            " duration, goals, focus)",
            id="unknown-key",
        ),
        pytest.param(
            "streams: [havo]",
            "streams: havo",
            ":7: streams: should be a valid list, got 'havo'",
            id="wrong-type",
        ),
        pytest.param(
            'title: "Een les"',
            "title: [Een les",
            ":4: YAML syntax error: expected ',' or ']', but got ':'"
            " (while parsing a flow sequence)",
            id="yaml-syntax",
        ),
        pytest.param(
            "\n## Doel\n",
            "\n",
            ":12: there is no lesson text after the front matter",
            id="no-body",
        ),
    ],
)
def test_a_lesbrief_problem(project, old, new, expected):
    assert LESBRIEF.count(old) == 1
    (project / "lesbrieven" / "les.md").write_text(LESBRIEF.replace(old, new), encoding="utf-8")
    assert problems(project) == ["lesbrieven/les.md" + expected]


def test_a_lesbrief_without_closing_front_matter(project):
    (project / "lesbrieven" / "les.md").write_text("---\nid: x\n", encoding="utf-8")
    assert problems(project) == [
        "lesbrieven/les.md:1: a lesbrief starts with front matter: a line '---', the YAML keys"
        " (id, title, theme, ...) and another line '---'"
    ]


def test_two_lesbrieven_with_one_id(with_lesbrieven):
    folder = with_lesbrieven / "lesbrieven"
    shutil.copy(folder / "conflicten-wij-zij.md", folder / "kopie.md")
    assert problems(with_lesbrieven) == [
        "lesbrieven/kopie.md:2: id: lesbrief id 'test-conflicten-wij-zij' is already used in"
        " lesbrieven/conflicten-wij-zij.md"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "themes: [vaardigheden, conflicten]",
            "themes: [vaardigheden, ruzie]",
            ":6: interventions[0].themes: unknown theme 'ruzie'; surveys/piramide.yaml has:"
            " burgerschap, participatie, identiteit, vaardigheden, democratie, conflicten,"
            " oefenplaats, leiderschap, medewerkers-ouders, polarisatie",
            id="unknown-theme",
        ),
        pytest.param(
            "id: test-ouderavond",
            "id: test-herstelgesprek",
            ":12: interventions[1].id: duplicate intervention id 'test-herstelgesprek'"
            " (also interventions[0])",
            id="duplicate-id",
        ),
        pytest.param(
            "scope: school",
            "scope: land",
            ":14: interventions[1].scope: should be 'school', 'klas' or 'individu', got 'land'",
            id="unknown-scope",
        ),
        pytest.param(
            "levels: [2, 3, 4]",
            "levels: [2, 3, 9]",
            ":16: interventions[1].levels[2]: level 9 is outside the levels 1..6",
            id="level-outside-pyramid",
        ),
        pytest.param(
            "    effort: middel\n",
            "",
            ":12: interventions[1].effort: required key is missing",
            id="missing-key",
        ),
    ],
)
def test_an_intervention_problem(with_lesbrieven, edit, old, new, expected):
    edit(with_lesbrieven / "lesbrieven" / "interventies.yaml", old, new)
    assert problems(with_lesbrieven) == ["lesbrieven/interventies.yaml" + expected]
