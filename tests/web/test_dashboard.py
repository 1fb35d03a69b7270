"""The school dashboard: the subtraction rule on its own and on the page, suppression at n = 4
and n = 5 on the page and in the heat map, who may see it, and SQL statements that do not grow
with the school."""

from __future__ import annotations

import re
import uuid
from itertools import combinations

import numpy as np
import pytest
from markupsafe import escape

from tests.conftest import login
from tests.web.test_reports import _answers, _round, _statements, closed_scan
from wijscan.models import Answer, Response, ResponseStatus, Role, Scan, ScanKind, ScanMode
from wijscan.scoring import group_result, score_respondents, spec_from_content
from wijscan.services import results
from wijscan.services import school_report as service

# --- the rule on its own ------------------------------------------------------------------------


def test_protect_hides_the_next_smallest_when_only_one_is_hidden():
    assert service.protect([4, 20, 7, 25], [True, False, False, False]) == 2
    assert service.protect([4, 20, 20], [True, False, False]) == 1  # the first of equals
    assert service.protect([4, 3, 20], [True, True, False]) is None  # two hidden: enough
    assert service.protect([20, 25], [False, False]) is None  # nothing hidden
    assert service.protect([4, 20], [True, False], total_shown=False) is None
    assert service.protect([4], [True]) == -1  # no other cell: the total must go


def test_one_breakdown_gives_the_same_as_protect():
    ns = {"school": 60, "a": 4, "b": 20, "c": 7, "d": 29}
    hidden = {"school": False, "a": True, "b": False, "c": False, "d": False}
    hide = service.protect_partitions(ns, hidden, [("school", ["a", "b", "c", "d"])])
    assert hide == {"c"}
    assert service.protect_partitions(ns, {**hidden, "a": False}, [("school", ["a", "b"])]) == set()


def test_a_single_class_leerjaar_cannot_give_the_class_away():
    # Leerjaar 1 is one class: its total is the class. A second class of the school hidden beside
    # the small one must not be recovered through its leerjaar total either.
    ns = {"s": 50, "L1": 4, "L2": 46, "a": 4, "b": 20, "c": 26}
    hidden = {k: k in {"a", "L1"} for k in ns}
    parts = [("s", ["a", "b", "c"]), ("s", ["L1", "L2"]), ("L1", ["a"]), ("L2", ["b", "c"])]
    extra = service.protect_partitions(ns, hidden, parts)
    final = {k: hidden[k] or k in extra for k in ns}
    assert service.recoverable(final, parts) == set()
    assert extra  # something more had to go


def _random_school(rng):
    classes = {f"k{i}": int(rng.integers(1, 30)) for i in range(int(rng.integers(2, 9)))}
    years = {k: int(rng.integers(1, 4)) for k in classes}
    streams = {k: str(rng.choice(["havo", "vwo", "vmbo"])) for k in classes}
    ns = dict(classes)
    parts = [("school", list(classes))]
    for label, of in (("L", years), ("S", streams)):
        groups = sorted(set(of.values()))
        keys = []
        for g in groups:
            key = f"{label}{g}"
            members = [k for k in classes if of[k] == g]
            ns[key] = sum(classes[k] for k in members)
            parts.append((key, members))
            keys.append(key)
        parts.append(("school", keys))
    ns["school"] = sum(classes.values())
    hidden = {k: n < 5 for k, n in ns.items()}
    return ns, hidden, parts


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_cell_can_be_recovered_in_any_school(seed):
    ns, hidden, parts = _random_school(np.random.default_rng(seed))
    extra = service.protect_partitions(ns, hidden, parts)
    final = {k: hidden[k] or k in extra for k in ns}
    assert service.recoverable(final, parts) == set()
    assert not any(hidden[k] for k in extra)


