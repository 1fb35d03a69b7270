"""Load surveys/ and lesbrieven/ into typed objects, reporting every problem at once.

``load_pyramid`` and ``load_instrument`` check one file against the schema (any valid instrument
is accepted, e.g. a theme with one item or a 7-point scale). ``load_content`` loads a whole
project directory and adds the checks that span files: duplicate ids, unknown themes and the
comparability lock (lock.py). The content-quality rules of CONTENT-GUIDE.md are separate
(quality.py), because they apply only to the content we ship.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wijscan.content.lock import lock_problems
from wijscan.content.models import (
    LANGUAGES,
    LEVELS,
    Content,
    Instrument,
    Intervention,
    InterventionsFile,
    Lesbrief,
    LesbriefMeta,
    Pyramid,
)
from wijscan.content.problems import ContentError, Problem
from wijscan.content.source import Source, format_path, parse_yaml, read_text, validate

SURVEYS_DIR = "surveys"
PYRAMID_FILE = "surveys/piramide.yaml"
LESBRIEVEN_DIR = "lesbrieven"
INTERVENTIONS_FILE = "lesbrieven/interventies.yaml"
#: Markdown files in lesbrieven/ that are not lesbrieven.
NOT_LESBRIEVEN = {"readme.md"}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _by_line(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


# --- the pyramid -------------------------------------------------------------------------------


def _duplicate_theme_ids(src: Source, themes: list, message: str) -> list[Problem]:
    """A problem at every theme whose id an earlier theme already has; ``message`` is formatted
    with the id and the index of the first theme with it."""
    first: dict[str, int] = {}
    problems = []
    for i, theme in enumerate(themes):
        theme_id = theme.get("id") if isinstance(theme, dict) else None
        if not isinstance(theme_id, str):
            continue
        if theme_id in first:
            problems.append(
                src.problem(("themes", i, "id"), message.format(id=theme_id, i=first[theme_id]))
            )
        else:
            first[theme_id] = i
    return problems


def _pyramid_checks(src: Source) -> list[Problem]:
    data = src.data
    if not isinstance(data, dict):
        return []
    out: list[Problem] = []
    levels = data.get("levels")
    if isinstance(levels, list):
        if len(levels) != LEVELS:
            out.append(
                src.problem(
                    ("levels",), f"the pyramid has exactly {LEVELS} levels; found {len(levels)}"
                )
            )
        previous: float | None = None
        keys: dict[str, int] = {}
        for i, level in enumerate(levels):
            if not isinstance(level, dict):
                continue
            number = level.get("level")
            if _is_int(number) and number != i + 1:
                out.append(
                    src.problem(
                        ("levels", i, "level"),
                        f"levels are numbered 1..{LEVELS} in order;"
                        f" expected {i + 1}, found {number}",
                    )
                )
            key = level.get("key")
            if isinstance(key, str):
                if key in keys:
                    out.append(
                        src.problem(
                            ("levels", i, "key"),
                            f"duplicate level key '{key}' (also levels[{keys[key]}])",
                        )
                    )
                else:
                    keys[key] = i
            start = level.get("from")
            if not _is_number(start):
                continue
            if i == 0 and start != 0:
                out.append(
                    src.problem(
                        ("levels", 0, "from"), f"the first level starts at 0, not {start:g}"
                    )
                )
            elif previous is not None and start <= previous:
                out.append(
                    src.problem(
                        ("levels", i, "from"),
                        f"{start:g} is not above the 'from' of the level before ({previous:g});"
                        " the values must rise strictly",
                    )
                )
            previous = start
    themes = data.get("themes")
    if isinstance(themes, list):
        out.extend(
            _duplicate_theme_ids(src, themes, "duplicate theme id '{id}' (also themes[{i}])")
        )
        for i, theme in enumerate(themes):
            if not isinstance(theme, dict):
                continue
            used = theme.get("levels_used")
            if isinstance(used, list):
                for value in {v for v in used if isinstance(v, str) and used.count(v) > 1}:
                    out.append(
                        src.problem(("themes", i, "levels_used"), f"'{value}' is listed twice")
                    )
            descriptions = theme.get("descriptions")
            if isinstance(descriptions, dict):
                missing = [n for n in range(1, LEVELS + 1) if n not in descriptions]
                if missing:
                    word = "level" if len(missing) == 1 else "levels"
                    out.append(
                        src.problem(
                            ("themes", i, "descriptions"),
                            f"no description for {word} {', '.join(map(str, missing))}",
                        )
                    )
                for key in descriptions:
                    if _is_int(key) and not 1 <= key <= LEVELS:
                        out.append(
                            src.problem(
                                ("themes", i, "descriptions", key),
                                f"there is no level {key}; levels are 1..{LEVELS}",
                            )
                        )
    return out


def _pyramid_from_text(text: str, file: str) -> tuple[Pyramid | None, list[Problem]]:
    src, problems = parse_yaml(text, file)
    if src is None:
        return None, problems
    pyramid, errors = validate(Pyramid, src)
    problems = _by_line(problems + errors + _pyramid_checks(src))
    return (None if problems else pyramid), problems


def _read_pyramid(path: Path, file: str) -> tuple[Pyramid | None, list[Problem]]:
    text, problems = read_text(path, file)
    if text is None:
        return None, problems
    return _pyramid_from_text(text, file)


def load_pyramid(path: str | Path) -> Pyramid:
    """Load and check a pyramid file (surveys/piramide.yaml); raises ContentError."""
    pyramid, problems = _read_pyramid(Path(path), str(path))
    if problems or pyramid is None:
        raise ContentError(problems)
    return pyramid


# --- instruments -------------------------------------------------------------------------------


def _instrument_checks(src: Source, pyramid: Pyramid | None) -> list[Problem]:
    """The checks pydantic cannot make on one field: they need another field or the pyramid."""
    data = src.data
    if not isinstance(data, dict):
        return []
    out: list[Problem] = []
    scale = data.get("scale")
    points: int | None = None
    if isinstance(scale, dict):
        if _is_int(scale.get("points")) and scale["points"] >= 2:
            points = scale["points"]
        labels = scale.get("labels")
        if isinstance(labels, dict):
            for lang in LANGUAGES:
                if lang not in labels:
                    what = "missing the Dutch labels (nl)"
                    if lang == "en":
                        what = "missing translation: no English labels (en)"
                    out.append(src.problem(("scale", "labels"), what))
                elif isinstance(labels[lang], list) and points and len(labels[lang]) != points:
                    out.append(
                        src.problem(
                            ("scale", "labels", lang),
                            f"has {len(labels[lang])} labels; the scale has {points} points",
                        )
                    )
    known = {theme.id: theme for theme in pyramid.themes} if pyramid is not None else None
    level = data.get("level")
    themes = data.get("themes")
    if not isinstance(themes, list):
        return out
    out.extend(_duplicate_theme_ids(src, themes, "theme '{id}' appears twice (also themes[{i}])"))
    for ti, theme in enumerate(themes):
        if not isinstance(theme, dict):
            continue
        theme_id = theme.get("id")
        if isinstance(theme_id, str):
            if known is not None and theme_id not in known:
                out.append(
                    src.problem(
                        ("themes", ti, "id"),
                        f"unknown theme '{theme_id}'; {PYRAMID_FILE} has: {', '.join(known)}",
                    )
                )
            elif (
                known is not None
                and level in ("school", "klas", "individu")
                and level not in known[theme_id].levels_used
            ):
                out.append(
                    src.problem(
                        ("themes", ti, "id"),
                        f"theme '{theme_id}' is not used at level '{level}'"
                        f" (levels_used: {', '.join(known[theme_id].levels_used)})",
                    )
                )
        items = theme.get("items")
        if not isinstance(items, list):
            continue
        for ii, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            critical = item.get("critical")
            if not (isinstance(critical, dict) and isinstance(critical.get("answers"), list)):
                continue
            loc = ("themes", ti, "items", ii, "critical", "answers")
            answers = [a for a in critical["answers"] if _is_int(a)]
            seen: set[int] = set()
            for answer in answers:
                if points and not 1 <= answer <= points:
                    out.append(
                        src.problem(loc, f"answer {answer} is outside the scale 1..{points}")
                    )
                elif answer in seen:
                    out.append(src.problem(loc, f"answer {answer} is listed twice"))
                seen.add(answer)
            if points and seen >= set(range(1, points + 1)):
                out.append(
                    src.problem(loc, "every answer is critical; the item would signal everyone")
                )
    for item_id, locs in _item_ids(src).items():
        for loc in locs[1:]:
            out.append(
                src.problem(loc, f"duplicate item id '{item_id}' (also at {format_path(locs[0])})")
            )
    return out


def _item_ids(src: Source) -> dict[str, list[tuple[str | int, ...]]]:
    """Item id → where it occurs (``themes[i].items[j].id``), read from the raw document."""
    found: dict[str, list[tuple[str | int, ...]]] = {}
    data = src.data
    themes = data.get("themes") if isinstance(data, dict) else None
    if not isinstance(themes, list):
        return found
    for ti, theme in enumerate(themes):
        items = theme.get("items") if isinstance(theme, dict) else None
        if not isinstance(items, list):
            continue
        for ii, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                found.setdefault(item["id"], []).append(("themes", ti, "items", ii, "id"))
    return found


def _instrument_from_source(
    src: Source, pyramid: Pyramid | None
) -> tuple[Instrument | None, list[Problem]]:
    instrument, errors = validate(Instrument, src)
    problems = _by_line(errors + _instrument_checks(src, pyramid))
    return (None if problems else instrument), problems


def _read_instrument(
    path: Path, file: str, pyramid: Pyramid | None
) -> tuple[Instrument | None, Source | None, list[Problem]]:
    text, problems = read_text(path, file)
    if text is None:
        return None, None, problems
    src, problems = parse_yaml(text, file)
    if src is None:
        return None, None, problems
    instrument, more = _instrument_from_source(src, pyramid)
    problems = _by_line(problems + more)
    return (None if problems else instrument), src, problems


def load_instrument(path: str | Path, pyramid: Pyramid | None = None) -> Instrument:
    """Load and check one instrument file against the schema; raises ContentError.

    With a pyramid it also checks that every theme exists there and is used at the
    instrument's level.
    """
    instrument, _src, problems = _read_instrument(Path(path), str(path), pyramid)
    if problems or instrument is None:
        raise ContentError(problems)
    return instrument


# --- lesbrieven and interventions --------------------------------------------------------------


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """``(front matter, body, line of the body)`` of a Markdown file, or None without it."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            return "".join(lines[1:end]), "".join(lines[end + 1 :]), end + 2
    return None


