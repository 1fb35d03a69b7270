"""Form validators shared by the blueprints."""

from __future__ import annotations

from typing import Any

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
