"""The content-quality rules of CONTENT-GUIDE.md, for the content we ship.

These are not schema rules: a test instrument with one item per theme is valid, but the shipped
questionnaires must have at least four items per theme, few critical items, a sensible share of
reverse-keyed items and plain Dutch that a 12-year-old understands.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from wijscan.content.lesson import SECTIONS, structure_problems
from wijscan.content.loader import INTERVENTIONS_FILE, PYRAMID_FILE, split_front_matter
from wijscan.content.models import Content, Instrument, Intervention, Lesbrief, Pyramid
from wijscan.content.problems import Problem
from wijscan.content.source import Source, format_path, parse_yaml, read_text

#: The instruments of DESIGN.md; the product needs all four.
REQUIRED_INSTRUMENTS = ("school", "klas", "individu", "observatie")
MIN_ITEMS_PER_THEME = 4
#: klas + individu are answered in one sitting of about 15 minutes.
MAX_STUDENT_ITEMS = 50
MIN_CRITICAL, MAX_CRITICAL = 3, 6
MIN_REVERSE_SHARE, MAX_REVERSE_SHARE = 0.2, 0.5
MAX_WORDS = 15
MIN_SENTENCES, MAX_SENTENCES = 2, 3
MAX_GOALS = 3
#: How items of each kind of instrument open (CONTENT-GUIDE.md).
OPENINGS = {
    ("klas", "leerling"): ("In onze klas ", "Bij ons in de klas "),
    ("individu", "leerling"): ("Ik ",),
    ("school", "medewerker"): ("Op onze school ",),
    ("individu", "mentor"): ("De leerling ",),
}
#: Jargon that never appears in a student item (nl or en); matched at the start of a word.
JARGON = ("polari", "radicali", "extremis", "terroris")
#: Items never ask about religion, political preference or ethnicity.
SENSITIVE = (
    "religie",
    "religieu",
    "religion",
    "religious",
    "moslim",
    "muslim",
    "islam",
    "christen",
    "christian",
    "jood",
    "joods",
    "jewish",
    "politieke partij",
    "political part",
    "etnic",
    "etnisch",
    "ethnic",
    "huidskleur",
    "skin colo",
)
NEGATIONS = ("niet", "geen", "nooit", "niemand", "niets", "nergens", "zonder")
#: The parts of a lesbrief (CONTENT-GUIDE.md).
LESBRIEF_SECTIONS = SECTIONS
#: Every class/individual theme at every level up to this one has lesbrieven ...
COVERED_LEVELS = range(1, 6)
#: ... at least this many.
MIN_LESBRIEVEN_PER_CELL = 2
#: Individual follow-up (interventions of scope individu) exists for every student theme at these.
CARE_LEVELS = (1, 2)

Loc = tuple[str | int, ...]


class _Lines:
    """Finds the line of a path in a content file, by reading the file again when needed."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.sources: dict[str, Source | None] = {}

    def problem(self, file: str, loc: Loc, message: str) -> Problem:
        return Problem(file, self.line(file, loc), format_path(loc), message)

    def line(self, file: str, loc: Loc) -> int | None:
        src = self._source(file)
        return src.line(loc) if src else None

    def _source(self, file: str) -> Source | None:
        if file not in self.sources:
            self.sources[file] = self._parse(file)
        return self.sources[file]

    def _parse(self, file: str) -> Source | None:
        if self.root is None:
            return None
        text, _ = read_text(self.root / file, file)
        if text is None:
            return None
        offset = 0
        if file.endswith(".md"):
            parts = split_front_matter(text)
            if parts is None:
                return None
            text, offset = parts[0], 1
        src, _ = parse_yaml(text, file, line_offset=offset)
        return src


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _mentions(text: str, stems: Sequence[str]) -> list[str]:
    lower = text.lower()
    return [stem for stem in stems if re.search(r"\b" + re.escape(stem), lower)]


def _sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text.strip()))


def _pyramid_quality(pyramid: Pyramid, lines: _Lines) -> list[Problem]:
    out = []
    for ti, theme in enumerate(pyramid.themes):
        for level, text in sorted(theme.descriptions.items()):
            for lang in ("nl", "en"):
                count = _sentences(getattr(text, lang))
                if not MIN_SENTENCES <= count <= MAX_SENTENCES:
                    out.append(
                        lines.problem(
                            PYRAMID_FILE,
                            ("themes", ti, "descriptions", level, lang),
                            f"has {count} sentences; describe a level in"
                            f" {MIN_SENTENCES} or {MAX_SENTENCES} sentences a mentor can act on",
                        )
                    )
    return out


