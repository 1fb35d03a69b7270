"""Form validators shared by the blueprints."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import email_validator
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from wtforms.validators import ValidationError

from wijscan.text import describe, hidden_characters


class VisibleText:
    """Refuse a value holding control or invisible characters (:mod:`wijscan.text`), such as the
    right-to-left override U+202E that makes a name read backwards on lists and slips."""

    def __call__(self, form: Any, field: Any) -> None:
        hidden = hidden_characters(field.data or "")
        if hidden:
            raise ValidationError(
                _(
                    "Bevat een onzichtbaar teken of stuurteken (%(chars)s). Typ de tekst "
                    "opnieuw zonder dat teken.",
                    chars=describe(hidden),
                )
            )


#: ENV_NAME values in which addresses on the reserved test domains are accepted.
TEST_ENVIRONMENTS = frozenset({"development", "testing"})
#: Example names that email_validator accepts (RFC 6761 asks it to) but that no mail reaches
#: (IANA publishes a null MX for them).
_EXAMPLE_DOMAINS = ("example", "example.com", "example.net", "example.org")
#: The names reserved for testing and documentation (RFC 2606, RFC 6761): accepted in
#: development and testing. email_validator's other special-use names (``local``, ``onion``,
#: ``arpa``) are never test domains.
_TEST_DOMAINS = ("test", "invalid", "localhost", *_EXAMPLE_DOMAINS)


def _under(domain: str, names: Iterable[str]) -> bool:
    return any(domain == name or domain.endswith("." + name) for name in names)


def _passes(address: str, **options: Any) -> bool:
    try:
        validate_email(address, check_deliverability=False, **options)
    except EmailNotValidError:
        return False
    return True


def _well_formed(address: str, domain: str) -> bool:
    """Whether ``address`` is written as an e-mail address, wherever its domain is. email_validator
    refuses its special-use names (``localhost``, ``.invalid``, ``.local``) outright, even with
    ``test_environment``; such an address is checked as the same name under ``.test``."""
    if _passes(address, test_environment=True):
        return True
    return _under(domain, email_validator.SPECIAL_USE_DOMAIN_NAMES) and _passes(
        address + ".test", test_environment=True
    )


class DeliverableEmail:
    """An e-mail address that mail can be delivered to, checked by email_validator without a DNS
    look-up. In development and testing (``ENV_NAME``) addresses on the reserved test domains
    (``.test``, ``.example``, ``.invalid``, ``localhost``) are accepted too, such as the demo
    accounts' ``…@demo.wijscan.test``. Otherwise an address on those, or on another special-use
    name (``.local``, ``.onion``, ``.arpa``), is refused with a message that says why; an address
    that is not written as one is refused as invalid."""

    def __call__(self, form: Any, field: Any) -> None:
        address = (field.data or "").strip()
        domain = address.rpartition("@")[2].lower()
        if not _well_formed(address, domain):
            raise ValidationError(_("Dit is geen geldig e-mailadres."))
        testing = current_app.config.get("ENV_NAME") in TEST_ENVIRONMENTS
        if testing and _under(domain, _TEST_DOMAINS):
            return
        if _under(domain, _EXAMPLE_DOMAINS) or not _passes(address):
            raise ValidationError(
                _(
                    "Naar %(domain)s kan geen e-mail worden gestuurd: dat domein is alleen voor "
                    "tests, voorbeelden of een eigen netwerk. Vul een echt e-mailadres in.",
                    domain=domain,
                )
            )
