"""Forms of the login, invitation and password pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from wijscan.services.accounts import MIN_PASSWORD_LENGTH
from wijscan.web.validators import DeliverableEmail


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mailadres"),
        validators=[DataRequired(_l("Vul je e-mailadres in."))],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[DataRequired(_l("Vul je wachtwoord in."))],
        render_kw={"autocomplete": "current-password"},
    )


def _new_password():
    return PasswordField(
        _l("Nieuw wachtwoord"),
        validators=[
            DataRequired(_l("Kies een wachtwoord.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("Minstens %(n)d tekens.", n=MIN_PASSWORD_LENGTH),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _confirm():
    return PasswordField(
        _l("Herhaal het wachtwoord"),
        validators=[EqualTo("password", _l("De twee wachtwoorden zijn niet gelijk."))],
        render_kw={"autocomplete": "new-password"},
    )


class SetPasswordForm(FlaskForm):
    """A new password, twice; the service checks it is not easy to guess."""

    password = _new_password()
    confirm = _confirm()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Huidig wachtwoord"),
        validators=[DataRequired(_l("Vul je huidige wachtwoord in."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password()
    confirm = _confirm()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mailadres"),
        validators=[
            DataRequired(_l("Vul je e-mailadres in.")),
            DeliverableEmail(),
            Length(max=254),
        ],
    )


# --- two-step login -----------------------------------------------------------------------------


class TotpCodeForm(FlaskForm):
    """The 6-digit code of the authenticator app (the second step, or confirming the set-up)."""

    code = StringField(
        _l("Code uit de app (6 cijfers)"),
        validators=[DataRequired(_l("Vul de code van 6 cijfers uit je app in.")), Length(max=20)],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "maxlength": "20",
            "spellcheck": "false",
            "autocorrect": "off",
        },
    )


class RecoveryCodeForm(FlaskForm):
    """One of the recovery codes shown when two-step login was switched on."""

    code = StringField(
        _l("Herstelcode"),
        validators=[DataRequired(_l("Vul een van je herstelcodes in.")), Length(max=40)],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "maxlength": "40",
            "spellcheck": "false",
            "autocorrect": "off",
        },
    )


class PasswordCheckForm(FlaskForm):
    """The password again before a change to two-step login (a session left open on a shared
    computer must not be enough)."""

    password = PasswordField(
        _l("Je wachtwoord"),
        validators=[DataRequired(_l("Vul je wachtwoord in."))],
        render_kw={"autocomplete": "current-password"},
    )
