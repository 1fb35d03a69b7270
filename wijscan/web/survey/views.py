"""The questionnaire: short address → code → intro → a page per theme (a short page between the
part about the class and the part about yourself) → done.

Works without JavaScript. A personal code is the respondent; with a shared (anonymous) code the
respondent id lives only in this browser's session cookie.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from wijscan import access, ratelimit
from wijscan.extensions import db
from wijscan.models import ResponseStatus, ScanKind
from wijscan.services import scans as scan_service
from wijscan.services import survey as survey_service
from wijscan.services.content import get_content
from wijscan.web.survey.forms import CodeForm

bp = Blueprint("survey", __name__, url_prefix="/s")


#: Wrong codes on every route that takes one share their counts (guessing cannot hop routes):
#: per browser, and per address as a ceiling. A valid code always goes through, and a code this
#: browser has opened is not counted: a class behind one school address is never blocked
#: (wijscan/ratelimit.py).
code_limit = ratelimit.wrong_codes(
    "CODE_RATE_LIMIT",
    "CODE_ADDRESS_RATE_LIMIT",
    "survey-code",
    normalise=scan_service.normalise_code,
)


def _unknown_code(code: str | None = None):
    """A code that opens nothing (404, counted as a wrong code). A real code that was used or
    whose scan closed gets words that help its holder; any other code — one that does not exist
    above all — the one neutral message, so that what is typed cannot tell which codes exist."""
    closed = None
    if code is not None:
        with db.engine.begin() as conn:
            closed = survey_service.why_closed(conn, code, date.today())
    form = CodeForm(formdata=None)
    return render_template("survey/enter.html", form=form, unknown=True, closed=closed), 404


#: The app's :class:`~wijscan.services.survey.KnownCodes` (in ``app.extensions``).
KNOWN_CODES = "wijscan_known_codes"
bp.record_once(
    lambda state: state.app.extensions.setdefault(KNOWN_CODES, survey_service.KnownCodes())
)


def _entry(conn: Connection, code: str) -> survey_service.Entry | None:
    mine = session.get("respondents", {}).get(scan_service.normalise_code(code))
    known = current_app.extensions[KNOWN_CODES]
    return survey_service.find_code(conn, code, date.today(), mine, known)


def _respondent(entry: survey_service.Entry, *, create: bool) -> str | None:
    """The respondent id for this visit: the code's own, or for a shared code the one this
    browser's session keeps under the code (a shared code belongs to one scan)."""
    if entry.respondent_id is not None:
        return entry.respondent_id
    mine = session.get("respondents", {})
    if entry.text not in mine and create:
        mine = {**mine, entry.text: scan_service.new_respondent_id()}
        session["respondents"] = mine
    return mine.get(entry.text)


def _finished_here(code: str) -> bool:
    """This browser finished the scan of ``code`` (a late double tap lands on the thank-you)."""
    return scan_service.normalise_code(code) in session.get("finished", [])


def _all_final(entry: survey_service.Entry) -> bool:
    """The visiting respondent's responses are final: they finished (with a shared code, from
    a session cookie older than the end, say). Nothing of theirs can change any more."""
    return all(
        entry.responses.get(instrument_id, (None, None))[1] == ResponseStatus.FINAL
        for instrument_id in entry.instruments.split()
    )


def _to_done(code: str):
    """The thank-you page, remembered in this browser."""
    if code not in session.get("finished", []):
        session["finished"] = [*session.get("finished", []), code]
    return url_for("survey.done", code=code)


# The questionnaire's views run their SQL on one Core connection and transaction of their own,
# committed before anything is rendered (a page save is the hot path of a scan morning; on SQLite
# a POST holds the write lock until then).


@bp.route("", methods=["GET", "POST"])
@access.public
@code_limit
def enter():
    form = CodeForm()
    if form.validate_on_submit():
        with db.engine.begin() as conn:
            entry = _entry(conn, form.code.data)
        if entry is None:
            return _unknown_code(form.code.data)
        return redirect(url_for("survey.intro", code=entry.text))
    return render_template("survey/enter.html", form=form, unknown=False)


