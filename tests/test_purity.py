"""The pure core imports neither Flask nor SQLAlchemy (nor the models, nor the web layer).

Each check runs in a fresh interpreter, so what another test imported cannot hide a leak. The
second variant swaps in an empty ``wijscan`` package, to show what each core package imports on
its own even if ``wijscan/__init__.py`` were to grow an import.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WEB_AND_DATABASE = ("flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug")

#: package to import -> (modules it imports, wijscan packages it may use, extra forbidden)
CORE = {
    "charts": ("wijscan.charts", ("charts",), ("flask_babel",)),
    "content": (
        "wijscan.content, wijscan.content.check, wijscan.content.quality",
        ("content",),
        ("numpy",),
    ),
    "scoring": ("wijscan.scoring, wijscan.scoring.command", ("content", "scoring"), ()),
    "matching": (
        "wijscan.matching, wijscan.matching.effect",
        ("content", "matching"),
        ("flask_babel", "numpy"),
    ),
}

STUB_PARENT = (
    "import sys, types\n"
    "pkg = types.ModuleType('wijscan')\n"
    f"pkg.__path__ = [{str(ROOT / 'wijscan')!r}]\n"
    "sys.modules['wijscan'] = pkg\n"
)


def _report(modules: str, own: tuple[str, ...], extra: tuple[str, ...]) -> str:
    forbidden = WEB_AND_DATABASE + extra
    return (
        "import sys\n"
        f"import {modules}\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r})\n"
        "mine = sorted(m for m in sys.modules if m.startswith('wijscan.')"
        f" and m.split('.')[1] not in {own!r})\n"
        "print(' '.join(bad + mine))\n"
    )


def _imported(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


@pytest.mark.parametrize("package", sorted(CORE))
@pytest.mark.parametrize("stub_parent", [False, True], ids=["as-installed", "on-its-own"])
def test_the_pure_core_imports_no_web_or_database_code(package, stub_parent):
    code = _report(*CORE[package])
    assert _imported((STUB_PARENT if stub_parent else "") + code) == []


def test_the_check_itself_can_fail():
    assert _imported(_report("wijscan.services.content", ("services",), ())) != []
