"""The ``wijscan score`` function: CSV in, JSON or CSV out, exit 2 with a clear message."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from wijscan.scoring.command import run_score

ROOT = Path(__file__).resolve().parents[2]
PYRAMID = ROOT / "surveys" / "piramide.yaml"

LABELS5 = '["een", "twee", "drie", "vier", "vijf"]'
MINI = f"""\
id: mini
version: 3
level: klas
respondent: leerling
title: {{nl: "Mini", en: "Mini"}}
scale:
  points: 5
  labels: {{nl: {LABELS5}, en: {LABELS5}}}
themes:
  - id: burgerschap
    items:
      - id: mini-b-1
        text: {{nl: "Een", en: "One"}}
      - id: mini-b-2
        text: {{nl: "Twee", en: "Two"}}
        reverse: true
      - id: mini-b-3
        text: {{nl: "Drie", en: "Three"}}
        critical: {{answers: [1], cap: 2}}
  - id: participatie
    items:
      - id: mini-p-1
        text: {{nl: "Vier", en: "Four"}}
"""

GOOD = """\
respondent,mini-b-1,mini-b-2,mini-b-3,mini-p-1
r1,5,1,5,4
r2,3,3,1,2
r3,4,,,
"""


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Work in a fresh directory (no surveys/ in it) with the mini instrument."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mini.yaml").write_text(MINI, encoding="utf-8")
    return tmp_path


def score(answers: str | bytes, *args: str, **options):
    path = Path("answers.csv")
    if isinstance(answers, bytes):
        path.write_bytes(answers)
    else:
        path.write_text(answers, encoding="utf-8", newline="")
    out, err = io.StringIO(), io.StringIO()
    status = run_score(
        options.pop("instrument", "mini.yaml"), path, stdout=out, stderr=err, **options
    )
    return status, out.getvalue(), err.getvalue()


def suppressed(n):
    return {
        "n": n,
        "suppressed": True,
        "mean": None,
        "sd": None,
        "level": None,
        "distribution": None,
        "alpha": None,
    }


EXPECTED_RESPONDENTS = [
    {
        "respondent": "r1",
        "group": None,
        # b: 100, reversed 1 -> 100, 100; p: 75; overall 87.5
        "themes": {
            "burgerschap": {"score": 100.0, "level": 6},
            "participatie": {"score": 75.0, "level": 5},
        },
        "overall": {"score": 87.5, "level": 6},
        "signals": [],
    },
    {
        "respondent": "r2",
        "group": None,
        # b: (50 + 50 + 0) / 3 = 33.33 -> level 2 (and capped at 2); p: 25 -> 2; overall 29.17
        "themes": {
            "burgerschap": {"score": 100 / 3, "level": 2},
            "participatie": {"score": 25.0, "level": 2},
        },
        "overall": {"score": (100 / 3 + 25) / 2, "level": 2},
        "signals": ["mini-b-3"],
    },
    {
        "respondent": "r3",
        "group": None,
        # one of three burgerschap items (2 needed), no participatie: nothing
        "themes": {
            "burgerschap": {"score": None, "level": None},
            "participatie": {"score": None, "level": None},
        },
        "overall": {"score": None, "level": None},
        "signals": [],
    },
]


def test_scores_a_csv_into_the_documented_json(here):
    status, out, err = score(GOOD)
    assert (status, err) == (0, "")
    assert json.loads(out) == {
        "instrument": {"id": "mini", "version": 3},
        "scoring_version": "1",
        "respondents": EXPECTED_RESPONDENTS,
        "groups": [
            {
                "group": None,
                "themes": {"burgerschap": suppressed(2), "participatie": suppressed(2)},
                "overall": suppressed(2),
            }
        ],
    }


def test_group_statistics_with_a_smaller_minimum_group_size(here):
    status, out, _ = score(GOOD, min_group_size=2)
    assert status == 0
    everyone = json.loads(out)["groups"][0]
    assert everyone["themes"]["burgerschap"] == {
        "n": 2,
        "suppressed": False,
        "mean": (100 + 100 / 3) / 2,
        "sd": 47.14045207910317,  # sqrt(((100 - m)² + (33.33 - m)²) / 1), at full precision
        "level": 5,
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 0, "6": 1},
        "alpha": None,  # two complete respondents
    }
    assert everyone["overall"]["mean"] == (87.5 + (100 / 3 + 25) / 2) / 2
    assert everyone["overall"]["alpha"] is None


SEMICOLON = (
    "respondent;mini-p-1;mini-b-3;mini-b-2;mini-b-1\r\nr1;4;5;1;5\r\nr2;2;1;3;3\r\nr3;;;;4\r\n"
)


@pytest.mark.parametrize(
    "content",
    [
        GOOD.encode("utf-8"),
        b"\xef\xbb\xbf" + GOOD.encode("utf-8"),
        SEMICOLON.encode("utf-8"),
        b"\xef\xbb\xbf" + SEMICOLON.encode("utf-8"),
        GOOD.replace("\n", "\r\n").encode("utf-8") + b"\r\n\r\n",
    ],
    ids=["comma", "comma-bom", "semicolon-crlf", "semicolon-bom", "crlf-blank-lines"],
)
def test_comma_semicolon_bom_and_column_order_give_the_same_result(here, content):
    status, out, err = score(content)
    assert (status, err) == (0, "")
    assert json.loads(out)["respondents"] == EXPECTED_RESPONDENTS


def test_an_item_without_a_column_is_missing_for_everyone(here):
    status, out, _ = score("respondent,mini-b-1,mini-b-2\nr1,5,1\n")
    assert status == 0
    respondent = json.loads(out)["respondents"][0]
    assert respondent["themes"]["burgerschap"] == {"score": 100.0, "level": 6}  # 2 of 3
    assert respondent["themes"]["participatie"] == {"score": None, "level": None}
    assert respondent["overall"] == {"score": 100.0, "level": 6}  # 1 of 2 themes is enough


GROUPED = """\
respondent,klas,mini-b-1,mini-b-2,mini-b-3,mini-p-1
a1,1B,5,1,5,5
a2,1B,4,2,4,4
a3,1B,3,3,3,3
a4,1B,2,4,2,2
a5,1B,4,1,5,1
b1,1A,5,5,5,5
b2,1A,1,1,1,1
c1,,3,3,3,3
"""


def test_grouping_gives_one_entry_per_group_sorted_then_everyone(here):
    status, out, err = score(GROUPED, group_by="klas")
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert [r["group"] for r in document["respondents"]] == [
        "1B",
        "1B",
        "1B",
        "1B",
        "1B",
        "1A",
        "1A",
        None,
    ]
    groups = document["groups"]
    assert [g["group"] for g in groups] == ["1A", "1B", None]
    assert groups[0]["themes"]["burgerschap"] == suppressed(2)
    big = groups[1]["themes"]["participatie"]
    # 100, 75, 50, 25, 0
    assert (big["n"], big["mean"], big["level"]) == (5, 50.0, 4)
    assert big["sd"] == float(np.std([100, 75, 50, 25, 0], ddof=1))  # full precision
    assert big["distribution"] == {"1": 1, "2": 1, "3": 0, "4": 1, "5": 1, "6": 1}
    assert big["alpha"] is None  # a theme with one item
    b = groups[1]["themes"]["burgerschap"]
    assert b["n"] == 5
    assert isinstance(b["alpha"], float)
    assert groups[2]["themes"]["burgerschap"]["n"] == 8  # everyone, also without a class


def test_csv_format(here):
    status, out, err = score(GOOD, fmt="csv")
    assert (status, err) == (0, "")
    assert out == (
        "respondent,group,burgerschap_score,burgerschap_level,participatie_score,"
        "participatie_level,overall_score,overall_level,signals\n"
        "r1,,100.0,6,75.0,5,87.5,6,\n"
        "r2,,33.333333333333336,2,25.0,2,29.166666666666668,2,mini-b-3\n"
        "r3,,,,,,,,\n"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[1]["signals"] == "mini-b-3"


def test_csv_format_with_groups_and_several_signals(here):
    spec_two = MINI.replace(
        "        reverse: true\n",
        "        reverse: true\n        critical: {answers: [1, 2], cap: 3}\n",
    )
    Path("two.yaml").write_text(spec_two, encoding="utf-8")
    status, out, _ = score(
        "respondent,klas,mini-b-1,mini-b-2,mini-b-3,mini-p-1\nx,2C,5,1,1,5\n",
        group_by="klas",
        fmt="csv",
        instrument="two.yaml",
    )
    assert status == 0
    assert (
        out.splitlines()[1]
        == "x,2C,66.66666666666667,2,100.0,6,83.33333333333334,2,mini-b-2 mini-b-3"
    )


def test_output_to_a_file(here):
    status, out, err = score(GOOD, output="result.json")
    assert (status, out, err) == (0, "", "")
    document = json.loads(Path("result.json").read_text(encoding="utf-8"))
    assert document["respondents"] == EXPECTED_RESPONDENTS
    status, _, _ = score(GOOD, fmt="csv", output="result.csv")
    assert Path("result.csv").read_text(encoding="utf-8").startswith("respondent,group,")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "respondent,mini-b-1,klas\nr1,5,1A\n",
            "answers.csv: line 1, column klas: unknown column (not an item of instrument mini)",
        ),
        ("id,mini-b-1\nr1,5\n", 'answers.csv: line 1: no "respondent" column'),
        ("", 'answers.csv: line 1: no "respondent" column'),
        (
            "respondent,mini-b-1,mini-b-1\nr1,5,5\n",
            "answers.csv: line 1, column mini-b-1: the column appears twice",
        ),
        (
            "respondent,mini-b-1\nr1,5\nr2,4\nr1,3\n",
            'answers.csv: line 4, column respondent: duplicate respondent "r1" (also on line 2)',
        ),
        (
            "respondent,mini-b-1,mini-b-2\nr1,5,5\nr2,4,4\nr3,3,7\n",
            'answers.csv: line 4, column mini-b-2: answer "7" is outside 1..5',
        ),
        (
            "respondent,mini-b-1\nr1,0\n",
            'answers.csv: line 2, column mini-b-1: answer "0" is outside 1..5',
        ),
        (
            "respondent,mini-b-1,mini-p-1\nr1,5,5\nr2,4,2.5\n",
            'answers.csv: line 3, column mini-p-1: answer "2.5" is not a whole number 1..5',
        ),
        (
            "respondent,mini-b-1\nr1,vier\n",
            'answers.csv: line 2, column mini-b-1: answer "vier" is not a whole number 1..5',
        ),
        (
            "respondent,mini-b-1\nr1,5,5\n",
            "answers.csv: line 2: 3 fields, the header has 2",
        ),
        ("respondent,mini-b-1\n,5\n", "answers.csv: line 2, column respondent: no respondent id"),
        ("respondent,,mini-b-1\nr1,,5\n", "answers.csv: line 1: column 2 has no name"),
    ],
    ids=[
        "unknown-column",
        "no-respondent-column",
        "empty-file",
        "column-twice",
        "duplicate-respondent",
        "out-of-range",
        "zero",
        "not-whole",
        "not-a-number",
        "field-count",
        "empty-respondent",
        "unnamed-column",
    ],
)
def test_input_errors_exit_2_naming_line_and_column(here, content, message):
    status, out, err = score(content)
    assert (status, out) == (2, "")
    assert err == message + "\n"


def test_a_missing_group_column(here):
    status, _, err = score(GOOD, group_by="klas")
    assert status == 2
    assert err == 'answers.csv: line 1: no "klas" column to group by\n'


def test_the_line_number_counts_physical_lines(here):
    content = 'respondent,mini-b-1\n"r\n1",5\nr2,9\n'
    status, _, err = score(content)
    assert status == 2
    assert err.startswith("answers.csv: line 4, column mini-b-1:")


def test_not_utf8(here):
    status, _, err = score(b"respondent,mini-b-1\nr\xe91,5\n")
    assert status == 2
    assert err == "answers.csv: line 2: not UTF-8 text\n"


def test_a_missing_answers_file(here):
    out, err = io.StringIO(), io.StringIO()
    assert run_score("mini.yaml", "nope.csv", stdout=out, stderr=err) == 2
    assert err.getvalue().startswith("nope.csv: cannot read")


def test_content_errors_exit_2_with_the_content_message(here):
    Path("bad.yaml").write_text(MINI.replace("points: 5", "points: 5\n  colour: red"), "utf-8")
    status, out, err = score(GOOD, instrument="bad.yaml")
    assert (status, out) == (2, "")
    assert err.startswith("bad.yaml")
    assert "colour" in err


def test_bad_options_exit_2(here):
    assert score(GOOD, fmt="xml")[0] == 2
    assert score(GOOD, min_group_size=0)[0] == 2


def test_another_scale_and_a_single_item_theme(here):
    labels7 = '["1", "2", "3", "4", "5", "6", "7"]'
    seven = MINI.replace("points: 5", "points: 7").replace(LABELS5, labels7)
    Path("seven.yaml").write_text(seven, encoding="utf-8")
    status, out, err = score("respondent,mini-p-1,mini-b-1\nr1,3,7\n", instrument="seven.yaml")
    assert (status, err) == (0, "")
    respondent = json.loads(out)["respondents"][0]
    assert respondent["themes"]["participatie"] == {"score": 100 / 3, "level": 2}
    status, _, err = score("respondent,mini-p-1\nr1,6\n")  # 6 is fine on 1..7 only
    assert err == 'answers.csv: line 2, column mini-p-1: answer "6" is outside 1..5\n'


def test_other_pyramid_cut_offs(here):
    text = PYRAMID.read_text(encoding="utf-8").replace("from: 80", "from: 70")
    Path("pyramid.yaml").write_text(text, encoding="utf-8")
    status, out, _ = score(GOOD, pyramid_path="pyramid.yaml")
    assert status == 0
    first = json.loads(out)["respondents"][0]
    assert first["themes"]["participatie"] == {"score": 75.0, "level": 6}  # 75 >= 70


def test_the_default_pyramid_is_found_from_the_current_directory(here):
    (here / "surveys").mkdir()
    text = PYRAMID.read_text(encoding="utf-8").replace("from: 80", "from: 70")
    (here / "surveys" / "piramide.yaml").write_text(text, encoding="utf-8")
    status, out, _ = score(GOOD)
    assert status == 0
    assert json.loads(out)["respondents"][0]["themes"]["participatie"]["level"] == 6


def test_a_shipped_instrument(here):
    from wijscan.content import load_instrument, load_pyramid

    instrument = load_instrument(ROOT / "surveys" / "individu.yaml", load_pyramid(PYRAMID))
    ids = [item.id for item in instrument.items]
    lines = [",".join(["respondent", *ids])]
    lines += [
        ",".join([f"s{i}", *[str(1 + (i + j) % 5) for j in range(len(ids))]]) for i in range(6)
    ]
    status, out, err = score(
        "\n".join(lines) + "\n", instrument=str(ROOT / "surveys" / "individu.yaml")
    )
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert document["instrument"] == {"id": "individu", "version": instrument.version}
    assert len(document["respondents"]) == 6
    everyone = document["groups"][0]
    assert list(everyone["themes"]) == [theme.id for theme in instrument.themes]
    assert everyone["overall"]["n"] == 6
    assert not everyone["overall"]["suppressed"]
