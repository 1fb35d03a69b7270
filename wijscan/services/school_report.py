"""The school dashboard of the schoolcoördinator: classes × themes for a round, the totals of the
school, its leerjaren and streams, the school's reliability per theme, participation per class,
the staff scan and the school's trend over the rounds of the school year.

Per class the numbers are the stored group results of the class's closed scan (klas
instrument). A stored suppressed class keeps only ``n``, so the totals (school, leerjaar,
stream) cannot be added up from the classes: they are computed with the scoring core from the
final answers of the round's closed student scans when a scan closes, and stored per round
(:mod:`wijscan.services.round_totals`); that also gives the school's Cronbach's alpha per theme.
A round whose totals are not stored, or no longer fit its scans and classes, is computed from
its answers on the fly, with the same numbers.

Privacy (DESIGN.md): a group below ``min_group_size`` shows nothing but its ``n``, and where a
breakdown is shown beside its total, a suppressed cell must not be recoverable from the others
and the total. :func:`protect` applies that rule to plain numbers (a second cell hidden when only
one would be); :func:`protect_partitions` applies it to every breakdown of a round at once and
then checks, with linear algebra, that no hidden cell follows from the shown ones. The cells
hidden are the same on the page, in the heat map and in every export, whatever the filter.

The number of SQL statements is constant: it does not grow with the students, classes or rounds.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from wijscan import charts
from wijscan.content import Content
from wijscan.extensions import db
from wijscan.models import (
    Klas,
    Scan,
    ScanKind,
    ScanMode,
    ScanRound,
    ScanStatus,
    StoredResult,
)
from wijscan.scoring import GroupStat, spec_from_content
from wijscan.services import round_totals
from wijscan.services.reports import (
    LOW_ALPHA,
    level_names,
    participation_counts,
    stat_from_payload,
    year_trend,
)

#: What students say about their class: the instrument of the heat map.
CLASS_VIEW = "klas"
#: The staff scan's instrument.
STAFF_VIEW = "school"
#: The column of the overall result beside the themes.
OVERALL = "overall"
#: Why a cell is hidden: too few respondents, or so that another hidden cell cannot be recovered.
SMALL = "small"
SUBTRACTION = "subtraction"

__all__ = ["LOW_ALPHA", "OVERALL", "SMALL", "SUBTRACTION"]


# --- the subtraction rule (pure) ----------------------------------------------------------------


def protect(ns: Sequence[int], hidden: Sequence[bool], total_shown: bool = True) -> int | None:
    """The rule against recovery by subtraction for one breakdown beside its total.

    ``ns`` are the cells' sizes, ``hidden`` whether each is hidden already. When the total is
    shown and exactly one cell is hidden, that cell is the total minus the others: returns the
    index of the shown cell to hide as well (the smallest ``n``; the first of equals). Returns
    ``-1`` when no other cell is shown (then the total itself must be hidden), None when nothing
    more needs hiding."""
    if len(ns) != len(hidden):
        raise ValueError("one hidden flag per cell")
    if not total_shown or sum(1 for h in hidden if h) != 1:
        return None
    shown = [i for i, h in enumerate(hidden) if not h]
    if not shown:
        return -1
    return min(shown, key=lambda i: (ns[i], i))


Partition = tuple[Hashable, Sequence[Hashable]]
#: How many cells :func:`protect_partitions` tries before it picks the next one to hide.
LOOKAHEAD = 8
#: What hiding a cell costs the reader: a class most, a leerjaar or stream total less, the
#: school total (the one number every page leads with) the most of all.
COST = {"klas": 1.0, "leerjaar": 0.6, "stroming": 0.6, "school": 5.0}


def protect_partitions(
    ns: dict[Hashable, int],
    hidden: dict[Hashable, bool],
    partitions: Sequence[Partition],
    cost: dict[Hashable, float] | None = None,
) -> set[Hashable]:
    """The cells to hide besides ``hidden`` so that no hidden cell can be recovered.

    ``partitions`` are (total, cells) where the cells add up to the total (the classes of the
    school, the leerjaren of the school, the classes of a leerjaar …). A hidden cell is
    recoverable when its value follows from the shown cells through these sums (checked
    exactly, with linear algebra: :func:`recoverable`). While one is, one more cell beside it is
    hidden. Three ways of choosing it are tried and the cheapest result kept (``cost`` weighs a
    cell: a class counts more than a subtotal): always the smallest ``n`` (with one breakdown
    and its total this is :func:`protect`), always the cheapest, and each time the cell after
    which the cheapest rest remains. Returns the keys hidden
    by this rule."""
    cost = cost or {}
    order = {key: i for i, key in enumerate(ns)}
    # A cell without respondents holds nothing to recover (and nothing to hide behind).
    hide = {key: bool(flag) and ns[key] > 0 for key, flag in hidden.items()}
    parts = [
        (total, [c for c in cells if ns[c] > 0]) for total, cells in partitions if ns[total] > 0
    ]

    def smallest(key: Hashable) -> tuple:
        return (ns[key], order[key])

    def rank(key: Hashable) -> tuple:
        return (cost.get(key, 1.0), ns[key], order[key])

    keys = list(hide)
    audit = _Audit(keys, parts)
    members = [{total, *cells} for total, cells in parts]

    def candidates(state: dict[Hashable, bool]) -> list[Hashable]:
        mask = np.array([state[k] for k in keys], dtype=bool)
        leaking = {keys[j] for j in audit.leaks(mask)}
        found = {key for group in members if leaking & group for key in group if not state[key]}
        return sorted(found, key=rank)

    def closure(state: dict[Hashable, bool], key=rank) -> float:
        """Hide the first candidate (by ``key``) until nothing leaks; the cost of it."""
        spent = 0.0
        while pick := candidates(state):
            first = min(pick, key=key)
            state[first] = True
            spent += cost.get(first, 1.0)
        return spent

    def lookahead(state: dict[Hashable, bool]) -> float:
        """Each time the candidate after which the cheapest closure remains."""
        spent = 0.0
        while options := candidates(state):
            best, best_cost = options[0], None
            for option in options[:LOOKAHEAD]:
                trial = dict(state)
                trial[option] = True
                total = cost.get(option, 1.0) + closure(trial)
                if best_cost is None or total < best_cost - 1e-9:
                    best, best_cost = option, total
            state[best] = True
            spent += cost.get(best, 1.0)
        return spent

    # Three ways to choose; the cheapest result wins (the first of equals): the smallest cell
    # first (with one breakdown: exactly :func:`protect`), the cheapest first, and looking one
    # step ahead.
    best_state, best_cost = None, None
    for strategy in (
        lambda st: closure(st, key=smallest),
        closure,
        lookahead,
    ):
        if strategy is lookahead and sum(best_state[k] and not hide[k] for k in keys) <= 1:
            break  # one more cell is the least there is: nothing to gain
        state = dict(hide)
        spent = strategy(state)
        if best_cost is None or spent < best_cost - 1e-9:
            best_state, best_cost = state, spent
    return {key for key, flag in best_state.items() if flag and not hide[key]}


def recoverable(hidden: dict[Hashable, bool], partitions: Sequence[Partition]) -> set[Hashable]:
    """The hidden cells whose value follows from the shown cells and the partitions' sums."""
    keys = list(hidden)
    audit = _Audit(keys, partitions)
    mask = np.array([bool(hidden[k]) for k in keys], dtype=bool)
    return {keys[j] for j in audit.leaks(mask)}


