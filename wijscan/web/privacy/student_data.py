"""A student's data on request of the student or a parent, for the school coordinator: everything
stored about the student (a page and a JSON download) and its erasure after a confirmation."""

from __future__ import annotations

import json
import re

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from wijscan import access
from wijscan.extensions import db
from wijscan.models import Role, SignalStatus
from wijscan.services import student_data as service
from wijscan.services.content import get_content
from wijscan.web.privacy import bp
from wijscan.web.privacy.audit import action_label
from wijscan.web.util import local_time


def count_text(kind: str, n: int) -> str:
    """A count of the confirmation page in words, e.g. "12 antwoorden op vragen"."""
    if kind == "student":
        return _("de leerling zelf (naam, leerlingnummer, klas)")
    texts = {
        "answers": lambda: ngettext(
            "%(num)d antwoord op een vraag", "%(num)d antwoorden op vragen", n
        ),
        "responses": lambda: ngettext(
            "%(num)d ingevulde vragenlijst", "%(num)d ingevulde vragenlijsten", n
        ),
        "signal_follow_ups": lambda: ngettext(
            "%(num)d notitie bij een signaal", "%(num)d notities bij signalen", n
        ),
        "signals": lambda: ngettext("%(num)d signaal", "%(num)d signalen", n),
        "individual_results": lambda: ngettext(
            "%(num)d persoonlijke uitslag", "%(num)d persoonlijke uitslagen", n
        ),
        "access_codes": lambda: ngettext(
            "%(num)d persoonlijke inlogcode", "%(num)d persoonlijke inlogcodes", n
        ),
        "respondent_links": lambda: ngettext(
            "%(num)d koppeling van een scan aan de leerling",
            "%(num)d koppelingen van scans aan de leerling",
            n,
        ),
    }
    return texts[kind]() if kind in texts else f"{n} {kind}"


STATUS_LABELS = {
    SignalStatus.NEW: _l("Nieuw"),
    SignalStatus.TALKING: _l("In gesprek"),
    SignalStatus.REFERRED: _l("Doorverwezen"),
    SignalStatus.CLOSED: _l("Afgesloten"),
}


class EraseForm(FlaskForm):
    leerlingnummer = StringField(
        _l("Leerlingnummer van de leerling"),
        validators=[
            DataRequired(_l("Typ het leerlingnummer van de leerling om het wissen te bevestigen.")),
            Length(max=30, message=_l("Een leerlingnummer is hoogstens 30 tekens.")),
        ],
    )


@bp.route("/leerlingen/<int:student_id>/gegevens")
@access.allow(Role.COORDINATOR)
def student_data(student_id: int):
    """Everything stored about the student, readable; written to the audit log."""
    student = access.get_student(student_id, manage=True)
    content = get_content()
    data = service.export(student, content, user_id=current_user.id, form="page")
    db.session.commit()  # the audit entry of this export
    pyramid = content.pyramid

    def theme_name(theme_id: str) -> str:
        try:
            return pyramid.theme(theme_id).name.nl
        except KeyError:
            return theme_id

    def level_name(level: int | None) -> str:
        try:
            return f"{level} · {pyramid.level(level).name.nl}" if level else "—"
        except KeyError:
            return str(level)

    def instrument_title(instrument_id: str) -> str:
        instrument = content.instruments.get(instrument_id)
        return instrument.title.nl if instrument is not None else instrument_id

    return render_template(
        "privacy/student_data.html",
        data=data,
        levels=service.levels,
        theme_name=theme_name,
        level_name=level_name,
        instrument_title=instrument_title,
        status_label=lambda status: STATUS_LABELS.get(status, status),
        action_label=action_label,
        when=local_time,
    )


@bp.route("/leerlingen/<int:student_id>/gegevens.json")
@access.allow(Role.COORDINATOR)
def student_data_json(student_id: int):
    """The same as a JSON file to hand to the student or parent; written to the audit log."""
    student = access.get_student(student_id, manage=True)
    data = service.export(student, get_content(), user_id=current_user.id, form="json")
    body = json.dumps(data.to_dict(), ensure_ascii=False, indent=2)
    db.session.commit()
    number = re.sub(r"[^A-Za-z0-9-]", "", student.leerlingnummer) or str(student.id)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="wijscan-gegevens-leerling-{number}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/leerlingen/<int:student_id>/wissen", methods=["GET", "POST"])
@access.allow(Role.COORDINATOR)
def erase_student(student_id: int):
    """What an erasure deletes, and the erasure itself once the coordinator typed the student's
    leerlingnummer. A wrong number changes nothing."""
    student = access.get_student(student_id, manage=True)
    form = EraseForm()
    if form.validate_on_submit():
        typed = form.leerlingnummer.data.strip()
        if typed.casefold() != student.leerlingnummer.strip().casefold():
            form.leerlingnummer.errors.append(
                _("Dit is niet het leerlingnummer van deze leerling. Er is niets gewist.")
            )
        else:
            counts = service.erase(student, user_id=current_user.id)
            db.session.commit()
            flash(
                _(
                    "De gegevens van de leerling zijn gewist (%(n)d rijen).",
                    n=sum(counts.values()),
                ),
                "success",
            )
            return redirect(url_for("setup.students"))
    return render_template(
        "privacy/student_erase.html",
        student=student,
        counts=service.erasure_counts(student),
        count_text=count_text,
        form=form,
    )
