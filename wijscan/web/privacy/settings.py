"""The school's settings page for the schoolcoördinator: how long individual data and the audit
log are kept, the signal rule, the school's own care protocol and two-step login for all staff.
Every change is audited."""

from __future__ import annotations

import dataclasses

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from wijscan import access
from wijscan.extensions import db
from wijscan.models import Role
from wijscan.services import school_settings as service
from wijscan.services.content import get_content
from wijscan.services.retention import MAX_MONTHS, MIN_MONTHS
from wijscan.text import describe, hidden_characters
from wijscan.web.privacy import bp

#: Characters a Markdown text may hold that :func:`wijscan.text.hidden_characters` flags.
LAYOUT_CHARACTERS = frozenset("\n\t")


def _months_message(what) -> str:
    return _l(
        "%(what)s: kies %(lo)d tot en met %(hi)d maanden.", what=what, lo=MIN_MONTHS, hi=MAX_MONTHS
    )


def _level_or_none(value):
    """A radio value as a number; anything else is None (refused by the field's validator)."""
    if value is None or isinstance(value, int):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class MonthsField(IntegerField):
    """A number of months. Text that is no whole number is not the field's own English error
    but the same Dutch message as a number out of range (the field's validators give it)."""

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                self.data = None


def _normalise_text(value: str | None) -> str:
    """One kind of line break, no blank edges: what a textarea sends from any browser."""
    if not value:
        return ""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


class ProtocolText:
    """Markdown may hold line breaks and tabs; any other control or invisible character (such
    as the right-to-left override) is refused, as in every other text field."""

    def __call__(self, form, field) -> None:
        hidden = [ch for ch in hidden_characters(field.data or "") if ch not in LAYOUT_CHARACTERS]
        if hidden:
            raise ValidationError(
                _(
                    "Zorgprotocol: bevat een onzichtbaar teken of stuurteken (%(chars)s). Typ de "
                    "tekst opnieuw zonder dat teken.",
                    chars=describe(hidden),
                )
            )
        if len(field.data or "") > service.CARE_PROTOCOL_LENGTH:
            raise ValidationError(
                _(
                    "Zorgprotocol: hoogstens %(max)s tekens (nu %(n)s).",
                    max=f"{service.CARE_PROTOCOL_LENGTH:,}".replace(",", "."),
                    n=f"{len(field.data):,}".replace(",", "."),
                )
            )


RETENTION_LABEL = _l("Bewaartermijn leerlinggegevens (maanden)")
AUDIT_LABEL = _l("Bewaartermijn logboek (maanden)")
SIGNAL_LEVEL_LABEL = _l("Een signaal bij een totaalniveau van ten hoogste …")


class SettingsForm(FlaskForm):
    retention_months = MonthsField(
        RETENTION_LABEL,
        validators=[
            InputRequired(_months_message(RETENTION_LABEL)),
            NumberRange(MIN_MONTHS, MAX_MONTHS, _months_message(RETENTION_LABEL)),
        ],
        description=_l(
            "Zo lang na het sluiten van een meetmoment bewaart WIJscan de antwoorden van "
            "leerlingen, wie welke antwoorden gaf, de uitslagen per leerling en de signalen met "
            "hun notities; daarna worden ze verwijderd en blijven alleen de groepsuitslagen."
        ),
    )
    audit_retention_months = MonthsField(
        AUDIT_LABEL,
        validators=[
            InputRequired(_months_message(AUDIT_LABEL)),
            NumberRange(MIN_MONTHS, MAX_MONTHS, _months_message(AUDIT_LABEL)),
        ],
        description=_l(
            "Zo lang bewaart WIJscan in het logboek wie de uitslagen van een leerling bekeek en "
            "wie iets aan de school veranderde."
        ),
    )
    signal_level = RadioField(
        SIGNAL_LEVEL_LABEL,
        coerce=_level_or_none,
        validate_choice=False,
        description=_l(
            "Een leerling krijgt een signaal als het totaalniveau in de piramide op of onder "
            "dit niveau ligt; een signaal is een reden voor een gesprek, nooit een diagnose."
        ),
    )
    signal_on_critical = BooleanField(
        _l("Ook een signaal bij een kritiek antwoord"),
        description=_l(
            "Een kritiek antwoord is een zorgwekkend antwoord op één vraag, zoals geweld "
            "goedpraten; staat dit aan, dan krijgt de leerling daarvoor altijd een signaal."
        ),
    )
    care_protocol = TextAreaField(
        _l("Zorgprotocol van de school"),
        filters=[_normalise_text],
        validators=[ProtocolText()],
        render_kw={"rows": 14},
        description=_l(
            "Dit staat naast elk signaal en zegt wie wat doet; laat het leeg om het "
            "standaardprotocol van WIJscan te gebruiken (opmaak met Markdown mag)."
        ),
    )
    require_two_factor = BooleanField(
        _l("Tweestapsverificatie verplicht voor alle medewerkers"),
        description=_l(
            "Staat dit aan, dan logt elke medewerker van de school in met wachtwoord en een code "
            "uit een app op de telefoon. Wie het nog niet heeft, stelt het in bij de volgende "
            "keer inloggen."
        ),
    )

    def validate_signal_level(self, field) -> None:
        if field.data not in service.SIGNAL_LEVELS:
            raise ValidationError(
                _("Signaalregel: kies geen niveau, niveau 1 of niveau 2 (ten hoogste 2).")
            )

    def validate_signal_on_critical(self, field) -> None:
        if self.signal_level.data == 0 and not field.data:
            raise ValidationError(
                _(
                    "Signaalregel: zonder niveau en zonder kritieke antwoorden krijgt geen enkele "
                    "leerling een signaal. Zet kritieke antwoorden aan of kies niveau 1 of 2."
                )
            )


def _level_choices() -> list[SelectChoice]:
    pyramid = get_content().pyramid
    lang = str(get_locale() or "nl")

    def name(number: int) -> str:
        try:
            return getattr(pyramid.level(number).name, lang, pyramid.level(number).name.nl)
        except KeyError:
            return str(number)

    return [
        SelectChoice(0, _("geen niveau: alleen bij kritieke antwoorden")),
        SelectChoice(1, _("niveau 1 (%(name)s)", name=name(1))),
        SelectChoice(2, _("niveau 2 (%(name)s), de standaard", name=name(2))),
    ]


@bp.route("/school/instellingen", methods=["GET", "POST"])
@access.allow(Role.COORDINATOR)
def school_settings():
    access.require_school()
    school = access.current_school()
    current = service.Settings.of(school)
    form = SettingsForm(data=None if request.method == "POST" else dataclasses.asdict(current))
    form.signal_level.choices = _level_choices()
    if form.validate_on_submit():
        changes = service.save_settings(
            school,
            service.Settings(
                retention_months=form.retention_months.data,
                audit_retention_months=form.audit_retention_months.data,
                signal_level=form.signal_level.data,
                signal_on_critical=bool(form.signal_on_critical.data),
                care_protocol=form.care_protocol.data or "",
                require_two_factor=bool(form.require_two_factor.data),
            ),
            current_user.id,
        )
        db.session.commit()
        if changes:
            flash(_("De instellingen zijn opgeslagen."), "success")
        else:
            flash(_("Er is niets veranderd."))
        return redirect(url_for("privacy.school_settings"))
    return render_template(
        "privacy/settings.html",
        form=form,
        school=school,
        default_protocol=get_content().zorgprotocol,
    )
