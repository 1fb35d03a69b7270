"""Forms of the questionnaire (no account: a code opens it)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class CodeForm(FlaskForm):
    code = StringField(
        _l("Je code"),
        validators=[DataRequired(_l("Typ de code die je van je docent kreeg.")), Length(max=30)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