def _theme_problem(
    src: Source, loc: tuple[str | int, ...], theme_id: Any, pyramid: Pyramid | None
) -> list[Problem]:
    if pyramid is None or not isinstance(theme_id, str):
        return []
    known = [theme.id for theme in pyramid.themes]
    if theme_id in known:
        return []
    return [src.problem(loc, f"unknown theme '{theme_id}'; {PYRAMID_FILE} has: {', '.join(known)}")]


def _read_lesbrief(
    path: Path, file: str, pyramid: Pyramid | None
) -> tuple[Lesbrief | None, Source | None, list[Problem]]:
    text, problems = read_text(path, file)
    if text is None:
        return None, None, problems
    parts = split_front_matter(text)
    if parts is None:
        return (
            None,
            None,
            [
                Problem(
                    file,
                    1,
                    "",
                    "a lesbrief starts with front matter: a line '---', the YAML keys"
                    " (id, title, theme, ...) and another line '---'",
                )
            ],
        )
    front, body, body_line = parts
    src, problems = parse_yaml(front, file, line_offset=1)
    if src is None:
        return None, None, problems
    meta, errors = validate(LesbriefMeta, src)
    problems += errors
    if isinstance(src.data, dict):
        problems += _theme_problem(src, ("theme",), src.data.get("theme"), pyramid)
    if not body.strip():
        problems.append(
            Problem(file, body_line, "", "there is no lesson text after the front matter")
        )
    problems = _by_line(problems)
    if problems or meta is None:
        return None, src, problems
    stripped = body.lstrip("\n")
    body_line += len(body) - len(stripped)
    return Lesbrief(**meta.model_dump(), body=stripped, source=file, body_line=body_line), src, []