class _Audit:
    """The partitions as one matrix (a row per partition: +1 the total, -1 each cell), so that
    finding the recoverable cells of a choice of hidden cells is one SVD."""

    def __init__(self, keys: Sequence[Hashable], partitions: Sequence[Partition]) -> None:
        index = {key: j for j, key in enumerate(keys)}
        matrix = np.zeros((len(partitions), len(keys)))
        for i, (total, cells) in enumerate(partitions):
            matrix[i, index[total]] += 1
            for cell in cells:
                matrix[i, index[cell]] -= 1
        self.matrix = matrix

    def leaks(self, hidden: np.ndarray) -> list[int]:
        """Indices of the hidden cells that are determined by the shown ones: a hidden cell is
        free exactly when some solution of the sums with the shown cells fixed moves it."""
        unknown = np.flatnonzero(hidden)
        if unknown.size == 0:
            return []
        sub = self.matrix[:, unknown]
        sub = sub[np.abs(sub).sum(axis=1) > 0]
        if sub.shape[0] == 0:
            return []
        _u, singular, vt = np.linalg.svd(sub)
        rank = int((singular > 1e-9 * max(1.0, float(singular.max(initial=0)))).sum())
        null = vt[rank:]
        free = np.abs(null).max(axis=0) if null.size else np.zeros(unknown.size)
        return [int(unknown[j]) for j in np.flatnonzero(free < 1e-9)]


