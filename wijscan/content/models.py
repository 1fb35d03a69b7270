"""Typed content: the pyramid, the instruments, the lesbrieven and the interventions.

These models are the *schema* of the files in surveys/ and lesbrieven/. They are strict (YAML
``"5"`` is not the number 5, ``yes`` is not a word), refuse unknown keys and are frozen. Checks
that need more than one field (labels against scale points, critical answers against the scale,
theme ids against the pyramid) live in :mod:`wijscan.content.loader`, so that every problem of a
file is reported at once with its own place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

#: The number of pyramid levels; critical caps, lesbrief levels and descriptions use 1..LEVELS.
LEVELS = 6
#: Leerjaren of Dutch secondary education.
GRADES = range(1, 7)
#: The two languages every text is written in.
LANGUAGES = ("nl", "en")

#: School types (onderwijssoorten) a class can be in; a lesbrief lists those it is written for.
STREAMS = ("vmbo-b", "vmbo-k", "vmbo-gt", "mavo", "pro", "havo", "vwo", "gymnasium")

InstrumentLevel = Literal["school", "klas", "individu"]
Stream = Literal["vmbo-b", "vmbo-k", "vmbo-gt", "mavo", "pro", "havo", "vwo", "gymnasium"]
Focus = Literal["kennis", "houding", "vaardigheden"]
Effort = Literal["licht", "middel", "zwaar"]
Provider = Literal["school", "extern", "zorgstructuur"]
Respondent = Literal["leerling", "medewerker", "mentor"]

_IDENT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return value


def _ident(value: str) -> str:
    if not _IDENT.fullmatch(value):
        raise PydanticCustomError(
            "ident",
            "'{value}' is not a valid id: use lower-case letters, digits and single hyphens,"
            " like 'klas-burg-1'",
            {"value": value},
        )
    return value


def _pyramid_level(value: int) -> int:
    if not 1 <= value <= LEVELS:
        raise PydanticCustomError(
            "level_range", "level {value} is outside the levels 1..6", {"value": value}
        )
    return value


def _cap(value: int) -> int:
    if not 1 <= value <= LEVELS:
        raise PydanticCustomError(
            "cap_range", "cap {value} is outside the levels 1..6", {"value": value}
        )
    return value


def _grade(value: int) -> int:
    if value not in GRADES:
        raise PydanticCustomError(
            "grade_range", "grade {value} is outside leerjaar 1..6", {"value": value}
        )
    return value


NonEmptyStr = Annotated[str, AfterValidator(_not_blank)]
Ident = Annotated[str, AfterValidator(_ident)]
PyramidLevel = Annotated[int, AfterValidator(_pyramid_level)]
Grade = Annotated[int, AfterValidator(_grade)]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Text(_Model):
    """A text in Dutch and English; both are required and neither may be empty."""

    nl: NonEmptyStr
    en: NonEmptyStr


class Level(_Model):
    """One level of the inclusion pyramid. ``from_`` is ``from`` in YAML."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    level: int = Field(ge=1, le=LEVELS)
    key: Ident
    name: Text
    summary: Text
    #: Lower bound of the level on the 0–100 scale.
    from_: float = Field(alias="from", ge=0, lt=100, allow_inf_nan=False)


class Theme(_Model):
    id: Ident
    name: Text
    #: The instrument levels that use this theme.
    levels_used: list[InstrumentLevel] = Field(min_length=1)
    #: What each pyramid level (1..6) means for this theme, for the mentor or coordinator.
    descriptions: dict[int, Text]


class Pyramid(_Model):
    levels: list[Level]
    themes: list[Theme]
    min_group_size: int = Field(default=5, ge=1)

    @property
    def cutoffs(self) -> list[float]:
        """The lower bounds (``from``) of the levels, in level order."""
        return [lv.from_ for lv in sorted(self.levels, key=lambda lv: lv.level)]

    def theme(self, theme_id: str) -> Theme:
        """The theme with this id; KeyError when there is none."""
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)

    def level(self, number: int) -> Level:
        """The level with this number (1..6); KeyError when there is none."""
        for lv in self.levels:
            if lv.level == number:
                return lv
        raise KeyError(number)


