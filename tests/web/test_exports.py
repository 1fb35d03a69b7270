"""The coordinator's exports (CSV, XLSX): the scoring core's numbers at full precision, nothing
but ``n`` for small groups, the same cells hidden as on the dashboard, and no formulas."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from openpyxl import load_workbook

from tests.conftest import login
from tests.web.test_reports import _answers, _round, closed_scan
from wijscan.models import Role, ScanMode
from wijscan.scoring import group_result, score_respondents, spec_from_content
from wijscan.services import exports


@pytest.fixture
def export_world(app, make, db):
    school = make.school()
    return {
        "school": school,
        "coordinator": make.staff(school, Role.COORDINATOR, name="Coord"),
        "content": app.extensions["wijscan_content"],
    }


def _classes(db, make, w, sizes, names=None, seed=0, scan_round=None):
    content = w["content"]
    scan_round = scan_round or _round(db, w["school"], "Meetmoment 1", 30)
    out = []
    for i, n in enumerate(sizes):
        klas = make.klas(w["school"], names[i] if names else f"2{chr(65 + i)}")
        data = _answers(content, n, seed=seed + i)
        closed_scan(db, content, klas, scan_round, data, mode=ScanMode.ANONYMOUS)
        out.append((klas, data["klas"]))
    return scan_round, out


def _get(app, user, path):
    client = app.test_client()
    login(client, user)
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response


def _csv(app, user, query="") -> list[dict]:
    response = _get(app, user, "/dashboard/export.csv" + query)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def _xlsx(app, user, query=""):
    response = _get(app, user, "/dashboard/export.xlsx" + query)
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header = [c.value for c in sheet[1]]
    assert header == list(exports.COLUMNS)
    rows = sheet.iter_rows(min_row=2, values_only=True)
    return sheet, [dict(zip(header, row, strict=True)) for row in rows]


def _of(rows, group, theme):
    found = [r for r in rows if r["groep"] == group and r["thema"] == theme]
    assert len(found) == 1, (group, theme)
    return found[0]


@pytest.mark.parametrize("small", [4, 5])
def test_a_class_of_four_exports_only_its_n(app, db, make, export_world, small):
    w = export_world
    content = w["content"]
    _r, classes = _classes(db, make, w, [small, 12, 14], seed=10)
    klas, answers = classes[0]
    spec = spec_from_content(content.instruments["klas"], content.pyramid)
    core = group_result(spec, answers, score_respondents(spec, answers))
    rows = _csv(app, w["coordinator"])
    _sheet, xrows = _xlsx(app, w["coordinator"])
    for theme_id, stat in [*core.themes.items(), ("totaal", core.overall)]:
        row = _of(rows, klas.name, theme_id)
        xrow = _of(xrows, klas.name, theme_id)
        assert int(row["n"]) == xrow["n"] == stat.n
        if small == 4:
            for column in ("gemiddelde", "sd", "niveau", "alfa"):
                assert row[column] == ""
                assert xrow[column] is None
            assert row["verborgen"] == xrow["verborgen"] == "te weinig deelnemers"
        else:
            assert float(row["gemiddelde"]) == xrow["gemiddelde"] == stat.mean
            assert int(row["niveau"]) == xrow["niveau"] == stat.level
            assert row["verborgen"] == ""
            assert xrow["verborgen"] in ("", None)


def test_the_numbers_are_the_scoring_cores_at_full_precision(app, db, make, export_world):
    w = export_world
    content = w["content"]
    _r, classes = _classes(db, make, w, [9, 13, 11], seed=20)
    spec = spec_from_content(content.instruments["klas"], content.pyramid)
    everyone = np.vstack([answers for _klas, answers in classes])
    school = group_result(spec, everyone, score_respondents(spec, everyone))
    rows = _csv(app, w["coordinator"])
    _sheet, xrows = _xlsx(app, w["coordinator"])
    checked = 0
    for group, core in [
        *((klas.name, group_result(spec, a, score_respondents(spec, a))) for klas, a in classes),
        ("school", school),
    ]:
        for theme_id, stat in core.themes.items():
            row = _of(rows, group, theme_id)
            xrow = _of(xrows, group, theme_id)
            assert float(row["gemiddelde"]) == xrow["gemiddelde"] == stat.mean
            assert float(row["sd"]) == xrow["sd"] == stat.sd
            if stat.alpha is not None:
                assert float(row["alfa"]) == xrow["alfa"] == stat.alpha
            checked += 1
        assert float(_of(rows, group, "totaal")["gemiddelde"]) == core.overall.mean
    assert checked == 4 * len(spec.theme_ids)
    # Not rounded: some mean has more than four decimals.
    assert any(len(r["gemiddelde"].split(".")[-1]) > 4 for r in rows if r["gemiddelde"])


def test_the_subtraction_rule_holds_in_both_exports(app, db, make, export_world):
    w = export_world
    _r, classes = _classes(db, make, w, [4, 12, 7, 15], seed=30)
    rows = _csv(app, w["coordinator"])
    _sheet, xrows = _xlsx(app, w["coordinator"])
    small, next_smallest = classes[0][0].name, classes[2][0].name
    for data in (rows, xrows):
        for row in data:
            if row["groep"] == small:
                assert row["verborgen"] == "te weinig deelnemers"
            elif row["groep"] == next_smallest:
                assert row["verborgen"] == "aftrekregel"
                assert row["gemiddelde"] in ("", None)
                assert row["niveau"] in ("", None)
            else:
                assert row["verborgen"] in ("", None), row
                assert row["gemiddelde"] not in ("", None)


def test_class_names_that_look_like_formulas_are_escaped(app, db, make, export_world):
    w = export_world
    names = ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)"]
    _classes(db, make, w, [6, 7, 8, 9], names=names, seed=40)
    rows = _csv(app, w["coordinator"])
    sheet, xrows = _xlsx(app, w["coordinator"])
    exported = {r["groep"] for r in rows}
    for name in names:
        assert "'" + name in exported
        assert name not in exported
    raw = _get(app, w["coordinator"], "/dashboard/export.csv").get_data().decode("utf-8-sig")
    assert "\n=" not in raw
    assert ",=" not in raw
    found = {}
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str) and cell.value.lstrip("'") in names:
                found[cell.value] = cell.data_type
    assert found == {"'" + name: "s" for name in names}
    assert {r["groep"] for r in xrows} >= {"'" + name for name in names}


def test_every_round_of_the_year_in_long_format(app, db, make, export_world):
    w = export_world
    content = w["content"]
    _first, _c = _classes(db, make, w, [6, 7], seed=50)
    second = _round(db, w["school"], "Meetmoment 2", 10)
    for klas, _a in _c:
        data = _answers(content, 8, seed=60 + klas.id)
        closed_scan(db, content, klas, second, data, mode=ScanMode.ANONYMOUS)
    rows = _csv(app, w["coordinator"])
    columns = len(content.instruments["klas"].themes) + 1
    # Per round: two classes, one leerjaar, one stream and the school.
    assert len(rows) == 2 * 5 * columns
    assert {r["meetmoment"] for r in rows} == {"Meetmoment 1", "Meetmoment 2"}
    assert {r["groep_soort"] for r in rows} == {"klas", "leerjaar", "stroming", "school"}
    filtered = _csv(app, w["coordinator"], "?leerjaar=3")
    assert {r["groep_soort"] for r in filtered} == {"school"}


def test_escape_leaves_numbers_and_plain_text():
    assert exports.escape(-1.5) == -1.5
    assert exports.escape(3) == 3
    assert exports.escape(None) is None
    assert exports.escape("2B") == "2B"
    for start in ("=", "+", "-", "@", "\t", "\r", "\n"):
        assert exports.escape(start + "x") == "'" + start + "x"
    assert exports.escape("\x01=1") == "'=1"  # a control character cannot hide a formula