# --- what the dashboard shows -------------------------------------------------------------------


@dataclass
class Cell:
    """One theme (or overall) of one group. ``stat`` is None when the cell is hidden; then
    ``reason`` says why (:data:`SMALL` or :data:`SUBTRACTION`) and only ``n`` may be shown."""

    n: int
    stat: GroupStat | None
    reason: str | None = None

    @property
    def shown(self) -> bool:
        return self.stat is not None


@dataclass
class Group:
    """A class or a total of a round."""

    #: "klas", "leerjaar", "stroming" or "school".
    kind: str
    key: Hashable
    name: str
    leerjaar: int | None
    stream: str | None
    #: Column (theme id or :data:`OVERALL`) -> cell.
    cells: dict[str, Cell]
    klas_id: int | None = None
    scan_id: int | None = None


@dataclass
class RoundResult:
    round: ScanRound
    classes: list[Group]
    leerjaren: list[Group]
    streams: list[Group]
    school: Group

    def groups(self) -> list[Group]:
        return [*self.classes, *self.leerjaren, *self.streams, self.school]


@dataclass
class YearResults:
    """The closed rounds of a school year (those with closed student scans), in time order."""

    columns: list[str]
    min_group_size: int
    rounds: list[RoundResult]

    def round(self, round_id: int) -> RoundResult | None:
        return next((r for r in self.rounds if r.round.id == round_id), None)


def _class_payloads(scan_ids: list[int]) -> dict[int, dict]:
    if not scan_ids:
        return {}
    rows = db.session.execute(
        select(StoredResult.scan_id, StoredResult.payload).where(
            StoredResult.scan_id.in_(scan_ids),
            StoredResult.respondent_id.is_(None),
            StoredResult.instrument_id == CLASS_VIEW,
        )
    )
    return dict(rows.all())


def _cell(stat: GroupStat | None) -> Cell:
    if stat is None:
        return Cell(n=0, stat=None, reason=SMALL)
    if stat.suppressed:
        return Cell(n=stat.n, stat=None, reason=SMALL)
    return Cell(n=stat.n, stat=stat)


