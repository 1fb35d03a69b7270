"""A theme's page ``title`` in a student instrument: the questionnaire's heading in the
students' own words. Wording, so it never changes an instrument's fingerprint or version; the
content check asks for it on every student theme."""

from __future__ import annotations

import io

from wijscan.content import load_content, quality_problems, run_check
from wijscan.content.lock import fingerprint
from wijscan.content.problems import ContentError


def _content(root):
    return load_content(root)  # the lock is checked too


def test_every_shipped_student_theme_has_a_title_in_both_languages(project):
    content = _content(project)
    for instrument_id in ("klas", "individu"):
        for theme in content.instruments[instrument_id].themes:
            assert theme.title is not None, (instrument_id, theme.id)
            assert theme.title.nl.strip()
            assert theme.title.en.strip()
            # Not the theme's name for staff ("Identiteitsontwikkeling", "Participatie" ...).
            assert theme.title.nl != content.pyramid.theme(theme.id).name.nl
    assert content.instruments["school"].themes[0].title is None  # optional elsewhere


def test_changing_a_title_keeps_the_fingerprint_and_the_version(project, edit):
    before = _content(project).instruments["klas"]
    edit(
        project / "surveys" / "klas.yaml",
        'title: {nl: "Meedoen in de klas", en: "Taking part in class"}',
        'title: {nl: "Doet iedereen mee?", en: "Does everyone take part?"}',
    )
    after = _content(project).instruments["klas"]  # the lock still holds: no ContentError
    assert after.themes[1].title.nl == "Doet iedereen mee?"
    assert fingerprint(after) == fingerprint(before)
    assert after.version == before.version
    out = io.StringIO()
    assert run_check(project, out) == 0, out.getvalue()


def test_a_title_needs_both_languages(project, edit):
    edit(
        project / "surveys" / "klas.yaml",
        'title: {nl: "Meedoen in de klas", en: "Taking part in class"}',
        'title: {nl: "Meedoen in de klas"}',
    )
    try:
        load_content(project)
    except ContentError as error:
        message = str(error)
    else:
        raise AssertionError("a title without English was accepted")
    assert "surveys/klas.yaml" in message
    assert "themes[1].title.en" in message


def test_a_student_theme_without_a_title_is_a_content_problem(project, edit, line_of):
    path = project / "surveys" / "individu.yaml"
    edit(path, '    title: {nl: "Wie jij bent", en: "Who you are"}\n', "")
    found = [str(p) for p in quality_problems(load_content(project))]
    assert found == [
        f"surveys/individu.yaml:{line_of(path, 'id: identiteit')}: themes[2].id: theme"
        " 'identiteit' has no title: its page would be headed with the theme name; give it a"
        " title in the students' own words"
    ]


def test_a_title_with_jargon_is_a_content_problem(project, edit, line_of):
    path = project / "surveys" / "klas.yaml"
    edit(
        path,
        'title: {nl: "Praten over het nieuws", en: "Talking about the news"}',
        'title: {nl: "Polarisatie in de klas", en: "Talking about the news"}',
    )
    found = [str(p) for p in quality_problems(load_content(project))]
    assert found == [
        f"surveys/klas.yaml:{line_of(path, 'Polarisatie')}: themes[5].title.nl: uses the jargon"
        " 'polari…'; a student page title never does"
    ]
