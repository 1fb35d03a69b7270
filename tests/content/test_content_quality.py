"""The CONTENT-GUIDE.md rules for shipped content (quality_problems), apart from the schema."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from wijscan.content import load_content, quality_problems, run_check


def quality(root: Path) -> list[str]:
    return [str(p) for p in quality_problems(load_content(root, check_lock=False))]


def drop_item(path: Path, item_id: str) -> None:
    """Remove one item (its whole block) from an instrument file."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"      - id: {item_id}\n")
    end = text.find("      - id: ", start + 1)
    nxt = text.find("\n  - id: ", start)
    if end == -1 or (nxt != -1 and nxt < end):
        end = nxt + 1 if nxt != -1 else len(text)
    path.write_text(text[:start] + text[end:], encoding="utf-8")


def test_a_theme_with_three_items(project, line_of):
    path = project / "surveys" / "klas.yaml"
    drop_item(path, "klas-burg-4")
    assert quality(project) == [
        f"surveys/klas.yaml:{line_of(path, 'items:')}: themes[0].items: theme 'burgerschap' has 3"
        " items; it needs at least 4"
    ]


def test_too_many_student_items(project, edit):
    extra = "".join(
        f"      - id: klas-extra-{n}\n"
        f'        text: {{nl: "In onze klas is het goed {n}.", en: "Our class is fine."}}\n'
        for n in range(3)
    )
    edit(
        project / "surveys" / "klas.yaml",
        "  - id: participatie\n",
        extra + "\n  - id: participatie\n",
    )
    assert (
        "surveys: students answer 24 (individu) + 27 (klas) = 51 items; keep it to 50"
        " (about 15 minutes)" in quality(project)
    )


def test_too_few_critical_items(project, edit):
    edit(project / "surveys" / "school.yaml", "        critical: {answers: [5], cap: 2}\n", "")
    assert quality(project) == [
        "surveys/school.yaml:16: themes: has 2 critical items; an instrument has 3–6"
    ]


def test_too_few_reverse_keyed_items(project, line_of):
    path = project / "surveys" / "klas.yaml"
    text = path.read_text(encoding="utf-8")
    # Four reverse items left (critical ones stay reverse so the critical rules still make sense).
    for item_id in ("klas-burg-3", "klas-part-2", "klas-part-4", "klas-demo-2"):
        block = text.index(f"- id: {item_id}\n")
        at = text.index("        reverse: true\n", block)
        text = text[:at] + text[at + len("        reverse: true\n") :]
    path.write_text(text, encoding="utf-8")
    found = quality(project)
    assert (
        "surveys/klas.yaml:16: themes: 17% of the items are reverse-keyed; aim for about a third"
        " (20%–50%)" in found
    )
    assert (
        f"surveys/klas.yaml:{line_of(path, 'items:')}: themes[0].items: theme 'burgerschap' has"
        " no reverse-keyed item;"
        " spread them over the themes" in found
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "In onze klas mag iedereen zichzelf zijn.",
            "In onze klas is er weinig polarisatie.",
            "themes[2].items[0].text.nl: uses the jargon 'polari…'; a student item never does",
            id="jargon-nl",
        ),
        pytest.param(
            "In our class everyone can be themselves.",
            "In our class there is no radicalisation.",
            "themes[2].items[0].text.en: uses the jargon 'radicali…'; a student item never does",
            id="jargon-en",
        ),
        pytest.param(
            "In onze klas mag iedereen zichzelf zijn.",
            "In onze klas mag iedereen zijn religie laten zien.",
            "themes[2].items[0].text.nl: mentions 'religie…'; items never ask about religion,"
            " political preference or ethnicity",
            id="religion",
        ),
        pytest.param(
            "In onze klas mag iedereen zichzelf zijn.",
            "Iedereen mag zichzelf zijn.",
            "themes[2].items[0].text.nl: should start with 'In onze klas …' or"
            " 'Bij ons in de klas …'",
            id="opening",
        ),
        pytest.param(
            "In onze klas mag iedereen zichzelf zijn.",
            "In onze klas mag iedereen altijd en overal zichzelf zijn, ook als het spannend is"
            " om te doen.",
            "themes[2].items[0].text.nl: has 18 words; keep an item to 15",
            id="too-long",
        ),
        pytest.param(
            "In onze klas mag iedereen zichzelf zijn.",
            "In onze klas is niemand niet welkom.",
            "themes[2].items[0].text.nl: reads as a double negative (niemand, niet);"
            " say it positively",
            id="double-negative",
        ),
        pytest.param(
            "In onze klas werken leerlingen alleen samen met hun eigen vrienden.",
            "In onze klas werken leerlingen niet samen met anderen.",
            "themes[1].items[1].text.nl: is reverse-keyed and says 'niet': disagreeing becomes a"
            " double negative; word it without a negation",
            id="negated-reverse-item",
        ),
    ],
)
def test_an_item_breaking_the_guide(project, edit, line_of, old, new, expected):
    path = project / "surveys" / "klas.yaml"
    edit(path, old, new)
    assert quality(project) == [f"surveys/klas.yaml:{line_of(path, new)}: {expected}"]


