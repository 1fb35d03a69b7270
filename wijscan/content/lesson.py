"""The parts of a lesbrief's text: its six sections and the timed steps of its Lesverloop.

A lesbrief's body is Markdown with exactly these level-2 headings, in this order (CONTENT-GUIDE.md):
Doel, Voorbereiding, Lesverloop, Materiaal, Nabespreking, Let op. The Lesverloop is a numbered
list whose every top-level item opens with ``N. **Name** (M min)``; the minutes add up to the
lesbrief's ``duration``. The checker (:mod:`wijscan.content.quality`) and the app (the lesbrief
page, the plan) read the text through this module, so both see the same parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wijscan.content.problems import Problem

#: The parts of a lesbrief (CONTENT-GUIDE.md), in order.
SECTIONS = ("Doel", "Voorbereiding", "Lesverloop", "Materiaal", "Nabespreking", "Let op")
STEPS_SECTION = "Lesverloop"
MIN_STEPS = 2

_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_NUMBERED = re.compile(r"^(\d+)[.)]\s")
_STEP = re.compile(r"^(\d+)\.\s+\*\*(.+?)\*\*\s+\((\d+)\s*min\)")
STEP_FORM = "'N. **Name** (M min)'"


@dataclass(frozen=True)
class Section:
    title: str
    #: The line of the heading in the file.
    line: int
    #: The Markdown below the heading, up to the next level-2 heading (its first line is the
    #: line after the heading).
    text: str


@dataclass(frozen=True)
class Step:
    number: int
    name: str
    minutes: int
    line: int


def sections(body: str, first_line: int = 1) -> list[Section]:
    """The level-2 sections of ``body`` (whose first line is line ``first_line`` of the file).

    Text before the first heading is not a section; headings inside code fences do not count.
    """
    found: list[tuple[str, int, list[str]]] = []
    fenced = False
    for offset, raw in enumerate(body.splitlines()):
        if _FENCE.match(raw):
            fenced = not fenced
        match = None if fenced else _HEADING.match(raw)
        if match:
            found.append((match.group(1).strip(), first_line + offset, []))
        elif found:
            found[-1][2].append(raw)
    return [Section(title, line, "\n".join(lines)) for title, line, lines in found]


def section(body: str, title: str) -> Section | None:
    """The section called ``title``, or None."""
    return next((s for s in sections(body) if s.title == title), None)


def steps(part: Section) -> tuple[list[Step], list[tuple[int, str]]]:
    """The timed steps of a Lesverloop section, and ``(line, message)`` for each malformed one."""
    out: list[Step] = []
    problems: list[tuple[int, str]] = []
    expected = 0
    for offset, raw in enumerate(part.text.splitlines(), start=1):
        if not _NUMBERED.match(raw):
            continue
        expected += 1
        line = part.line + offset
        match = _STEP.match(raw)
        if match is None:
            problems.append(
                (line, f"step '{raw.strip()[:40]}' has no name and timing: write it as {STEP_FORM}")
            )
            continue
        number, name, minutes = int(match.group(1)), match.group(2).strip(), int(match.group(3))
        if number != expected:
            problems.append((line, f"step {number} should be step {expected}"))
        out.append(Step(expected, name, minutes, line))
    return out, problems


def structure_problems(
    file: str, body: str, first_line: int, duration: int, duration_line: int | None
) -> list[Problem]:
    """What is wrong with a lesbrief's parts: each problem with its file and line."""
    out: list[Problem] = []
    found = sections(body, first_line)
    seen: set[str] = set()
    for part in found:
        if part.title not in SECTIONS:
            out.append(
                Problem(
                    file,
                    part.line,
                    "",
                    f"unknown section '## {part.title}'; a lesbrief has: {', '.join(SECTIONS)}"
                    " (use '###' for a part inside a section)",
                )
            )
        elif part.title in seen:
            out.append(Problem(file, part.line, "", f"the section '{part.title}' comes twice"))
        seen.add(part.title)
    for title in SECTIONS:
        if title not in seen:
            out.append(
                Problem(
                    file,
                    None,
                    "",
                    f"has no section '## {title}' (a lesbrief has: {', '.join(SECTIONS)})",
                )
            )
    known = [s for s in found if s.title in SECTIONS]
    order = list(dict.fromkeys(s.title for s in known))
    for title, want in zip(order, [t for t in SECTIONS if t in seen], strict=True):
        if title != want:
            line = next(s.line for s in known if s.title == title)
            out.append(
                Problem(
                    file,
                    line,
                    "",
                    f"the section '{title}' is out of order; write the sections as"
                    f" {', '.join(SECTIONS)}",
                )
            )
            break
    for part in known:
        if not part.text.strip():
            out.append(Problem(file, part.line, "", f"the section '{part.title}' is empty"))
    lesverloop = next((s for s in known if s.title == STEPS_SECTION), None)
    if lesverloop is not None:
        timed, malformed = steps(lesverloop)
        out += [Problem(file, line, "", message) for line, message in malformed]
        if len(timed) < MIN_STEPS and not malformed:
            out.append(
                Problem(
                    file,
                    lesverloop.line,
                    "",
                    f"the Lesverloop has {len(timed)} numbered steps; write at least {MIN_STEPS},"
                    f" each as {STEP_FORM}",
                )
            )
        total = sum(step.minutes for step in timed)
        if timed and not malformed and total != duration:
            sums = " + ".join(str(step.minutes) for step in timed)
            out.append(
                Problem(
                    file,
                    duration_line,
                    "duration",
                    f"the steps take {sums} = {total} min, but duration is {duration}",
                )
            )
    return out