@bp.route("/<code>", methods=["GET", "POST"])
@access.public
@code_limit
def intro(code: str):
    if _finished_here(code):
        return redirect(url_for("survey.done", code=code))
    state = respondent = None
    with db.engine.begin() as conn:
        entry = _entry(conn, code)
        if entry is not None:
            pages = survey_service.pages_for(entry.instruments, get_content())
            respondent = _respondent(entry, create=False)
            if respondent:
                state = survey_service.state(conn, entry.scan_id, respondent, pages)
    if entry is None:
        return _unknown_code(code)
    if respondent and _all_final(entry):
        return redirect(_to_done(entry.text))
    if request.args.get("taal") in current_app.config["BABEL_SUPPORTED_LOCALES"]:
        session["locale"] = request.args["taal"]
    if request.method == "POST":
        if respondent is None:
            with db.engine.begin() as conn:
                claimed = survey_service.claim_place(conn, entry)
            if not claimed:
                return render_template("survey/full.html", code=entry.text), 409
        _respondent(entry, create=True)
        page = state.next_page if state else 0
        return redirect(url_for("survey.page", code=entry.text, number=page + 1))
    return render_template(
        "survey/intro.html",
        code=entry.text,
        staff=entry.kind == ScanKind.MEDEWERKER,
        personal=entry.personal,
        resuming=bool(state and (state.answers or state.next_page)),
        page_count=len(pages),
    )


@dataclass
class _Visit:
    """What a questionnaire page request did and found (``page``'s transaction)."""

    entry: survey_service.Entry | None = None
    respondent: str | None = None
    pages: list[survey_service.Page] = field(default_factory=list)
    saved: bool = False
    #: The last page was saved going forward: the responses are final.
    finished: bool = False
    #: The responses were final already: nothing was saved, nothing can be.
    final_before: bool = False
    error_item: str | None = None
    state: survey_service.State | None = None


def _visit(conn: Connection, code: str, number: int, going_back: bool) -> _Visit:
    visit = _Visit(entry=_entry(conn, code))
    entry = visit.entry
    if entry is None:
        return visit
    visit.respondent = _respondent(entry, create=False)
    if visit.respondent is None:
        return visit
    visit.pages = survey_service.pages_for(entry.instruments, get_content())
    if not 1 <= number <= len(visit.pages):
        abort(404)
    if _all_final(entry):
        visit.final_before = True
        return visit
    current = visit.pages[number - 1]
    if request.method == "POST":
        try:
            # An answer off the scale is refused before anything is written.
            survey_service.save_page(
                conn,
                entry.scan_id,
                visit.respondent,
                current,
                visit.pages,
                request.form,
                responses=entry.responses,
            )
        except survey_service.SurveyError as error:
            visit.error_item = error.item
        else:
            visit.saved = True
            if number == len(visit.pages) and not going_back:
                survey_service.finish(
                    conn,
                    entry.scan_id,
                    visit.respondent,
                    visit.pages,
                    entry.code_id,
                    responses=entry.responses,
                )
                visit.finished = True
            return visit
    visit.state = survey_service.state(conn, entry.scan_id, visit.respondent, visit.pages)
    return visit


def _save_at_once(code: str, number: int, going_back: bool) -> str | None:
    """A page saved in one statement where the database can (PostgreSQL): the address to go on
    to. The code's scan comes from what this app remembers of it, else from one lookup first.
    None when it saved nothing — another database, an unknown code, a bad answer, a code that
    no longer opens the scan, a response already final — and the long way (``_visit``)
    decides."""
    if not survey_service.can_save_at_once(db.engine):
        return None
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            known = current_app.extensions[KNOWN_CODES].get(code) or _entry(conn, code)
            if known is None:
                return None
            pages = survey_service.pages_for(known.instruments, get_content())
            mine = None if known.personal else session.get("respondents", {}).get(known.text)
            if not 1 <= number <= len(pages) or (mine is None and not known.personal):
                return None
            finishing = number == len(pages) and not going_back
            saved = survey_service.save_page_at_once(
                conn,
                known,
                mine,
                date.today(),
                pages[number - 1],
                pages,
                request.form,
                finishing=finishing,
            )
    except survey_service.SurveyError:
        return None  # the long way shows the page again with the question marked
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        # A connection that died while it waited in the pool (wijscan/db.py checks only those
        # idle for a while): the pool has let it go, the long way takes a new one.
        return None
    if not saved:
        return None
    return _after_save(known.text, pages, number, going_back, finished=finishing)


def _after_save(
    code: str, pages: list[survey_service.Page], number: int, going_back: bool, *, finished: bool
) -> str:
    """Where a saved page goes on to; a finished scan is remembered in this browser. Going on
    from the last page of a part (the class) to the next (yourself) passes the short page that
    says so."""
    if finished:
        return _to_done(code)
    if going_back:
        return url_for("survey.page", code=code, number=max(number - 1, 1))
    if _opens_a_part(pages, number + 1):
        # The same page's address (what saved where stays the same), the short page first.
        return url_for("survey.page", code=code, number=number + 1, deel=1)
    return url_for("survey.page", code=code, number=number + 1)


