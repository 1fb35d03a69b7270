"""The stored totals of a round (school, leerjaar, stream): the scoring core's numbers on the same
answers, written again by every close in the round, and the dashboard's fallback for a round
without them (closed before the table existed) or with a class moved since."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import delete, event, func, select
from sqlalchemy.exc import IntegrityError

from tests.web.test_dashboard import _staff_scan
from tests.web.test_reports import _answers, _round, closed_scan
from wijscan.cli import main
from wijscan.extensions import db as _db
from wijscan.models import Answer, Response, Role, RoundTotal, Scan, ScanMode
from wijscan.scoring import group_result, score_respondents, spec_from_content
from wijscan.services import results, round_totals
from wijscan.services import school_report as service


@pytest.fixture
def world(app, make, db):
    school = make.school()
    return {
        "school": school,
        "coordinator": make.staff(school, Role.COORDINATOR, name="Coord"),
        "content": app.extensions["wijscan_content"],
    }


def _spec(content):
    return spec_from_content(content.instruments["klas"], content.pyramid)


def _core(content, matrices) -> dict:
    """The stored payload the scoring core gives for the respondents of ``matrices``."""
    spec = _spec(content)
    everyone = np.vstack(matrices)
    return results.group_payload(group_result(spec, everyone, score_respondents(spec, everyone)))


def _stored(db, scan_round) -> dict:
    db.session.expire_all()
    rows = db.session.scalars(select(RoundTotal).where(RoundTotal.round_id == scan_round.id))
    return {(row.kind, row.key): row.payload for row in rows}


#: (name, leerjaar, stream, respondents)
CLASSES = [("1A", 1, "havo", 9), ("1B", 1, "vwo", 4), ("2A", 2, "havo", 12), ("3V", 3, "vwo", 7)]


def _school(db, make, w, classes=CLASSES, scan_round=None, seed=0):
    content = w["content"]
    scan_round = scan_round or _round(db, w["school"], "Meetmoment 1", 30)
    out = []
    for i, (name, year, stream, n) in enumerate(classes):
        klas = make.klas(w["school"], name, leerjaar=year, stream=stream)
        data = _answers(content, n, seed=seed + i)
        closed_scan(db, content, klas, scan_round, data, mode=ScanMode.ANONYMOUS)
        out.append((klas, data["klas"]))
    return scan_round, out


def _numbers(year: service.YearResults) -> list:
    """Everything the page and the exports show of the totals and classes, per round."""
    return [
        (g.kind, g.key, c, cell.n, cell.reason, cell.stat)
        for r in year.rounds
        for g in r.groups()
        for c, cell in g.cells.items()
    ]


def test_the_stored_totals_are_the_scoring_cores(app, db, make, world):
    content = world["content"]
    scan_round, classes = _school(db, make, world, seed=10)
    stored = _stored(db, scan_round)
    assert set(stored) == {
        ("school", ""),
        ("leerjaar", "1"),
        ("leerjaar", "2"),
        ("leerjaar", "3"),
        ("stroming", "havo"),
        ("stroming", "vwo"),
    }
    answers = {klas.name: a for klas, a in classes}
    assert stored[("school", "")] == _core(content, list(answers.values()))
    assert stored[("leerjaar", "1")] == _core(content, [answers["1A"], answers["1B"]])
    assert stored[("leerjaar", "2")] == _core(content, [answers["2A"]])
    assert stored[("stroming", "havo")] == _core(content, [answers["1A"], answers["2A"]])
    assert stored[("stroming", "vwo")] == _core(content, [answers["1B"], answers["3V"]])
    # Leerjaar 3 is one class of 7: shown. A group under min_group_size keeps nothing but n.
    assert stored[("leerjaar", "3")]["overall"]["suppressed"] is False
    small = _school(
        db, make, world, [("4K", 4, "mavo", 3)], scan_round=_round(db, world["school"], "M2", 10)
    )[0]
    overall = _stored(db, small)[("leerjaar", "4")]["overall"]
    assert overall == {
        "n": 3,
        "suppressed": True,
        "mean": None,
        "sd": None,
        "level": None,
        "distribution": None,
        "alpha": None,
    }
    row = db.session.scalars(select(RoundTotal).where(RoundTotal.round_id == scan_round.id)).first()
    assert row.school_id == world["school"].id
    assert row.instrument_id == "klas"
    assert row.instrument_version == content.instruments["klas"].version
    assert row.scoring_version


def test_a_second_close_in_the_round_updates_them(app, db, make, world):
    content = world["content"]
    scan_round, first = _school(db, make, world, [("2A", 2, "havo", 8)], seed=20)
    assert _stored(db, scan_round)[("school", "")] == _core(content, [first[0][1]])
    _r, second = _school(db, make, world, [("2B", 2, "vwo", 6)], scan_round=scan_round, seed=30)
    stored = _stored(db, scan_round)
    both = [first[0][1], second[0][1]]
    assert stored[("school", "")] == _core(content, both)
    assert stored[("leerjaar", "2")] == _core(content, both)
    assert stored[("stroming", "vwo")] == _core(content, [second[0][1]])
    count = db.session.scalar(
        select(func.count(RoundTotal.id)).where(RoundTotal.round_id == scan_round.id)
    )
    assert count == 4  # school, leerjaar 2, havo, vwo: replaced, not added


def test_a_staff_scan_stores_no_totals(app, db, make, world):
    content = world["content"]
    scan_round = _round(db, world["school"], "Meetmoment 1", 30)
    _staff_scan(db, content, world["school"], scan_round, 6, seed=40)
    assert _stored(db, scan_round) == {}


def _year(app, w):
    with app.test_request_context("/dashboard"):
        board = service.dashboard(w["school"].id, w["content"])
        return board.year


def _statements(app, w) -> list[str]:
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        _year(app, w)
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)
    return seen


def test_the_dashboard_reads_the_totals_not_the_answers(app, db, make, world):
    _school(db, make, world, seed=50)
    db.session.commit()
    statements = _statements(app, world)
    assert any("round_total" in s for s in statements)
    assert not any("FROM answer" in s or "JOIN answer" in s for s in statements)


def test_a_round_closed_before_the_table_existed_falls_back(app, db, make, world, runner):
    first, _c = _school(db, make, world, seed=60)
    _second, _c = _school(
        db,
        make,
        world,
        [("5H", 5, "havo", 11), ("5V", 5, "vwo", 4)],
        scan_round=_round(db, world["school"], "Meetmoment 2", 10),
        seed=70,
    )
    stored = _numbers(_year(app, world))
    db.session.execute(delete(RoundTotal).where(RoundTotal.round_id == first.id))
    db.session.commit()
    assert _numbers(_year(app, world)) == stored  # computed from the answers: the same
    assert any("JOIN answer" in s for s in _statements(app, world))
    # Nothing is written while reading.
    assert _stored(db, first) == {}

    result = runner.invoke(main, args=["refresh-totals"])
    assert result.exit_code == 0, result.output
    assert "2 round(s), 10 total(s) stored." in result.output
    assert set(_stored(db, first)) == {
        ("school", ""),
        ("leerjaar", "1"),
        ("leerjaar", "2"),
        ("leerjaar", "3"),
        ("stroming", "havo"),
        ("stroming", "vwo"),
    }
    assert _numbers(_year(app, world)) == stored
    assert not any("JOIN answer" in s for s in _statements(app, world))


def test_a_class_moved_to_another_leerjaar_is_counted_in_its_new_one(app, db, make, world):
    content = world["content"]
    scan_round, classes = _school(db, make, world, seed=80)
    answers = {klas.name: a for klas, a in classes}
    moved = classes[2][0]  # 2A, alone in leerjaar 2
    moved.leerjaar = 3
    db.session.commit()
    year = _year(app, world)
    result = year.round(scan_round.id)
    assert [g.leerjaar for g in result.leerjaren] == [1, 3]
    core = _core(content, [answers["2A"], answers["3V"]])
    leerjaar3 = next(g for g in result.leerjaren if g.leerjaar == 3)
    for theme_id, data in core["themes"].items():
        cell = leerjaar3.cells[theme_id]
        assert cell.n == data["n"]
        if cell.shown:
            assert cell.stat.mean == data["mean"]
    # The stored rows still say leerjaar 2 until the round is stored again.
    assert ("leerjaar", "2") in _stored(db, scan_round)
    round_totals.refresh(scan_round, content)
    db.session.commit()
    stored = _stored(db, scan_round)
    assert ("leerjaar", "2") not in stored
    assert stored[("leerjaar", "3")] == core
    assert _numbers(_year(app, world)) == _numbers(year)


def test_a_concurrent_close_is_retried_in_a_savepoint(app, db, make, world, monkeypatch):
    content = world["content"]
    scan_round, classes = _school(db, make, world, [("2A", 2, "havo", 8)], seed=90)
    real = round_totals._replace
    calls = []

    def collide(*args):
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("INSERT", {}, Exception("unique"))
        return real(*args)

    monkeypatch.setattr(round_totals, "_replace", collide)
    db.session.execute(delete(RoundTotal))
    assert round_totals.refresh(scan_round, content) == 3
    db.session.commit()
    assert len(calls) == 2
    assert _stored(db, scan_round)[("school", "")] == _core(content, [classes[0][1]])


def test_the_totals_stay_when_the_answers_are_deleted_after_the_term(app, db, make, world, runner):
    """Past the retention term the answers go and the aggregates stay (DESIGN.md); computing
    the round again, by a close or by ``refresh-totals``, must not turn them into empty ones."""
    content = world["content"]
    scan_round, classes = _school(db, make, world, seed=100)
    before = _stored(db, scan_round)
    shown = _numbers(_year(app, world))
    scan_ids = select(Scan.id).where(Scan.round_id == scan_round.id)
    responses = select(Response.id).where(Response.scan_id.in_(scan_ids))
    db.session.execute(delete(Answer).where(Answer.response_id.in_(responses)))
    db.session.execute(delete(Response).where(Response.scan_id.in_(scan_ids)))
    db.session.commit()
    assert _numbers(_year(app, world)) == shown
    assert round_totals.refresh(scan_round, content) == 0
    assert runner.invoke(main, args=["refresh-totals"]).exit_code == 0
    assert _stored(db, scan_round) == before
    assert before[("school", "")] == _core(content, [a for _klas, a in classes])


def test_moving_a_class_on_its_edit_page_stores_the_totals_again(app, db, make, world):
    """The class edit (setup.save_klas) that changes the leerjaar or stream stores the totals of
    the rounds the class has closed scans in again, so the dashboard goes on reading them."""
    from wijscan.services import setup

    content = world["content"]
    scan_round, classes = _school(db, make, world, seed=90)
    answers = {klas.name: a for klas, a in classes}
    moved = classes[2][0]  # 2A, alone in leerjaar 2
    setup.save_klas(
        world["school"].id,
        klas=moved,
        name=moved.name,
        leerjaar=3,
        stream=moved.stream,
        mentor_ids=[],
        user_id=world["coordinator"].id,
    )
    db.session.commit()
    stored = _stored(db, scan_round)
    assert ("leerjaar", "2") not in stored
    assert stored[("leerjaar", "3")] == _core(content, [answers["2A"], answers["3V"]])
    assert not any("JOIN answer" in s for s in _statements(app, world))
    # A new name alone changes no group: nothing is stored again.
    before = db.session.scalars(select(RoundTotal.id).where(RoundTotal.round_id == scan_round.id))
    before = sorted(before)
    setup.save_klas(
        world["school"].id,
        klas=moved,
        name="3X",
        leerjaar=3,
        stream=moved.stream,
        mentor_ids=[],
        user_id=world["coordinator"].id,
    )
    db.session.commit()
    after = db.session.scalars(select(RoundTotal.id).where(RoundTotal.round_id == scan_round.id))
    assert sorted(after) == before
