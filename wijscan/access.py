"""Who may see or do what: the one place that decides, deny by default.

Every view declares its rule with :func:`allow` or :func:`public`. A ``before_request`` guard
refuses any endpoint without a rule (403), sends anonymous visitors to the login page and refuses
users whose roles in their current school do not match. Object access goes through the ``get_*``
helpers below, which scope every query to the user's school and answer 404 for anything else, so
another school's objects are indistinguishable from objects that do not exist.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, current_app, flash, g, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from wijscan.extensions import db, login
from wijscan.kept import Kept
from wijscan.models import (
    Klas,
    LesbriefPlan,
    Membership,
    Role,
    Scan,
    ScanKind,
    School,
    Signal,
    Student,
    User,
)
from wijscan.services import accounts, page_stamps

#: The programme administrator. Not a school role: it spans schools, aggregates only.
BEHEERDER = "beheerder"
SCHOOL_ROLES = (Role.DOCENT.value, Role.ZORG.value, Role.COORDINATOR.value)
ALL_ROLES = (*SCHOOL_ROLES, BEHEERDER)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Rule:
    public: bool
    roles: frozenset[str]


def allow(*roles: str | Role) -> Callable[[F], F]:
    """Let users holding one of ``roles`` (in their current school) reach the view."""
    names = frozenset(str(r.value if isinstance(r, Role) else r) for r in roles)
    unknown = names - set(ALL_ROLES)
    if unknown or not names:
        raise ValueError(f"unknown roles in access rule: {sorted(unknown) or 'none given'}")

    def decorate(view: F) -> F:
        view.access_rule = Rule(public=False, roles=names)  # type: ignore[attr-defined]
        return view

    return decorate


def public(view: F) -> F:
    """Let anyone reach the view (login page, the student questionnaire)."""
    view.access_rule = Rule(public=True, roles=frozenset())  # type: ignore[attr-defined]
    return view


def rule_for(view: Callable[..., Any]) -> Rule | None:
    return getattr(view, "access_rule", None)


# --- who is asking ------------------------------------------------------------------------------


def memberships() -> list[Membership]:
    if not current_user.is_authenticated:
        return []
    return list(current_user.memberships)


def school_ids() -> list[int]:
    """The schools the user works in, each once, in id order."""
    return sorted({m.school_id for m in memberships()})


def current_school_id() -> int | None:
    """The school the user works in now: the chosen one if they belong to it, else their first.
    Every request acts in this school only: roles held in another school do not count here."""
    schools = school_ids()
    if not schools:
        return None
    chosen = session.get("school_id")
    return chosen if chosen in schools else schools[0]


def choose_school(school_id: int) -> None:
    """Make ``school_id`` the current school (the switch in the navigation); 404 when the user
    does not work there, as for any other school's object."""
    if school_id not in school_ids():
        abort(404)
    session["school_id"] = school_id
    g.pop("access_roles", None)


def my_schools() -> list[School]:
    """The schools the user can switch between, by name."""
    ids = school_ids()
    if len(ids) < 2:
        return []
    return list(db.session.scalars(select(School).where(School.id.in_(ids)).order_by(School.name)))


def current_school() -> School | None:
    school_id = current_school_id()
    return _kept(School, school_id) if school_id is not None else None


def current_roles() -> frozenset[str]:
    if not current_user.is_authenticated:
        return frozenset()
    school_id = current_school_id()
    key = (current_user.id, school_id)
    cached = g.get("access_roles")
    if cached is None or cached[0] != key:
        roles = {m.role.value for m in memberships() if m.school_id == school_id}
        if current_user.is_admin:
            roles.add(BEHEERDER)
        g.access_roles = cached = (key, frozenset(roles))
    return cached[1]


def has_role(*roles: str | Role) -> bool:
    names = {str(r.value if isinstance(r, Role) else r) for r in roles}
    return bool(current_roles() & names)


# --- objects of the user's school ---------------------------------------------------------------


def require_school() -> int:
    school_id = current_school_id()
    if school_id is None:
        abort(403)
    return school_id


def get_klas(klas_id: int, *, manage: bool = False) -> Klas:
    """A class of the user's school the user may see: coordinators and care coordinators see all,
    a docent only the classes they mentor. ``manage`` asks for set-up rights (coordinator)."""
    klas = get_school_object(Klas, klas_id)
    if has_role(Role.COORDINATOR):
        return klas
    if manage:
        abort(403)
    if may_see_names(klas):
        return klas
    abort(404)


