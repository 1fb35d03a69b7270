"""Running a scan: the mentor opens it for a class, shows the code and watches the progress;
the coordinator runs the staff scan and follows participation across the round."""

from __future__ import annotations

import io
from datetime import date

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from wijscan import access, mail
from wijscan.db import write_transaction
from wijscan.extensions import db
from wijscan.models import Role, Scan, ScanKind, ScanMode, ScanRound, ScanStatus, Student
from wijscan.services import reports as report_service
from wijscan.services import scans as scan_service
from wijscan.services import setup as setup_service
from wijscan.services import survey as survey_service
from wijscan.services.content import get_content
from wijscan.web.scans.forms import OpenScanForm

bp = Blueprint("scans", __name__)

RUNNERS = (Role.DOCENT, Role.COORDINATOR)


def _short_address() -> str:
    return url_for("survey.enter", _external=True)


def _scan_for_user(scan_id: int) -> Scan:
    scan = access.get_school_object(Scan, scan_id)
    if scan.kind == ScanKind.MEDEWERKER:
        if not access.has_role(Role.COORDINATOR):
            abort(404)
    else:
        klas = access.get_klas(scan.klas_id)
        if not (access.has_role(Role.COORDINATOR) or access.is_mentor_of(klas)):
            abort(404)
    # A scan whose round has ended closes the first time anyone looks at it.
    if scan.status == ScanStatus.OPEN and scan.round.closes_on < date.today():
        with write_transaction(db.session):
            scan_service.close_scan(scan, get_content(), None)
    return scan


@bp.route("/klassen/<int:klas_id>/scan", methods=["GET", "POST"])
@access.allow(*RUNNERS)
def open_scan(klas_id: int):
    """Open the class's scan of the current round. A class has one per round: once it is there
    (open or closed) this page leads to it instead of offering a second one."""
    klas = access.get_klas(klas_id)
    if not (access.has_role(Role.COORDINATOR) or access.is_mentor_of(klas)):
        abort(404)
    scan_round = scan_service.open_round(klas.school_id, date.today())
    existing = scan_service.current_scan(klas, scan_round) if scan_round else None
    form = OpenScanForm()
    if scan_round is not None and existing is None and form.validate_on_submit():
        try:
            scan = scan_service.open_student_scan(
                klas, scan_round, ScanMode(form.mode.data), current_user, get_content()
            )
            db.session.commit()
        except (scan_service.ScanExists, IntegrityError):
            # Another request opened it first (two submits at once): show that one. The unique
            # index on round and class refused this insert, or its check found the other's scan.
            db.session.rollback()
            existing = scan_service.current_scan(klas, scan_round)
            if existing is None:
                raise
        except setup_service.SetupError as error:
            db.session.rollback()
            form.mode.errors.append(error.message)
        else:
            return redirect(url_for("scans.screen", scan_id=scan.id))
    if existing is not None and existing.status == ScanStatus.OPEN:
        return redirect(url_for("scans.screen", scan_id=existing.id))
    # The round's scan is closed: the page shows it and its result, and no form.
    history = report_service.class_scans(klas) if existing is not None else []
    previous = next((row for row in history if existing and row.scan.id == existing.id), None)
    return render_template(
        "scans/open.html",
        klas=klas,
        scan_round=scan_round,
        form=form,
        previous=previous,
        history=history,
    )


@bp.route("/scans/<int:scan_id>")
@access.allow(*RUNNERS)
def screen(scan_id: int):
    scan = _scan_for_user(scan_id)
    code = scan_service.shared_code(scan)
    return render_template(
        "scans/screen.html",
        scan=scan,
        code=code,
        shown_code=scan_service.show_code(code.code) if code else None,
        progress=scan_service.progress(scan),
        short_address=_short_address(),
        students=[slip.student for slip in scan_service.slips(scan)],
        observed=scan_service.observed_students(scan),
    )


@bp.route("/scans/<int:scan_id>/bord")
@access.allow(*RUNNERS)
def board(scan_id: int):
    """The class screen for the smartboard: the address and the code large, the QR code and the
    count; no staff menu and no names (who has not finished stays on the mentor's own screen)."""
    scan = _scan_for_user(scan_id)
    code = scan_service.shared_code(scan)
    state = scan_service.progress(scan)
    return render_template(
        "scans/board.html",
        scan=scan,
        shown_code=scan_service.show_code(code.code) if code else None,
        progress=scan_service.Progress(state.expected, state.started, state.finished),
        short_address=_short_address(),
    )