def _read_interventions(
    path: Path, file: str, pyramid: Pyramid | None
) -> tuple[InterventionsFile | None, Source | None, list[Problem]]:
    text, problems = read_text(path, file)
    if text is None:
        return None, None, problems
    src, problems = parse_yaml(text, file)
    if src is None:
        return None, None, problems
    parsed, errors = validate(InterventionsFile, src)
    problems += errors
    entries = src.data.get("interventions") if isinstance(src.data, dict) else None
    if isinstance(entries, list):
        ids: dict[str, int] = {}
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            entry_id = entry.get("id")
            if isinstance(entry_id, str):
                if entry_id in ids:
                    problems.append(
                        src.problem(
                            ("interventions", i, "id"),
                            f"duplicate intervention id '{entry_id}'"
                            f" (also interventions[{ids[entry_id]}])",
                        )
                    )
                else:
                    ids[entry_id] = i
            themes = entry.get("themes")
            if isinstance(themes, list):
                for theme_id in themes:
                    problems += _theme_problem(
                        src, ("interventions", i, "themes"), theme_id, pyramid
                    )
    problems = _by_line(problems)
    if problems or parsed is None:
        return None, src, problems
    return parsed, src, []


# --- a whole project ---------------------------------------------------------------------------


@dataclass
class Loaded:
    """What :func:`collect` found: everything that loaded, and every problem."""

    root: Path
    pyramid: Pyramid | None = None
    instruments: dict[str, Instrument] = field(default_factory=dict)
    instrument_files: dict[str, str] = field(default_factory=dict)
    lesbrieven: list[Lesbrief] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    zorgprotocol: str = ""
    problems: list[Problem] = field(default_factory=list)

    def content(self) -> Content:
        if self.problems or self.pyramid is None:
            raise ContentError(self.problems)
        return Content(
            pyramid=self.pyramid,
            instruments=dict(self.instruments),
            lesbrieven=list(self.lesbrieven),
            interventions=list(self.interventions),
            zorgprotocol=self.zorgprotocol,
            root=self.root,
            instrument_files=dict(self.instrument_files),
        )


