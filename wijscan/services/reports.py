"""Reports read from the stored results of closed scans: a class's scans over the school year and
the class report (where the class stands, what changed since the previous round, which themes
need work first). Reads only; the numbers are those the scoring core stored when the scan
closed, never computed again here.

Every group below ``min_group_size`` was stored suppressed by the scoring core (only ``n``); a
report built here carries nothing else for it, so no page can show a number, a bar or a level.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import func, select

from wijscan import charts
from wijscan.content import Content
from wijscan.extensions import db
from wijscan.models import (
    Klas,
    RespondentLink,
    Response,
    ResponseStatus,
    Scan,
    ScanKind,
    ScanMode,
    ScanRound,
    ScanStatus,
    Signal,
    StoredResult,
    Student,
)
from wijscan.models.signal import with_student
from wijscan.scoring import Change, GroupStat, change
from wijscan.services.scans import STUDENT_INSTRUMENTS

#: The two views of a class: what students say about the class, and about themselves.
CLASS_VIEW = "klas"
SELF_VIEW = "individu"
#: Below this, a theme's reliability (Cronbach's alpha) is too low to lean on.
LOW_ALPHA = 0.6
#: How many themes the first screen names as the place to start.
FIRST_THEMES = 2


def stat_from_payload(data: dict | None) -> GroupStat | None:
    """A stored group statistic as the scoring core's :class:`GroupStat` (JSON keys back to
    levels). A suppressed one keeps only ``n``."""
    if data is None:
        return None
    if data.get("suppressed"):
        return GroupStat(n=int(data["n"]), suppressed=True)
    distribution = data.get("distribution")
    return GroupStat(
        n=int(data["n"]),
        suppressed=False,
        mean=data.get("mean"),
        sd=data.get("sd"),
        level=data.get("level"),
        distribution={int(k): int(v) for k, v in distribution.items()} if distribution else None,
        alpha=data.get("alpha"),
    )


@dataclass
class ScanRow:
    """One scan of a class, for the list a mentor looks for: round, status and participation."""

    scan: Scan
    round: ScanRound
    started: int
    finished: int
    expected: int | None


def class_scans(klas: Klas) -> list[ScanRow]:
    """Every student scan of ``klas``, newest round first, with its participation (the scan
    history of the class page and the start page)."""
    return classes_scans([klas.id]).get(klas.id, [])


def classes_scans(klas_ids: list[int]) -> dict[int, list[ScanRow]]:
    """:func:`class_scans` of several classes at once: class id -> its rows (a class without a
    scan has none); four queries whatever the number of classes and scans."""
    if not klas_ids:
        return {}
    scans = list(
        db.session.execute(
            select(Scan, ScanRound)
            .join(ScanRound, ScanRound.id == Scan.round_id)
            .where(Scan.klas_id.in_(klas_ids), Scan.kind == ScanKind.LEERLING)
            .order_by(ScanRound.opens_on.desc(), Scan.id.desc())
        ).all()
    )
    started, finished, expected = participation_counts([scan.id for scan, _ in scans])
    rows: dict[int, list[ScanRow]] = {}
    for scan, scan_round in scans:
        rows.setdefault(scan.klas_id, []).append(
            ScanRow(
                scan=scan,
                round=scan_round,
                started=started.get(scan.id, 0),
                finished=finished.get(scan.id, 0),
                expected=expected.get(scan.id) if scan.mode == ScanMode.PERSONAL else None,
            )
        )
    return rows


def participation_counts(
    scan_ids: list[int],
) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Per student scan: respondents who started, who finished both instruments, and students
    invited (personal mode); three queries whatever the number of scans."""
    started: dict[int, int] = {}
    finished: dict[int, int] = {}
    expected: dict[int, int] = {}
    if not scan_ids:
        return started, finished, expected
    instruments = Response.instrument_id.in_(STUDENT_INSTRUMENTS)
    started = dict(
        db.session.execute(
            select(Response.scan_id, func.count(func.distinct(Response.respondent_id)))
            .where(Response.scan_id.in_(scan_ids), instruments)
            .group_by(Response.scan_id)
        ).all()
    )
    final = (
        select(Response.scan_id, Response.respondent_id)
        .where(Response.scan_id.in_(scan_ids), instruments, Response.status == ResponseStatus.FINAL)
        .group_by(Response.scan_id, Response.respondent_id)
        .having(func.count() == len(STUDENT_INSTRUMENTS))
        .subquery()
    )
    finished = dict(
        db.session.execute(select(final.c.scan_id, func.count()).group_by(final.c.scan_id)).all()
    )
    expected = dict(
        db.session.execute(
            select(RespondentLink.scan_id, func.count())
            .where(RespondentLink.scan_id.in_(scan_ids))
            .group_by(RespondentLink.scan_id)
        ).all()
    )
    return started, finished, expected