def year_results(scan_round: ScanRound, content: Content) -> YearResults:
    """Every round of ``scan_round``'s school year that has closed student scans, with its
    classes and totals, protected against subtraction (four queries in all: the rounds, their
    scans, the classes' stored results, the rounds' stored totals; one more for the answers of
    rounds whose totals are not stored)."""
    instrument = content.instruments[CLASS_VIEW]
    spec = spec_from_content(instrument, content.pyramid)
    columns = [*spec.theme_ids, OVERALL]
    rounds = list(
        db.session.scalars(
            select(ScanRound)
            .where(ScanRound.school_year_id == scan_round.school_year_id)
            .where(ScanRound.school_id == scan_round.school_id)
            .order_by(ScanRound.opens_on, ScanRound.id)
        )
    )
    scans = round_totals.closed_scans([r.id for r in rounds])
    payloads = _class_payloads([scan.id for scan, _klas in scans])
    totals = round_totals.totals(spec, rounds, scans)

    def cells_of(payload: dict | None) -> dict[str, Cell]:
        if payload is None:
            return {c: Cell(n=0, stat=None, reason=SMALL) for c in columns}
        return {
            c: _cell(
                stat_from_payload(payload["overall"] if c == OVERALL else payload["themes"].get(c))
            )
            for c in columns
        }

    out = []
    for r in rounds:
        classes = []
        for scan, klas in scans:
            if scan.round_id != r.id:
                continue
            classes.append(
                Group(
                    kind="klas",
                    key=("klas", klas.id),
                    name=klas.name,
                    leerjaar=klas.leerjaar,
                    stream=klas.stream,
                    cells=cells_of(payloads.get(scan.id)),
                    klas_id=klas.id,
                    scan_id=scan.id,
                )
            )
        if not classes:
            continue
        total = totals.get(r.id, {}).get
        leerjaren = [
            Group(
                kind="leerjaar",
                key=("leerjaar", year),
                name=str(year),
                leerjaar=year,
                stream=None,
                cells=cells_of(total(round_totals.leerjaar_key(year))),
            )
            for year in sorted({g.leerjaar for g in classes})
        ]
        stream_groups = [
            Group(
                kind="stroming",
                key=("stroming", stream),
                name=stream,
                leerjaar=None,
                stream=stream,
                cells=cells_of(total(round_totals.stream_key(stream))),
            )
            for stream in sorted({g.stream for g in classes})
        ]
        school = Group(
            kind="school",
            key=("school",),
            name="",
            leerjaar=None,
            stream=None,
            cells=cells_of(total(round_totals.SCHOOL)),
        )
        result = RoundResult(
            round=r, classes=classes, leerjaren=leerjaren, streams=stream_groups, school=school
        )
        _protect_round(result, columns)
        out.append(result)
    return YearResults(columns=columns, min_group_size=spec.min_group_size, rounds=out)


def _protect_round(result: RoundResult, columns: list[str]) -> None:
    """Apply the subtraction rule to every column of a round: the classes beside the school,
    their leerjaar and their stream; the leerjaren and the streams beside the school."""
    school = result.school.key
    partitions: list[Partition] = [
        (school, [g.key for g in result.classes]),
        (school, [g.key for g in result.leerjaren]),
        (school, [g.key for g in result.streams]),
    ]
    for year in result.leerjaren:
        partitions.append(
            (year.key, [g.key for g in result.classes if g.leerjaar == year.leerjaar])
        )
    for stream in result.streams:
        partitions.append(
            (stream.key, [g.key for g in result.classes if g.stream == stream.stream])
        )
    groups = {g.key: g for g in result.groups()}
    keys = tuple(groups)
    cost = tuple(COST[g.kind] for g in groups.values())
    shape = tuple((total, tuple(cells)) for total, cells in partitions)
    for column in columns:
        ns = tuple(groups[key].cells[column].n for key in keys)
        hidden = tuple(not groups[key].cells[column].shown for key in keys)
        for key in _protected(keys, ns, hidden, shape, cost):
            groups[key].cells[column] = Cell(
                n=groups[key].cells[column].n, stat=None, reason=SUBTRACTION
            )


@functools.lru_cache(maxsize=4096)
def _protected(keys: tuple, ns: tuple, hidden: tuple, partitions: tuple, cost: tuple) -> frozenset:
    """:func:`protect_partitions`, kept per process: a closed round's numbers never change, and
    the themes of a round often share their n's."""
    return frozenset(
        protect_partitions(
            dict(zip(keys, ns, strict=True)),
            dict(zip(keys, hidden, strict=True)),
            partitions,
            dict(zip(keys, cost, strict=True)),
        )
    )


# --- participation and the staff scan -----------------------------------------------------------


@dataclass
class Participation:
    klas: Klas
    scan: Scan | None
    started: int = 0
    finished: int = 0
    #: Personal mode: the students the scan was opened for; None in anonymous mode.
    expected: int | None = None