def may_see_names(klas: Klas) -> bool:
    """Whether the user may see the class's students by name (its signals, individual results)
    and, for everyone but a coordinator, the class at all: the class's mentors and the care
    coordinator (a coordinator sees every class, without names unless a mentor)."""
    return has_role(Role.ZORG) or is_mentor_of(klas)


def may_see_student(student: Student) -> bool:
    """Individual results of a student: the mentors of the student's class and the care
    coordinator (a coordinator only as mentor)."""
    if student.klas is None:
        return has_role(Role.ZORG)
    return may_see_names(student.klas)


def get_student_scan(scan_id: int) -> Scan:
    """A student scan of the user's school whose class the user may see (as :func:`get_klas`),
    else 404. The staff scan is not a class's: 404 here."""
    scan = get_school_object(Scan, scan_id, options=_SCAN_WITH_CLASS)
    if scan.kind != ScanKind.LEERLING or scan.klas_id is None:
        abort(404)
    get_klas(scan.klas_id)
    return scan


def get_plan(plan_id: int, *, change: bool = False) -> LesbriefPlan:
    """A lesbrief in the plan of a class the user may see; ``change`` (plan, mark taught,
    remove) is for the class's mentors only."""
    row = get_school_object(LesbriefPlan, plan_id)
    klas = get_klas(row.klas_id)
    if change and not may_plan(klas):
        abort(403)
    return row


def get_signal(signal_id: int) -> Signal:
    """A signal of the user's school about a student the user may see by name: the care
    coordinator sees every signal, a mentor those of their classes; anyone else 404."""
    signal = get_school_object(Signal, signal_id)
    if has_role(Role.ZORG):
        return signal
    klas = db.session.get(Klas, signal.klas_id) if signal.klas_id is not None else None
    if klas is not None and is_mentor_of(klas):
        return signal
    abort(404)


def signal_klas_ids() -> list[int] | None:
    """The classes whose signals the user sees: None (all) for the care coordinator, else the
    classes they mentor."""
    if has_role(Role.ZORG):
        return None
    school_id = require_school()
    return list(
        db.session.scalars(
            select(Klas.id).where(
                Klas.school_id == school_id, Klas.mentors.any(User.id == current_user.id)
            )
        )
    )


def may_plan(klas: Klas) -> bool:
    """Whether the user keeps the class's action plan: its mentors."""
    return is_mentor_of(klas)


def is_mentor_of(klas: Klas) -> bool:
    return any(mentor.id == current_user.id for mentor in klas.mentors)


def visible_klassen(*, include_archived: bool = False) -> list[Klas]:
    """The classes the user may see, by name."""
    school_id = require_school()
    query = select(Klas).where(Klas.school_id == school_id).order_by(Klas.name)
    if not include_archived:
        query = query.where(Klas.archived.is_(False))
    if not has_role(Role.COORDINATOR, Role.ZORG):
        query = query.where(Klas.mentors.any(User.id == current_user.id))
    return list(db.session.scalars(query))


def get_student(student_id: int, *, manage: bool = False) -> Student:
    """A student of the user's school, seen through their class (as :func:`get_klas`)."""
    student = get_school_object(Student, student_id)
    if has_role(Role.COORDINATOR):
        return student
    if manage:
        abort(403)
    if student.klas is not None and may_see_names(student.klas):
        return student
    abort(404)


def get_staff_for_reset(user_id: int) -> User:
    """A staff member of the user's school whose second step (two-step login) a coordinator may
    reset; another school's staff (or no one) 404. A beheerder account is not a school's to
    reset (403): a coordinator must not be able to take over the programme administrator."""
    school_id = require_school()
    if not has_role(Role.COORDINATOR):
        abort(403)
    user = db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(User.id == user_id, Membership.school_id == school_id)
        .limit(1)
    )
    if user is None:
        abort(404)
    if user.is_admin:
        abort(403)
    return user


#: A student scan is read with what deciding on it needs (its class and the class's mentors)
#: and what every page of it shows (its round), in one statement.
_SCAN_WITH_CLASS = (
    joinedload(Scan.klas).joinedload(Klas.mentors),
    joinedload(Scan.round),
)


def get_school_object(model: type, object_id: int, *, options: tuple = ()) -> Any:
    """Any row with a ``school_id`` that belongs to the user's school, else 404."""
    school_id = require_school()
    obj = _kept(model, object_id, options)
    if obj is None or obj.school_id != school_id:
        abort(404)
    return obj


def _kept(model: type, object_id: int, options: tuple = ()) -> Any:
    """``db.session.get``, holding on to the row for the rest of the request: the session's
    identity map keeps rows only while something refers to them, and a view that checks a
    class and then reads it (or a page that asks for the current school twice) would load it
    again."""
    kept = g.setdefault("access_rows", {})
    key = (model, object_id)
    if key not in kept:
        kept[key] = db.session.get(model, object_id, options=options)
    return kept[key]


