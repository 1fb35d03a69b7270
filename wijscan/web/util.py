"""Small helpers shared by the views."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from wijscan import mail
from wijscan.extensions import db
from wijscan.models import InviteKind, School
from wijscan.services.accounts import Link

#: Times are stored in UTC and shown as Dutch schools read a clock.
SCHOOL_TIME = ZoneInfo("Europe/Amsterdam")


def local_time(value: datetime | None) -> str:
    """A stored time (UTC; SQLite gives it back without a zone) on the school's clock."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value.astimezone(SCHOOL_TIME), "d MMM yyyy HH:mm", rebase=False)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def send_link(link: Link | None) -> None:
    """Mail a one-time link to the address of its account. It is never shown on a page: only the
    holder of the address can follow it."""
    if link is None:
        return
    days = current_app.config["INVITE_VALID_DAYS"]
    if link.kind == InviteKind.RESET:
        url = url_for("auth.reset_password", token=link.token, _external=True)
        subject = _("Nieuw wachtwoord voor WIJscan")
        body = _(
            "Je hebt een nieuw wachtwoord voor WIJscan gevraagd. Kies het via deze link (één keer "
            "te gebruiken, %(hours)d uur geldig): %(link)s\n\nHeb je dit niet gevraagd? Dan kun "
            "je dit bericht negeren; je wachtwoord blijft hetzelfde.",
            hours=current_app.config["RESET_VALID_HOURS"],
            link=url,
        )
    elif link.kind == InviteKind.JOIN:
        school = db.session.get(School, link.school_id)
        url = url_for("auth.accept_invite", token=link.token, _external=True)
        subject = _("Uitnodiging voor %(school)s in WIJscan", school=school.name if school else "")
        body = _(
            "Je bent uitgenodigd om in WIJscan te werken voor %(school)s. Log in met je eigen "
            "account en neem de uitnodiging aan via deze link (%(days)d dagen geldig): %(link)s",
            school=school.name if school else "",
            days=days,
            link=url,
        )
    else:
        url = url_for("auth.accept_invite", token=link.token, _external=True)
        subject = _("Uitnodiging voor WIJscan")
        body = _(
            "Welkom bij WIJscan. Kies een wachtwoord via deze link "
            "(één keer te gebruiken, %(days)d dagen geldig): %(link)s",
            days=days,
            link=url,
        )
    mail.send(link.email, subject, body)
