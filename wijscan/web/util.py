"""Small helpers shared by the views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import gettext as _

from wijscan import mail
from wijscan.models import User


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def send_invite(user: User, token: str) -> str:
    """Mail the one-time link to set a password; returns the link to show the sender too."""
    link = url_for("auth.accept_invite", token=token, _external=True)
    mail.send(
        user.email,
        _("Uitnodiging voor WIJscan"),
        _(
            "Welkom bij WIJscan. Kies een wachtwoord via deze link "
            "(één keer te gebruiken, %(days)d dagen geldig): %(link)s",
            days=current_app.config["INVITE_VALID_DAYS"],
            link=link,
        ),
    )
    return link
