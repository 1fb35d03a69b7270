"""The totals of a round, stored: the school, each leerjaar and each stream, on the klas
instrument, computed with the scoring core from the final answers of the round's closed student
scans (the newest closed scan of every class).

:func:`refresh` recomputes a round's totals and replaces its stored rows; ``results.close_scan``
calls it for every student scan it closes, ``wijscan refresh-totals`` (:func:`refresh_all`) for
every round of a database that had rounds before the table existed. :func:`totals` reads them
for the dashboard in one query; a round whose stored totals are missing or were computed from
something else than what the round holds now (another set of closed scans, a class moved to
another leerjaar or stream, other scoring rules: see :func:`basis`) is computed on the fly
instead, exactly as :func:`refresh` would, so the numbers never depend on whether they were
stored.

A stored payload has the shape of a stored class result (``results.group_payload``): a
suppressed group holds nothing but ``n``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable

import numpy as np
from sqlalchemy import String, case, cast, delete, func, literal_column, select
from sqlalchemy.exc import IntegrityError

from wijscan.content import Content
from wijscan.extensions import db
from wijscan.models import (
    Answer,
    Klas,
    Response,
    ResponseStatus,
    RoundTotal,
    Scan,
    ScanKind,
    ScanRound,
    ScanStatus,
    StoredResult,
    TotalKind,
)
from wijscan.scoring import (
    SCORING_VERSION,
    GroupResult,
    GroupStat,
    ScoringSpec,
    group_results,
    score_respondents,
    spec_from_content,
)
from wijscan.services.results import group_payload

log = logging.getLogger(__name__)

#: The instrument the totals are of: what students say about their class.
INSTRUMENT = "klas"

#: A total: (kind, key) with kind a :class:`TotalKind` value and key the leerjaar (as text), the
#: stream or "" for the school.
TotalKey = tuple[str, str]
SCHOOL: TotalKey = (TotalKind.SCHOOL.value, "")


def leerjaar_key(leerjaar: int) -> TotalKey:
    return (TotalKind.LEERJAAR.value, str(leerjaar))


def stream_key(stream: str) -> TotalKey:
    return (TotalKind.STROMING.value, stream)


# --- reading the round's scans and answers ------------------------------------------------------


def closed_scans(round_ids: Iterable[int]) -> list[tuple[Scan, Klas]]:
    """The newest closed student scan of every class in each round, with its class, ordered by
    leerjaar, class name and scan (one query)."""
    round_ids = list(round_ids)
    if not round_ids:
        return []
    rows = db.session.execute(
        select(Scan, Klas)
        .join(Klas, Klas.id == Scan.klas_id)
        .where(
            Scan.round_id.in_(round_ids),
            Scan.kind == ScanKind.LEERLING,
            Scan.status == ScanStatus.CLOSED,
        )
        .order_by(Scan.id)
    ).all()
    newest: dict[tuple[int, int], tuple[Scan, Klas]] = {}
    for scan, klas in rows:
        newest[(scan.round_id, klas.id)] = (scan, klas)
    return sorted(newest.values(), key=lambda sk: (sk[1].leerjaar, sk[1].name, sk[0].id))


def answer_matrix(spec: ScoringSpec, scan_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The final answers of these scans to the spec's instrument as answer codes (rows × items,
    0 = missing), one row per response in response id order (as ``results.close_scan`` builds
    them), and the scan id of every row, in one query.

    The database hands over one row per response, its answers as one text of ``column:value``
    pairs (``aggregate_strings``: SQLite's group_concat, PostgreSQL's string_agg), not a row per
    answer: for a round of 1,500 students 1,500 rows instead of 36,000, which is most of the
    time this takes. An answer to an item the instrument does not have is left out."""
    code_type = np.uint8 if spec.points <= 255 else np.uint16
    width = len(spec.item_ids)
    empty = np.zeros((0, width), dtype=code_type), np.zeros(0, dtype=np.int64)
    if not scan_ids:
        return empty
    column = case(
        {item_id: literal_column(str(j)) for j, item_id in enumerate(spec.item_ids)},
        value=Answer.item_id,
    )
    pair = cast(column, String) + ":" + cast(Answer.value, String)
    # Through the Core connection: plain tuples, without the ORM's row processing.
    rows = (
        db.session.connection()
        .execute(
            select(Response.id, Response.scan_id, func.aggregate_strings(pair, ","))
            .join(Answer, Answer.response_id == Response.id)
            .where(
                Response.scan_id.in_(scan_ids),
                Response.instrument_id == spec.instrument_id,
                Response.status == ResponseStatus.FINAL,
            )
            .group_by(Response.id, Response.scan_id)
            .order_by(Response.id)
        )
        .all()
    )
    if not rows:
        return empty
    texts = [text or "" for _id, _scan, text in rows]
    pairs = np.fromiter((t.count(",") + 1 if t else 0 for t in texts), np.int64, len(texts))
    joined = ",".join(t for t in texts if t).replace(":", ",")
    numbers = np.array(joined.split(",") if joined else [], dtype=np.int64).reshape(-1, 2)
    answers = np.zeros((len(rows), width), dtype=code_type)
    answers[np.repeat(np.arange(len(rows)), pairs), numbers[:, 0]] = numbers[:, 1]
    row_scan = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    return answers, row_scan


