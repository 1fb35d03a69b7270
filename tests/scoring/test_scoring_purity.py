"""wijscan.scoring is pure: importing it pulls in neither Flask nor SQLAlchemy (nor the models)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug")

REPORT = (
    "import sys\n"
    "import wijscan.scoring, wijscan.scoring.command\n"
    f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
    "own = sorted(m for m in sys.modules if m.startswith('wijscan.')"
    " and m.split('.')[1] not in ('scoring', 'content'))\n"
    "print(' '.join(bad + own))\n"
)

# wijscan/__init__.py builds the Flask app; an empty stand-in package shows what
# wijscan.scoring imports on its own.
STUB_PARENT = (
    "import sys, types\n"
    "pkg = types.ModuleType('wijscan')\n"
    f"pkg.__path__ = [{str(ROOT / 'wijscan')!r}]\n"
    "sys.modules['wijscan'] = pkg\n"
)


def _imported(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_wijscan_scoring_imports_no_web_database_or_model_code():
    assert _imported(STUB_PARENT + REPORT) == []


def test_importing_wijscan_scoring_pulls_in_no_flask_or_sqlalchemy():
    assert _imported(REPORT) == []
