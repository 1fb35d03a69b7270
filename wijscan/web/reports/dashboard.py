"""The school dashboard of the schoolcoördinator and its exports (CSV, XLSX)."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import format_decimal, get_locale

from wijscan import access
from wijscan.matching import ThemeResult
from wijscan.models import STREAMS, Role
from wijscan.services import exports
from wijscan.services import lesbrieven as lesbrieven_service
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


@bp.route("/dashboard")
@access.allow(Role.COORDINATOR)
def dashboard():
    board = _dashboard()
    content = get_content()
    lang = str(get_locale())
    return render_template(
        "reports/dashboard.html",
        board=board,
        heatmap=service.heatmap(board, content, lang) if board.result else None,
        trend=service.trend(board, content, lang) if board.result else None,
        pyramid=content.pyramid,
        staff_themes=[t.id for t in content.instruments[service.STAFF_VIEW].themes],
        group_label=service.group_label,
        low_alpha=service.LOW_ALPHA,
        alpha_text=lambda value: format_decimal(value, format="0.00"),
        streams=sorted({g.stream for g in board.result.classes}) if board.result else [],
        leerjaren=sorted({g.leerjaar for g in board.result.classes}) if board.result else [],
        school_matches=_school_matches(board, content),
        content=content,
    )


def _school_matches(board: service.Dashboard, content):
    """School interventions for the staff scan's weak themes (none when it is suppressed)."""
    staff = board.staff
    if staff is None or staff.suppressed:
        return []
    results = [
        ThemeResult(theme_id, cell.stat.level, cell.stat.mean)
        for theme_id, cell in staff.themes.items()
        if cell.shown
    ]
    return lesbrieven_service.school_matches(results, content)


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