def participation(school_id: int, scan_round: ScanRound) -> list[Participation]:
    """Every active class of the school with its student scan of the round (the newest) and its
    started and finished respondents, in four queries whatever the number of classes."""
    klassen = list(
        db.session.scalars(
            select(Klas)
            .where(Klas.school_id == school_id, Klas.archived.is_(False))
            .order_by(Klas.leerjaar, Klas.name)
        )
    )
    scans: dict[int, Scan] = {}
    for scan in db.session.scalars(
        select(Scan)
        .where(Scan.round_id == scan_round.id, Scan.kind == ScanKind.LEERLING)
        .order_by(Scan.id)
    ):
        scans[scan.klas_id] = scan
    started, finished, expected = participation_counts([scan.id for scan in scans.values()])
    rows = []
    for klas in klassen:
        scan = scans.get(klas.id)
        if scan is None:
            rows.append(Participation(klas=klas, scan=None))
            continue
        rows.append(
            Participation(
                klas=klas,
                scan=scan,
                started=started.get(scan.id, 0),
                finished=finished.get(scan.id, 0),
                expected=expected.get(scan.id) if scan.mode == ScanMode.PERSONAL else None,
            )
        )
    return rows


@dataclass
class StaffResult:
    scan: Scan
    overall: Cell
    #: Theme id -> cell, in the instrument's order.
    themes: dict[str, Cell] = field(default_factory=dict)

    @property
    def suppressed(self) -> bool:
        return not self.overall.shown


