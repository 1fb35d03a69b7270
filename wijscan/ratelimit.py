"""Rate limits on login and on code entry, built on the ``limits`` library, and who the client is.

``limits`` does the counting (fixed windows) in the store of ``RATELIMIT_STORAGE_URI``: memory://
counts per process, so with more than one gunicorn worker or app server the counts must live in a
shared store, Redis (production refuses memory:// unless told there is one process; config.py).
This module only puts the counting in front of the few routes that need it, as decorators.
Nothing runs for the other routes, and a questionnaire page save of a code this browser has
opened pays nothing at all: a per-request hook or a store round trip would cost the hot path of a
scan morning (docs/performance.md).

- :func:`limit`: every request of a route counts (login, invitations, password reset); over the
  limit the view does not run (429).
- :func:`wrong_codes`: only wrong codes count, per browser (a random id in its session) and per
  client address (a ceiling for clients that drop cookies). A code is always looked up, and a
  valid one always goes through; only a wrong one gets 429 instead of 404 when over a limit, and
  passing the address ceiling is logged on ``wijscan.security``.

The client address is the connection's, or with ``TRUSTED_PROXIES`` = n the one the n-th proxy
from here put in X-Forwarded-For (werkzeug's ProxyFix, installed by :func:`init_app`; it also
takes X-Forwarded-Proto, never X-Forwarded-Host). A store that fails (Redis down) does not turn a
request into a 500: each route chooses to fail open or closed (:func:`limit`); the failure is
logged and the store left alone for a while so that every request does not wait for it.

Everything can be switched off with ``RATE_LIMITS`` (tests and the load test do).
"""

from __future__ import annotations

import functools
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, abort, current_app, make_response, request, session
from limits import RateLimitItem, errors, parse, storage
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

EXTENSION = "wijscan_rate_limits"
log = logging.getLogger("wijscan.security")

#: Session keys: this browser's random id, and the codes it has opened (most recent last).
BROWSER = "browser"
OPENED = "opened"
#: How many opened codes a session keeps (a shared device sees a few students a morning).
OPENED_KEPT = 8
#: A failed store is left alone this many times ``RATELIMIT_STORAGE_TIMEOUT`` (at least 5 s).
RETRY_FACTOR = 20

_REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://", "valkey://", "valkeys://")


class _Store:
    """One app's counters: the ``limits`` storage, and when it failed last (per process)."""

    def __init__(self, uri: str, timeout: float):
        options: dict[str, Any] = {}
        if uri.startswith(_REDIS_SCHEMES):
            # redis-py waits forever by default; options in the URI's query string win.
            options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
        self.uri = uri.split("@")[-1]  # no password in a log line
        self.backend = storage.storage_from_string(uri, wrap_exceptions=True, **options)
        self.pause = max(5.0, timeout * RETRY_FACTOR)
        self.down_until = 0.0
        self.lock = threading.Lock()

    def count(self, item: RateLimitItem, *identity: str) -> int | None:
        """Count one hit for ``identity`` under ``item``: the hits in this window so far, or
        None when the store could not be reached (logged once per pause)."""
        if time.monotonic() < self.down_until:
            return None
        try:
            return self.backend.incr(item.key_for(*identity), item.get_expiry())
        except errors.StorageError as error:
            with self.lock:
                first = time.monotonic() >= self.down_until
                self.down_until = time.monotonic() + self.pause
            if first:
                log.error(
                    "rate-limit store %s failed (%s); limits fail as each route chose "
                    "(docs/deployment.md) and the store is tried again in %.0f s",
                    self.uri,
                    error,
                    self.pause,
                )
            return None


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = _Store(
        app.config["RATELIMIT_STORAGE_URI"], float(app.config["RATELIMIT_STORAGE_TIMEOUT"])
    )
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Not x_host: a proxy that does not set X-Forwarded-Host would let a client choose the
        # host of the links in invitation mails.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


@functools.cache
def _parsed(text: str) -> RateLimitItem:
    return parse(text)


def _address() -> str:
    return request.remote_addr or "unknown"


