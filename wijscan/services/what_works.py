"""'Wat werkt': per lesbrief, did classes that taught it change more on its theme than the others?

Reads every closed student scan of the schools in view with its stored class result (klas view),
pairs each class's consecutive scans, and hands the changes per theme to the pure
:func:`wijscan.matching.effect.effect`. Classes only, never students: a side with fewer than
``min_group_size`` classes shows its count and nothing else. Three queries, whatever the size.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from wijscan.content import Content, Lesbrief
from wijscan.extensions import db
from wijscan.matching.effect import ClassChange, Effect, effect
from wijscan.models import LesbriefPlan, Scan, ScanKind, ScanRound, ScanStatus, StoredResult
from wijscan.services.reports import CLASS_VIEW, stat_from_payload


@dataclass(frozen=True)
class Row:
    lesbrief: Lesbrief
    effect: Effect


def _day(moment) -> date | None:
    return moment.date() if moment else None


def class_changes(school_ids: Sequence[int] | None) -> list[ClassChange]:
    """Every class's change per theme between consecutive closed scans, with what it taught in
    between (from the day the earlier scan closed to the day the later one opened)."""
    query = (
        select(Scan.id, Scan.klas_id, Scan.created_at, Scan.closed_at, StoredResult.payload)
        .join(ScanRound, ScanRound.id == Scan.round_id)
        .join(StoredResult, StoredResult.scan_id == Scan.id)
        .where(
            Scan.kind == ScanKind.LEERLING,
            Scan.status == ScanStatus.CLOSED,
            Scan.klas_id.is_not(None),
            StoredResult.instrument_id == CLASS_VIEW,
            StoredResult.respondent_id.is_(None),
        )
        .order_by(Scan.klas_id, ScanRound.opens_on, Scan.id)
    )
    plans = select(LesbriefPlan.klas_id, LesbriefPlan.lesbrief_id, LesbriefPlan.taught_on).where(
        LesbriefPlan.taught_on.is_not(None)
    )
    if school_ids is not None:
        query = query.where(Scan.school_id.in_(school_ids))
        plans = plans.where(LesbriefPlan.school_id.in_(school_ids))
    taught_by_class: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for klas_id, lesbrief_id, taught_on in db.session.execute(plans):
        taught_by_class[klas_id].append((lesbrief_id, taught_on))
    scans_by_class: dict[int, list] = defaultdict(list)
    for row in db.session.execute(query):
        scans_by_class[row.klas_id].append(row)
    out = []
    for klas_id, scans in scans_by_class.items():
        for before, after in itertools.pairwise(scans):
            start, end = _day(before.closed_at), _day(after.created_at)
            taught = frozenset(
                lesbrief_id
                for lesbrief_id, day in taught_by_class.get(klas_id, [])
                if start is not None and start <= day and (end is None or day <= end)
            )
            for theme, data in before.payload["themes"].items():
                first = stat_from_payload(data)
                second = stat_from_payload(after.payload["themes"].get(theme))
                if first is None or second is None or first.suppressed or second.suppressed:
                    continue
                out.append(ClassChange(klas_id, theme, first.mean, second.mean, taught))
    return out


def what_works(
    content: Content, school_ids: Sequence[int] | None, *, min_classes: int
) -> list[Row]:
    """One row per lesbrief that some class taught between two scans, by theme and title."""
    changes = class_changes(school_ids)
    taught_ids = {lesbrief_id for change in changes for lesbrief_id in change.taught}
    theme_order = {t.id: i for i, t in enumerate(content.pyramid.themes)}
    rows = [
        Row(b, effect(b.id, b.theme, changes, min_classes=min_classes))
        for b in content.lesbrieven
        if b.id in taught_ids
    ]
    return sorted(rows, key=lambda r: (theme_order.get(r.lesbrief.theme, 99), r.lesbrief.title))