def staff_result(scan_round: ScanRound, content: Content) -> StaffResult | None:
    """The stored result of the round's closed staff scan (the school instrument), in one
    query; None when there is none."""
    row = db.session.execute(
        select(Scan, StoredResult.payload)
        .outerjoin(
            StoredResult,
            and_(
                StoredResult.scan_id == Scan.id,
                StoredResult.respondent_id.is_(None),
                StoredResult.instrument_id == STAFF_VIEW,
            ),
        )
        .where(
            Scan.round_id == scan_round.id,
            Scan.kind == ScanKind.MEDEWERKER,
            Scan.status == ScanStatus.CLOSED,
        )
        .order_by(Scan.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    scan, payload = row
    payload = payload or {"themes": {}, "overall": None}
    themes = [t.id for t in content.instruments[STAFF_VIEW].themes]
    return StaffResult(
        scan=scan,
        overall=_cell(stat_from_payload(payload.get("overall"))),
        themes={t: _cell(stat_from_payload(payload["themes"].get(t))) for t in themes},
    )


# --- the dashboard ------------------------------------------------------------------------------


@dataclass
class Dashboard:
    #: Every round of the school, newest first, and which have closed student scans.
    rounds: list[ScanRound]
    closed_round_ids: set[int]
    round: ScanRound | None
    year: YearResults | None
    result: RoundResult | None
    participation: list[Participation]
    staff: StaffResult | None
    leerjaar: int | None
    stream: str | None
    min_group_size: int

    @property
    def classes(self) -> list[Group]:
        """The classes of the round that pass the filters."""
        if self.result is None:
            return []
        return [g for g in self.result.classes if self._passes(g)]

    @property
    def totals(self) -> list[Group]:
        """The totals beside the filtered classes: their leerjaar and stream, and the school."""
        if self.result is None:
            return []
        out = []
        if self.leerjaar is not None:
            out += [g for g in self.result.leerjaren if g.leerjaar == self.leerjaar]
        if self.stream is not None:
            out += [g for g in self.result.streams if g.stream == self.stream]
        return [*out, self.result.school]

    def _passes(self, group: Group) -> bool:
        return (self.leerjaar is None or group.leerjaar == self.leerjaar) and (
            self.stream is None or group.stream == self.stream
        )

    @property
    def participation_shown(self) -> list[Participation]:
        return [
            p
            for p in self.participation
            if (self.leerjaar is None or p.klas.leerjaar == self.leerjaar)
            and (self.stream is None or p.klas.stream == self.stream)
        ]


def school_rounds(school_id: int) -> tuple[list[ScanRound], set[int]]:
    """The school's rounds, newest first, and the ids of those with closed student scans (one
    query)."""
    rows = db.session.execute(
        select(ScanRound, func.count(Scan.id))
        .outerjoin(
            Scan,
            and_(
                Scan.round_id == ScanRound.id,
                Scan.kind == ScanKind.LEERLING,
                Scan.status == ScanStatus.CLOSED,
            ),
        )
        .where(ScanRound.school_id == school_id)
        .group_by(ScanRound.id)
        .order_by(ScanRound.opens_on.desc(), ScanRound.id.desc())
    ).all()
    return [r for r, _count in rows], {r.id for r, count in rows if count}


def pick_round(rounds: list[ScanRound], closed: set[int], round_id: int | None) -> ScanRound | None:
    """The round asked for (None when it is not the school's), else the newest closed one."""
    if round_id is not None:
        return next((r for r in rounds if r.id == round_id), None)
    return next((r for r in rounds if r.id in closed), None)


def dashboard(
    school_id: int,
    content: Content,
    *,
    round_id: int | None = None,
    leerjaar: int | None = None,
    stream: str | None = None,
) -> Dashboard | None:
    """The school dashboard; None when ``round_id`` is not a round of the school."""
    rounds, closed = school_rounds(school_id)
    scan_round = pick_round(rounds, closed, round_id)
    if round_id is not None and scan_round is None:
        return None
    year = year_results(scan_round, content) if scan_round else None
    return Dashboard(
        rounds=rounds,
        closed_round_ids=closed,
        round=scan_round,
        year=year,
        result=year.round(scan_round.id) if year else None,
        participation=participation(school_id, scan_round) if scan_round else [],
        staff=staff_result(scan_round, content) if scan_round else None,
        leerjaar=leerjaar,
        stream=stream,
        min_group_size=content.pyramid.min_group_size,
    )


# --- the dashboard's charts -------------------------------------------------------------------


def group_label(group: Group) -> str:
    """A row's name: the class, or the total it is, in the reader's language."""
    if group.kind == "school":
        return _("School")
    if group.kind == "leerjaar":
        return _("Leerjaar %(n)d", n=group.leerjaar)
    if group.kind == "stroming":
        return _("Stroming %(s)s", s=group.stream)
    return group.name


def heatmap(board: Dashboard, content: Content, lang: str) -> charts.Chart | None:
    """Classes × themes (and the totals under them), hidden cells hatched."""
    groups = [*board.classes, *board.totals]
    if not groups:
        return None
    pyramid = content.pyramid
    columns = board.year.columns
    names = [_("Totaal") if c == OVERALL else getattr(pyramid.theme(c).name, lang) for c in columns]
    return charts.heatmap_chart(
        charts.HeatmapData(
            rows=tuple(group_label(g) for g in groups),
            columns=tuple(names),
            cells=tuple(
                tuple(g.cells[c].stat.level if g.cells[c].shown else None for c in columns)
                for g in groups
            ),
            level_names=level_names(content, lang),
            title=_("Klassen en thema’s: het niveau van elke klas"),
            description=_(
                "Per klas (rij) en thema (kolom) het niveau van de inclusiepiramide, van 1 tot "
                "6, met onderaan de totalen; gearceerde vakjes zijn verborgen."
            ),
            row_header=_("Klas"),
            suppressed_mark=_("verborgen"),
            suppressed_reason=_(
                "Verborgen: te weinig deelnemers (minder dan %(min)d), of verborgen zodat een "
                "andere verborgen klas niet terug te rekenen is. De tabel zegt welke regel.",
                min=board.min_group_size,
            ),
            lang=lang,
        )
    )


def trend(board: Dashboard, content: Content, lang: str) -> charts.Chart | None:
    """The school's mean per theme over the rounds of the year (None where hidden)."""
    rounds = board.year.rounds if board.year else []
    themes = [c for c in board.year.columns if c != OVERALL] if board.year else []
    data = year_trend(
        content,
        lang,
        [r.round.name for r in rounds],
        {
            t: [r.school.cells[t].stat.mean if r.school.cells[t].shown else None for r in rounds]
            for t in themes
        },
        title=_("De school over de meetmomenten van dit schooljaar"),
        description=_(
            "De gemiddelde score van alle leerlingen per thema (0–100) bij elk meetmoment "
            "van dit schooljaar; de banden zijn de niveaus van de piramide."
        ),
    )
    return charts.trend_chart(data) if data else None
