"""Interface language: Dutch first, English second (Flask-Babel)."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, session
from flask_babel import get_locale
from flask_login import current_user

from wijscan.extensions import babel


def select_locale() -> str:
    """The language chosen with the switch, else the account's, else Dutch.

    The browser's Accept-Language is ignored on purpose: many Dutch students have phones set to
    English, and the questionnaire is Dutch first; English is there for whoever chooses it.
    """
    if not has_request_context():  # CLI commands and services run outside a request: Dutch
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    supported = current_app.config["BABEL_SUPPORTED_LOCALES"]
    chosen = session.get("locale")
    if chosen in supported:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    translations = str(app.root_path) + "/translations"
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=translations)
    app.jinja_env.globals["get_locale"] = get_locale
