"""Rate limits on login and on code entry, built on the ``limits`` library.

``limits`` does the counting (fixed windows, in memory by default or in a shared store such as
Redis through ``RATELIMIT_STORAGE_URI``); this module only puts it in front of the few routes
that need it, as a decorator. Nothing runs for the other routes: the questionnaire's page saves,
the hot path of a scan morning, pay nothing for limits they do not have (a per-request hook, as
Flask-Limiter installs, cost them about a tenth of a save; docs/performance.md).

Limits are per client address and per scope, and can be switched off with ``RATE_LIMITS``
(tests and the load test do). Each app has its own storage.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, abort, current_app, make_response, request
from limits import RateLimitItem, parse, storage, strategies
from werkzeug.exceptions import NotFound

EXTENSION = "wijscan_rate_limits"


def init_app(app: Flask) -> None:
    backend = storage.storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions[EXTENSION] = strategies.FixedWindowRateLimiter(backend)


@functools.cache
def _parsed(text: str) -> RateLimitItem:
    return parse(text)


def limit(
    config_key: str, scope: str, *, methods: tuple[str, ...] = ("POST",), failures_only=False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Limit a view to the rate in ``current_app.config[config_key]`` (e.g. "10 per minute") per
    client address; routes that share a ``scope`` share the count. Over the limit the request
    gets 429 before the view runs.

    Every request with one of ``methods`` counts, or with ``failures_only`` only those the view
    answers with 404 (a wrong code), checked for every method: one school address can then let a
    whole class in while guessing codes stays limited.
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            app = current_app
            if not app.config.get("RATE_LIMITS", True):
                return view(*args, **kwargs)
            limiter = app.extensions[EXTENSION]
            item = _parsed(app.config[config_key])
            key = (scope, request.remote_addr or "unknown")
            if not failures_only:
                if request.method in methods and not limiter.hit(item, *key):
                    abort(429)
                return view(*args, **kwargs)
            if not limiter.test(item, *key):
                abort(429)
            try:
                response = make_response(view(*args, **kwargs))
            except NotFound:
                limiter.hit(item, *key)
                raise
            if response.status_code == 404:
                limiter.hit(item, *key)
            return response

        return limited

    return decorator
