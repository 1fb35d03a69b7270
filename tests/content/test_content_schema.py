"""Each kind of schema problem is reported with its file, line, place in the file and a message
an author understands; every problem of a file is reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from wijscan.content import ContentError, Problem, load_instrument, load_pyramid

ROOT = Path(__file__).resolve().parents[2]

# Line numbers in the expectations below refer to these texts.
INSTRUMENT = """\
id: demo
version: 1
level: klas
respondent: leerling
title: {nl: Demo, en: Demo}
scale:
  points: 5
  labels:
    nl: [a, b, c, d, e]
    en: [a, b, c, d, e]
themes:
  - id: burgerschap
    items:
      - id: demo-1
        text: {nl: Een, en: One}
        critical: {answers: [4, 5], cap: 2}
"""

PYRAMID = """\
min_group_size: 5
levels:
  - {level: 1, key: uitsluiten, name: {nl: U, en: E}, summary: {nl: u, en: e}, from: 0}
  - {level: 2, key: tegenover, name: {nl: T, en: O}, summary: {nl: t, en: o}, from: 20}
  - {level: 3, key: wantrouwen, name: {nl: W, en: D}, summary: {nl: w, en: d}, from: 35}
  - {level: 4, key: afzijdig, name: {nl: A, en: A}, summary: {nl: a, en: a}, from: 50}
  - {level: 5, key: open, name: {nl: O, en: O}, summary: {nl: o, en: o}, from: 65}
  - {level: 6, key: verbonden, name: {nl: V, en: C}, summary: {nl: v, en: c}, from: 80}
themes:
  - id: burgerschap
    name: {nl: Burgerschap, en: Citizenship}
    levels_used: [klas, individu]
    descriptions:
      1: {nl: Een., en: One.}
      2: {nl: Twee., en: Two.}
      3: {nl: Drie., en: Three.}
      4: {nl: Vier., en: Four.}
      5: {nl: Vijf., en: Five.}
      6: {nl: Zes., en: Six.}