def test_a_description_of_one_sentence(project, edit, line_of):
    path = project / "surveys" / "piramide.yaml"
    old = (
        "Leerlingen accepteren dat mensen verschillend leven en houden zich aan gedeelde regels."
        " Ze denken mee als daarom gevraagd wordt. Geef hun kleine taken waarin ze iets voor"
        " anderen doen."
    )
    edit(path, old, "Leerlingen accepteren verschillen")
    assert quality(project) == [
        f"surveys/piramide.yaml:{line_of(path, 'Leerlingen accepteren verschillen')}:"
        " themes[0].descriptions[5].nl: has 0 sentences; describe a level in 2 or 3 sentences a"
        " mentor can act on"
    ]


def test_a_missing_instrument(project):
    (project / "surveys" / "observatie.yaml").unlink()
    assert quality(project) == [
        "surveys/observatie.yaml: the instrument 'observatie' is missing (DESIGN.md: school, klas,"
        " individu, observatie)"
    ]


def test_an_instrument_that_misses_a_theme(project):
    path = project / "surveys" / "school.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  - id: polarisatie")], encoding="utf-8")
    assert quality(project) == [
        "surveys/school.yaml:16: themes: misses the school theme(s) polarisatie",
        "surveys/school.yaml:16: themes: has 1 critical items; an instrument has 3–6",
    ]


FIXTURE = Path(__file__).parent / "fixtures" / "lesbrieven" / "conflicten-wij-zij.md"
MATERIAAL = (
    "## Materiaal\n\n"
    '- Bericht 1: "Die mensen van die andere school verpesten altijd alles."\n'
    '- Bericht 2: "Iedereen uit die wijk is lastig."\n'
    '- Bericht 3: "Zij willen ons hier niet."\n\n'
)
NABESPREKING = (
    "## Nabespreking\n\n"
    "- Wat veranderde er toen het bericht over één persoon ging?\n"
    "- Wanneer heb jij zelf een groep de schuld gegeven?\n\n"
)


def write_lesbrief(project: Path, old: str = "", new: str = "") -> Path:
    """The fixture lesbrief in the project (whose catalogue is the shipped one), with one change."""
    text = FIXTURE.read_text(encoding="utf-8")
    if old:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = project / "lesbrieven" / "les.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_fixture_lesbrief_meets_the_guide(project):
    write_lesbrief(project)
    assert quality(project) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "## Let op\n",
            "",
            "lesbrieven/les.md: has no section '## Let op' (a lesbrief has: Doel, Voorbereiding,"
            " Lesverloop, Materiaal, Nabespreking, Let op)",
            id="missing-section",
        ),
        pytest.param(
            "## Nabespreking\n",
            "## Reflectie\n",
            [
                "lesbrieven/les.md:40: unknown section '## Reflectie'; a lesbrief has: Doel,"
                " Voorbereiding, Lesverloop, Materiaal, Nabespreking, Let op (use '###' for a"
                " part inside a section)",
                "lesbrieven/les.md: has no section '## Nabespreking' (a lesbrief has: Doel,"
                " Voorbereiding, Lesverloop, Materiaal, Nabespreking, Let op)",
            ],
            id="unknown-section",
        ),
        pytest.param(
            "## Nabespreking\n",
            "## Doel\n\nNog een doel.\n\n## Nabespreking\n",
            "lesbrieven/les.md:40: the section 'Doel' comes twice",
            id="section-twice",
        ),
        pytest.param(
            MATERIAAL + NABESPREKING,
            NABESPREKING + MATERIAAL,
            "lesbrieven/les.md:34: the section 'Nabespreking' is out of order; write the"
            " sections as Doel, Voorbereiding, Lesverloop, Materiaal, Nabespreking, Let op",
            id="out-of-order",
        ),
        pytest.param(
            NABESPREKING,
            "## Nabespreking\n\n",
            "lesbrieven/les.md:40: the section 'Nabespreking' is empty",
            id="empty-section",
        ),
        pytest.param(
            "2. **Berichten lezen** (15 min)",
            "2. Berichten lezen, 15 minuten",
            "lesbrieven/les.md:27: step '2. Berichten lezen, 15 minuten' has no name and timing:"
            " write it as 'N. **Name** (M min)'",
            id="step-without-timing",
        ),
        pytest.param(
            "3. **Herschrijven** (15 min)",
            "4. **Herschrijven** (15 min)",
            "lesbrieven/les.md:29: step 4 should be step 3",
            id="step-numbered-wrong",
        ),
        pytest.param(
            "4. **Terugkoppeling** (10 min)",
            "4. **Terugkoppeling** (15 min)",
            "lesbrieven/les.md:8: duration: the steps take 5 + 15 + 15 + 15 = 50 min, but"
            " duration is 45",
            id="timings-do-not-add-up",
        ),
    ],
)
def test_a_lesbrief_breaking_its_structure(project, old, new, expected):
    write_lesbrief(project, old, new)
    want = expected if isinstance(expected, list) else [expected]
    assert quality(project) == want


