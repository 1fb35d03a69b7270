"""The questionnaire: short address → code → intro → a page per theme → done.

Works without JavaScript. A personal code is the respondent; with a shared (anonymous) code the
respondent id lives only in this browser's session cookie.
"""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from wijscan import access
from wijscan.extensions import db, limiter
from wijscan.models import AccessCode, ScanKind
from wijscan.services import scans as scan_service
from wijscan.services import survey as survey_service
from wijscan.services.content import get_content
from wijscan.web.survey.forms import CodeForm

bp = Blueprint("survey", __name__, url_prefix="/s")


def _code_limit() -> str:
    return current_app.config["CODE_RATE_LIMIT"]


def _failed(response) -> bool:
    # Only wrong codes count towards the limit: a class behind one school address can start.
    return response.status_code == 404


#: One bucket per address for every route that takes a code, so guessing cannot hop routes.
code_limit = limiter.shared_limit(_code_limit, scope="survey-code", deduct_when=_failed)


def _unknown_code():
    form = CodeForm(formdata=None)
    return render_template("survey/enter.html", form=form, unknown=True), 404


def _code_or_none(code: str) -> AccessCode | None:
    return survey_service.find_code(code, date.today())


def _anonymous_key(code: AccessCode) -> str:
    return f"scan-{code.scan_id}"


def _respondent(code: AccessCode, *, create: bool) -> str | None:
    """The respondent id for this visit: the code's own, or this browser's for a shared code."""
    if code.respondent_id is not None:
        return code.respondent_id
    mine = session.get("respondents", {})
    key = _anonymous_key(code)
    if key not in mine and create:
        mine = {**mine, key: scan_service.new_respondent_id()}
        session["respondents"] = mine
    return mine.get(key)


def _done_here(code: AccessCode) -> bool:
    return _anonymous_key(code) in session.get("finished", [])


@bp.route("", methods=["GET", "POST"])
@access.public
@code_limit
def enter():
    form = CodeForm()
    if form.validate_on_submit():
        code = _code_or_none(form.code.data)
        if code is None:
            return _unknown_code()
        return redirect(url_for("survey.intro", code=code.code))
    return render_template("survey/enter.html", form=form, unknown=False)


@bp.route("/<code>", methods=["GET", "POST"])
@access.public
@code_limit
def intro(code: str):
    access_code = _code_or_none(code)
    if access_code is None or _done_here(access_code):
        return _unknown_code()
    if request.args.get("taal") in current_app.config["BABEL_SUPPORTED_LOCALES"]:
        session["locale"] = request.args["taal"]
    scan = survey_service.scan_of(access_code)
    pages = survey_service.pages_for(scan, get_content())
    respondent = _respondent(access_code, create=False)
    state = survey_service.state(scan, respondent, pages) if respondent else None
    if request.method == "POST":
        respondent = _respondent(access_code, create=True)
        page = state.next_page if state else 0
        return redirect(url_for("survey.page", code=access_code.code, number=page + 1))
    return render_template(
        "survey/intro.html",
        code=access_code,
        scan=scan,
        staff=scan.kind == ScanKind.MEDEWERKER,
        personal=survey_service.personal(access_code),
        resuming=bool(state and (state.answers or state.next_page)),
        page_count=len(pages),
    )


@bp.route("/<code>/<int:number>", methods=["GET", "POST"])
@access.public
@code_limit
def page(code: str, number: int):
    access_code = _code_or_none(code)
    if access_code is None or _done_here(access_code):
        return _unknown_code()
    respondent = _respondent(access_code, create=False)
    if respondent is None:
        return redirect(url_for("survey.intro", code=access_code.code))
    scan = survey_service.scan_of(access_code)
    pages = survey_service.pages_for(scan, get_content())
    if not 1 <= number <= len(pages):
        abort(404)
    current = pages[number - 1]
    error_item = None
    if request.method == "POST":
        try:
            survey_service.save_page(scan, respondent, current, pages, request.form)
        except survey_service.SurveyError as error:
            db.session.rollback()
            error_item = error.item
        else:
            going_back = request.form.get("nav") == "back"
            last = number == len(pages)
            if last and not going_back:
                survey_service.finish(scan, respondent, pages, access_code)
                db.session.commit()
                if access_code.respondent_id is None:
                    session["finished"] = [
                        *session.get("finished", []),
                        _anonymous_key(access_code),
                    ]
                return redirect(url_for("survey.done"))
            db.session.commit()
            target = number - 1 if going_back else number + 1
            return redirect(url_for("survey.page", code=access_code.code, number=max(target, 1)))
    state = survey_service.state(scan, respondent, pages)
    return render_template(
        "survey/page.html",
        code=access_code,
        page=current,
        number=number,
        page_count=len(pages),
        answers=state.answers,
        error_item=error_item,
        theme=get_content().pyramid.theme(current.theme_id),
        scale=current.instrument.scale,
    ), (400 if error_item else 200)


@bp.route("/klaar")
@access.public
def done():
    return render_template("survey/done.html")


@bp.errorhandler(429)
def _too_many(error):
    return render_template("survey/enter.html", form=CodeForm(formdata=None), limited=True), 429