@bp.route("/scans/<int:scan_id>/code", methods=["POST"])
@access.allow(*RUNNERS)
def class_code(scan_id: int):
    """The class code's cap: one more place, or end the code (nobody new starts)."""
    scan = _scan_for_user(scan_id)
    code = scan_service.shared_code(scan)
    if code is None or scan.kind != ScanKind.LEERLING or scan.status != ScanStatus.OPEN:
        abort(404)
    action = request.form.get("action")
    if action not in {"end", "place"}:
        abort(400)
    if action == "end":
        scan_service.end_code(scan, code, current_user)
        flash(
            _(
                "De code is beëindigd: niemand kan er nog mee beginnen. "
                "Wie al bezig is, kan afmaken."
            ),
            "success",
        )
    else:
        scan_service.add_place(scan, code, current_user)
        flash(_("Er kan nog één leerling met de code beginnen."), "success")
    db.session.commit()
    return redirect(url_for("scans.screen", scan_id=scan.id))


@bp.route("/scans/<int:scan_id>/voortgang")
@access.allow(*RUNNERS)
def progress(scan_id: int):
    scan = _scan_for_user(scan_id)
    state = scan_service.progress(scan)
    code = scan_service.shared_code(scan)
    return jsonify(
        status=scan.status.value,
        code_full=bool(code and code.max_claims is not None and code.claims >= code.max_claims),
        expected=state.expected,
        started=state.started,
        finished=state.finished,
        not_finished=[s.full_name for s in state.not_finished],
    )


@bp.route("/scans/<int:scan_id>/qr.svg")
@access.allow(*RUNNERS)
def qr(scan_id: int):
    scan = _scan_for_user(scan_id)
    code = scan_service.shared_code(scan)
    target = url_for("survey.intro", code=code.code, _external=True) if code else _short_address()
    buffer = io.BytesIO()
    segno.make(target, error="m").save(
        buffer, kind="svg", scale=10, border=2, xmldecl=False, title=_("QR-code voor de scan")
    )
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.route("/scans/<int:scan_id>/briefjes")
@access.allow(*RUNNERS)
def slips(scan_id: int):
    scan = _scan_for_user(scan_id)
    if scan.mode != ScanMode.PERSONAL or scan.kind != ScanKind.LEERLING:
        abort(404)
    return render_template(
        "scans/slips.html",
        scan=scan,
        slips=scan_service.slips(scan),
        show_code=scan_service.show_code,
        short_address=_short_address(),
    )


@bp.route("/scans/<int:scan_id>/sluiten", methods=["GET"])
@access.allow(*RUNNERS)
def confirm_close(scan_id: int):
    """What closing means, with the button that closes (works without JavaScript)."""
    scan = _scan_for_user(scan_id)
    if scan.status != ScanStatus.OPEN:
        return redirect(url_for("scans.screen", scan_id=scan.id))
    return render_template(
        "scans/close.html",
        scan=scan,
        progress=scan_service.progress(scan),
        min_group_size=get_content().pyramid.min_group_size,
    )


@bp.route("/scans/<int:scan_id>/sluiten", methods=["POST"])
@access.allow(*RUNNERS)
def close(scan_id: int):
    scan = _scan_for_user(scan_id)
    scan_service.close_scan(scan, get_content(), current_user)
    db.session.commit()
    flash(_("De scan is gesloten en de resultaten zijn berekend."), "success")
    return redirect(url_for("scans.screen", scan_id=scan.id))


@bp.route("/meetmomenten/<int:round_id>/deelname")
@access.allow(Role.COORDINATOR)
def participation(round_id: int):
    scan_round = access.get_school_object(ScanRound, round_id)
    return render_template(
        "scans/participation.html",
        scan_round=scan_round,
        rows=scan_service.participation(scan_round),
        staff_scan=scan_service.staff_scan(scan_round),
        today=date.today(),
    )


@bp.route("/meetmomenten/<int:round_id>/personeelsscan", methods=["POST"])
@access.allow(Role.COORDINATOR)
def open_staff_scan(round_id: int):
    scan_round = access.get_school_object(ScanRound, round_id)
    if not scan_round.is_open(date.today()):
        flash(_("Dit meetmoment is niet open."), "error")
        return redirect(url_for("scans.participation", round_id=round_id))
    scan = scan_service.open_staff_scan(scan_round.school_id, scan_round, current_user)
    db.session.commit()
    return redirect(url_for("scans.screen", scan_id=scan.id))


