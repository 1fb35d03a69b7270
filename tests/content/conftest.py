"""Fixtures for the content tests: a throw-away copy of the shipped content to break."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project directory holding a copy of the shipped surveys/ and lesbrieven/."""
    shutil.copytree(ROOT / "surveys", tmp_path / "surveys")
    shutil.copytree(ROOT / "lesbrieven", tmp_path / "lesbrieven")
    return tmp_path


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    """Replace the one occurrence of ``old`` in a file by ``new``."""

    def _edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return _edit


@pytest.fixture
def line_of() -> Callable[[Path, str], int]:
    """The 1-based line of the first occurrence of ``needle`` in a file."""

    def _line_of(path: Path, needle: str) -> int:
        text = path.read_text(encoding="utf-8")
        assert needle in text, f"{needle!r} is not in {path}"
        return text[: text.index(needle)].count("\n") + 1

    return _line_of