def _opens_a_part(pages: list[survey_service.Page], number: int) -> bool:
    """Page ``number`` (1-based) is the first of an instrument after another one."""
    return (
        1 < number <= len(pages)
        and pages[number - 1].instrument.id != pages[number - 2].instrument.id
    )


@bp.route("/<code>/<int:number>", methods=["GET", "POST"])
@access.public
@code_limit
def page(code: str, number: int):
    if _finished_here(code):
        return redirect(url_for("survey.done", code=code))
    going_back = request.form.get("nav") == "back"
    if request.method == "POST" and (target := _save_at_once(code, number, going_back)):
        return _went_on(target)
    with db.engine.begin() as conn:
        visit = _visit(conn, code, number, going_back)
    entry = visit.entry
    if entry is None:
        return _unknown_code(code)
    if visit.respondent is None:
        return redirect(url_for("survey.intro", code=entry.text))
    if visit.final_before:
        return _went_on(_to_done(entry.text))
    if visit.saved:
        return _went_on(
            _after_save(entry.text, visit.pages, number, going_back, finished=visit.finished)
        )
    if request.method == "GET" and "deel" in request.args and _opens_a_part(visit.pages, number):
        return _render_part(entry.text, visit.pages, number)
    return _render_page(
        entry.text, visit.pages, number, visit.state.answers, error_item=visit.error_item
    )


def _render_page(code, pages, number, answers, *, error_item=None, save_failed=False):
    current = pages[number - 1]
    return render_template(
        "survey/page.html",
        code=code,
        page=current,
        number=number,
        page_count=len(pages),
        answers=answers,
        error_item=error_item,
        save_failed=save_failed,
        # In the respondent's words; the theme's name (for staff) only when the page has none.
        heading=current.title or get_content().pyramid.theme(current.theme_id).name,
        scale=current.instrument.scale,
    ), (400 if error_item or save_failed else 200)


def _render_part(code, pages, number):
    """The short page between two parts of the questionnaire ("Nu gaan de vragen over jou"),
    before page ``number``, the first of the next part: only a link on, nothing to save."""
    instrument = pages[number - 1].instrument
    return render_template(
        "survey/part.html",
        code=code,
        number=number,
        page_count=len(pages),
        instrument=instrument,
        about_you=instrument.level == "individu" and instrument.respondent == "leerling",
        left=len(pages) - number + 1,
    )


def _went_on(target: str):
    """A saved page goes on to ``target``: a redirect, or for survey.js (which keeps the answers
    in the browser until the server confirmed them) the confirmation as JSON."""
    if request.headers.get("X-Wijscan-Save") == "1":
        return jsonify(saved=True, next=target)
    return redirect(target)


@bp.errorhandler(CSRFError)
def _check_failed(error):
    """A post whose check failed (a session cookie lost, a token from before a restart): nothing
    is lost. A questionnaire page comes back with the answers as sent and one calm sentence; the
    other steps start again where they were."""
    args = request.view_args or {}
    if request.endpoint == "survey.page":
        with db.engine.begin() as conn:
            entry = _entry(conn, args["code"])
        if entry is None:
            return _unknown_code(args["code"])
        pages = survey_service.pages_for(entry.instruments, get_content())
        number = args["number"]
        if not 1 <= number <= len(pages):
            abort(404)
        sent = survey_service.sent_values(pages[number - 1], request.form)
        return _render_page(entry.text, pages, number, sent, save_failed=True)
    if "code" in args:
        return redirect(url_for("survey.intro", code=args["code"]))
    form = CodeForm(formdata=None)
    return render_template("survey/enter.html", form=form, unknown=False, again=True), 400


@bp.route("/klaar")
@bp.route("/<code>/klaar")
@access.public
def done(code: str | None = None):
    shared = code is not None and _finished_here(code) and "respondents" in session
    return render_template("survey/done.html", code=code, shared=shared)


@bp.route("/<code>/opnieuw", methods=["POST"])
@access.public
def again(code: str):
    """Another student on the same device, for a shared class code: forget this browser's
    finished respondent so the next student starts fresh."""
    normalised = scan_service.normalise_code(code)
    session["finished"] = [c for c in session.get("finished", []) if c != normalised]
    session.pop("respondents", None)
    return redirect(url_for("survey.intro", code=normalised))


@bp.errorhandler(429)
def _too_many(error):
    return render_template("survey/enter.html", form=CodeForm(formdata=None), limited=True), 429