@bp.route("/scans/<int:scan_id>/uitnodigen", methods=["POST"])
@access.allow(Role.COORDINATOR)
def invite_staff(scan_id: int):
    scan = _scan_for_user(scan_id)
    if scan.kind != ScanKind.MEDEWERKER or scan.status != ScanStatus.OPEN:
        abort(404)
    staff = setup_service.school_mentors(scan.school_id)
    for user, code in scan_service.personal_staff_codes(scan, staff):
        mail.send(
            user.email,
            _("Vul de personeelsscan van WIJscan in"),
            _(
                "Je persoonlijke link voor de personeelsscan (je antwoorden zijn anoniem; met "
                "deze link kun je later verder): %(link)s",
                link=url_for("survey.intro", code=code, _external=True),
            ),
        )
    db.session.commit()
    flash(
        ngettext(
            "%(num)d medewerker heeft een persoonlijke link gekregen.",
            "%(num)d medewerkers hebben een persoonlijke link gekregen.",
            len(staff),
        ),
        "success",
    )
    return redirect(url_for("scans.screen", scan_id=scan.id))


@bp.route("/scans/<int:scan_id>/observatie/<int:student_id>", methods=["GET", "POST"])
@access.allow(*RUNNERS)
def observation(scan_id: int, student_id: int):
    scan = _scan_for_user(scan_id)
    student = access.get_student(student_id)
    respondent_id = scan_service.respondent_of(scan, student)
    if respondent_id is None or scan.status != ScanStatus.OPEN:
        abort(404)
    instrument = get_content().instruments["observatie"]
    pages = survey_service.instrument_pages(instrument)
    students = [slip.student for slip in scan_service.slips(scan)]
    error_items: dict[str, str] = {}
    empty = False
    if request.method == "POST":
        try:
            # Every answer checked before anything is written; a list without a single answer
            # is not an observation (it would count as filled in).
            given = [survey_service.page_values(page, request.form) for page in pages]
            empty = all(value is None for values in given for value in values.values())
            if not empty:
                for page in pages:
                    survey_service.save_page(
                        db.session.connection(),
                        scan.id,
                        respondent_id,
                        page,
                        pages,
                        request.form,
                        observer_id=current_user.id,
                    )
                survey_service.finish(db.session.connection(), scan.id, respondent_id, pages, None)
        except survey_service.SurveyError as error:
            db.session.rollback()
            error_items[error.item] = _("Kies een van de antwoorden.")
        else:
            if not empty:
                db.session.commit()
                flash(
                    _("De observatie van %(name)s is opgeslagen.", name=student.full_name),
                    "success",
                )
                return redirect(_after_observation(scan, student, students))
    state = survey_service.state(db.session.connection(), scan.id, respondent_id, pages)
    answers = state.answers
    if error_items:  # show what was chosen, nothing lost
        answers = {
            item: value
            for page in pages
            for item, value in survey_service.sent_values(page, request.form).items()
        }
    return render_template(
        "scans/observation.html",
        scan=scan,
        student=student,
        instrument=instrument,
        pages=pages,
        answers=answers,
        errors=error_items,
        empty=empty,
        observed=len(scan_service.observed_students(scan)),
        total=len(students),
        next_student=_next_student(student, students),
    ), (400 if error_items or empty else 200)


def _next_student(student: Student, students: list[Student]) -> Student | None:
    """The student after ``student`` in the class list (by name), or None after the last."""
    ids = [s.id for s in students]
    at = ids.index(student.id) if student.id in ids else len(ids)
    return students[at + 1] if at + 1 < len(students) else None


def _after_observation(scan: Scan, student: Student, students: list[Student]) -> str:
    """Where a saved list leads: with "Opslaan en volgende leerling" to the next student's list
    (after the last, and with plain "Opslaan", back to the class screen)."""
    following = _next_student(student, students) if request.form.get("then") == "next" else None
    if following is not None:
        return url_for("scans.observation", scan_id=scan.id, student_id=following.id)
    return url_for("scans.screen", scan_id=scan.id) + "#obs-h"
