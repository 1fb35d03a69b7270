"""Reports: a class's scans over the school year and the class report of a closed scan."""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Blueprint, abort, render_template
from flask_babel import format_decimal, get_locale
from flask_login import current_user
from flask_weasyprint import CSS, HTML, render_pdf
from markupsafe import Markup

from wijscan import access
from wijscan.extensions import db
from wijscan.kept import Kept
from wijscan.matching import ThemeResult
from wijscan.models import Role, ScanMode, ScanStatus
from wijscan.services import lesbrieven as lesbrieven_service
from wijscan.services import page_stamps
from wijscan.services import reports as report_service
from wijscan.services import student_view as student_view_service
from wijscan.services.content import get_content

bp = Blueprint("reports", __name__)

#: Who reads a class report: its mentors, the care coordinator and the school coordinator.
READERS = (Role.DOCENT, Role.ZORG, Role.COORDINATOR)


@bp.route("/klassen/<int:klas_id>/scans")
@access.allow(*READERS)
def class_scans(klas_id: int):
    klas = access.get_klas(klas_id)
    return render_template(
        "reports/class_scans.html", klas=klas, rows=report_service.class_scans(klas)
    )


@functools.cache
def print_css() -> str:
    return (Path(__file__).resolve().parent.parent / "static" / "report-print.css").read_text()


#: Rendered report bodies: (scan id, when it closed, class name, language, pdf) -> the HTML and
#: the facts the lesbrieven are matched on. A closed scan's results never change, so its body is
#: rendered once per language; names (the signal list) and the class's action plan are not in it
#: and are read for every request. Bounded; per process.
_BODIES: Kept[tuple, tuple[Markup, ReportFacts]] = Kept(256)


@dataclass(frozen=True)
class ReportFacts:
    """What the per-request parts need from the report: the shown theme results, the window
    since the previous round."""

    results: tuple[ThemeResult, ...]
    window: tuple[date | None, date | None]
    has_previous: bool


def _body_key(scan, klas, lang: str, pdf: bool) -> tuple:
    return (scan.id, scan.closed_at, klas.name, lang, pdf)


def _report_body(scan, klas, content, lang: str, *, pdf: bool = False):
    key = _body_key(scan, klas, lang, pdf)
    cached = _BODIES.get(key)
    if cached is None:
        report = report_service.class_report(scan, content, with_names=False)
        body = Markup(  # noqa: S704 - our own template, autoescaped
            render_template(
                "reports/_report_body.html",
                report=report,
                charts=report_service.class_report_charts(report, content, lang, png=pdf),
                pyramid=content.pyramid,
            )
        )
        facts = ReportFacts(
            tuple(lesbrieven_service.report_results(report)),
            lesbrieven_service.scan_window(report.previous, scan),
            report.previous is not None,
        )
        cached = (body, facts)
        _BODIES.put(key, cached)
    return cached


#: Bodies with the class's plan filled in: (body key, plan signature) -> HTML. The plan is read
#: for every request (one query, :func:`lesbrieven.plan_rows`); only when it changed are its
#: parts rendered again.
_FILLED: Kept[tuple, Markup] = Kept(256)


def _with_plan(body_key: tuple, body: Markup, klas, facts: ReportFacts, content, rows) -> Markup:
    key = (body_key, lesbrieven_service.plan_signature(rows))
    filled = _FILLED.get(key)
    if filled is None:
        filled = _fill(body, klas, facts, content, rows, pdf=body_key[-1])
        _FILLED.put(key, filled)
    return filled


def _fill(body: Markup, klas, facts: ReportFacts, content, rows, *, pdf: bool) -> Markup:
    """The cached body with the class's lesbrieven filled in where the body marks their place:
    the first lesson on the first screen, and per theme the matches and what was taught."""
    plan = lesbrieven_service.report_plan(klas, facts.results, facts.window, content, rows)
    shared = {
        "plan": plan,
        "klas": klas,
        "facts": facts,
        "pdf": pdf,
        "pyramid": content.pyramid,
        "content": content,
    }
    parts = {FIRST_MARK: render_template("lesbrieven/_report_first.html", **shared)}
    for theme in content.instruments[report_service.CLASS_VIEW].themes:
        parts[THEME_MARK.format(theme=theme.id)] = render_template(
            "lesbrieven/_report_theme.html",
            theme_id=theme.id,
            matches=plan.for_theme(theme.id),
            taught=plan.taught.get(theme.id, []),
            **shared,
        )
    text = str(body)
    for mark, html in parts.items():
        text = text.replace(mark, html)
    return Markup(text)  # noqa: S704 - our own templates, autoescaped


#: Where the body leaves room for the per-request parts (see _report_body.html).
FIRST_MARK = "<!--wijscan:first-lesbrief-->"
THEME_MARK = "<!--wijscan:theme:{theme}-->"


def _report_page(scan_id: int, template: str, *, pdf: bool = False) -> str:
    scan = access.get_student_scan(scan_id)
    if scan.status != ScanStatus.CLOSED:
        abort(404)
    klas = access.get_klas(scan.klas_id)
    content = get_content()
    names = access.may_see_names(klas) and scan.mode == ScanMode.PERSONAL
    lang = str(get_locale())
    body_key = _body_key(scan, klas, lang, pdf)
    plan = lesbrieven_service.plan_rows(klas.id)
    signals = report_service.signals_of(scan, content) if names else None
    body, facts = _report_body(scan, klas, content, lang, pdf=pdf)
    return render_template(
        template,
        klas=klas,
        scan_round=scan.round,
        body=_with_plan(body_key, body, klas, facts, content, plan),
        signals=signals,
    )


@bp.route("/rapport/<int:scan_id>")
@access.allow(*READERS)
@access.kept_page(page_stamps.CLASS_REPORT)
def class_report(scan_id: int):
    return _report_page(scan_id, "reports/class_report.html")


@bp.route("/rapport/<int:scan_id>.pdf")
@access.allow(*READERS)
def class_report_pdf(scan_id: int):
    """The class report as a PDF for the leerlingbespreking; names only for those who may see
    them, as on the page. Charts are PNG data (WeasyPrint draws them at once; it draws these
    SVGs slowly) and the print stylesheet is passed in, so WeasyPrint fetches nothing."""
    html = _report_page(scan_id, "reports/class_report_pdf.html", pdf=True)
    response = render_pdf(HTML(string=html), stylesheets=[CSS(string=print_css())])
    response.headers["Content-Disposition"] = f'inline; filename="klasrapport-{scan_id}.pdf"'
    return response


@bp.route("/leerlingen/<int:student_id>/beeld")
@access.allow(Role.DOCENT, Role.ZORG, Role.COORDINATOR)
def student_view(student_id: int):
    """One student over the rounds: for the class's mentors and the care coordinator only, and
    written to the audit log."""
    student = access.get_student(student_id)
    if not access.may_see_student(student):
        abort(404)
    view = student_view_service.student_view(student, get_content(), viewer_id=current_user.id)
    db.session.commit()  # the audit entry of this view
    return render_template("reports/student_view.html", view=view, pyramid=get_content().pyramid)


@bp.app_template_filter("b64")
def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@bp.app_template_filter("points")
def points(value: float | None, signed: bool = False) -> str:
    """A score or change on the 0–100 scale for reading: one decimal, in the reader's locale."""
    if value is None:
        return "—"
    text = format_decimal(abs(value) if signed else value, format="0.0")
    if signed:
        return ("+" if value >= 0 else "−") + text
    return text


from wijscan.web.reports import dashboard  # noqa: E402,F401