def _instrument_quality(
    instrument: Instrument, file: str, pyramid: Pyramid | None, lines: _Lines
) -> list[Problem]:
    out: list[Problem] = []
    student = instrument.respondent == "leerling"
    if pyramid is not None:
        present = {theme.id for theme in instrument.themes}
        missing = [
            theme.id
            for theme in pyramid.themes
            if instrument.level in theme.levels_used and theme.id not in present
        ]
        if missing:
            out.append(
                lines.problem(
                    file,
                    ("themes",),
                    f"misses the {instrument.level} theme(s) {', '.join(missing)}",
                )
            )
    items = instrument.items
    critical = [item for item in items if item.critical is not None]
    low, high = (MIN_CRITICAL, MAX_CRITICAL) if instrument.respondent != "mentor" else (0, 6)
    if not low <= len(critical) <= high:
        out.append(
            lines.problem(
                file,
                ("themes",),
                f"has {len(critical)} critical items; an instrument has {low}–{high}",
            )
        )
    share = sum(item.reverse for item in items) / len(items)
    if not MIN_REVERSE_SHARE <= share <= MAX_REVERSE_SHARE:
        out.append(
            lines.problem(
                file,
                ("themes",),
                f"{share:.0%} of the items are reverse-keyed; aim for about a third"
                f" ({MIN_REVERSE_SHARE:.0%}–{MAX_REVERSE_SHARE:.0%})",
            )
        )
    openings = OPENINGS.get((instrument.level, instrument.respondent))
    for ti, theme in enumerate(instrument.themes):
        if student and theme.title is None:
            out.append(
                lines.problem(
                    file,
                    ("themes", ti, "id"),
                    f"theme '{theme.id}' has no title: its page would be headed with the theme"
                    " name; give it a title in the students' own words",
                )
            )
        elif student and theme.title is not None:
            for lang in ("nl", "en"):
                for stem in _mentions(getattr(theme.title, lang), JARGON):
                    out.append(
                        lines.problem(
                            file,
                            ("themes", ti, "title", lang),
                            f"uses the jargon '{stem}…'; a student page title never does",
                        )
                    )
        if len(theme.items) < MIN_ITEMS_PER_THEME:
            out.append(
                lines.problem(
                    file,
                    ("themes", ti, "items"),
                    f"theme '{theme.id}' has {len(theme.items)} items;"
                    f" it needs at least {MIN_ITEMS_PER_THEME}",
                )
            )
        reversed_items = sum(item.reverse for item in theme.items)
        if len(theme.items) >= 3 and reversed_items == 0:
            out.append(
                lines.problem(
                    file,
                    ("themes", ti, "items"),
                    f"theme '{theme.id}' has no reverse-keyed item; spread them over the themes",
                )
            )
        elif len(theme.items) >= 3 and reversed_items == len(theme.items):
            out.append(
                lines.problem(
                    file,
                    ("themes", ti, "items"),
                    f"every item of theme '{theme.id}' is reverse-keyed",
                )
            )
        for ii, item in enumerate(theme.items):
            loc: Loc = ("themes", ti, "items", ii, "text", "nl")
            nl = item.text.nl
            words = len(nl.split())
            if words > MAX_WORDS:
                out.append(
                    lines.problem(file, loc, f"has {words} words; keep an item to {MAX_WORDS}")
                )
            if openings and not nl.startswith(openings):
                choices = " or ".join(f"'{o.strip()} …'" for o in openings)
                out.append(lines.problem(file, loc, f"should start with {choices}"))
            negations = [w for w in _words(nl) if w in NEGATIONS]
            if len(negations) >= 2:
                out.append(
                    lines.problem(
                        file,
                        loc,
                        f"reads as a double negative ({', '.join(negations)}); say it positively",
                    )
                )
            elif item.reverse and negations:
                out.append(
                    lines.problem(
                        file,
                        loc,
                        f"is reverse-keyed and says '{negations[0]}': disagreeing becomes a"
                        " double negative; word it without a negation",
                    )
                )
            if student:
                for lang in ("nl", "en"):
                    text = getattr(item.text, lang)
                    tloc: Loc = ("themes", ti, "items", ii, "text", lang)
                    for stem in _mentions(text, JARGON):
                        out.append(
                            lines.problem(
                                file,
                                tloc,
                                f"uses the jargon '{stem}…'; a student item never does",
                            )
                        )
                    for stem in _mentions(text, SENSITIVE):
                        out.append(
                            lines.problem(
                                file,
                                tloc,
                                f"mentions '{stem}…'; items never ask about religion,"
                                " political preference or ethnicity",
                            )
                        )
    return out


def _lesbrief_quality(lesbrief: Lesbrief, pyramid: Pyramid | None, lines: _Lines) -> list[Problem]:
    file = lesbrief.source
    out = structure_problems(
        file,
        lesbrief.body,
        lesbrief.body_line,
        lesbrief.duration,
        lines.line(file, ("duration",)),
    )
    if len(lesbrief.goals) > MAX_GOALS:
        out.append(
            lines.problem(file, ("goals",), f"has {len(lesbrief.goals)} goals; write 1–{MAX_GOALS}")
        )
    if pyramid is not None:
        try:
            theme = pyramid.theme(lesbrief.theme)
        except KeyError:
            theme = None
        if theme is not None and not {"klas", "individu"} & set(theme.levels_used):
            out.append(
                lines.problem(
                    file,
                    ("theme",),
                    f"'{theme.id}' is a school theme; lesbrieven are for class and individual"
                    " themes",
                )
            )
    return out