class Scale(_Model):
    #: Answers are integers 1..points.
    points: int = Field(ge=2, le=11)
    #: One label per point, for each language ("nl" and "en").
    labels: dict[Literal["nl", "en"], list[NonEmptyStr]]


class Critical(_Model):
    """A worrying answer: raw answers (before reversing) that trigger a signal and a cap."""

    answers: list[int] = Field(min_length=1)
    cap: Annotated[int, AfterValidator(_cap)]


class Item(_Model):
    id: Ident
    text: Text
    reverse: bool = False
    weight: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    critical: Critical | None = None


class InstrumentTheme(_Model):
    id: Ident
    #: The heading of the theme's page in the questionnaire, in the respondent's own words
    #: ("Meedoen in de klas"), not the theme's name for staff. Optional (the page shows the theme
    #: name without it); wording, so not part of the fingerprint (see lock.py).
    title: Text | None = None
    items: list[Item] = Field(min_length=1)


class Instrument(_Model):
    id: Ident
    #: Raised on any change to items, keys, scale or critical rules (see lock.py).
    version: int = Field(ge=1)
    level: InstrumentLevel
    respondent: Respondent
    title: Text
    scale: Scale
    #: Share of a theme's items that must be answered for a theme score.
    min_answered: float = Field(default=2 / 3, gt=0, le=1, allow_inf_nan=False)
    themes: list[InstrumentTheme] = Field(min_length=1)

    @property
    def items(self) -> list[Item]:
        """Every item, in file order."""
        return [item for theme in self.themes for item in theme.items]

    @property
    def item_theme(self) -> list[str]:
        """The theme id of every item, in the order of :attr:`items`."""
        return [theme.id for theme in self.themes for _ in theme.items]


class LesbriefMeta(_Model):
    """The front matter of a lesbrief."""

    id: Ident
    title: NonEmptyStr
    theme: Ident
    levels: list[PyramidLevel] = Field(min_length=1)
    grades: list[Grade] = Field(min_length=1)
    streams: list[Stream] = Field(min_length=1)
    #: Minutes.
    duration: int = Field(gt=0)
    goals: list[NonEmptyStr] = Field(min_length=1)
    #: What the lesson works on: knowledge, attitude and/or skills.
    focus: list[Focus] = Field(min_length=1)


class Lesbrief(LesbriefMeta):
    """A lesbrief: its front matter, the Markdown after it and the file it came from."""

    body: str
    source: str
    #: The line of the file on which ``body`` starts.
    body_line: int = 1


class Intervention(_Model):
    id: Ident
    title: NonEmptyStr
    scope: InstrumentLevel
    themes: list[Ident] = Field(min_length=1)
    levels: list[PyramidLevel] = Field(min_length=1)
    #: Who carries it out: the school's own staff, an external partner, or the care structure.
    provider: Provider
    #: How much it asks: licht (a few hours), middel (some weeks), zwaar (a school year or more).
    effort: Effort
    #: What it asks of the school: people, time, money, preparation.
    asks: NonEmptyStr
    description: NonEmptyStr


class InterventionsFile(_Model):
    """lesbrieven/interventies.yaml."""

    #: The default care protocol for signals (Markdown), shown beside every signal until a school
    #: enters its own.
    zorgprotocol: NonEmptyStr
    interventions: list[Intervention]


@dataclass(frozen=True)
class Content:
    """Everything in surveys/ and lesbrieven/, validated."""

    pyramid: Pyramid
    instruments: dict[str, Instrument]
    lesbrieven: list[Lesbrief]
    interventions: list[Intervention]
    #: The default care protocol for signals (Markdown) from interventies.yaml; "" without it.
    zorgprotocol: str = ""
    #: The project directory the content was loaded from (None when built by hand).
    root: Path | None = None
    #: Instrument id → the file it came from, relative to ``root`` (e.g. "surveys/klas.yaml").
    instrument_files: dict[str, str] = field(default_factory=dict)
