"""Forms of the lesbrieven pages: plan a lesbrief, mark it taught."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from wijscan.models.lesbrief import REFLECTION_LENGTH
from wijscan.web.validators import VisibleText

RATINGS = [
    SelectChoice("1", _l("1 · ging niet goed")),
    SelectChoice("2", _l("2 · matig")),
    SelectChoice("3", _l("3 · redelijk")),
    SelectChoice("4", _l("4 · goed")),
    SelectChoice("5", _l("5 · heel goed")),
]


class PlanForm(FlaskForm):
    klas_id = SelectField(_l("Klas"), coerce=int, validate_choice=True)
    lesbrief_id = HiddenField(validators=[DataRequired()])
    planned_on = DateField(
        _l("Datum waarop je de les geeft"),
        validators=[Optional()],
        description=_l("Mag leeg blijven als je de datum nog niet weet."),
    )


class TaughtForm(FlaskForm):
    taught_on = DateField(
        _l("Gegeven op"), validators=[InputRequired(_l("Vul de datum in waarop je de les gaf."))]
    )
    rating = RadioField(
        _l("Hoe ging de les?"),
        choices=RATINGS,
        validators=[InputRequired(_l("Kies hoe de les ging (1 tot en met 5)."))],
    )
    reflection = TextAreaField(
        _l("Eén zin: wat werkte, wat doe je de volgende keer anders?"),
        # a line break typed in the box is a space, not a hidden character
        filters=[lambda text: " ".join(text.split()) if text else text],
        validators=[
            Optional(),
            Length(max=REFLECTION_LENGTH, message=_l("Houd het kort: hoogstens 300 tekens.")),
            VisibleText(),
        ],
    )
