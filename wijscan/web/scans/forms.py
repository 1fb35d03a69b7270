"""Forms of the scan pages (mentor and coordinator)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice

from wijscan.models import ScanMode


class OpenScanForm(FlaskForm):
    mode = RadioField(
        _l("Hoe neem je de scan af?"),
        choices=[
            SelectChoice(
                ScanMode.PERSONAL.value,
                _l("Persoonlijk: elke leerling een eigen code (klas- én leerlingresultaten)"),
            ),
            SelectChoice(
                ScanMode.ANONYMOUS.value,
                _l("Anoniem: één code voor de klas (alleen klasresultaten)"),
            ),
        ],
        default=ScanMode.PERSONAL.value,
    )
