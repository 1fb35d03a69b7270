"""The lesbrieven catalogue, a class's action plan, and the matches for a class report."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from wijscan.content import Content, Lesbrief
from wijscan.extensions import db
from wijscan.matching import ThemeMatches, ThemeResult, match_class, match_school
from wijscan.models import Klas, LesbriefPlan, Scan, User
from wijscan.services.reports import ClassReport

#: Matched lesbrieven shown per weak theme before "meer".
SHOWN_PER_THEME = 3
DURATIONS = (30, 45, 50, 60, 90)


class PlanError(ValueError):
    """A plan change that cannot be made; the message says why, for the form."""


def by_id(content: Content) -> dict[str, Lesbrief]:
    return {b.id: b for b in content.lesbrieven}


def find(content: Content, lesbrief_id: str) -> Lesbrief | None:
    return by_id(content).get(lesbrief_id)


@dataclass(frozen=True)
class Filters:
    q: str = ""
    theme: str = ""
    level: int | None = None
    grade: int | None = None
    stream: str = ""
    #: At most this many minutes.
    duration: int | None = None


def _words(lesbrief: Lesbrief) -> str:
    return " ".join([lesbrief.title, *lesbrief.goals, lesbrief.body]).casefold()


def search(content: Content, filters: Filters) -> list[Lesbrief]:
    """The catalogue filtered: every word of ``q`` occurs in the title, goals or text."""
    words = filters.q.casefold().split()
    theme_order = {t.id: i for i, t in enumerate(content.pyramid.themes)}
    out = []
    for lesbrief in content.lesbrieven:
        if filters.theme and lesbrief.theme != filters.theme:
            continue
        if filters.level and filters.level not in lesbrief.levels:
            continue
        if filters.grade and filters.grade not in lesbrief.grades:
            continue
        if filters.stream and filters.stream not in lesbrief.streams:
            continue
        if filters.duration and lesbrief.duration > filters.duration:
            continue
        if words:
            text = _words(lesbrief)
            if not all(word in text for word in words):
                continue
        out.append(lesbrief)
    return sorted(
        out, key=lambda b: (theme_order.get(b.theme, 99), min(b.levels), b.grades[0], b.id)
    )


# --- the action plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    plan: LesbriefPlan
    lesbrief: Lesbrief | None
    planned_by: str | None


def class_plan(klas: Klas, content: Content) -> list[PlanRow]:
    """The class's plan: what is still to teach (by date), then what was taught (newest first)."""
    rows = db.session.execute(
        select(LesbriefPlan, User.name)
        .outerjoin(User, User.id == LesbriefPlan.planned_by_id)
        .where(LesbriefPlan.klas_id == klas.id)
    ).all()
    catalogue = by_id(content)
    out = [PlanRow(plan, catalogue.get(plan.lesbrief_id), name) for plan, name in rows]
    todo = sorted(
        (r for r in out if r.plan.taught_on is None),
        key=lambda r: (r.plan.planned_on is None, r.plan.planned_on or date.min, r.plan.id),
    )
    done = sorted(
        (r for r in out if r.plan.taught_on is not None),
        key=lambda r: (r.plan.taught_on, r.plan.id),
        reverse=True,
    )
    return todo + done


def plan(klas: Klas, lesbrief: Lesbrief, planned_on: date | None, user_id: int) -> LesbriefPlan:
    """Put a lesbrief in the class's plan for a day; planning it again moves the date."""
    row = db.session.scalar(
        select(LesbriefPlan).where(
            LesbriefPlan.klas_id == klas.id, LesbriefPlan.lesbrief_id == lesbrief.id
        )
    )
    if row is None:
        row = LesbriefPlan(
            school_id=klas.school_id,
            klas_id=klas.id,
            lesbrief_id=lesbrief.id,
            planned_by_id=user_id,
        )
        db.session.add(row)
    row.planned_on = planned_on
    db.session.flush()
    return row