def test_recoverable_finds_what_subtraction_gives_away():
    parts = [("s", ["a", "b", "c"])]
    assert service.recoverable({"s": False, "a": True, "b": False, "c": False}, parts) == {"a"}
    assert service.recoverable({"s": False, "a": True, "b": True, "c": False}, parts) == set()
    # Brute force on a small crossed table: a hidden cell is known when every solution agrees.
    parts = [("s", ["a", "b"]), ("s", ["x", "y"]), ("x", ["a"]), ("y", ["b"])]
    for hidden_keys in combinations(["s", "a", "b", "x", "y"], 2):
        hidden = {k: k in hidden_keys for k in ["s", "a", "b", "x", "y"]}
        found = service.recoverable(hidden, parts)
        # Two hidden cells in this table are always tied by an equation to shown ones.
        assert found, hidden_keys


# --- the page -----------------------------------------------------------------------------------


@pytest.fixture
def school_world(app, make, db):
    school = make.school()
    coordinator = make.staff(school, Role.COORDINATOR, name="Coord")
    return {
        "school": school,
        "coordinator": coordinator,
        "docent": make.staff(school, Role.DOCENT, name="Docent"),
        "zorg": make.staff(school, Role.ZORG, name="Zorg"),
        "content": app.extensions["wijscan_content"],
    }


def _page(app, user, path):
    client = app.test_client()
    login(client, user)
    return client.get(path)


def _row(page: str, klas_id: int) -> str:
    match = re.search(rf'<tr[^>]*id="groep-klas-{klas_id}">(.*?)</tr>', page, re.S)
    assert match, klas_id
    return match.group(1)


def _school(db, make, w, sizes, *, names=None, seed=0):
    """Classes of leerjaar 2, havo, with closed anonymous scans of ``sizes`` respondents."""
    content = w["content"]
    scan_round = _round(db, w["school"], "Meetmoment 1", 30)
    classes, answers = [], []
    for i, n in enumerate(sizes):
        name = names[i] if names else f"2{chr(65 + i)}"
        klas = make.klas(w["school"], name)
        data = _answers(content, n, seed=seed + i)
        closed_scan(db, content, klas, scan_round, data, mode=ScanMode.ANONYMOUS)
        classes.append(klas)
        answers.append(data["klas"])
    return scan_round, classes, answers


def _mean_text(mean: float) -> str:
    return f"{mean:.1f}".replace(".", ",")


@pytest.mark.parametrize("small", [4, 5])
def test_a_class_of_four_shows_nothing_and_of_five_shows_its_numbers(
    app, db, make, school_world, small
):
    w = school_world
    content = w["content"]
    _r, classes, answers = _school(db, make, w, [small, 12, 14], seed=20)
    page = _page(app, w["coordinator"], "/dashboard").get_data(as_text=True)
    row = _row(page, classes[0].id)
    spec = spec_from_content(content.instruments["klas"], content.pyramid)
    core = group_result(spec, answers[0], score_respondents(spec, answers[0]))
    if small == 4:
        assert "level-" not in row
        assert row.count("n&nbsp;&lt;&nbsp;5") == len(spec.theme_ids) + 1
        for stat in core.themes.values():
            assert stat.suppressed
    else:
        assert "verborgen" not in row
        for stat in core.themes.values():
            assert _mean_text(stat.mean) in row
            assert f"level-{stat.level}" in row

    # The heat map: its cells (and its table) hold no level for the small class.
    with app.test_request_context("/dashboard"):
        board = service.dashboard(w["school"].id, content)
        chart = service.heatmap(board, content, "nl")
    first = next(r for r in chart.table.rows if r[0] == classes[0].name)
    if small == 4:
        assert set(first[1:]) == {"verborgen"}
    else:
        assert "verborgen" not in first


def test_one_small_class_hides_a_second_and_says_why(app, db, make, school_world):
    w = school_world
    _r, classes, _a = _school(db, make, w, [4, 12, 7, 15], seed=30)
    page = _page(app, w["coordinator"], "/dashboard").get_data(as_text=True)
    small, next_smallest = _row(page, classes[0].id), _row(page, classes[2].id)
    assert "n&nbsp;&lt;&nbsp;5" in small
    assert "level-" not in next_smallest
    assert "verborgen&nbsp;†" in next_smallest
    assert "verborgen zodat de verborgen klas niet terug te rekenen is" in page
    for shown in (classes[1], classes[3]):
        assert "level-" in _row(page, shown.id)
        assert "verborgen" not in _row(page, shown.id)
    # The school total stays: hiding the two classes is enough.
    total = re.search(r'id="groep-school-school">(.*?)</tr>', page, re.S).group(1)
    assert "level-" in total