@dataclass
class ThemeView:
    """One theme of the class report."""

    theme_id: str
    name: dict[str, str]
    #: What students say about the class (klas) and the class total about themselves (individu).
    klas: GroupStat | None
    individu: GroupStat | None
    #: The pyramid's words for this theme at the class's level (klas view), per language.
    description: dict[str, str] | None
    change: Change | None
    #: Reasons to read the theme with care: "alpha" (reliability below LOW_ALPHA), "few"
    #: (fewer than half the class answered).
    warnings: list[str] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.klas is not None and not self.klas.suppressed


@dataclass
class SignalRow:
    """A student with a signal: a reason for a conversation, never a diagnosis."""

    student: Student | None
    level: int | None
    #: Theme names (per language) at level 1–2 and the critical questions that were answered.
    themes: list[dict[str, str]]
    items: list[dict[str, str]]


@dataclass
class ClassReport:
    scan: Scan
    klas: Klas
    round: ScanRound
    previous: Scan | None
    previous_round: ScanRound | None
    overall: GroupStat | None
    overall_self: GroupStat | None
    overall_change: Change | None
    themes: list[ThemeView]
    #: The themes to start with: the weakest shown themes below level 6, at most FIRST_THEMES.
    first_themes: list[ThemeView]
    #: How many students the class had in the scan (personal mode) or in the class (anonymous).
    class_size: int
    min_group_size: int
    signals: list[SignalRow] | None
    #: The class's closed scans of this school year up to this one, in time order: (round name,
    #: theme id -> mean of the klas view, None where suppressed).
    trend: list[tuple[str, dict[str, float | None]]] = field(default_factory=list)

    @property
    def suppressed(self) -> bool:
        return self.overall is None or self.overall.suppressed


def _group_results(scan_ids: list[int]) -> dict[tuple[int, str], dict]:
    """The stored group payloads of these scans: (scan id, instrument) -> payload."""
    if not scan_ids:
        return {}
    rows = db.session.execute(
        select(StoredResult.scan_id, StoredResult.instrument_id, StoredResult.payload).where(
            StoredResult.scan_id.in_(scan_ids), StoredResult.respondent_id.is_(None)
        )
    )
    return {(scan_id, instrument): payload for scan_id, instrument, payload in rows}