# --- computing ----------------------------------------------------------------------------------


def spec_of(content: Content) -> ScoringSpec:
    return spec_from_content(content.instruments[INSTRUMENT], content.pyramid)


def _rules(spec: ScoringSpec) -> list:
    """Everything in the spec (and the scoring version) that the numbers depend on."""
    return [
        SCORING_VERSION,
        spec.instrument_id,
        spec.instrument_version,
        spec.points,
        list(spec.item_ids),
        spec.item_theme.tolist(),
        list(spec.theme_ids),
        spec.reverse.tolist(),
        spec.weights.tolist(),
        spec.min_answered,
        sorted([c.item_index, sorted(c.answers), c.cap] for c in spec.criticals),
        spec.cutoffs.tolist(),
        spec.min_group_size,
    ]


def basis(spec: ScoringSpec, scans: Iterable[tuple[Scan, Klas]]) -> str:
    """The fingerprint of what a round's totals are computed from: its closed scans (the newest
    of each class), the leerjaar and stream of their classes, and the scoring rules. Stored
    totals are used only while it is the same (otherwise a class moved to another leerjaar
    would be counted in the old one's total, beside the classes of the new one)."""
    groups = sorted([scan.id, klas.leerjaar, klas.stream] for scan, klas in scans)
    text = json.dumps([_rules(spec), groups], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _empty(spec: ScoringSpec) -> GroupResult:
    """The result of a group without respondents: every stat suppressed with n = 0."""
    return GroupResult(
        themes={t: GroupStat(n=0, suppressed=True) for t in spec.theme_ids},
        overall=GroupStat(n=0, suppressed=True),
    )


def compute(
    spec: ScoringSpec,
    scans: list[tuple[Scan, Klas]],
    answers: np.ndarray,
    row_scan: np.ndarray,
) -> dict[TotalKey, dict]:
    """The totals of one round as stored payloads: the school, and every leerjaar and stream of
    the classes of ``scans`` (a group without respondents gets n = 0, suppressed).

    ``answers`` and ``row_scan`` are :func:`answer_matrix` of the round's scans (rows of other
    scans are left out). Empty when the round has no closed scans."""
    if not scans:
        return {}
    klas_of = {scan.id: klas for scan, klas in scans}
    keep = np.isin(row_scan, np.fromiter(klas_of, dtype=np.int64, count=len(klas_of)))
    if not keep.all():
        answers, row_scan = answers[keep], row_scan[keep]
    years = sorted({klas.leerjaar for klas in klas_of.values()})
    streams = sorted({klas.stream for klas in klas_of.values()})
    results: dict[TotalKey, GroupResult] = {}
    if answers.shape[0]:
        scored = score_respondents(spec, answers)
        lookup = np.array(sorted(klas_of), dtype=np.int64)
        at = np.searchsorted(lookup, row_scan)
        stream_index = {s: i for i, s in enumerate(streams)}
        scan_year = np.array([klas_of[s].leerjaar for s in lookup], dtype=np.int64)
        scan_stream = np.array([stream_index[klas_of[s].stream] for s in lookup], dtype=np.int64)
        row_year, row_stream = scan_year[at], scan_stream[at]
        everyone = np.zeros(answers.shape[0], dtype=np.int64)
        results[SCHOOL] = group_results(spec, answers, scored, everyone)[0]
        for year, result in group_results(spec, answers, scored, row_year).items():
            results[leerjaar_key(year)] = result
        for index, result in group_results(spec, answers, scored, row_stream).items():
            results[stream_key(streams[index])] = result
    keys = [SCHOOL, *(leerjaar_key(y) for y in years), *(stream_key(s) for s in streams)]
    return {key: group_payload(results.get(key) or _empty(spec)) for key in keys}


# --- storing ------------------------------------------------------------------------------------


def refresh(scan_round: ScanRound, content: Content) -> int:
    """Recompute the totals of ``scan_round`` from the answers of its closed student scans and
    replace its stored rows (delete and insert, then flush; the caller commits). Returns the
    number of rows stored. A round of which some scan's answers were deleted after the retention
    term keeps the totals it has (computing them again would count those scans as empty).

    Two scans of one round closing at the same time on PostgreSQL can both insert the round's
    rows: the second meets the unique constraint. That step is then done once more (in a
    savepoint, so the close itself goes on), now seeing the other's committed rows and scan."""
    spec = spec_of(content)
    for attempt in (1, 2):
        try:
            with db.session.begin_nested():
                return _replace(scan_round, spec)
        except IntegrityError:
            if attempt == 2:
                # The dashboard sees that the stored totals do not fit the round (basis) and
                # computes them itself until the next close or ``wijscan refresh-totals``.
                log.warning("round %s: totals not stored (concurrent close)", scan_round.id)
    return 0


def _replace(scan_round: ScanRound, spec: ScoringSpec) -> int:
    scans = closed_scans([scan_round.id])
    answers, row_scan = answer_matrix(spec, [scan.id for scan, _klas in scans])
    purged = _purged(spec, scans, row_scan)
    if purged:
        # Past the retention term the answers are gone, the totals stay (DESIGN.md): what is
        # stored was computed from them and cannot be computed again.
        log.info("round %s: totals kept, answers of scans %s deleted", scan_round.id, purged)
        return 0
    payloads = compute(spec, scans, answers, row_scan)
    fingerprint = basis(spec, scans)
    db.session.execute(
        delete(RoundTotal)
        .where(RoundTotal.round_id == scan_round.id, RoundTotal.instrument_id == spec.instrument_id)
        .execution_options(synchronize_session=False)
    )
    db.session.add_all(
        RoundTotal(
            school_id=scan_round.school_id,
            round_id=scan_round.id,
            kind=kind,
            key=key,
            instrument_id=spec.instrument_id,
            instrument_version=spec.instrument_version,
            scoring_version=SCORING_VERSION,
            basis=fingerprint,
            payload=payload,
        )
        for (kind, key), payload in payloads.items()
    )
    db.session.flush()
    return len(payloads)


def _purged(spec: ScoringSpec, scans: list[tuple[Scan, Klas]], row_scan: np.ndarray) -> list[int]:
    """The scans whose answers were deleted (``wijscan purge``): their stored class result
    counted respondents, yet none of their answers is left (one query)."""
    scan_ids = [scan.id for scan, _klas in scans]
    if not scan_ids:
        return []
    present = set(np.unique(row_scan).tolist())
    counted = db.session.execute(
        select(StoredResult.scan_id, StoredResult.payload).where(
            StoredResult.scan_id.in_(scan_ids),
            StoredResult.respondent_id.is_(None),
            StoredResult.instrument_id == spec.instrument_id,
        )
    )

    def respondents(payload: dict) -> int:
        stats = [payload.get("overall"), *(payload.get("themes") or {}).values()]
        return max(int(stat.get("n") or 0) if stat else 0 for stat in stats)

    return sorted(
        scan_id
        for scan_id, payload in counted
        if scan_id not in present and respondents(payload or {}) > 0
    )


def refresh_all(content: Content) -> tuple[int, int]:
    """:func:`refresh` every round (for a database whose rounds closed before the totals were
    stored); returns (rounds, rows stored). Flushes only."""
    rounds = list(db.session.scalars(select(ScanRound).order_by(ScanRound.id)))
    stored = sum(refresh(scan_round, content) for scan_round in rounds)
    return len(rounds), stored


# --- reading ------------------------------------------------------------------------------------


def totals(
    spec: ScoringSpec, rounds: list[ScanRound], scans: list[tuple[Scan, Klas]]
) -> dict[int, dict[TotalKey, dict]]:
    """The totals of every round of ``rounds`` that has closed scans (``scans``:
    :func:`closed_scans` of the rounds): round id -> total -> payload.

    One query for the stored ones; the rounds whose stored totals are missing or do not fit
    (:func:`basis`) are computed as :func:`refresh` would, from one more query for their
    answers."""
    by_round: dict[int, list[tuple[Scan, Klas]]] = {}
    for scan, klas in scans:
        by_round.setdefault(scan.round_id, []).append((scan, klas))
    if not by_round:
        return {}
    stored: dict[int, dict[TotalKey, dict]] = {}
    fingerprints: dict[int, set[str]] = {}
    for round_id, kind, key, fingerprint, payload in db.session.execute(
        select(
            RoundTotal.round_id,
            RoundTotal.kind,
            RoundTotal.key,
            RoundTotal.basis,
            RoundTotal.payload,
        ).where(
            RoundTotal.round_id.in_(list(by_round)),
            RoundTotal.instrument_id == spec.instrument_id,
        )
    ):
        stored.setdefault(round_id, {})[(kind, key)] = payload
        fingerprints.setdefault(round_id, set()).add(fingerprint)
    out: dict[int, dict[TotalKey, dict]] = {}
    missing: list[int] = []
    for round_id, round_scans in by_round.items():
        if fingerprints.get(round_id) == {basis(spec, round_scans)}:
            out[round_id] = stored[round_id]
        else:
            missing.append(round_id)
    if missing:
        ids = [scan.id for round_id in missing for scan, _klas in by_round[round_id]]
        answers, row_scan = answer_matrix(spec, ids)
        for round_id in missing:
            out[round_id] = compute(spec, by_round[round_id], answers, row_scan)
    return out
