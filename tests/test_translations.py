"""The English catalogue: complete for the current source, and used by the app.

The interface is written in Dutch; every string marked with ``_()``/``_l()`` needs an English
translation in ``wijscan/translations/en/LC_MESSAGES/messages.po``. The first tests extract the
strings afresh from the source (as ``pybabel extract`` does with ``babel.cfg``), so a Dutch string
added anywhere without a translation fails here, with its file and line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "wijscan" / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = EN_PO.with_suffix(".mo")

# A %-placeholder as gettext and Flask-Babel use them: %(name)s, %(n)d, %(x).1f, and %%.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _forms(value: str | tuple[str, ...] | list[str]) -> list[str]:
    """A message's id or string as a list: one item, or one per plural form."""
    return [value] if isinstance(value, str) else list(value)


def _where(message) -> str:
    places = (f"{os.path.relpath(file, ROOT)}:{line}" for file, line in message.locations)
    return ", ".join(places) or "?"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """A fresh extraction of the current source, with the same command as the Makefile docs."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    status = CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "--sort-output",
            "--project",
            "WIJscan",
            str(ROOT),
        ]
    )
    assert not status, f"pybabel extract failed ({status})"
    return _read(pot)


@pytest.fixture(scope="module")
def english() -> Catalog:
    return _read(EN_PO, locale="en")


def test_extraction_finds_strings_in_templates_and_python(extracted):
    files = {file for message in extracted if message.id for file, _ in message.locations}
    assert any(f.endswith(".html") for f in files), "no strings extracted from the templates"
    assert any(f.endswith("forms.py") for f in files), "no _l() strings from the forms"
    assert any(f.endswith("views.py") for f in files), "no _() strings from the views"


def test_every_source_string_has_an_english_translation(extracted, english):
    missing = []
    for message in extracted:
        if not message.id:
            continue
        translated = english.get(message.id, message.context)
        if (
            translated is None
            or translated.fuzzy
            or not all(s.strip() for s in _forms(translated.string))
        ):
            missing.append(f"{_where(message)}: {_forms(message.id)[0]!r}")
    assert not missing, (
        f"{len(missing)} Dutch strings have no English translation. Run the extraction "
        "(see babel.cfg), `pybabel update -i wijscan/translations/messages.pot -d "
        "wijscan/translations`, and translate these in wijscan/translations/en/LC_MESSAGES/"
        "messages.po:\n" + "\n".join(missing)
    )


def test_translations_keep_the_placeholders(english):
    wrong = []
    for message in english:
        if not message.id or not message.string:
            continue
        wanted = {p for msgid in _forms(message.id) for p in PLACEHOLDER.findall(msgid)}
        forms = [set(PLACEHOLDER.findall(string)) for string in _forms(message.string)]
        if message.pluralizable:
            # A singular form may say "one" instead of %(n)d; together they use them all.
            ok = all(f <= wanted for f in forms) and set().union(*forms) == wanted
        else:
            ok = forms[0] == wanted
        if not ok:
            wrong.append(f"{message.id!r} -> {message.string!r}")
    assert not wrong, "placeholders differ between Dutch and English:\n" + "\n".join(wrong)


def test_english_catalogue_is_clean(english):
    assert not english.fuzzy, "the header of the English catalogue is marked fuzzy"
    fuzzy = [m.id for m in english if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy translations (check and remove the flag): {fuzzy}"
    problems = [(m.id, errors) for m, errors in english.check()]
    assert not problems, problems


# --- the app speaks English ------------------------------------------------------------------


@pytest.fixture
def english_app(app):
    """The app, with the English catalogue compiled (as `make` does) if it is missing or stale."""
    if not EN_MO.exists() or EN_MO.stat().st_mtime < EN_PO.stat().st_mtime:
        catalog = _read(EN_PO, locale="en")
        partial = EN_MO.with_suffix(f".mo.{os.getpid()}")
        with partial.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=True)
        partial.replace(EN_MO)
        # Flask-Babel keeps loaded catalogues for the app's lifetime; forget any loaded earlier.
        with app.app_context():
            app.extensions["babel"].instance.domain_instance.cache.clear()
    return app


def _english(msgid: str) -> str:
    message = _read(EN_PO, locale="en").get(msgid)
    assert message is not None, f"{msgid!r} is not in the English catalogue"
    assert message.string
    assert message.string != msgid
    return message.string


def test_language_link_switches_the_login_page_to_english(english_app, client):
    title, heading = _english("Inloggen"), _english("Inloggen voor medewerkers")

    response = client.get("/taal/en?next=/inloggen", headers={"Accept-Language": "en"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inloggen")
    page = client.get("/inloggen", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert f"<title>{title} · WIJscan</title>" in page
    assert heading in page
    assert "Inloggen voor medewerkers" not in page
    assert 'lang="nl">Nederlands</a>' in page  # the way back to Dutch

    # The choice sticks for the session, whatever the browser asks for, until switched back.
    page = client.get("/inloggen", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert heading in page
    client.get("/taal/nl")
    page = client.get("/inloggen", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<title>Inloggen · WIJscan</title>" in page
    assert "Inloggen voor medewerkers" in page


def test_unknown_language_code_changes_nothing(english_app, client):
    response = client.get("/taal/xx?next=/inloggen")
    assert response.status_code == 302
    page = client.get("/inloggen").get_data(as_text=True)
    assert "Inloggen voor medewerkers" in page
