"""Forms of the school set-up pages."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from wijscan.models import STREAMS, Role
from wijscan.services.setup import round_date_problem
from wijscan.web.fields import CheckboxListField
from wijscan.web.validators import DeliverableEmail, VisibleText

ROLE_LABELS = {
    Role.DOCENT: _l("Docent / mentor"),
    Role.ZORG: _l("Zorgcoördinator"),
    Role.COORDINATOR: _l("Schoolcoördinator"),
}


class KlasForm(FlaskForm):
    name = StringField(
        _l("Naam van de klas"),
        validators=[DataRequired(_l("Geef de klas een naam.")), Length(max=40), VisibleText()],
    )
    leerjaar = IntegerField(
        _l("Leerjaar"),
        validators=[
            DataRequired(_l("Vul het leerjaar in (1 tot en met 6).")),
            NumberRange(1, 6, _l("Het leerjaar is 1 tot en met 6.")),
        ],
    )
    stream = SelectField(_l("Niveau"), choices=[SelectChoice(s, s) for s in STREAMS])
    mentors = CheckboxListField(
        _l("Mentoren"),
        description=_l("Vink aan wie mentor van deze klas is. Dat mogen er meer zijn."),
        coerce=int,
        validate_choice=False,
    )


class StudentForm(FlaskForm):
    leerlingnummer = StringField(
        _l("Leerlingnummer"),
        validators=[
            DataRequired(_l("Vul het leerlingnummer in.")),
            Regexp(r"^[A-Za-z0-9-]{1,30}$", message=_l("Alleen letters, cijfers en -.")),
        ],
    )
    roepnaam = StringField(
        _l("Roepnaam"),
        validators=[DataRequired(_l("Vul de roepnaam in.")), Length(max=100), VisibleText()],
    )
    tussenvoegsel = StringField(
        _l("Tussenvoegsel"), validators=[Optional(), Length(max=30), VisibleText()]
    )
    achternaam = StringField(
        _l("Achternaam"),
        validators=[DataRequired(_l("Vul de achternaam in.")), Length(max=120), VisibleText()],
    )
    klas_id = SelectField(_l("Klas"), coerce=int)
    active = BooleanField(_l("Actief (zit nu op school)"), default=True)


class ImportForm(FlaskForm):
    file = FileField(
        _l("Export uit het leerlingvolgsysteem (CSV)"),
        validators=[
            FileRequired(_l("Kies een CSV-bestand.")),
            FileAllowed(["csv", "txt"], _l("Alleen CSV-bestanden.")),
        ],
    )


def _round_date(form, field) -> None:
    """A round's date within a few years of today (year 1 or 9999 is a typo, not a plan)."""
    if field.data is not None:
        problem = round_date_problem(field.data, date.today())
        if problem:
            raise ValidationError(problem)


class RoundForm(FlaskForm):
    name = StringField(
        _l("Naam"),
        validators=[
            DataRequired(_l("Geef het meetmoment een naam.")),
            Length(max=120),
            VisibleText(),
        ],
    )
    opens_on = DateField(
        _l("Open vanaf"),
        validators=[DataRequired(_l("Kies een begindatum.")), _round_date],
    )
    closes_on = DateField(
        _l("Open tot en met"),
        validators=[DataRequired(_l("Kies een einddatum.")), _round_date],
    )


class InviteForm(FlaskForm):
    name = StringField(
        _l("Naam"),
        validators=[DataRequired(_l("Vul de naam in.")), Length(max=200), VisibleText()],
    )
    email = EmailField(
        _l("E-mailadres"),
        validators=[
            DataRequired(_l("Vul het e-mailadres in.")),
            DeliverableEmail(),
        ],
    )
    roles = CheckboxListField(
        _l("Rollen"),
        description=_l("Kies een of meer rollen."),
        choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()],
        validators=[DataRequired(_l("Kies minstens één rol."))],
    )
