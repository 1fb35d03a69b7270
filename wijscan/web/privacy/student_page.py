"""The privacy page for students: what the questionnaire asks, who sees what, how long it is
kept and whom to ask, in the plain words of the questionnaire itself.

It opens in the questionnaire's own tab from the intro page, which passes its code as ``terug``
so that the page can link back to where the student was (the questionnaire resumes from the
intro). That code is only used for the link. What the page says about the student's own scan
(its school's retention, personal or anonymous) comes from the codes the questionnaire keeps in
this browser's session, never from the address: nobody can test a code or read another school's
settings with this page.
"""

from __future__ import annotations

from flask import render_template, request, session

from wijscan import access, ratelimit
from wijscan.services import student_privacy
from wijscan.services.content import get_content
from wijscan.services.scans import normalise_code
from wijscan.web.privacy import bp

#: The longest code the questionnaire stores (AccessCode.code).
MAX_CODE_LENGTH = 20


def _back_code(raw: str | None) -> str | None:
    """The questionnaire code to link back to, when it looks like one (nothing is looked up)."""
    code = normalise_code(raw or "")
    if code and code.isascii() and len(code) <= MAX_CODE_LENGTH:
        return code
    return None


def _session_codes(back: str | None) -> list[str]:
    """The codes this browser's session holds, most wanted first: the one the student came
    from, then the most recently opened ones (the rate limiter's list), then those of shared
    codes started and of scans finished here."""
    known: list[str] = []
    opened = session.get(ratelimit.OPENED)
    if isinstance(opened, list):
        known.extend(reversed(opened))
    respondents = session.get("respondents")
    if isinstance(respondents, dict):
        known.extend(reversed(list(respondents)))
    finished = session.get("finished")
    if isinstance(finished, list):
        known.extend(reversed(finished))
    known = [c for c in known if isinstance(c, str)]
    if back in known:
        known.insert(0, back)
    return known


@bp.route("/s/privacy")
@access.public
def for_students():
    back = _back_code(request.args.get("terug"))
    return render_template(
        "privacy/for_students.html",
        back=back,
        own=student_privacy.own_scan(_session_codes(back)),
        default_months=student_privacy.DEFAULT_RETENTION_MONTHS,
        min_group_size=get_content().pyramid.min_group_size,
    )