def test_the_filters_show_a_leerjaar_with_its_total(app, db, make, school_world):
    w = school_world
    content = w["content"]
    scan_round = _round(db, w["school"], "Meetmoment 1", 30)
    first = make.klas(w["school"], "1A", leerjaar=1, stream="vwo")
    second = make.klas(w["school"], "3H", leerjaar=3, stream="havo")
    for klas, seed in ((first, 1), (second, 2)):
        closed_scan(
            db, content, klas, scan_round, _answers(content, 8, seed=seed), mode=ScanMode.ANONYMOUS
        )
    page = _page(app, w["coordinator"], "/dashboard?leerjaar=3").get_data(as_text=True)
    assert f'id="groep-klas-{second.id}"' in page
    assert f'id="groep-klas-{first.id}"' not in page
    assert "Leerjaar 3" in page
    page = _page(app, w["coordinator"], "/dashboard?stream=vwo").get_data(as_text=True)
    assert f'id="groep-klas-{first.id}"' in page
    assert f'id="groep-klas-{second.id}"' not in page


def _staff_scan(db, content, school, scan_round, n, seed):
    instrument = content.instruments["school"]
    scan = Scan(
        school_id=school.id,
        round_id=scan_round.id,
        klas_id=None,
        kind=ScanKind.MEDEWERKER,
        mode=ScanMode.ANONYMOUS,
        instruments="school",
    )
    db.session.add(scan)
    db.session.flush()
    rng = np.random.default_rng(seed)
    values = np.clip(np.rint(rng.normal(3.8, 0.8, (n, len(instrument.items)))), 1, 5)
    for row in range(n):
        response = Response(
            scan_id=scan.id,
            respondent_id=str(uuid.uuid4()),
            instrument_id="school",
            instrument_version=instrument.version,
            status=ResponseStatus.FINAL,
        )
        response.answers = [
            Answer(item_id=item.id, value=int(v))
            for item, v in zip(instrument.items, values[row], strict=True)
        ]
        db.session.add(response)
    db.session.flush()
    results.close_scan(scan, content)
    db.session.commit()
    return values


@pytest.mark.parametrize("staff", [4, 6])
def test_the_staff_scan_with_the_pyramids_words(app, db, make, school_world, staff):
    w = school_world
    content = w["content"]
    scan_round, _classes, _a = _school(db, make, w, [8, 9], seed=40)
    values = _staff_scan(db, content, w["school"], scan_round, staff, seed=41)
    page = _page(app, w["coordinator"], "/dashboard").get_data(as_text=True)
    section = page.split('id="staff-h"')[1].split("</section>")[0]
    spec = spec_from_content(content.instruments["school"], content.pyramid)
    core = group_result(spec, values, score_respondents(spec, values))
    if staff == 4:
        assert "Te weinig medewerkers" in section
        assert "Niveau" not in section
    else:
        level = content.pyramid.level(core.overall.level)
        assert f"Niveau {core.overall.level} · {level.name.nl}" in section
        assert level.summary.nl in section
        for theme_id, stat in core.themes.items():
            text = content.pyramid.theme(theme_id).descriptions[stat.level].nl
            assert str(escape(text)) in section


def test_the_reliability_is_the_schools_alpha(app, db, make, school_world):
    w = school_world
    content = w["content"]
    _r, _classes, answers = _school(db, make, w, [8, 9, 4], seed=50)
    spec = spec_from_content(content.instruments["klas"], content.pyramid)
    everyone = np.vstack(answers)
    core = group_result(spec, everyone, score_respondents(spec, everyone))
    page = _page(app, w["coordinator"], "/dashboard").get_data(as_text=True)
    section = page.split('id="alpha-h"')[1].split("</section>")[0]
    for theme_id, stat in core.themes.items():
        name = content.pyramid.theme(theme_id).name.nl
        assert name in section
        assert f"{stat.alpha:.2f}".replace(".", ",") in section
    assert "Cronbachs alfa" in section


