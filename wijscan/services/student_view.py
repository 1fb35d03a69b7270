"""One student over the rounds, for the class's mentors and the care coordinator: the levels per
theme from the student's own answers and from the mentor's observation list, the critical
answers that raised a signal, and both answer lists side by side. Every view is written to the
audit log (the caller says who looks).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from wijscan.content import Content
from wijscan.extensions import db
from wijscan.models import (
    Answer,
    RespondentLink,
    Response,
    ResponseStatus,
    Scan,
    ScanRound,
    ScanStatus,
    Signal,
    StoredResult,
    Student,
)
from wijscan.services.setup import audit

#: The instruments of one student: their own answers, and the mentor's observation list.
OWN = "individu"
OBSERVED = "observatie"


@dataclass
class RoundView:
    """The student in one closed scan."""

    scan: Scan
    round: ScanRound
    #: instrument id -> {"themes": {theme: level | None}, "overall": level | None}
    levels: dict[str, dict] = field(default_factory=dict)
    signal: Signal | None = None
    #: The critical questions answered in this scan, per language.
    critical: list[dict[str, str]] = field(default_factory=list)


@dataclass
class AnswerRow:
    """One question of the newest scan with the answer given (its scale label), per language."""

    text: dict[str, str]
    answer: dict[str, str] | None
    critical: bool = False


@dataclass
class StudentView:
    student: Student
    rounds: list[RoundView]
    #: The newest closed scan's answers: the student's own and the mentor's observation list.
    own_answers: list[AnswerRow]
    observed_answers: list[AnswerRow]
    theme_names: dict[str, dict[str, str]]


def student_view(student: Student, content: Content, *, viewer_id: int | None) -> StudentView:
    """The student's closed scans, newest first; written to the audit log as seen by
    ``viewer_id``. A constant number of statements, whatever the number of rounds."""
    links = db.session.execute(
        select(RespondentLink.respondent_id, Scan, ScanRound)
        .join(Scan, Scan.id == RespondentLink.scan_id)
        .join(ScanRound, ScanRound.id == Scan.round_id)
        .where(RespondentLink.student_id == student.id, Scan.status == ScanStatus.CLOSED)
        .order_by(ScanRound.opens_on.desc(), Scan.id.desc())
    ).all()
    respondents = [respondent for respondent, _, _ in links]
    by_respondent = {respondent: RoundView(scan=scan, round=r) for respondent, scan, r in links}
    items = {
        item.id: {"nl": item.text.nl, "en": item.text.en}
        for instrument in content.instruments.values()
        for item in instrument.items
    }
    if respondents:
        for respondent, instrument_id, payload in db.session.execute(
            select(
                StoredResult.respondent_id, StoredResult.instrument_id, StoredResult.payload
            ).where(StoredResult.respondent_id.in_(respondents))
        ):
            by_respondent[respondent].levels[instrument_id] = {
                "themes": {t: v.get("level") for t, v in payload.get("themes", {}).items()},
                "overall": payload.get("overall", {}).get("level"),
            }
        for signal in db.session.scalars(
            select(Signal).where(Signal.respondent_id.in_(respondents))
        ):
            view = by_respondent[signal.respondent_id]
            view.signal = signal
            view.critical = [items[i] for i in signal.detail.get("items", []) if i in items]
    own, observed = ([], []) if not links else _answers(content, links[0][0], links[0][1].id)
    audit(
        student.school_id,
        viewer_id,
        "view_student",
        student,
        scans=[scan.id for _, scan, _ in links],
    )
    db.session.flush()
    return StudentView(
        student=student,
        rounds=[by_respondent[r] for r in respondents],
        own_answers=own,
        observed_answers=observed,
        theme_names={t.id: {"nl": t.name.nl, "en": t.name.en} for t in content.pyramid.themes},
    )


def _answers(content: Content, respondent: str, scan_id: int) -> tuple[list, list]:
    """The newest scan's own answers and observation list, with the scale's labels."""
    given = {
        (instrument_id, item_id): value
        for instrument_id, item_id, value in db.session.execute(
            select(Response.instrument_id, Answer.item_id, Answer.value)
            .join(Answer, Answer.response_id == Response.id)
            .where(
                Response.scan_id == scan_id,
                Response.respondent_id == respondent,
                Response.status == ResponseStatus.FINAL,
                Response.instrument_id.in_([OWN, OBSERVED]),
            )
        )
    }

    def rows(instrument_id: str) -> list[AnswerRow]:
        instrument = content.instruments[instrument_id]
        labels = instrument.scale.labels
        out = []
        for item in instrument.items:
            value = given.get((instrument_id, item.id))
            answer = (
                {"nl": labels["nl"][value - 1], "en": labels["en"][value - 1]} if value else None
            )
            critical = bool(item.critical and value in item.critical.answers)
            out.append(
                AnswerRow(
                    text={"nl": item.text.nl, "en": item.text.en}, answer=answer, critical=critical
                )
            )
        return out

    return rows(OWN), rows(OBSERVED)
