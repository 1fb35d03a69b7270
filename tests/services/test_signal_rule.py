"""The signal rule of DESIGN.md at its edges: one signal per student per scan, raised by a critical
answer or an overall level of 1–2 (the school's thresholds); a single low theme alone is no
signal. Every case is built so that exactly one student should get a signal, and counts exactly."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from tests.web.test_reports import closed_scan
from wijscan.models import (
    Role,
    ScanMode,
    ScanRound,
    Signal,
    StoredResult,
)
from wijscan.scoring import score_respondents, spec_from_content

CLASS_SIZE = 6


@pytest.fixture
def world(app, make, db):
    school = make.school()
    mentor = make.staff(school, Role.DOCENT)
    klas = make.klas(school, "2B", mentors=[mentor])
    students = [make.student(school, klas, roepnaam=f"L{i}") for i in range(CLASS_SIZE)]
    scan_round = ScanRound(
        school_id=school.id,
        school_year_id=school.years[0].id,
        name="Meetmoment 1",
        opens_on=date.today() - timedelta(days=20),
        closes_on=date.today() - timedelta(days=10),
    )
    db.session.add(scan_round)
    db.session.commit()
    return {
        "school": school,
        "klas": klas,
        "students": students,
        "round": scan_round,
        "content": app.extensions["wijscan_content"],
    }


def _value(item, quality: int) -> int:
    """An answer of ``quality`` 1 (worst) .. 5 (best) for ``item``, never a critical one."""
    value = 6 - quality if item.reverse else quality
    if item.critical and value in item.critical.answers:
        value = 3
    return value


def _matrix(instrument, qualities: list[int | dict[str, int]]) -> np.ndarray:
    """One row per student: a quality for every item, or theme id -> quality (default 4)."""
    rows = []
    for quality in qualities:
        row = []
        for theme in instrument.themes:
            q = quality.get(theme.id, 4) if isinstance(quality, dict) else quality
            row += [_value(item, q) for item in theme.items]
        rows.append(row)
    return np.array(rows, dtype=np.uint8)


def _levels(content, instrument_id, matrix):
    instrument = content.instruments[instrument_id]
    scored = score_respondents(spec_from_content(instrument, content.pyramid), matrix)
    return scored.overall_level, scored


def _close(db, world, individu, *, mode=ScanMode.PERSONAL):
    content = world["content"]
    klas_matrix = _matrix(content.instruments["klas"], [4] * len(individu))
    return closed_scan(
        db,
        content,
        world["klas"],
        world["round"],
        {"klas": klas_matrix, "individu": individu},
        mode=mode,
        students=world["students"],
    )


def _signals(db):
    return db.session.scalars(select(Signal)).all()


def test_good_answers_raise_no_signal(db, world):
    individu = _matrix(world["content"].instruments["individu"], [4] * CLASS_SIZE)
    _close(db, world, individu)
    assert _signals(db) == []


def test_one_critical_answer_raises_exactly_one_signal(db, world):
    content = world["content"]
    instrument = content.instruments["individu"]
    individu = _matrix(instrument, [4] * CLASS_SIZE)
    critical = next(i for i, item in enumerate(instrument.items) if item.critical)
    item = instrument.items[critical]
    individu[2, critical] = item.critical.answers[0]
    levels, _ = _levels(content, "individu", individu)
    assert levels[2] <= item.critical.cap  # the cap holds
    _close(db, world, individu)
    [signal] = _signals(db)
    assert signal.detail["items"] == [item.id]
    assert signal.detail["rule"] == {"level": 2, "critical": True}
    assert signal.level == levels[2]


def test_overall_level_two_raises_a_signal_and_three_does_not(db, world):
    content = world["content"]
    instrument = content.instruments["individu"]
    individu = _matrix(instrument, [4, 4, 2, 4, 4, 4])
    levels, _ = _levels(content, "individu", individu)
    assert levels[2] == 2
    assert all(level > 2 for i, level in enumerate(levels) if i != 2)
    _close(db, world, individu)
    [signal] = _signals(db)
    assert signal.level == 2
    assert signal.detail["items"] == []
    # every theme of that student is at level 1–2 and listed in the signal
    assert sorted(signal.detail["themes"]["individu"]) == sorted(t.id for t in instrument.themes)


def test_overall_level_three_raises_no_signal(db, world):
    content = world["content"]
    instrument = content.instruments["individu"]
    # a quality between 2 and 3: themes alternating 2 and 3 lands on level 3 overall
    mixed = {t.id: (2 if i % 2 else 3) for i, t in enumerate(instrument.themes)}
    individu = _matrix(instrument, [4, 4, mixed, 4, 4, 4])
    levels, _ = _levels(content, "individu", individu)
    assert levels[2] == 3
    _close(db, world, individu)
    assert _signals(db) == []


def test_a_single_low_theme_is_no_signal(db, world):
    content = world["content"]
    instrument = content.instruments["individu"]
    theme = instrument.themes[0].id
    individu = _matrix(instrument, [4, {theme: 1}, 4, 4, 4, 4])
    levels, scored = _levels(content, "individu", individu)
    assert scored.theme_levels[1, 0] <= 2
    assert levels[1] > 2
    scan = _close(db, world, individu)
    assert _signals(db) == []
    # it stays visible as a point of attention in the student's own result
    stored = db.session.scalars(
        select(StoredResult).where(
            StoredResult.scan_id == scan.id,
            StoredResult.instrument_id == "individu",
            StoredResult.respondent_id.is_not(None),
        )
    ).all()
    assert sorted(r.payload["themes"][theme]["level"] for r in stored)[0] <= 2


def test_the_school_sets_the_thresholds_and_they_are_recorded(db, world):
    content = world["content"]
    instrument = content.instruments["individu"]
    school = world["school"]
    school.signal_level = 0  # never by level
    db.session.commit()
    individu = _matrix(instrument, [4, 4, 2, 4, 4, 4])
    critical = next(i for i, item in enumerate(instrument.items) if item.critical)
    individu[4, critical] = instrument.items[critical].critical.answers[0]
    _close(db, world, individu)
    [signal] = _signals(db)  # the critical answer, not the level-2 student
    assert signal.detail["rule"] == {"level": 0, "critical": True}
    assert signal.detail["items"] == [instrument.items[critical].id]


def test_without_critical_signals_only_the_level_counts(db, world):
    """A critical answer caps the overall level (DESIGN.md), so with a threshold of 2 it always
    signals; a school that signals at level 1 only and not on critical answers signals just
    the student at level 1."""
    content = world["content"]
    instrument = content.instruments["individu"]
    world["school"].signal_on_critical = False
    world["school"].signal_level = 1
    db.session.commit()
    individu = _matrix(instrument, [4, 4, 1, 4, 4, 4])
    critical = next(
        i for i, item in enumerate(instrument.items) if item.critical and item.critical.cap == 2
    )
    individu[4, critical] = instrument.items[critical].critical.answers[0]
    levels, _ = _levels(content, "individu", individu)
    assert levels[2] == 1
    assert levels[4] == 2
    _close(db, world, individu)
    [signal] = _signals(db)
    assert signal.level == 1
    assert signal.detail["rule"] == {"level": 1, "critical": False}


def test_a_scan_of_few_students_stores_a_suppressed_class_result(db, world):
    content = world["content"]
    individu = _matrix(content.instruments["individu"], [4] * 4)
    scan = _close(db, world, individu)
    group = db.session.scalar(
        select(StoredResult).where(
            StoredResult.scan_id == scan.id,
            StoredResult.instrument_id == "klas",
            StoredResult.respondent_id.is_(None),
        )
    )
    assert group.payload["overall"]["suppressed"] is True
    assert group.payload["overall"]["n"] == 4
    assert "mean" not in group.payload["overall"] or group.payload["overall"]["mean"] is None


def test_an_anonymous_scan_stores_no_result_and_no_signal_per_student(db, world):
    content = world["content"]
    instrument = content.instruments["individu"]
    individu = _matrix(instrument, [4, 4, 1, 4, 4, 4])
    scan = _close(db, world, individu, mode=ScanMode.ANONYMOUS)
    assert _signals(db) == []
    rows = db.session.scalars(select(StoredResult).where(StoredResult.scan_id == scan.id)).all()
    assert rows
    assert all(r.respondent_id is None for r in rows)
