"""The lesbrieven: the catalogue, one lesbrief (page and PDF), and a class's action plan."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_weasyprint import CSS, HTML, render_pdf
from wtforms import SelectChoice

from wijscan import access
from wijscan.content.lesson import sections, steps
from wijscan.extensions import db
from wijscan.models import STREAMS, Role
from wijscan.services import lesbrieven as service
from wijscan.services import what_works as what_works_service
from wijscan.services.content import get_content
from wijscan.web.lesbrieven import words
from wijscan.web.lesbrieven.forms import PlanForm, TaughtForm
from wijscan.web.reports.views import print_css

bp = Blueprint("lesbrieven", __name__)

STAFF = (Role.DOCENT, Role.ZORG, Role.COORDINATOR, access.BEHEERDER)


@bp.app_context_processor
def _words() -> dict:
    return {
        "reason_text": words.reason_text,
        "empty_text": words.empty_text,
        "theme_name": words.theme_name,
        "markdown": words.render_markdown,
        "effort_label": words.effort_label,
    }


def _filters() -> service.Filters:
    """The catalogue's filters from the query; anything that is not a known value is ignored."""
    content = get_content()
    themes = {t.id for t in content.pyramid.themes}
    theme = request.args.get("theme", "")
    stream = request.args.get("stream", "")
    level = request.args.get("level", type=int)
    grade = request.args.get("grade", type=int)
    duration = request.args.get("duration", type=int)
    return service.Filters(
        q=request.args.get("q", "")[:100],
        theme=theme if theme in themes else "",
        level=level if level in range(1, 7) else None,
        grade=grade if grade in range(1, 7) else None,
        stream=stream if stream in STREAMS else "",
        duration=duration if duration in service.DURATIONS else None,
    )


@bp.route("/lesbrieven")
@access.allow(*STAFF)
def catalogue():
    content = get_content()
    filters = _filters()
    found = service.search(content, filters)
    student_themes = [
        t for t in content.pyramid.themes if {"klas", "individu"} & set(t.levels_used)
    ]
    return render_template(
        "lesbrieven/catalogue.html",
        filters=filters,
        found=found,
        total=len(content.lesbrieven),
        themes=student_themes,
        streams=STREAMS,
        durations=service.DURATIONS,
        pyramid=content.pyramid,
    )


def _lesbrief(lesbrief_id: str):
    lesbrief = service.find(get_content(), lesbrief_id)
    if lesbrief is None:
        abort(404)
    return lesbrief


def _plan_form(lesbrief, klas_id: int | None = None) -> PlanForm | None:
    """The form to plan this lesbrief for one of the user's classes (None: not a mentor)."""
    klassen = [k for k in access.visible_klassen() if access.may_plan(k)]
    if not klassen:
        return None
    form = PlanForm(lesbrief_id=lesbrief.id)
    form.klas_id.choices = [SelectChoice(k.id, k.name) for k in klassen]
    if klas_id is not None and request.method == "GET":
        form.klas_id.data = klas_id
    return form


@bp.route("/lesbrieven/<lesbrief_id>")
@access.allow(*STAFF)
def lesbrief(lesbrief_id: str):
    item = _lesbrief(lesbrief_id)
    is_school_staff = access.current_school_id() is not None
    form = _plan_form(item, request.args.get("klas", type=int)) if is_school_staff else None
    part = next((s for s in sections(item.body) if s.title == "Lesverloop"), None)
    return render_template(
        "lesbrieven/lesbrief.html",
        lesbrief=item,
        parts=sections(item.body),
        timed=steps(part)[0] if part else [],
        form=form,
        pyramid=get_content().pyramid,
    )


@bp.route("/lesbrieven/<lesbrief_id>.pdf")
@access.allow(*STAFF)
def lesbrief_pdf(lesbrief_id: str):
    item = _lesbrief(lesbrief_id)
    html = render_template(
        "lesbrieven/lesbrief_pdf.html",
        lesbrief=item,
        parts=sections(item.body),
        pyramid=get_content().pyramid,
    )
    response = render_pdf(HTML(string=html), stylesheets=[CSS(string=print_css())])
    response.headers["Content-Disposition"] = f'inline; filename="lesbrief-{item.id}.pdf"'
    return response


