"""The programme administrator: schools and their first coordinator. Aggregates only."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wijscan import access
from wijscan.extensions import db
from wijscan.services import schools as school_service
from wijscan.web.admin.forms import SchoolForm
from wijscan.web.util import send_link

bp = Blueprint("admin", __name__, url_prefix="/beheer")


@bp.route("/scholen", methods=["GET", "POST"])
@access.allow(access.BEHEERDER)
def schools():
    form = SchoolForm()
    if form.validate_on_submit():
        school, link = school_service.create_school(
            name=form.name.data,
            town=form.town.data or "",
            coordinator_name=form.coordinator_name.data,
            coordinator_email=form.coordinator_email.data,
            created_by=current_user,
            valid_days=current_app.config["INVITE_VALID_DAYS"],
        )
        send_link(link)
        db.session.commit()
        flash(
            _(
                "%(name)s is toegevoegd. De uitnodiging voor de schoolcoördinator is gemaild "
                "naar %(email)s.",
                name=school.name,
                email=form.coordinator_email.data.strip().lower(),
            ),
            "success",
        )
        return redirect(url_for("admin.schools"))
    return render_template("admin/schools.html", form=form, overview=school_service.overview())