def instrument_paths(root: Path) -> list[Path]:
    """The instrument files: every surveys/*.yaml except the pyramid."""
    surveys = root / SURVEYS_DIR
    if not surveys.is_dir():
        return []
    return sorted(p for p in surveys.glob("*.yaml") if p.name != Path(PYRAMID_FILE).name)


def lesbrief_paths(root: Path) -> list[Path]:
    """The lesbrieven: every lesbrieven/*.md except a README."""
    folder = root / LESBRIEVEN_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.md") if p.name.lower() not in NOT_LESBRIEVEN)


def collect(root: str | Path, *, check_lock: bool = True) -> Loaded:
    """Load everything under ``root`` that can be loaded and gather every problem."""
    root = Path(root)
    loaded = Loaded(root=root)
    problems = loaded.problems
    pyramid, found = _read_pyramid(root / PYRAMID_FILE, PYRAMID_FILE)
    loaded.pyramid = pyramid
    problems += found

    item_ids: dict[str, str] = {}  # item id → "file:line (path)" where it was first seen
    instrument_ids: dict[str, str] = {}
    for path in instrument_paths(root):
        file = f"{SURVEYS_DIR}/{path.name}"
        instrument, src, found = _read_instrument(path, file, pyramid)
        if src is not None:
            for item_id, locs in _item_ids(src).items():
                if item_id in item_ids:
                    found.append(
                        src.problem(
                            locs[0], f"item id '{item_id}' is already used in {item_ids[item_id]}"
                        )
                    )
                else:
                    item_ids[item_id] = f"{file}:{src.line(locs[0])} ({format_path(locs[0])})"
            own_id = src.data.get("id") if isinstance(src.data, dict) else None
            if isinstance(own_id, str):
                if own_id in instrument_ids:
                    found.append(
                        src.problem(
                            ("id",),
                            f"instrument id '{own_id}' is already used in {instrument_ids[own_id]}",
                        )
                    )
                    instrument = None
                else:
                    instrument_ids[own_id] = file
        problems += _by_line(found)
        if instrument is not None and not found:
            loaded.instruments[instrument.id] = instrument
            loaded.instrument_files[instrument.id] = file

    lesbrief_ids: dict[str, str] = {}
    for path in lesbrief_paths(root):
        file = f"{LESBRIEVEN_DIR}/{path.name}"
        lesbrief, src, found = _read_lesbrief(path, file, pyramid)
        own_id = src.data.get("id") if src is not None and isinstance(src.data, dict) else None
        if src is not None and isinstance(own_id, str):
            if own_id in lesbrief_ids:
                found.append(
                    src.problem(
                        ("id",),
                        f"lesbrief id '{own_id}' is already used in {lesbrief_ids[own_id]}",
                    )
                )
            else:
                lesbrief_ids[own_id] = file
        problems += _by_line(found)
        if lesbrief is not None and not found:
            loaded.lesbrieven.append(lesbrief)

    interventions_path = root / INTERVENTIONS_FILE
    if interventions_path.exists():
        parsed, _src, found = _read_interventions(interventions_path, INTERVENTIONS_FILE, pyramid)
        problems += found
        if parsed is not None:
            loaded.interventions = list(parsed.interventions)
            loaded.zorgprotocol = parsed.zorgprotocol

    if check_lock:
        problems += lock_problems(root, loaded.instruments, loaded.instrument_files)
    return loaded


def load_content(root: str | Path, *, check_lock: bool = True) -> Content:
    """Load and check everything in ``root`` (the directory holding surveys/ and lesbrieven/).

    Raises ContentError listing every problem at once: schema problems of every file, unknown
    themes, duplicate ids across files and, with ``check_lock``, instruments whose scoring
    changed without a new version. The content-quality rules are not checked here; see
    :func:`wijscan.content.quality_problems`.
    """
    return collect(root, check_lock=check_lock).content()
