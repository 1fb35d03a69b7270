"""Security headers and request size limits: one ``before_request`` and one ``after_request``
hook, set up by :func:`init_app` before the CSRF check so that a too-large body is refused before
anything reads it.

Headers (built with the ``secure`` library): a strict Content-Security-Policy (nothing inline:
no inline scripts, event handlers or style attributes), framing refused, a same-origin
Referrer-Policy (personal codes are in questionnaire URLs; Flask-WTF's HTTPS check needs the
Referer on the app's own forms), no MIME sniffing, and Strict-Transport-Security only when
``ENV_NAME`` is production. Every response but a static file gets ``Cache-Control: no-store``:
pages with students' names and the questionnaire must not stay in the cache of a shared school
PC.

Size limits per kind of request (config keys): ``MAX_SURVEY_BYTES`` for the questionnaire (a
page is a few kB), ``MAX_UPLOAD_BYTES`` for views marked :func:`upload` (the CSV import) and
``MAX_FORM_BYTES`` for everything else. A body announced larger is refused with 413 before it
is read; a chunked body (no length) is read up to the limit and refused when there is more.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from secure import (
    ContentSecurityPolicy,
    CrossOriginOpenerPolicy,
    CrossOriginResourcePolicy,
    PermissionsPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

F = TypeVar("F", bound=Callable[..., Any])

EXTENSION = "wijscan_security_headers"

#: The default Content-Security-Policy: everything from this site only, nothing inline, no
#: plugins, no <base>, forms post only here, and no page of the app inside another site's frame.
CONTENT_SECURITY_POLICY = (
    ContentSecurityPolicy()
    .default_src("'self'")
    .script_src("'self'")
    .style_src("'self'")
    .img_src("'self'")
    .connect_src("'self'")
    .object_src("'none'")
    .base_uri("'none'")
    .form_action("'self'")
    .frame_ancestors("'none'")
    .header_value
)

#: Blueprints whose requests are of one kind: the config key of their size limit.
BLUEPRINT_LIMITS = {"survey": "MAX_SURVEY_BYTES"}


def upload(view: F) -> F:
    """Mark a view that takes a file upload: its requests may be up to ``MAX_UPLOAD_BYTES``."""
    view.body_limit = "MAX_UPLOAD_BYTES"  # type: ignore[attr-defined]
    return view


def body_limit_key() -> str:
    """The config key of the size limit of the current request."""
    view = current_app.view_functions.get(request.endpoint or "")
    key = getattr(view, "body_limit", None)
    if key is None:
        key = BLUEPRINT_LIMITS.get(request.blueprint or "", "MAX_FORM_BYTES")
    return key


def format_size(size: int) -> str:
    """``16384`` → ``"16 kB"``, ``6291456`` → ``"6 MB"`` (binary units, as the limits are)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(size // 1024, 1)} kB"


def _limit_body() -> None:
    config = current_app.config
    limit = int(config[body_limit_key()])
    request.max_content_length = limit
    request.max_form_memory_size = min(limit, int(config["MAX_FORM_MEMORY_SIZE"] or limit))
    request.max_form_parts = config["MAX_FORM_PARTS"]
    if request.content_length is not None:
        if request.content_length > limit:
            raise RequestEntityTooLarge()
    elif "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        _buffer_chunked(limit)


def _refuse_nul() -> None:
    """A NUL character has no place in a path, a query or a form field, and PostgreSQL refuses
    it in text (which would end in a 500 wherever a value reaches a query): 400 for all."""
    values = [request.path, *request.args.values()]
    if request.method in {"POST", "PUT", "PATCH"}:
        values.extend(request.form.values())
    if any("\x00" in value for value in values):
        raise BadRequest()


def _buffer_chunked(limit: int) -> None:
    """A chunked body has no length to check: read it up to the limit and refuse it when there
    is more (Werkzeug alone would cut a form at the limit and parse what came before)."""
    stream = request.environ["wsgi.input"]  # ended by the server at the last chunk
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        part = stream.read(min(64 * 1024, limit + 1 - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    if size > limit:
        raise RequestEntityTooLarge()
    request.environ["wsgi.input"] = io.BytesIO(b"".join(parts))
    request.environ["CONTENT_LENGTH"] = str(size)


def _headers(app: Flask) -> Secure:
    production = app.config.get("ENV_NAME") == "production"
    return Secure(
        csp=ContentSecurityPolicy().set(
            app.config["CONTENT_SECURITY_POLICY"] or CONTENT_SECURITY_POLICY
        ),
        hsts=(
            StrictTransportSecurity().max_age(int(app.config["HSTS_MAX_AGE"]))
            if production
            else None
        ),
        xfo=XFrameOptions().deny(),
        xcto=XContentTypeOptions().nosniff(),
        referrer=ReferrerPolicy().same_origin(),
        permissions=PermissionsPolicy().camera().microphone().geolocation(),
        coop=CrossOriginOpenerPolicy().same_origin(),
        corp=CrossOriginResourcePolicy().same_origin(),
    )


def _set_headers(response: Response) -> Response:
    headers = response.headers
    for name, value in current_app.extensions[EXTENSION]:
        headers[name] = value
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie session, with its signing serializer made once per secret key
    instead of once per request (Flask builds it anew for every cookie it reads or writes)."""

    def __init__(self) -> None:
        self._made: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._made is None or self._made[0] != keys:
            self._made = (keys, super().get_signing_serializer(app))
        return self._made[1]


def init_app(app: Flask) -> None:
    """Register the size check before any other hook (call before ``csrf.init_app``)."""
    app.session_interface = SessionCookies()
    app.before_request(_limit_body)
    app.before_request(_refuse_nul)
    if app.config["SECURITY_HEADERS"]:
        # The headers are the same for every response: worked out once (``Secure`` would build
        # them again for each).
        app.extensions[EXTENSION] = tuple(_headers(app).headers.items())
        app.after_request(_set_headers)
