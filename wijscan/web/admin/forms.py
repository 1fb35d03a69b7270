"""Forms of the programme administrator (beheerder)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Length, Optional

from wijscan.web.validators import DeliverableEmail, VisibleText


class SchoolForm(FlaskForm):
    name = StringField(
        _l("Naam van de school"),
        validators=[
            DataRequired(_l("Vul de naam van de school in.")),
            Length(max=200),
            VisibleText(),
        ],
    )
    town = StringField(_l("Plaats"), validators=[Optional(), Length(max=120), VisibleText()])
    coordinator_name = StringField(
        _l("Naam van de schoolcoördinator"),
        validators=[DataRequired(_l("Vul de naam in.")), Length(max=200), VisibleText()],
    )
    coordinator_email = EmailField(
        _l("E-mailadres van de schoolcoördinator"),
        validators=[
            DataRequired(_l("Vul het e-mailadres in.")),
            DeliverableEmail(),
        ],
    )
