"""The school dashboard of the schoolcoördinator and its exports (CSV, XLSX)."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from wijscan import access, charts
from wijscan.models import STREAMS, Role
from wijscan.services import exports
from wijscan.services import school_report as service
from wijscan.services.content import get_content
from wijscan.web.reports.views import bp


def _filters() -> dict:
    """The query's round, leerjaar and stream; anything that is not one of them is ignored."""
    leerjaar = request.args.get("leerjaar", type=int)
    stream = request.args.get("stream") or None
    return {
        "round_id": request.args.get("round", type=int),
        "leerjaar": leerjaar if leerjaar in range(1, 7) else None,
        "stream": stream if stream in STREAMS else None,
    }


def _dashboard() -> service.Dashboard:
    school_id = access.require_school()
    board = service.dashboard(school_id, get_content(), **_filters())
    if board is None:
        abort(404)
    return board


def _level_names(pyramid, lang: str) -> tuple[str, ...]:
    return tuple(getattr(lv.name, lang) for lv in sorted(pyramid.levels, key=lambda v: v.level))


def _group_label(group: service.Group) -> str:
    if group.kind == "school":
        return _("School")
    if group.kind == "leerjaar":
        return _("Leerjaar %(n)d", n=group.leerjaar)
    if group.kind == "stroming":
        return _("Stroming %(s)s", s=group.stream)
    return group.name


def _heatmap(board: service.Dashboard, content, lang: str) -> charts.Chart | None:
    groups = [*board.classes, *board.totals]
    if not groups:
        return None
    pyramid = content.pyramid
    columns = board.year.columns
    names = [
        _("Totaal") if c == service.OVERALL else getattr(pyramid.theme(c).name, lang)
        for c in columns
    ]
    return charts.heatmap_chart(
        charts.HeatmapData(
            rows=tuple(_group_label(g) for g in groups),
            columns=tuple(names),
            cells=tuple(
                tuple(g.cells[c].stat.level if g.cells[c].shown else None for c in columns)
                for g in groups
            ),
            level_names=_level_names(pyramid, lang),
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


def _trend(board: service.Dashboard, content, lang: str) -> charts.Chart | None:
    rounds = board.year.rounds if board.year else []
    if len(rounds) < 2:
        return None
    pyramid = content.pyramid
    levels = sorted(pyramid.levels, key=lambda lv: lv.level)
    themes = [c for c in board.year.columns if c != service.OVERALL]
    return charts.trend_chart(
        charts.TrendData(
            rounds=tuple(r.round.name for r in rounds),
            lines=tuple(
                charts.TrendLine(
                    name=getattr(pyramid.theme(t).name, lang),
                    means=tuple(
                        r.school.cells[t].stat.mean if r.school.cells[t].shown else None
                        for r in rounds
                    ),
                )
                for t in themes
            ),
            level_bounds=tuple(lv.from_ for lv in levels),
            level_names=_level_names(pyramid, lang),
            title=_("De school over de meetmomenten van dit schooljaar"),
            description=_(
                "De gemiddelde score van alle leerlingen per thema (0–100) bij elk meetmoment "
                "van dit schooljaar; de banden zijn de niveaus van de piramide."
            ),
            score_label=_("Gemiddelde score (0–100)"),
            theme_header=_("Thema"),
            missing_text=_("te weinig deelnemers"),
            lang=lang,
        )
    )


@bp.route("/dashboard")
@access.allow(Role.COORDINATOR)
def dashboard():
    board = _dashboard()
    content = get_content()
    lang = str(get_locale())
    return render_template(
        "reports/dashboard.html",
        board=board,
        heatmap=_heatmap(board, content, lang) if board.result else None,
        trend=_trend(board, content, lang) if board.result else None,
        pyramid=content.pyramid,
        staff_themes=[t.id for t in content.instruments[service.STAFF_VIEW].themes],
        group_label=_group_label,
        low_alpha=service.LOW_ALPHA,
        alpha_text=lambda value: format_decimal(value, format="0.00"),
        streams=sorted({g.stream for g in board.result.classes}) if board.result else [],
        leerjaren=sorted({g.leerjaar for g in board.result.classes}) if board.result else [],
    )


def _export(kind: str) -> Response:
    board = _dashboard()
    data = (
        exports.rows(board.year, leerjaar=board.leerjaar, stream=board.stream) if board.year else []
    )
    name = "wijscan-groepsresultaten"
    if board.round is not None:
        name += f"-{board.round.school_year_id}"
    if kind == "csv":
        body, mimetype = exports.to_csv(data), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(data)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/dashboard/export.csv")
@access.allow(Role.COORDINATOR)
def dashboard_csv():
    return _export("csv")


@bp.route("/dashboard/export.xlsx")
@access.allow(Role.COORDINATOR)
def dashboard_xlsx():
    return _export("xlsx")