def test_a_lesverloop_with_one_step(project):
    text = FIXTURE.read_text(encoding="utf-8")
    start = text.index("1. **Opening** (5 min)")
    end = text.index("## Materiaal")
    text = text[:start] + "1. **Alles** (45 min)\n   Eén blok.\n\n" + text[end:]
    (project / "lesbrieven" / "les.md").write_text(text, encoding="utf-8")
    assert quality(project) == [
        "lesbrieven/les.md:23: the Lesverloop has 1 numbered steps; write at least 2, each as"
        " 'N. **Name** (M min)'"
    ]


def test_a_lesbrief_breaking_the_guide(project):
    path = write_lesbrief(project, "theme: conflicten", "theme: leiderschap")
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "focus: [kennis, houding]", '  - "Drie."\n  - "Vier."\nfocus: [kennis, houding]'
        ),
        encoding="utf-8",
    )
    assert quality(project) == [
        "lesbrieven/les.md:9: goals: has 4 goals; write 1–3",
        "lesbrieven/les.md:4: theme: 'leiderschap' is a school theme; lesbrieven are for class"
        " and individual themes",
    ]


def test_a_school_intervention_about_a_student_theme(project, line_of):
    path = project / "lesbrieven" / "interventies.yaml"
    text = path.read_text(encoding="utf-8")
    first_school = text.index("scope: school")
    themes = text.index("themes: [", first_school)
    close = text.index("]", themes)
    path.write_text(text[:themes] + "themes: [democratie" + text[close:], encoding="utf-8")
    found = quality(project)
    assert len(found) == 1
    assert found[0].endswith(
        ".themes[0]: 'democratie' is a student theme; an intervention of scope school is about"
        " school themes"
    )
    assert found[0].startswith("lesbrieven/interventies.yaml:")


def test_a_theme_and_level_with_one_lesbrief(project):
    for path in (project / "lesbrieven").glob("democratie-*.md"):
        text = path.read_text(encoding="utf-8")
        if "levels: [5]" in text or "levels: [5, 6]" in text or "levels: [4, 5]" in text:
            path.unlink()
    remaining = [
        p.stem
        for p in sorted((project / "lesbrieven").glob("democratie-*.md"))
        if "5" in p.read_text(encoding="utf-8").split("levels:")[1].split("\n")[0]
    ]
    assert remaining == []
    assert quality(project) == [
        "lesbrieven: theme 'democratie' at level 5 has 0 lesbrieven; write at least 2"
    ]


def test_run_check_reports_quality_problems(project, edit, line_of):
    edit(
        project / "surveys" / "klas.yaml",
        "In onze klas mag iedereen zichzelf zijn.",
        "Iedereen mag zichzelf zijn.",
    )
    out = io.StringIO()
    assert run_check(project, out) == 1
    report = out.getvalue()
    line = line_of(project / "surveys" / "klas.yaml", "Iedereen mag")
    assert report.endswith(
        f"1 problem:\n  surveys/klas.yaml:{line}: themes[2].items[0].text.nl: should start with"
        " 'In onze klas …' or 'Bij ons in de klas …'\n"
    )
    assert "instrument klas version 1 (klas, leerling): 24 items" in report