# --- the action plan ---------------------------------------------------------------------------


@bp.route("/klassen/<int:klas_id>/plan")
@access.allow(Role.DOCENT, Role.ZORG, Role.COORDINATOR)
def plan(klas_id: int):
    klas = access.get_klas(klas_id)
    content = get_content()
    rows = service.class_plan(klas, content)
    forms = {}
    if access.may_plan(klas):
        for row in rows:
            if row.plan.taught_on is None:
                forms[row.plan.id] = TaughtForm(
                    prefix=f"p{row.plan.id}", taught_on=row.plan.planned_on or date.today()
                )
    return render_template(
        "lesbrieven/plan.html",
        klas=klas,
        rows=rows,
        forms=forms,
        may_plan=access.may_plan(klas),
        pyramid=content.pyramid,
    )


@bp.route("/plan", methods=["POST"])
@access.allow(Role.DOCENT)
def add_to_plan():
    lesbrief_id = request.form.get("lesbrief_id", "")
    if not lesbrief_id:
        abort(400)
    item = _lesbrief(lesbrief_id)
    form = _plan_form(item)
    if form is None:
        abort(403)
    if not form.validate():
        return render_template(
            "lesbrieven/lesbrief.html",
            lesbrief=item,
            parts=sections(item.body),
            timed=[],
            form=form,
            pyramid=get_content().pyramid,
        ), 400
    klas = access.get_klas(form.klas_id.data)
    service.plan(klas, item, form.planned_on.data, current_user.id)
    db.session.commit()
    flash(_("“%(title)s” staat in het plan van %(klas)s.", title=item.title, klas=klas.name))
    return redirect(url_for("lesbrieven.plan", klas_id=klas.id))


@bp.route("/plan/<int:plan_id>/gegeven", methods=["POST"])
@access.allow(Role.DOCENT)
def mark_taught(plan_id: int):
    row = access.get_plan(plan_id, change=True)
    form = TaughtForm(prefix=f"p{row.id}")
    klas = access.get_klas(row.klas_id)
    if form.validate():
        try:
            service.mark_taught(
                row,
                form.taught_on.data,
                int(form.rating.data),
                form.reflection.data or "",
                today=date.today(),
            )
        except service.PlanError:
            form.taught_on.errors = [
                _("Die datum ligt in de toekomst: vul in wanneer je de les gaf.")
            ]
        else:
            db.session.commit()
            flash(_("De les staat als gegeven in het plan."))
            return redirect(url_for("lesbrieven.plan", klas_id=klas.id))
    content = get_content()
    rows = service.class_plan(klas, content)
    forms = {
        r.plan.id: (form if r.plan.id == row.id else TaughtForm(prefix=f"p{r.plan.id}"))
        for r in rows
        if r.plan.taught_on is None
    }
    return render_template(
        "lesbrieven/plan.html",
        klas=klas,
        rows=rows,
        forms=forms,
        may_plan=True,
        pyramid=content.pyramid,
    ), 400


@bp.route("/plan/<int:plan_id>/verwijderen", methods=["POST"])
@access.allow(Role.DOCENT)
def remove_from_plan(plan_id: int):
    row = access.get_plan(plan_id, change=True)
    klas_id = row.klas_id
    service.remove(row)
    db.session.commit()
    flash(_("De les is uit het plan gehaald."))
    return redirect(url_for("lesbrieven.plan", klas_id=klas_id))


# --- what works --------------------------------------------------------------------------------


@bp.route("/wat-werkt")
@access.allow(Role.COORDINATOR, access.BEHEERDER)
def what_works():
    """Per lesbrief: the change of its theme in classes that taught it against those that did
    not. A school coordinator sees their school; the beheerder all schools, classes counted
    only."""
    content = get_content()
    school_id = access.current_school_id()
    across = school_id is None or not access.has_role(Role.COORDINATOR)
    rows = what_works_service.what_works(
        content,
        None if across else [school_id],
        min_classes=content.pyramid.min_group_size,
    )
    return render_template(
        "lesbrieven/what_works.html",
        rows=rows,
        across=across,
        min_classes=content.pyramid.min_group_size,
        pyramid=content.pyramid,
    )
