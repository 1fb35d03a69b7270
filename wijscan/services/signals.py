"""Signals for the care coordinator and the mentors: the list, one signal with its log, the
matched individual interventions and the care protocol. A signal is a reason for a
conversation, never a diagnosis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from wijscan.content import Content, Intervention
from wijscan.extensions import db
from wijscan.matching import ThemeMatches, ThemeResult, match_student
from wijscan.models import (
    Klas,
    RespondentLink,
    Scan,
    ScanRound,
    School,
    Signal,
    SignalFollowUp,
    SignalStatus,
    StoredResult,
    Student,
    User,
)
from wijscan.models.signal import with_student
from wijscan.services.setup import audit

#: The longest note in a signal's log: a few sentences, facts only.
NOTE_LENGTH = 1000
#: Interventions shown beside a signal.
SUGGESTIONS = 5
SELF_VIEW = "individu"


@dataclass
class SignalRow:
    signal: Signal
    student: Student | None
    klas: Klas | None
    round: ScanRound
    #: Theme ids at level 1–2 (over the instruments, in the pyramid's order).
    themes: list[str]
    #: The texts (per language) of the critical questions that were answered.
    items: list[dict[str, str]]

    @property
    def critical(self) -> bool:
        return bool(self.items)

    @property
    def seriousness(self) -> int:
        """0: critical answers, 1: overall level 1, 2: overall level 2, 3: anything else."""
        if self.critical:
            return 0
        level = self.signal.level
        return level if level in (1, 2) else 3


def _item_texts(content: Content) -> dict[str, dict[str, str]]:
    return {
        item.id: {"nl": item.text.nl, "en": item.text.en}
        for instrument in content.instruments.values()
        for item in instrument.items
    }


def _themes_of(signal: Signal, content: Content) -> list[str]:
    listed = {t for themes in signal.detail.get("themes", {}).values() for t in themes}
    return [t.id for t in content.pyramid.themes if t.id in listed]


def signal_rows(
    school_id: int,
    content: Content,
    *,
    klas_ids: Sequence[int] | None = None,
    include_closed: bool = False,
    signal_ids: Sequence[int] | None = None,
) -> list[SignalRow]:
    """The school's signals (only those of ``klas_ids`` when given), most serious first
    (critical answers, then overall level 1, then level 2), then newest. One query."""
    query = with_student(
        select(Signal, Scan, ScanRound, Klas, Student)
        .join(Scan, Scan.id == Signal.scan_id)
        .join(ScanRound, ScanRound.id == Scan.round_id)
        .outerjoin(Klas, Klas.id == Signal.klas_id)
    ).where(Signal.school_id == school_id)
    if klas_ids is not None:
        query = query.where(Signal.klas_id.in_(list(klas_ids) or [-1]))
    if not include_closed:
        query = query.where(Signal.status != SignalStatus.CLOSED)
    if signal_ids is not None:
        query = query.where(Signal.id.in_(list(signal_ids) or [-1]))
    texts = _item_texts(content)
    rows = [
        SignalRow(
            signal=signal,
            student=student,
            klas=klas,
            round=scan_round,
            themes=_themes_of(signal, content),
            items=[texts[i] for i in dict.fromkeys(signal.detail.get("items", [])) if i in texts],
        )
        for signal, _scan, scan_round, klas, student in db.session.execute(query)
    ]
    rows.sort(key=lambda r: (r.seriousness, -r.round.opens_on.toordinal(), -r.signal.id))
    return rows


@dataclass
class LogEntry:
    follow_up: SignalFollowUp
    author: str | None


@dataclass
class SignalDetail:
    row: SignalRow
    log: list[LogEntry]
    #: Individual follow-up matched to the signal's weak themes, weakest first.
    interventions: list[ThemeMatches]
    #: The school's own care protocol, else the default one (Markdown).
    protocol: str
    own_protocol: bool
    #: The same student's signals in other rounds: (round, signal), oldest first.
    others: list[tuple[ScanRound, Signal]] = field(default_factory=list)

    @property
    def suggestions(self) -> list[tuple[Intervention, list[str]]]:
        """The matched interventions once each, best first, with the themes each fits."""
        out: dict[str, tuple[Intervention, list[str]]] = {}
        for theme in self.interventions:
            for match in theme.matches:
                entry = out.setdefault(match.item.id, (match.item, []))
                entry[1].append(theme.result.theme)
        return list(out.values())[:SUGGESTIONS]


def _self_results(signal: Signal) -> dict:
    payload = db.session.scalar(
        select(StoredResult.payload).where(
            StoredResult.scan_id == signal.scan_id,
            StoredResult.respondent_id == signal.respondent_id,
            StoredResult.instrument_id == SELF_VIEW,
        )
    )
    return (payload or {}).get("themes", {})


def detail(row: SignalRow, content: Content, *, viewer_id: int) -> SignalDetail:
    """One signal with its log, its matched interventions, the care protocol and the same
    student's signals in other rounds; written to the audit log as seen by ``viewer_id``."""
    signal = row.signal
    log = [
        LogEntry(follow_up, name)
        for follow_up, name in db.session.execute(
            select(SignalFollowUp, User.name)
            .outerjoin(User, User.id == SignalFollowUp.user_id)
            .where(SignalFollowUp.signal_id == signal.id)
            .order_by(SignalFollowUp.created_at, SignalFollowUp.id)
        )
    ]
    themes = _self_results(signal)
    listed = row.themes or [
        t for t, v in sorted(themes.items(), key=lambda kv: kv[1].get("score") or 0)[:2]
    ]
    results = [
        ThemeResult(t, themes[t]["level"], themes[t].get("score") or 0.0)
        for t in listed
        if t in themes and themes[t].get("level") is not None
    ]
    school = db.session.get(School, signal.school_id)
    others = []
    if row.student is not None:
        others = [
            (scan_round, other)
            for other, scan_round in db.session.execute(
                select(Signal, ScanRound)
                .join(Scan, Scan.id == Signal.scan_id)
                .join(ScanRound, ScanRound.id == Scan.round_id)
                .join(
                    RespondentLink,
                    (RespondentLink.respondent_id == Signal.respondent_id)
                    & (RespondentLink.scan_id == Signal.scan_id),
                )
                .where(RespondentLink.student_id == row.student.id, Signal.id != signal.id)
                .order_by(ScanRound.opens_on, Signal.id)
            )
        ]
    audit(
        signal.school_id,
        viewer_id,
        "view_signal",
        signal,
        student_id=row.student.id if row.student else None,
    )
    return SignalDetail(
        row=row,
        log=log,
        interventions=match_student(results, content.interventions),
        protocol=school.care_protocol.strip() or content.zorgprotocol,
        own_protocol=bool(school.care_protocol.strip()),
        others=others,
    )


def follow_up(signal: Signal, status: SignalStatus, note: str, user_id: int) -> SignalFollowUp:
    """Record a step: the new status and a short note, dated, with who wrote it."""
    entry = SignalFollowUp(signal_id=signal.id, user_id=user_id, status=status, note=note.strip())
    db.session.add(entry)
    signal.status = status
    db.session.flush()
    audit(signal.school_id, user_id, "follow_up_signal", signal, status=status.name)
    return entry


def count_open(school_id: int, klas_ids: Sequence[int] | None = None) -> int:
    query = (
        select(func.count())
        .select_from(Signal)
        .where(Signal.school_id == school_id, Signal.status != SignalStatus.CLOSED)
    )
    if klas_ids is not None:
        query = query.where(Signal.klas_id.in_(list(klas_ids) or [-1]))
    return db.session.scalar(query) or 0