"""


def problems_of(load, path: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load(path)
    assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)
    return [str(p) for p in caught.value.problems]


def instrument_problems(tmp_path: Path, old: str, new: str, *, pyramid=None) -> list[str]:
    assert INSTRUMENT.count(old) == 1, old
    path = tmp_path / "demo.yaml"
    path.write_text(INSTRUMENT.replace(old, new), encoding="utf-8")
    problems = problems_of(lambda p: load_instrument(p, pyramid), path)
    return [p.removeprefix(f"{path}") for p in problems]


def pyramid_problems(tmp_path: Path, old: str, new: str) -> list[str]:
    assert PYRAMID.count(old) == 1, old
    path = tmp_path / "piramide.yaml"
    path.write_text(PYRAMID.replace(old, new), encoding="utf-8")
    return [p.removeprefix(f"{path}") for p in problems_of(load_pyramid, path)]


def test_the_small_fixtures_are_valid(tmp_path):
    """Schema checks accept any valid instrument: one theme, one item."""
    (tmp_path / "demo.yaml").write_text(INSTRUMENT, encoding="utf-8")
    (tmp_path / "piramide.yaml").write_text(PYRAMID, encoding="utf-8")
    pyramid = load_pyramid(tmp_path / "piramide.yaml")
    instrument = load_instrument(tmp_path / "demo.yaml", pyramid)
    assert [item.id for item in instrument.items] == ["demo-1"]
    assert instrument.items[0].critical.answers == [4, 5]
    assert instrument.items[0].weight == 1.0
    assert instrument.items[0].reverse is False
    assert pyramid.cutoffs == [0, 20, 35, 50, 65, 80]


def test_a_seven_point_scale_is_valid(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(
        INSTRUMENT.replace("points: 5", "points: 7").replace(
            "[a, b, c, d, e]", "[a, b, c, d, e, f, g]"
        ),
        encoding="utf-8",
    )
    assert load_instrument(path).scale.points == 7


def test_the_problem_string():
    problem = Problem(
        "surveys/klas.yaml",
        37,
        "themes[2].items[0].critical.answers",
        "answer 7 is outside the scale 1..5",
    )
    assert str(problem) == (
        "surveys/klas.yaml:37: themes[2].items[0].critical.answers:"
        " answer 7 is outside the scale 1..5"
    )
    assert str(Problem("surveys/klas.yaml", None, "", "broken")) == "surveys/klas.yaml: broken"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "version: 1",
            "  version: 1",
            [":2: YAML syntax error: mapping values are not allowed here"],
            id="yaml-syntax",
        ),
        pytest.param(
            "    en: [a, b, c, d, e]",
            "    en: [a, b, c, d, e",
            [
                ":11: YAML syntax error: expected ',' or ']', but got ':'"
                " (while parsing a flow sequence)"
            ],
            id="yaml-unclosed-list",
        ),
        pytest.param(
            "        critical:",
            "        revers: true\n        critical:",
            [
                ":16: themes[0].items[0].revers: unknown key 'revers'; did you mean 'reverse'?"
                " (allowed: id, text, reverse, weight, critical)"
            ],
            id="unknown-key",
        ),
        pytest.param(
            "respondent: leerling\n",
            "",
            [":1: respondent: required key is missing"],
            id="missing-key",
        ),
        pytest.param(
            "points: 5",
            'points: "5"',
            [":7: scale.points: should be a valid integer, got '5'"],
            id="wrong-type",
        ),
        pytest.param(
            "{nl: Een, en: One}",
            "{nl: yes, en: One}",
            [
                ":15: themes[0].items[0].text.nl: should be a valid string, got true"
                " (put the text in quotes)"
            ],
            id="yaml-boolean-for-text",
        ),
        pytest.param(
            "level: klas",
            "level: groep",
            [":3: level: should be 'school', 'klas' or 'individu', got 'groep'"],
            id="unknown-level",
        ),
        pytest.param(
            "        critical: {answers: [4, 5], cap: 2}\n",
            "        critical: {answers: [4, 5], cap: 2}\n"
            "      - id: demo-1\n"
            "        text: {nl: Twee, en: Two}\n",
            [
                ":17: themes[0].items[1].id: duplicate item id 'demo-1'"
                " (also at themes[0].items[0].id)"
            ],
            id="duplicate-item-id",
        ),
        pytest.param(
            "    en: [a, b, c, d, e]",
            "    en: [a, b, c, d]",
            [":10: scale.labels.en: has 4 labels; the scale has 5 points"],
            id="label-count-en",
        ),
        pytest.param(
            "    nl: [a, b, c, d, e]",
            "    nl: [a, b, c, d, e, f]",
            [":9: scale.labels.nl: has 6 labels; the scale has 5 points"],
            id="label-count-nl",
        ),
        pytest.param(
            "    en: [a, b, c, d, e]\n",
            "",
            [":8: scale.labels: missing translation: no English labels (en)"],
            id="labels-missing-language",
        ),
        pytest.param(
            "answers: [4, 5]",
            "answers: [4, 7]",
            [":16: themes[0].items[0].critical.answers: answer 7 is outside the scale 1..5"],
            id="critical-answer-outside-scale",
        ),
        pytest.param(
            "answers: [4, 5]",
            "answers: [0, 5]",
            [":16: themes[0].items[0].critical.answers: answer 0 is outside the scale 1..5"],
            id="critical-answer-zero",
        ),
        pytest.param(
            "cap: 2",
            "cap: 7",
            [":16: themes[0].items[0].critical.cap: cap 7 is outside the levels 1..6"],
            id="cap-outside-levels",
        ),
        pytest.param(
            "cap: 2",
            "cap: 0",
            [":16: themes[0].items[0].critical.cap: cap 0 is outside the levels 1..6"],
            id="cap-zero",
        ),
        pytest.param(
            "{nl: Een, en: One}",
            "{nl: Een}",
            [":15: themes[0].items[0].text.en: missing translation: no English text (en)"],
            id="missing-translation",
        ),
        pytest.param(
            "{nl: Een, en: One}",
            '{nl: Een, en: ""}',
            [":15: themes[0].items[0].text.en: must not be empty"],
            id="empty-translation",
        ),
        pytest.param(
            "title: {nl: Demo, en: Demo}",
            'title: {nl: "  ", en: Demo}',
            [":5: title.nl: must not be empty"],
            id="blank-text",
        ),
        pytest.param(
            "version: 1",
            "version: 1\nversion: 2",
            [":3: version: duplicate key 'version' (first on line 2)"],
            id="duplicate-yaml-key",
        ),
        pytest.param(
            "- id: demo-1",
            "- id: Demo 1",
            [
                ":14: themes[0].items[0].id: 'Demo 1' is not a valid id: use lower-case letters,"
                " digits and single hyphens, like 'klas-burg-1'"
            ],
            id="bad-id",
        ),
        pytest.param(
            "        text:",
            "        weight: 0\n        text:",
            [":15: themes[0].items[0].weight: should be greater than 0, got 0"],
            id="weight-not-positive",
        ),
    ],
)
def test_an_instrument_problem(tmp_path, old, new, expected):
    assert instrument_problems(tmp_path, old, new) == expected


def test_an_unknown_theme_needs_the_pyramid(tmp_path):
    (tmp_path / "piramide.yaml").write_text(PYRAMID, encoding="utf-8")
    pyramid = load_pyramid(tmp_path / "piramide.yaml")
    assert instrument_problems(tmp_path, "id: burgerschap", "id: burger", pyramid=pyramid) == [
        ":12: themes[0].id: unknown theme 'burger'; surveys/piramide.yaml has: burgerschap"
    ]
    # Without a pyramid the file is schema-valid.
    path = tmp_path / "demo.yaml"
    assert load_instrument(path).themes[0].id == "burger"


def test_a_theme_of_another_level(tmp_path):
    pyramid = load_pyramid(ROOT / "surveys" / "piramide.yaml")
    assert instrument_problems(tmp_path, "id: burgerschap", "id: leiderschap", pyramid=pyramid) == [
        ":12: themes[0].id: theme 'leiderschap' is not used at level 'klas' (levels_used: school)"
    ]


def test_every_problem_of_a_file_at_once(tmp_path):
    broken = (
        INSTRUMENT.replace("level: klas", "level: groep")
        .replace("answers: [4, 5], cap: 2", "answers: [4, 9], cap: 8")
        .replace("en: [a, b, c, d, e]", "en: [a, b]")
        .replace("{nl: Een, en: One}", "{nl: Een}")
    )
    path = tmp_path / "demo.yaml"
    path.write_text(broken, encoding="utf-8")
    assert [p.removeprefix(str(path)) for p in problems_of(load_instrument, path)] == [
        ":3: level: should be 'school', 'klas' or 'individu', got 'groep'",
        ":10: scale.labels.en: has 2 labels; the scale has 5 points",
        ":15: themes[0].items[0].text.en: missing translation: no English text (en)",
        ":16: themes[0].items[0].critical.cap: cap 8 is outside the levels 1..6",
        ":16: themes[0].items[0].critical.answers: answer 9 is outside the scale 1..5",
    ]


def test_a_problem_knows_its_parts(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(INSTRUMENT.replace("cap: 2", "cap: 7"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_instrument(path)
    assert caught.value.problems == [
        Problem(
            str(path), 16, "themes[0].items[0].critical.cap", "cap 7 is outside the levels 1..6"
        )
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", [": the file is empty"], id="empty"),
        pytest.param("- a\n- b\n", [":1: should be a mapping (key: value), got a list"], id="list"),
        pytest.param(
            "id: 2024-13-45\n", [": YAML value error: month must be in 1..12"], id="bad-date"
        ),
        pytest.param(
            "id: \x01\n",
            [":1: YAML syntax error: the character U+0001 is not allowed"],
            id="control",
        ),
        pytest.param(
            "[" * 5000, [": YAML syntax error: the document is nested too deeply"], id="deep"
        ),
    ],
)
def test_a_file_that_is_no_instrument(tmp_path, text, expected):
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    assert [p.removeprefix(str(path)) for p in problems_of(load_instrument, path)] == expected


def test_a_missing_file(tmp_path):
    path = tmp_path / "nothing.yaml"
    assert problems_of(load_instrument, path) == [f"{path}: file not found"]


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_bytes(b"id: demo\nversion: 1\ntitle: caf\xe9\n")
    assert problems_of(load_instrument, path) == [f"{path}:3: the file is not UTF-8 text"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "key: wantrouwen, name: {nl: W, en: D}, summary: {nl: w, en: d}, from: 35",
            "key: wantrouwen, name: {nl: W, en: D}, summary: {nl: w, en: d}, from: 20",
            [
                ":5: levels[2].from: 20 is not above the 'from' of the level before (20);"
                " the values must rise strictly"
            ],
            id="from-not-rising",
        ),
        pytest.param(
            "key: afzijdig, name: {nl: A, en: A}, summary: {nl: a, en: a}, from: 50",
            "key: afzijdig, name: {nl: A, en: A}, summary: {nl: a, en: a}, from: 30",
            [
                ":6: levels[3].from: 30 is not above the 'from' of the level before (35);"
                " the values must rise strictly"
            ],
            id="from-falling",
        ),
        pytest.param(
            "summary: {nl: u, en: e}, from: 0}",
            "summary: {nl: u, en: e}, from: 5}",
            [":3: levels[0].from: the first level starts at 0, not 5"],
            id="from-first-not-zero",
        ),
        pytest.param(
            "summary: {nl: u, en: e}, from: 0}",
            "summary: {nl: u, en: e}, from: 100}",
            [
                ":3: levels[0].from: should be less than 100, got 100",
                ":3: levels[0].from: the first level starts at 0, not 100",
                ":4: levels[1].from: 20 is not above the 'from' of the level before (100);"
                " the values must rise strictly",
            ],
            id="from-too-high",
        ),
        pytest.param(
            "  - {level: 6, key: verbonden, name: {nl: V, en: C}, summary: {nl: v, en: c},"
            " from: 80}\n",
            "",
            [":2: levels: the pyramid has exactly 6 levels; found 5"],
            id="five-levels",
        ),
        pytest.param(
            "{level: 2, key: tegenover",
            "{level: 3, key: tegenover",
            [":4: levels[1].level: levels are numbered 1..6 in order; expected 2, found 3"],
            id="level-numbering",
        ),
        pytest.param(
            "key: tegenover",
            "key: uitsluiten",
            [":4: levels[1].key: duplicate level key 'uitsluiten' (also levels[0])"],
            id="duplicate-level-key",
        ),
        pytest.param(
            "name: {nl: U, en: E}",
            "name: {nl: U}",
            [":3: levels[0].name.en: missing translation: no English text (en)"],
            id="missing-translation",
        ),
        pytest.param(
            "      6: {nl: Zes., en: Six.}\n",
            "",
            [":13: themes[0].descriptions: no description for level 6"],
            id="missing-description",
        ),
        pytest.param(
            "      6: {nl: Zes., en: Six.}\n",
            "      6: {nl: Zes., en: Six.}\n      7: {nl: Zeven., en: Seven.}\n",
            [":20: themes[0].descriptions[7]: there is no level 7; levels are 1..6"],
            id="description-of-no-level",
        ),
        pytest.param(
            "levels_used: [klas, individu]",
            "levels_used: [klas, groep]",
            [
                ":12: themes[0].levels_used[1]: should be 'school', 'klas' or 'individu',"
                " got 'groep'"
            ],
            id="unknown-level-used",
        ),
        pytest.param(
            "min_group_size: 5",
            "min_group_size: 0",
            [":1: min_group_size: should be greater than or equal to 1, got 0"],
            id="min-group-size",
        ),
    ],
)
def test_a_pyramid_problem(tmp_path, old, new, expected):
    assert pyramid_problems(tmp_path, old, new) == expected


def test_a_duplicate_theme_in_the_pyramid(tmp_path):
    theme = PYRAMID[PYRAMID.index("  - id: burgerschap") :]
    path = tmp_path / "piramide.yaml"
    path.write_text(PYRAMID + theme, encoding="utf-8")
    assert [p.removeprefix(str(path)) for p in problems_of(load_pyramid, path)] == [
        ":20: themes[1].id: duplicate theme id 'burgerschap' (also themes[0])"
    ]
