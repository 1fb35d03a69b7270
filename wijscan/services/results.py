"""Closing a scan: score its final responses with the scoring core, store the results with
instrument and scoring versions, and raise signals for the care coordinator and the mentor."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from wijscan.content import Content
from wijscan.extensions import db
from wijscan.models import (
    Response,
    ResponseStatus,
    Scan,
    ScanKind,
    ScanMode,
    ScanStatus,
    School,
    Signal,
    StoredResult,
    utcnow,
)
from wijscan.scoring import SCORING_VERSION, group_result, score_respondents, spec_from_content

#: The default signal rule (a school setting): a signal when the (capped) overall level is at
#: most this, or on a critical answer.
DEFAULT_SIGNAL_LEVEL = 2
#: Themes at most this level are listed in a signal (and are a point of attention on their own).
LOW_THEME_LEVEL = 2
#: Instruments about the respondent themselves. The klas instrument is about the class: its low
#: levels and critical answers belong to the class result, not to a signal about one student.
INDIVIDUAL_LEVEL = "individu"


def _none_if_nan(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


def _level(value: int) -> int | None:
    return int(value) or None


def group_payload(group) -> dict:
    """A group result as JSON-ready data (suppressed stats hold no numbers)."""

    def stat(s) -> dict:
        data = dataclasses.asdict(s)
        if data.get("distribution") is not None:
            data["distribution"] = {str(k): int(v) for k, v in data["distribution"].items()}
        return data

    return {"themes": {t: stat(s) for t, s in group.themes.items()}, "overall": stat(group.overall)}


def _store(scan: Scan, instrument, respondent_id: str | None, payload: dict) -> None:
    db.session.add(
        StoredResult(
            scan_id=scan.id,
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            scoring_version=SCORING_VERSION,
            respondent_id=respondent_id,
            payload=payload,
        )
    )


def signal_rule(school: School | None) -> dict:
    """The school's signal rule, as recorded with each signal: a signal when the overall level
    is at most ``level`` (0: never by level) or, with ``critical``, on a critical answer."""
    if school is None:
        return {"level": DEFAULT_SIGNAL_LEVEL, "critical": True}
    return {"level": school.signal_level, "critical": school.signal_on_critical}


def raises_signal(rule: dict, overall_level: int | None, critical_items: list) -> bool:
    """DESIGN.md's signal rule: a critical answer or an overall level of 1–2 (the school's
    thresholds). Low themes on their own are a point of attention, not a signal."""
    if rule["critical"] and critical_items:
        return True
    return overall_level is not None and overall_level <= rule["level"]


def close_scan(scan: Scan, content: Content) -> bool:
    """Close ``scan``: score every instrument, store the results and signals; flushes only.

    The close is claimed in SQL first (``UPDATE … WHERE status = open``): of two requests that
    close the same scan at once (a mentor's look after the round ended, the coordinator's button,
    the daily ``close-due``), one scores it and the other does nothing, so results and signals
    are never stored twice. Returns whether this call closed it."""
    claimed = db.session.execute(
        update(Scan)
        .where(Scan.id == scan.id, Scan.status == ScanStatus.OPEN)
        .values(status=ScanStatus.CLOSED, closed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(scan, ["status", "closed_at"])
    if not claimed:
        return False
    responses = list(
        db.session.scalars(
            select(Response)
            .where(Response.scan_id == scan.id, Response.status == ResponseStatus.FINAL)
            .options(selectinload(Response.answers))
            .order_by(Response.id)
        )
    )
    by_instrument: dict[str, list[Response]] = defaultdict(list)
    for response in responses:
        by_instrument[response.instrument_id].append(response)

    seen: dict[str, dict] = {}
    instrument_ids = scan.instruments.split()
    if scan.kind == ScanKind.LEERLING and scan.mode == ScanMode.PERSONAL:
        instrument_ids.append("observatie")  # the mentor's lists, when there are any
    for instrument_id in instrument_ids:
        instrument = content.instruments[instrument_id]
        spec = spec_from_content(instrument, content.pyramid)
        rows = by_instrument.get(instrument_id, [])
        if instrument.respondent == "mentor" and not rows:
            continue  # no observation lists were filled: nothing to report
        column = {item_id: j for j, item_id in enumerate(spec.item_ids)}
        # Answer codes, as stored: 1..points, 0 = missing (the scoring core's compact form).
        code_type = np.uint8 if spec.points <= 255 else np.uint16
        answers = np.zeros((len(rows), len(spec.item_ids)), dtype=code_type)
        for i, response in enumerate(rows):
            for answer in response.answers:
                if answer.item_id in column:
                    answers[i, column[answer.item_id]] = answer.value
        scored = score_respondents(spec, answers)

        _store(scan, instrument, None, group_payload(group_result(spec, answers, scored)))
        if scan.mode == ScanMode.ANONYMOUS:
            continue  # class results only: nothing is kept per respondent
        signals_apply = instrument.level == INDIVIDUAL_LEVEL
        for i, response in enumerate(rows):
            themes = {
                theme: {
                    "score": _none_if_nan(scored.theme_scores[i, t]),
                    "level": _level(scored.theme_levels[i, t]),
                }
                for t, theme in enumerate(spec.theme_ids)
            }
            overall = {
                "score": _none_if_nan(scored.overall_score[i]),
                "level": _level(scored.overall_level[i]),
            }
            signal_items = scored.signal_items(i)
            _store(
                scan,
                instrument,
                response.respondent_id,
                {"themes": themes, "overall": overall, "signals": signal_items},
            )
            if not signals_apply:
                continue
            # Every individual-level answer set is noted; whether it raises a signal is decided
            # per respondent below, over all instruments together (one signal per scan).
            entry = seen.setdefault(
                response.respondent_id, {"themes": {}, "items": [], "level": None}
            )
            low = [
                t
                for t, v in themes.items()
                if v["level"] is not None and v["level"] <= LOW_THEME_LEVEL
            ]
            if low:
                entry["themes"][instrument.id] = low
            entry["items"].extend(signal_items)
            if overall["level"] is not None:
                entry["level"] = min(entry["level"] or 6, overall["level"])

    rule = signal_rule(db.session.get(School, scan.school_id))
    for respondent_id, detail in seen.items():
        if not raises_signal(rule, detail["level"], detail["items"]):
            continue
        db.session.add(
            Signal(
                school_id=scan.school_id,
                scan_id=scan.id,
                klas_id=scan.klas_id,
                respondent_id=respondent_id,
                level=detail["level"],
                detail={"themes": detail["themes"], "items": detail["items"], "rule": rule},
            )
        )
    db.session.flush()
    if scan.kind == ScanKind.LEERLING:
        from wijscan.services import round_totals  # it imports this module

        round_totals.refresh(scan.round, content)  # the round's school, leerjaar, stream totals
    return True