def mark_taught(
    row: LesbriefPlan, taught_on: date, rating: int, reflection: str, *, today: date
) -> None:
    """The mentor taught it: when, how it went (1–5) and one sentence."""
    if taught_on > today:
        raise PlanError("taught_on")
    row.taught_on = taught_on
    row.rating = rating
    row.reflection = reflection.strip() or None
    db.session.flush()


def remove(row: LesbriefPlan) -> None:
    db.session.delete(row)
    db.session.flush()


def taught_ids(klas_id: int) -> set[str]:
    return set(
        db.session.scalars(
            select(LesbriefPlan.lesbrief_id).where(
                LesbriefPlan.klas_id == klas_id, LesbriefPlan.taught_on.is_not(None)
            )
        )
    )


def _day(moment: datetime | None) -> date | None:
    return moment.date() if moment else None


def scan_window(previous: Scan | None, scan: Scan) -> tuple[date | None, date | None]:
    """Between two rounds: from the day the previous scan closed to the day this one opened."""
    if previous is None:
        return None, None
    return _day(previous.closed_at), _day(scan.created_at)


# --- matches for a class report ----------------------------------------------------------------


@dataclass
class ReportPlan:
    """What the class report shows beside its results: the matches and what was taught."""

    matches: list[ThemeMatches]
    #: theme id -> the lesbrieven of that theme the class taught since the previous round.
    taught: dict[str, list[tuple[LesbriefPlan, Lesbrief | None]]]
    #: The lesbrief ids in the class's plan (planned or taught).
    planned: set[str]

    def for_theme(self, theme_id: str) -> ThemeMatches | None:
        return next((m for m in self.matches if m.result.theme == theme_id), None)

    @property
    def first(self) -> Lesbrief | None:
        """The first lesbrief for the weakest theme that has one."""
        for theme in self.matches:
            if theme.matches:
                return theme.matches[0].item
        return None


def report_results(report: ClassReport) -> list[ThemeResult]:
    """The class's shown theme results (klas view); suppressed themes are not matched."""
    if report.suppressed:
        return []
    return [ThemeResult(t.theme_id, t.klas.level, t.klas.mean) for t in report.themes if t.shown]


def plan_rows(klas_id: int) -> list[LesbriefPlan]:
    """The class's plan, in one query."""
    return list(
        db.session.scalars(
            select(LesbriefPlan).where(LesbriefPlan.klas_id == klas_id).order_by(LesbriefPlan.id)
        )
    )


def plan_signature(rows: Sequence[LesbriefPlan]) -> tuple:
    """Everything of the plan that a report shows: equal signatures, equal report parts."""
    return tuple((r.id, r.lesbrief_id, r.planned_on, r.taught_on, r.rating) for r in rows)


def report_plan(
    klas: Klas,
    results: Sequence[ThemeResult],
    window: tuple[date | None, date | None],
    content: Content,
    plan_rows: Sequence[LesbriefPlan],
) -> ReportPlan:
    """The matches for a class's shown results and what it taught in ``window`` (from
    :func:`scan_window`), per theme, given the class's plan (:func:`plan_rows`)."""
    done = {p.lesbrief_id for p in plan_rows if p.taught_on is not None}
    matches = match_class(
        results,
        content.lesbrieven,
        content.interventions,
        grade=klas.leerjaar,
        stream=klas.stream,
        done=done,
    )
    after, until = window
    catalogue = by_id(content)
    taught: dict[str, list[tuple[LesbriefPlan, Lesbrief | None]]] = {}
    for row in plan_rows:
        if after is None or row.taught_on is None or row.taught_on < after:
            continue
        if until is not None and row.taught_on > until:
            continue
        lesbrief = catalogue.get(row.lesbrief_id)
        taught.setdefault(lesbrief.theme if lesbrief else "", []).append((row, lesbrief))
    for rows in taught.values():
        rows.sort(key=lambda pair: pair[0].taught_on)
    return ReportPlan(matches, taught, {p.lesbrief_id for p in plan_rows})


def school_matches(results: Iterable[ThemeResult], content: Content) -> list[ThemeMatches]:
    return match_school(results, content.interventions)