def previous_scan(scan: Scan) -> tuple[Scan, ScanRound] | None:
    """The class's closed student scan of the round before this one, if any."""
    this_round = db.session.get(ScanRound, scan.round_id)
    row = db.session.execute(
        select(Scan, ScanRound)
        .join(ScanRound, ScanRound.id == Scan.round_id)
        .where(
            Scan.klas_id == scan.klas_id,
            Scan.kind == ScanKind.LEERLING,
            Scan.status == ScanStatus.CLOSED,
            Scan.id != scan.id,
            ScanRound.opens_on < this_round.opens_on,
        )
        .order_by(ScanRound.opens_on.desc(), Scan.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def class_report(scan: Scan, content: Content, *, with_names: bool) -> ClassReport:
    """The report of a closed student scan. ``with_names``: the reader may see which students
    have a signal (the class's mentors and the care coordinator; personal mode only)."""
    klas = db.session.get(Klas, scan.klas_id)
    scan_round = db.session.get(ScanRound, scan.round_id)
    before = previous_scan(scan)
    previous, previous_round = before if before else (None, None)
    year = _year_scans(scan, scan_round)
    ids = {scan.id, *(year_scan.id for year_scan, _round in year)} | (
        {previous.id} if previous else set()
    )
    stored = _group_results(sorted(ids))
    pyramid = content.pyramid

    def stat(scan_id: int | None, instrument: str, theme: str | None) -> GroupStat | None:
        payload = stored.get((scan_id, instrument)) if scan_id is not None else None
        if payload is None:
            return None
        return stat_from_payload(
            payload["overall"] if theme is None else payload["themes"].get(theme)
        )

    class_size = _class_size(scan, klas)
    themes = []
    for theme_id in [t.id for t in content.instruments[CLASS_VIEW].themes]:
        theme = pyramid.theme(theme_id)
        klas_stat = stat(scan.id, CLASS_VIEW, theme_id)
        earlier = stat(previous.id if previous else None, CLASS_VIEW, theme_id)
        view = ThemeView(
            theme_id=theme_id,
            name={"nl": theme.name.nl, "en": theme.name.en},
            klas=klas_stat,
            individu=stat(scan.id, SELF_VIEW, theme_id),
            description=None,
            change=change(earlier, klas_stat) if earlier and klas_stat else None,
        )
        if view.shown:
            text = theme.descriptions.get(klas_stat.level)
            view.description = {"nl": text.nl, "en": text.en} if text else None
            if klas_stat.alpha is not None and klas_stat.alpha < LOW_ALPHA:
                view.warnings.append("alpha")
            if class_size and klas_stat.n * 2 < class_size:
                view.warnings.append("few")
        themes.append(view)
    shown = [t for t in themes if t.shown]
    first = sorted((t for t in shown if t.klas.level < 6), key=lambda t: t.klas.mean)
    trend = []
    for year_scan, year_round in year:
        payload = stored.get((year_scan.id, CLASS_VIEW))
        if payload is None:
            continue
        means = {}
        for theme_id, data in payload["themes"].items():
            theme_stat = stat_from_payload(data)
            means[theme_id] = None if theme_stat.suppressed else theme_stat.mean
        trend.append((year_round.name, means))
    overall = stat(scan.id, CLASS_VIEW, None)
    earlier_overall = stat(previous.id if previous else None, CLASS_VIEW, None)
    return ClassReport(
        scan=scan,
        klas=klas,
        round=scan_round,
        previous=previous,
        previous_round=previous_round,
        overall=overall,
        overall_self=stat(scan.id, SELF_VIEW, None),
        overall_change=change(earlier_overall, overall) if earlier_overall and overall else None,
        themes=sorted(themes, key=lambda t: (not t.shown, t.klas.mean if t.shown else 0)),
        first_themes=first[:FIRST_THEMES],
        class_size=class_size,
        min_group_size=pyramid.min_group_size,
        signals=signals_of(scan, content)
        if with_names and scan.mode == ScanMode.PERSONAL
        else None,
        trend=trend,
    )


def _year_scans(scan: Scan, scan_round: ScanRound) -> list[tuple[Scan, ScanRound]]:
    """The class's closed student scans in the school year of ``scan_round``, up to it."""
    return list(
        db.session.execute(
            select(Scan, ScanRound)
            .join(ScanRound, ScanRound.id == Scan.round_id)
            .where(
                Scan.klas_id == scan.klas_id,
                Scan.kind == ScanKind.LEERLING,
                Scan.status == ScanStatus.CLOSED,
                ScanRound.school_year_id == scan_round.school_year_id,
                ScanRound.opens_on <= scan_round.opens_on,
            )
            .order_by(ScanRound.opens_on, Scan.id)
        ).all()
    )


def _class_size(scan: Scan, klas: Klas) -> int:
    if scan.mode == ScanMode.PERSONAL:
        return db.session.scalar(
            select(func.count())
            .select_from(RespondentLink)
            .where(RespondentLink.scan_id == scan.id)
        )
    return db.session.scalar(
        select(func.count())
        .select_from(Student)
        .where(Student.klas_id == klas.id, Student.active.is_(True))
    )


def signals_of(scan: Scan, content: Content) -> list[SignalRow]:
    """The scan's signals with the student's name (through the respondent link), by name."""
    items = {
        item.id: {"nl": item.text.nl, "en": item.text.en}
        for instrument in content.instruments.values()
        for item in instrument.items
    }
    rows = db.session.execute(
        with_student(select(Signal, Student))
        .where(Signal.scan_id == scan.id)
        .order_by(Student.achternaam, Student.roepnaam)
    ).all()
    out = []
    for signal, student in rows:
        theme_ids = sorted({t for low in signal.detail.get("themes", {}).values() for t in low})
        names = [content.pyramid.theme(t).name for t in theme_ids]
        out.append(
            SignalRow(
                student=student,
                level=signal.level,
                themes=[{"nl": n.nl, "en": n.en} for n in names],
                items=[items[i] for i in signal.detail.get("items", []) if i in items],
            )
        )
    return out


def level_names(content: Content, lang: str) -> tuple[str, ...]:
    """The pyramid's level names, level 1 first, in ``lang``."""
    levels = sorted(content.pyramid.levels, key=lambda lv: lv.level)
    return tuple(getattr(lv.name, lang) for lv in levels)


def year_trend(
    content: Content,
    lang: str,
    rounds: list[str],
    means: dict[str, list[float | None]],
    *,
    title: str,
    description: str,
) -> charts.TrendData | None:
    """A trend chart's data: per theme (id -> a mean per round, None where hidden) over the
    rounds of a school year; None with fewer than two rounds (nothing to follow)."""
    if len(rounds) < 2:
        return None
    pyramid = content.pyramid
    return charts.TrendData(
        rounds=tuple(rounds),
        lines=tuple(
            charts.TrendLine(name=getattr(pyramid.theme(theme_id).name, lang), means=tuple(line))
            for theme_id, line in means.items()
        ),
        level_bounds=tuple(lv.from_ for lv in sorted(pyramid.levels, key=lambda lv: lv.level)),
        level_names=level_names(content, lang),
        title=title,
        description=description,
        score_label=_("Gemiddelde score (0–100)"),
        theme_header=_("Thema"),
        missing_text=_("te weinig deelnemers"),
        lang=lang,
    )


@dataclass
class ReportCharts:
    """The charts of a class report; None where the group is suppressed (no chart at all)."""

    pyramid: charts.Chart | None = None
    distribution: charts.Chart | None = None
    trend: charts.Chart | None = None
    #: The same charts as PNG bytes, by name (only when asked for: the PDF).
    png: dict[str, bytes | None] = field(default_factory=dict)


def class_report_charts(
    report: ClassReport, content: Content, lang: str, *, png: bool = False
) -> ReportCharts:
    """The class report's charts, drawn from the report's own numbers (cached by the charts
    module: a report read twice renders once). ``png``: each chart also as PNG bytes
    (``Chart``'s table and texts stay), for the PDF: WeasyPrint draws an SVG of this kind
    slowly (about 0.8 s of a report's PDF), an image it places at once."""
    names = level_names(content, lang)
    if report.suppressed:
        return ReportCharts()
    overall = report.overall
    counts = tuple((overall.distribution or {}).get(n, 0) for n in range(1, 7))
    pyramid_data = charts.PyramidData(
        counts=counts,
        class_level=overall.level,
        min_group_size=report.min_group_size,
        level_names=names,
        title=_("De klas in de piramide"),
        description=_(
            "Hoeveel leerlingen op elk niveau van de inclusiepiramide staan, van 1 "
            "(onderaan) tot 6 (bovenaan); de klas als geheel staat op niveau %(n)d.",
            n=overall.level,
        ),
        level_header=pgettext("pyramid level", "Niveau"),
        count_header=_("Aantal leerlingen"),
        class_level_label=_("Niveau van de klas"),
        lang=lang,
    )
    bars = tuple(
        charts.ThemeBar(
            name=t.name[lang],
            counts=tuple((t.klas.distribution or {}).get(n, 0) for n in range(1, 7))
            if t.shown
            else None,
            mean=t.klas.mean if t.shown else None,
        )
        for t in report.themes
    )
    distribution_data = charts.DistributionData(
        themes=bars,
        min_group_size=report.min_group_size,
        level_names=names,
        title=_("Leerlingen per niveau, per thema"),
        description=_(
            "Per thema hoeveel leerlingen op elk niveau staan (wat ze over de klas zeggen), "
            "het zwakste thema bovenaan."
        ),
        theme_header=_("Thema"),
        level_header=pgettext("pyramid level", "Niveau"),
        suppressed_text=_("te weinig deelnemers"),
        lang=lang,
    )
    trend_data = year_trend(
        content,
        lang,
        [name for name, _means in report.trend],
        {
            t.theme_id: [means.get(t.theme_id) for _name, means in report.trend]
            for t in report.themes
        },
        title=_("De thema’s over de meetmomenten van dit schooljaar"),
        description=_(
            "De gemiddelde score per thema (0–100) bij elk meetmoment van dit "
            "schooljaar; de banden zijn de niveaus van de piramide."
        ),
    )
    made = ReportCharts(
        pyramid=charts.pyramid_chart(pyramid_data),
        distribution=charts.distribution_chart(distribution_data),
        trend=charts.trend_chart(trend_data) if trend_data else None,
    )
    if png:
        made.png = {
            "pyramid": charts.pyramid_png(pyramid_data),
            "distribution": charts.distribution_png(distribution_data),
            "trend": charts.trend_png(trend_data) if trend_data else None,
        }
    return made