def limit(
    config_key: str,
    scope: str,
    *,
    methods: tuple[str, ...] = ("POST",),
    fail_open: bool = True,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Limit a view to the rate in ``current_app.config[config_key]`` (e.g. "10 per minute") per
    client address; routes that share a ``scope`` share the count. Every request with one of
    ``methods`` counts; over the limit it gets 429 before the view runs. (Code entry uses
    :func:`wrong_codes` instead, which never refuses a valid code.)

    When the store cannot be reached, ``fail_open`` lets the request through uncounted (the
    login, invitation and password-reset routes: argon2 already makes each password try cost,
    and an outage of Redis must not lock every teacher out on a scan morning); otherwise it gets
    503.
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            app = current_app
            if not app.config.get("RATE_LIMITS", True) or request.method not in methods:
                return view(*args, **kwargs)
            store: _Store = app.extensions[EXTENSION]
            item = _parsed(app.config[config_key])
            count = store.count(item, scope, _address())
            if count is None and not fail_open:
                abort(503)
            if count is not None and count > item.amount:
                abort(429)
            return view(*args, **kwargs)

        return limited

    return decorator


def wrong_codes(
    browser_key: str,
    address_key: str,
    scope: str,
    *,
    normalise: Callable[[str], str],
    code_arg: str = "code",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Count the wrong codes a route answers (404) and answer 429 instead once this browser
    passed ``config[browser_key]`` or its address ``config[address_key]``; routes that share a
    ``scope`` share the counts, so guessing cannot hop routes.

    The view always runs first: a valid code is never refused, whatever the counts (a student
    who holds one is never blocked by someone else's guessing, nor by their own typos). A code
    the view accepted (any answer below 400 for the route's ``code_arg``) is remembered in the
    session, and a code this browser has opened is not counted at all: page saves of students
    who are answering touch no counter. The browser id is made at the first visit of a code
    route. Fails open: with the store down a wrong code gets the plain 404.
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            app = current_app
            if not app.config.get("RATE_LIMITS", True):
                return view(*args, **kwargs)
            raw = kwargs.get(code_arg)
            code = normalise(raw) if raw is not None else None
            if code is not None and code in session.get(OPENED, ()):
                return view(*args, **kwargs)
            browser = session.get(BROWSER)
            if not isinstance(browser, str):
                browser = session[BROWSER] = secrets.token_urlsafe(9)
            try:
                response = make_response(view(*args, **kwargs))
            except NotFound:
                if _wrong(app, browser_key, address_key, scope, browser):
                    abort(429)
                raise
            if response.status_code == 404:
                if _wrong(app, browser_key, address_key, scope, browser):
                    abort(429)
            elif code is not None and response.status_code < 400:
                _remember(code, session.get(OPENED, ()))
            return response

        return guarded

    return decorator


def _remember(code: str, opened: Iterable[str]) -> None:
    kept = [c for c in opened if c != code][-(OPENED_KEPT - 1) :]
    session[OPENED] = [*kept, code]


def _wrong(app: Flask, browser_key: str, address_key: str, scope: str, browser: str) -> bool:
    """Count a wrong code for this browser and this address; whether either is over its limit.
    Passing the address ceiling is logged: at the first wrong code over it in a window, and at
    every further ceiling's worth of them."""
    store: _Store = app.extensions[EXTENSION]
    per_browser = _parsed(app.config[browser_key])
    per_address = _parsed(app.config[address_key])
    address = _address()
    by_browser = store.count(per_browser, scope + "-browser", browser)
    by_address = store.count(per_address, scope + "-address", address)
    ceiling = per_address.amount
    if by_address is not None and by_address > ceiling and (by_address - 1) % ceiling == 0:
        log.warning(
            "wrong codes from %s passed the address ceiling: %d in this window of %s "
            "(CODE_ADDRESS_RATE_LIMIT); someone there may be guessing codes, valid codes "
            "still go through",
            address,
            by_address,
            per_address,
        )
    return (by_browser or 0) > per_browser.amount or (by_address or 0) > ceiling
