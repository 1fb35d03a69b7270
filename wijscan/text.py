"""Plain text checks shared by the forms and the CSV import (pure: no Flask, no database)."""

from __future__ import annotations

import unicodedata

#: Unicode categories no name may hold: control characters (Cc), invisible format characters
#: such as the right-to-left override U+202E or the zero-width space (Cf), private-use (Co) and
#: surrogate (Cs) code points, and line and paragraph separators (Zl, Zp). They spoof lists and
#: slips (a name that reads backwards, two names that look the same) and print as nothing.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def hidden_characters(value: str) -> list[str]:
    """The characters of ``value`` in :data:`HIDDEN_CATEGORIES`, each once, in order."""
    found: dict[str, None] = {}
    for ch in value:
        if unicodedata.category(ch) in HIDDEN_CATEGORIES:
            found.setdefault(ch)
    return list(found)


def describe(characters: list[str]) -> str:
    """``["\\u202e"]`` → ``"U+202E"``: how to name characters that do not show."""
    return ", ".join(f"U+{ord(ch):04X}" for ch in characters)
