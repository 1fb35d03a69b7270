"""What went wrong in a content file, and where: the currency of every check in this package."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in one content file.

    ``path`` is the place inside the file, written like ``themes[2].items[0].critical.answers``
    (empty when the problem is about the whole file); ``line`` is 1-based, or None when unknown.
    """

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.path:
            return f"{where}: {self.path}: {self.message}"
        return f"{where}: {self.message}"


class ContentError(Exception):
    """The content is not valid; ``problems`` lists every problem that was found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
