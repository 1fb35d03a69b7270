"""The signals page of the care coordinator and the mentors, and one signal with its log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from wijscan import access
from wijscan.extensions import db
from wijscan.models import Role, SignalStatus
from wijscan.services import signals as service
from wijscan.services.content import get_content
from wijscan.web.validators import VisibleText

bp = Blueprint("signals", __name__)

READERS = (Role.DOCENT, Role.ZORG, Role.COORDINATOR)

STATUS_LABELS = {
    SignalStatus.NEW: _l("nieuw"),
    SignalStatus.TALKING: _l("in gesprek"),
    SignalStatus.REFERRED: _l("doorverwezen"),
    SignalStatus.CLOSED: _l("afgesloten"),
}


class FollowUpForm(FlaskForm):
    status = RadioField(
        _l("Stand van zaken"),
        choices=[SelectChoice(s.name, label) for s, label in STATUS_LABELS.items()],
        validators=[InputRequired(_l("Kies de stand van zaken."))],
    )
    note = TextAreaField(
        _l("Korte notitie (feiten, geen oordeel of diagnose)"),
        filters=[lambda text: " ".join(text.split()) if text else text],
        validators=[
            Optional(),
            Length(
                max=service.NOTE_LENGTH, message=_l("Houd de notitie kort: hoogstens 1000 tekens.")
            ),
            VisibleText(),
        ],
    )


@bp.app_context_processor
def _labels() -> dict:
    return {"signal_status": lambda status: STATUS_LABELS.get(status, status)}


@bp.route("/signalen")
@access.allow(*READERS)
def signal_list():
    school_id = access.require_school()
    include_closed = request.args.get("alle") == "1"
    rows = service.signal_rows(
        school_id,
        get_content(),
        klas_ids=access.signal_klas_ids(),
        include_closed=include_closed,
    )
    return render_template(
        "signals/list.html",
        rows=rows,
        include_closed=include_closed,
        pyramid=get_content().pyramid,
    )


def _row(signal_id: int) -> service.SignalRow:
    signal = access.get_signal(signal_id)
    rows = service.signal_rows(
        signal.school_id, get_content(), include_closed=True, signal_ids=[signal.id]
    )
    if not rows:
        abort(404)
    return rows[0]


def _detail_page(row: service.SignalRow, form: FollowUpForm, status: int = 200):
    content = get_content()
    view = service.detail(row, content, viewer_id=current_user.id)
    db.session.commit()  # the audit entry of this view (and nothing else)
    return render_template(
        "signals/detail.html", view=view, form=form, pyramid=content.pyramid, content=content
    ), status


@bp.route("/signalen/<int:signal_id>")
@access.allow(*READERS)
def signal_detail(signal_id: int):
    row = _row(signal_id)
    return _detail_page(row, FollowUpForm(status=row.signal.status.name))


@bp.route("/signalen/<int:signal_id>", methods=["POST"])
@access.allow(*READERS)
def follow_up(signal_id: int):
    row = _row(signal_id)
    form = FollowUpForm()
    if not form.validate():
        return _detail_page(row, form, 400)
    service.follow_up(
        row.signal, SignalStatus[form.status.data], form.note.data or "", current_user.id
    )
    db.session.commit()
    flash(_("De stand van zaken is opgeslagen."))
    return redirect(url_for("signals.signal_detail", signal_id=signal_id))