# --- kept pages ---------------------------------------------------------------------------------

#: Whole pages handed out again by the guard (:func:`kept_page`), encoded, least recently used
#: out first. Per process.
PAGES: Kept[tuple, bytes] = Kept(256)


def kept_page(statement: Any) -> Callable[[F], F]:
    """Keep the page the view renders and let the guard hand it out again while nothing it shows
    has changed. ``statement`` (:mod:`wijscan.services.page_stamps`) answers in one query whether
    the login session holds and returns every row the page shows; the view's arguments are its
    parameters. A page read again then costs that one statement instead of loading the user and
    the page's rows, and a session that ended (logout, "end all sessions", a password change, a
    deactivation) or ran out still stops the cookie at once: the statement finds no session and
    the request takes the ordinary way. A page is kept only when the statement gave the same rows
    before and after it was rendered."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def keeping(**kwargs: Any) -> Any:
            generate_csrf()  # the page's forms carry the session's token: make it before keying
            before = _kept_page_key(statement)
            page = view(**kwargs)
            if isinstance(page, str) and before is not None and _kept_page_key(statement) == before:
                PAGES.put(before, page.encode())
            return page

        keeping.kept_page = statement  # type: ignore[attr-defined]
        return keeping  # type: ignore[return-value]

    return decorate


def _kept_page_key(statement: Any) -> tuple | None:
    """The key of the current request's kept page, or None when it may not be kept or handed out:
    not a GET, a message waiting to be shown, no CSRF token yet (the page's forms carry it) or one
    that runs out, a cookie of another browser (session protection), or a session that does not
    hold. The key holds the address (the language switch links back to it), the session's chosen
    school, language and CSRF token, and the stamp's rows."""
    config = current_app.config
    csrf_token = session.get("csrf_token")
    credentials = _credentials(session.get("_user_id"))
    if (
        request.method != "GET"
        or "_flashes" in session
        or csrf_token is None
        or credentials is None
        or config.get("WTF_CSRF_TIME_LIMIT") is not None
        or session.get("_id") != login._session_identifier_generator()
    ):
        return None
    user_id, token = credentials
    limits = accounts.SessionLimits.from_config()
    stamp = page_stamps.stamp(
        db.engine,
        statement,
        user_id=user_id,
        token_hash=accounts.token_hash(token),
        idle=limits.idle,
        longest=limits.longest,
        last_seen_step=accounts.LAST_SEEN_STEP,
        **(request.view_args or {}),
    )
    if stamp is None:
        return None
    return (
        request.endpoint,
        request.full_path,
        session.get("school_id"),
        session.get("locale"),
        csrf_token,
        stamp,
    )


# --- wiring -------------------------------------------------------------------------------------


@login.user_loader
def _load_user(user_id: str) -> User | None:
    """The user of a login session that has not ended (logout, password change, deactivation
    end sessions: their cookies stop working at once)."""
    credentials = _credentials(user_id)
    return accounts.session_user(*credentials) if credentials else None


def _credentials(user_id: str | None) -> tuple[int, str] | None:
    """The user id and login-session token of a session cookie's ``_user_id`` (see
    :meth:`User.get_id`), or None for anything else."""
    raw_id, _, token = (user_id or "").partition(":")
    if not (raw_id.isascii() and raw_id.isdigit()) or len(raw_id) > 18 or not token:
        return None
    return int(raw_id), token


def _guard() -> Any:
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    rule = rule_for(view) if view else None
    if rule is None:
        abort(403)
    if rule.public:
        return None
    statement = getattr(view, "kept_page", None)
    key = _kept_page_key(statement) if statement is not None else None
    if key is not None and (page := PAGES.get(key)) is not None:
        return page
    if not current_user.is_authenticated:
        if g.pop("login_session_ran_out", False):
            flash(
                _("Je was een tijd niet actief en bent daarom uitgelogd. Log opnieuw in."), "info"
            )
        return login.unauthorized()
    if not (current_roles() & rule.roles):
        abort(403)
    return None


def init_app(app: Flask) -> None:
    login.login_view = "auth.login"
    login.login_message = None
    login.session_protection = "strong"
    app.before_request(_guard)

    @app.context_processor
    def _access_helpers() -> dict[str, Any]:
        return {
            "has_role": has_role,
            "current_roles": current_roles,
            "current_school": current_school,
            "my_schools": my_schools,
            "is_mentor_of": is_mentor_of,
            "may_plan": may_plan,
        }
