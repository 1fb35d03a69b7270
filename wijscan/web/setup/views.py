"""School set-up: classes and mentors, students (CSV import and by hand), rounds and staff."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from wijscan import access, security
from wijscan.extensions import db
from wijscan.models import Role, ScanRound
from wijscan.services import reports as report_service
from wijscan.services import scans as scan_service
from wijscan.services import setup as setup_service
from wijscan.services import student_import
from wijscan.services import two_factor as two_factor_service
from wijscan.web.setup.forms import (
    ROLE_LABELS,
    ImportForm,
    InviteForm,
    KlasForm,
    RoundForm,
    StudentForm,
)
from wijscan.web.util import send_link

bp = Blueprint("setup", __name__)

COORDINATOR = Role.COORDINATOR
STAFF = (Role.DOCENT, Role.ZORG, Role.COORDINATOR)


def _fail(form, error: setup_service.SetupError) -> None:
    db.session.rollback()
    getattr(form, error.field).errors.append(error.message)


# --- classes ------------------------------------------------------------------------------------


@bp.route("/klassen")
@access.allow(*STAFF)
def my_classes():
    show_archived = access.has_role(COORDINATOR) and request.args.get("archief") == "1"
    klassen = access.visible_klassen(include_archived=show_archived)
    return render_template("setup/klassen.html", klassen=klassen, show_archived=show_archived)


def _klas_form(school_id: int, klas=None) -> KlasForm:
    form = KlasForm(obj=klas)
    form.mentors.choices = [
        SelectChoice(u.id, u.name) for u in setup_service.school_mentors(school_id)
    ]
    if klas is not None and request.method == "GET":
        form.mentors.data = [u.id for u in klas.mentors]
    return form


@bp.route("/klassen/nieuw", methods=["GET", "POST"])
@access.allow(COORDINATOR)
def new_klas():
    return _klas_page(access.require_school(), None)


@bp.route("/klassen/<int:klas_id>")
@access.allow(*STAFF)
def klas_detail(klas_id: int):
    klas = access.get_klas(klas_id)
    students = setup_service.students_of(klas.school_id, klas.id)
    history = report_service.class_scans(klas)
    scan_round = scan_service.open_round(klas.school_id, date.today())
    return render_template(
        "setup/klas_detail.html",
        klas=klas,
        students=students,
        history=history,
        scan_round=scan_round,
        this_round=next((r for r in history if scan_round and r.round.id == scan_round.id), None),
    )


@bp.route("/klassen/<int:klas_id>/bewerken", methods=["GET", "POST"])
@access.allow(COORDINATOR)
def edit_klas(klas_id: int):
    klas = access.get_klas(klas_id, manage=True)
    return _klas_page(klas.school_id, klas)


def _klas_page(school_id: int, klas):
    """The create (``klas`` None) and edit form of a class."""
    form = _klas_form(school_id, klas)
    if form.validate_on_submit():
        try:
            saved = setup_service.save_klas(
                school_id,
                klas=klas,
                name=form.name.data,
                leerjaar=form.leerjaar.data,
                stream=form.stream.data,
                mentor_ids=form.mentors.data or [],
                user_id=current_user.id,
            )
        except setup_service.SetupError as error:
            _fail(form, error)
        else:
            db.session.commit()
            if klas is None:
                flash(_("Klas %(name)s is aangemaakt.", name=saved.name), "success")
            else:
                flash(_("De wijzigingen zijn opgeslagen."), "success")
            return redirect(url_for("setup.klas_detail", klas_id=saved.id))
    return render_template("setup/klas_form.html", form=form, klas=klas)


@bp.route("/klassen/<int:klas_id>/archief", methods=["POST"])
@access.allow(COORDINATOR)
def archive_klas(klas_id: int):
    klas = access.get_klas(klas_id, manage=True)
    archive = request.form.get("archive") == "1"
    setup_service.set_archived(klas, archive, current_user.id)
    db.session.commit()
    if archive:
        flash(_("Klas %(name)s is gearchiveerd.", name=klas.name), "success")
    else:
        flash(_("Klas %(name)s is weer actief.", name=klas.name), "success")
    return redirect(url_for("setup.my_classes"))


# --- students -----------------------------------------------------------------------------------


@bp.route("/leerlingen")
@access.allow(COORDINATOR)
def students():
    school_id = access.require_school()
    klas_id = request.args.get("klas", type=int)
    klassen = setup_service.school_klassen(school_id, include_archived=True)
    show_inactive = request.args.get("inactief") == "1"
    rows = setup_service.students_of(school_id, klas_id, include_inactive=show_inactive)
    return render_template(
        "setup/students.html",
        students=rows,
        klassen=klassen,
        klas_id=klas_id,
        show_inactive=show_inactive,
        klas_names={k.id: k.name for k in klassen},
    )


@bp.route("/leerlingen/import", methods=["GET", "POST"])
@access.allow(COORDINATOR)
@security.upload
def import_students():
    school_id = access.require_school()
    form = ImportForm()
    problems = []
    summary = None
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            summary = student_import.import_students(school_id, data, user_id=current_user.id)
        except student_import.StudentImportError as error:
            db.session.rollback()
            problems = error.problems
        else:
            db.session.commit()
            flash(_("De import is gelukt."), "success")
    return render_template("setup/import.html", form=form, problems=problems, summary=summary)


def _student_form(school_id: int, student=None) -> StudentForm:
    form = StudentForm(obj=student)
    form.klas_id.choices = [SelectChoice(0, _("— geen klas —"))] + [
        SelectChoice(k.id, k.name) for k in setup_service.school_klassen(school_id)
    ]
    if request.method == "GET" and student is not None:
        form.klas_id.data = student.klas_id or 0
    return form


def _save_student_from(form: StudentForm, school_id: int, student=None):
    data = setup_service.StudentData(
        leerlingnummer=form.leerlingnummer.data,
        roepnaam=form.roepnaam.data,
        tussenvoegsel=form.tussenvoegsel.data or "",
        achternaam=form.achternaam.data,
        klas_id=form.klas_id.data or None,
        active=form.active.data,
    )
    return setup_service.save_student(
        school_id, student=student, data=data, user_id=current_user.id
    )


@bp.route("/leerlingen/nieuw", methods=["GET", "POST"])
@bp.route("/leerlingen/<int:student_id>", methods=["GET", "POST"])
@access.allow(COORDINATOR)
def edit_student(student_id: int | None = None):
    school_id = access.require_school()
    student = access.get_student(student_id, manage=True) if student_id else None
    form = _student_form(school_id, student)
    if form.validate_on_submit():
        try:
            saved = _save_student_from(form, school_id, student)
        except setup_service.SetupError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is opgeslagen.", name=saved.full_name), "success")
            return redirect(url_for("setup.students", klas=saved.klas_id or None))
    return render_template("setup/student_form.html", form=form, student=student)


# --- scan rounds --------------------------------------------------------------------------------


@bp.route("/meetmomenten", methods=["GET", "POST"])
@bp.route("/meetmomenten/<int:round_id>", methods=["GET", "POST"])
@access.allow(COORDINATOR)
def rounds(round_id: int | None = None):
    school = access.current_school()
    if school is None:
        abort(403)
    scan_round = access.get_school_object(ScanRound, round_id) if round_id else None
    form = RoundForm(obj=scan_round)
    if form.validate_on_submit():
        try:
            setup_service.save_round(
                school,
                scan_round=scan_round,
                name=form.name.data,
                opens_on=form.opens_on.data,
                closes_on=form.closes_on.data,
                user_id=current_user.id,
            )
        except setup_service.SetupError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("Het meetmoment is opgeslagen."), "success")
            return redirect(url_for("setup.rounds"))
    all_rounds = (
        db.session.query(ScanRound)
        .filter(ScanRound.school_id == school.id)
        .order_by(ScanRound.opens_on)
        .all()
    )
    return render_template("setup/rounds.html", form=form, rounds=all_rounds, editing=scan_round)


# --- staff --------------------------------------------------------------------------------------


@bp.route("/medewerkers", methods=["GET", "POST"])
@access.allow(COORDINATOR)
def staff():
    school = access.current_school()
    if school is None:
        abort(403)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            link = setup_service.invite_staff(
                school.id,
                email=form.email.data,
                name=form.name.data,
                roles=[Role(r) for r in form.roles.data],
                invited_by=current_user,
                valid_days=current_app.config["INVITE_VALID_DAYS"],
            )
        except setup_service.SetupError as error:
            _fail(form, error)
        else:
            send_link(link)
            db.session.commit()
            # The name and address as typed: nothing of an existing account is shown.
            flash(
                _(
                    "De uitnodiging voor %(name)s is gemaild naar %(email)s.",
                    name=form.name.data.strip(),
                    email=form.email.data.strip().lower(),
                ),
                "success",
            )
            return redirect(url_for("setup.staff"))
    return render_template(
        "setup/staff.html",
        form=form,
        staff=setup_service.staff_of(school.id),
        pending=setup_service.pending_invitations(school.id),
        role_labels=ROLE_LABELS,
    )


@bp.route("/medewerkers/<int:user_id>/tweestaps-herstellen", methods=["POST"])
@access.allow(COORDINATOR)
def reset_two_factor(user_id: int):
    """A staff member lost their phone: their two-step login is reset (audited) and they are
    logged out everywhere; where it is required they set it up again at the next login."""
    school_id = access.require_school()
    user = access.get_staff_for_reset(user_id)
    two_factor_service.reset(user, by=current_user, school_id=school_id)
    db.session.commit()
    flash(
        _(
            "De tweestapsverificatie van %(name)s is hersteld; %(name)s is op alle apparaten "
            "uitgelogd.",
            name=user.name,
        ),
        "success",
    )
    return redirect(url_for("setup.staff"))