def test_the_trend_over_the_rounds(app, db, make, school_world):
    w = school_world
    content = w["content"]
    klas = make.klas(w["school"], "2A")
    for i, days in enumerate((60, 30)):
        scan_round = _round(db, w["school"], f"Meetmoment {i + 1}", days)
        data = _answers(content, 9, seed=60 + i, shift=0.4 * i)
        closed_scan(db, content, klas, scan_round, data, mode=ScanMode.ANONYMOUS)
    page = _page(app, w["coordinator"], "/dashboard").get_data(as_text=True)
    section = page.split('id="trend-h"')[1].split("</section>")[0]
    assert "<svg" in section
    assert "Meetmoment 1" in section
    assert "Meetmoment 2" in section


def _words(path: str, response) -> set[str]:
    """The page's texts, or the export's cells ("2A" alone can be part of a random token)."""
    import csv
    import io
    import re

    data = response.get_data()
    if path.endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
        return {str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row}
    text = data.decode()
    if path.endswith(".csv"):
        dialect = csv.Sniffer().sniff(text.splitlines()[0])
        return {cell for row in csv.reader(io.StringIO(text), dialect) for cell in row}
    return {word.strip() for word in re.findall(r">([^<]+)<", text)}


def test_no_dashboard_for_others(app, db, make, school_world):
    w = school_world
    scan_round, classes, _a = _school(db, make, w, [8, 9], seed=70)
    other = make.school("Andere school")
    other_coordinator = make.staff(other, Role.COORDINATOR)
    for path in ("/dashboard", "/dashboard/export.csv", "/dashboard/export.xlsx"):
        for who in ("docent", "zorg"):
            assert _page(app, w[who], path).status_code == 403, (who, path)
        asked = f"{path}?round={scan_round.id}"
        assert _page(app, other_coordinator, asked).status_code == 404, path
        own = _page(app, other_coordinator, path)
        assert own.status_code == 200
        assert classes[0].name not in _words(path, own)
    start = _page(app, w["coordinator"], "/start").get_data(as_text=True)
    assert "/dashboard" in start


def test_the_statements_do_not_grow_with_the_school(app, db, make, school_world):
    w = school_world
    content = w["content"]
    small_school = w["school"]
    first = _round(db, small_school, "Meetmoment 1", 30)
    for i in range(2):
        klas = make.klas(small_school, f"1{chr(65 + i)}", leerjaar=1)
        data = _answers(content, 6, seed=80 + i)
        closed_scan(db, content, klas, first, data, mode=ScanMode.ANONYMOUS)
    few = _statements(app, w["coordinator"], "/dashboard")

    big = make.school("Grote school")
    big_coordinator = make.staff(big, Role.COORDINATOR)
    rounds = [_round(db, big, f"Ronde {i}", 90 - 25 * i) for i in range(3)]
    klassen = [
        make.klas(
            big, f"{1 + i % 4}{chr(65 + i)}", leerjaar=1 + i % 4, stream=("havo", "vwo")[i % 2]
        )
        for i in range(8)
    ]
    for r, scan_round in enumerate(rounds):
        for k, klas in enumerate(klassen):
            data = _answers(content, 25, seed=100 + 10 * r + k)
            closed_scan(
                db, content, klas, scan_round, {"klas": data["klas"]}, mode=ScanMode.ANONYMOUS
            )
    many = _statements(app, big_coordinator, "/dashboard")
    assert few > 5
    assert few == many
    for path in ("/dashboard/export.csv", "/dashboard/export.xlsx", "/dashboard?leerjaar=2"):
        assert _statements(app, w["coordinator"], path) == _statements(app, big_coordinator, path)
