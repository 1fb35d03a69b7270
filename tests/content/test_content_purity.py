"""wijscan.content is pure: importing it pulls in neither Flask nor SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "numpy")

REPORT = (
    "import sys\n"
    "import wijscan.content\n"
    "import wijscan.content.check, wijscan.content.quality\n"
    f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
    "own = sorted(m for m in sys.modules if m.startswith('wijscan.')"
    " and not m.startswith('wijscan.content'))\n"
    "print(' '.join(bad + own))\n"
)

# The package itself (wijscan/__init__.py builds the Flask app) is replaced by an empty one,
# so this checks what wijscan.content imports on its own.
STUB_PARENT = (
    "import sys, types\n"
    "pkg = types.ModuleType('wijscan')\n"
    f"pkg.__path__ = [{str(ROOT / 'wijscan')!r}]\n"
    "sys.modules['wijscan'] = pkg\n"
)


def _imported(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_wijscan_content_imports_no_web_or_database_code():
    assert _imported(STUB_PARENT + REPORT) == ""


def test_importing_wijscan_content_pulls_in_no_flask_or_sqlalchemy():
    assert _imported(REPORT).split() == []