def _student_themes(pyramid: Pyramid) -> list[str]:
    return [t.id for t in pyramid.themes if {"klas", "individu"} & set(t.levels_used)]


def _coverage_quality(pyramid: Pyramid, lesbrieven: Sequence[Lesbrief]) -> list[Problem]:
    """Every student theme × level 1–5 has at least two lesbrieven."""
    out = []
    for theme_id in _student_themes(pyramid):
        for level in COVERED_LEVELS:
            ids = [b.id for b in lesbrieven if b.theme == theme_id and level in b.levels]
            if len(ids) < MIN_LESBRIEVEN_PER_CELL:
                have = f" ({', '.join(ids)})" if ids else ""
                out.append(
                    Problem(
                        "lesbrieven",
                        None,
                        "",
                        f"theme '{theme_id}' at level {level} has {len(ids)} lesbrieven{have};"
                        f" write at least {MIN_LESBRIEVEN_PER_CELL}",
                    )
                )
    return out


def _interventions_quality(
    pyramid: Pyramid, interventions: Sequence[Intervention], lines: _Lines
) -> list[Problem]:
    """School interventions are about school themes, the others about student themes; every
    student theme has individual follow-up at levels 1 and 2."""
    out = []
    student = set(_student_themes(pyramid))
    for i, item in enumerate(interventions):
        for j, theme_id in enumerate(item.themes):
            known = theme_id in {t.id for t in pyramid.themes}
            if known and (item.scope == "school") == (theme_id in student):
                kind = "a student theme" if theme_id in student else "a school theme"
                out.append(
                    lines.problem(
                        INTERVENTIONS_FILE,
                        ("interventions", i, "themes", j),
                        f"'{theme_id}' is {kind}; an intervention of scope {item.scope} is about"
                        f" {'school' if item.scope == 'school' else 'student'} themes",
                    )
                )
    for theme_id in sorted(student):
        for level in CARE_LEVELS:
            if not any(
                item.scope == "individu" and theme_id in item.themes and level in item.levels
                for item in interventions
            ):
                out.append(
                    Problem(
                        INTERVENTIONS_FILE,
                        None,
                        "",
                        f"no individual follow-up (scope individu) for theme '{theme_id}' at"
                        f" level {level}",
                    )
                )
    return out


def collect_quality(
    pyramid: Pyramid | None,
    instruments: dict[str, Instrument],
    files: dict[str, str],
    lesbrieven: Sequence[Lesbrief],
    root: Path | None,
    *,
    require_all: bool = True,
    interventions: Sequence[Intervention] = (),
) -> list[Problem]:
    """The quality problems of whatever loaded (run_check uses this on partial content)."""
    lines = _Lines(root)
    out: list[Problem] = []
    if pyramid is not None:
        out += _pyramid_quality(pyramid, lines)
    if require_all:
        for instrument_id in REQUIRED_INSTRUMENTS:
            if instrument_id not in instruments:
                out.append(
                    Problem(
                        f"surveys/{instrument_id}.yaml",
                        None,
                        "",
                        f"the instrument '{instrument_id}' is missing (DESIGN.md: school, klas,"
                        " individu, observatie)",
                    )
                )
    for instrument_id, instrument in instruments.items():
        file = files.get(instrument_id, f"surveys/{instrument_id}.yaml")
        out += _instrument_quality(instrument, file, pyramid, lines)
    student_items = [
        (instrument_id, len(instrument.items))
        for instrument_id, instrument in sorted(instruments.items())
        if instrument.respondent == "leerling"
    ]
    total = sum(n for _, n in student_items)
    if total > MAX_STUDENT_ITEMS:
        parts = " + ".join(f"{n} ({instrument_id})" for instrument_id, n in student_items)
        out.append(
            Problem(
                "surveys",
                None,
                "",
                f"students answer {parts} = {total} items; keep it to {MAX_STUDENT_ITEMS}"
                " (about 15 minutes)",
            )
        )
    for lesbrief in lesbrieven:
        out += _lesbrief_quality(lesbrief, pyramid, lines)
    if pyramid is not None:
        if interventions or require_all:
            out += _interventions_quality(pyramid, interventions, lines)
        if require_all:
            out += _coverage_quality(pyramid, lesbrieven)
    return out


def quality_problems(content: Content) -> list[Problem]:
    """Every breach of the CONTENT-GUIDE.md rules in ``content`` (empty when all is well)."""
    return collect_quality(
        content.pyramid,
        content.instruments,
        content.instrument_files,
        content.lesbrieven,
        content.root,
        interventions=content.interventions,
    )
