"""The comparability guard: scores of two rounds are comparable only on the same instrument.

surveys/content.lock.json records a fingerprint of every instrument version that was ever
released: ``{"klas": {"1": "sha256:…", "2": "sha256:…"}, …}``. The fingerprint covers what
decides a score — the level, the respondent, the scale points, ``min_answered``, the themes and
their order, and per item its id, order, ``reverse``, ``weight`` and critical rule — and not the
wording, the translations or the title. Changing any of those without raising ``version`` would
silently make a new round incomparable with the old ones, so :func:`lock_problems` refuses it;
``wijscan check-content --update-lock`` (:func:`update_lock`) records a new version.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from wijscan.content.models import Instrument
from wijscan.content.problems import ContentError, Problem

LOCK_FILE = "surveys/content.lock.json"

Lock = dict[str, dict[str, str]]


def fingerprint(instrument: Instrument) -> str:
    """``"sha256:<hex>"`` of a canonical JSON of everything that decides a score."""
    canonical = {
        "id": instrument.id,
        "level": instrument.level,
        "respondent": instrument.respondent,
        "scale_points": instrument.scale.points,
        "min_answered": float(instrument.min_answered),
        "themes": [
            {
                "id": theme.id,
                "items": [
                    {
                        "id": item.id,
                        "reverse": item.reverse,
                        "weight": float(item.weight),
                        "critical": None
                        if item.critical is None
                        else {
                            "answers": sorted(item.critical.answers),
                            "cap": item.critical.cap,
                        },
                    }
                    for item in theme.items
                ],
            }
            for theme in instrument.themes
        ],
    }
    blob = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(blob.encode("ascii")).hexdigest()


def read_lock(root: Path) -> tuple[Lock, list[Problem]]:
    """The lock file under ``root`` (empty when there is none), or the problems with it."""
    path = Path(root) / LOCK_FILE
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [Problem(LOCK_FILE, None, "", f"cannot read the lock file: {exc}")]
    try:
        data: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {}, [Problem(LOCK_FILE, exc.lineno, "", f"not valid JSON: {exc.msg}")]
    if not isinstance(data, dict):
        return {}, [Problem(LOCK_FILE, None, "", "should be a JSON object of instrument ids")]
    problems: list[Problem] = []
    for instrument_id, versions in data.items():
        if not isinstance(versions, dict):
            problems.append(
                Problem(LOCK_FILE, None, instrument_id, "should map versions to fingerprints")
            )
            continue
        for version, value in versions.items():
            if not (version.isascii() and version.isdigit() and int(version) >= 1):
                problems.append(
                    Problem(LOCK_FILE, None, instrument_id, f"'{version}' is not a version number")
                )
            if not (isinstance(value, str) and value.startswith("sha256:")):
                problems.append(
                    Problem(
                        LOCK_FILE,
                        None,
                        f"{instrument_id}.{version}",
                        "should be a fingerprint 'sha256:…'",
                    )
                )
    return ({} if problems else data), problems


def lock_problems(
    root: Path, instruments: dict[str, Instrument], files: dict[str, str]
) -> list[Problem]:
    """An instrument whose fingerprint differs from the lock for its version, or is not locked."""
    lock, problems = read_lock(root)
    if problems:
        return problems
    for instrument_id, instrument in instruments.items():
        file = files.get(instrument_id, f"surveys/{instrument_id}.yaml")
        recorded = lock.get(instrument_id, {}).get(str(instrument.version))
        if recorded is None:
            problems.append(
                Problem(
                    file,
                    None,
                    "",
                    f"instrument {instrument_id} version {instrument.version} is not in the lock"
                    " file; run `wijscan check-content --update-lock`",
                )
            )
        elif recorded != fingerprint(instrument):
            problems.append(
                Problem(
                    file,
                    None,
                    "",
                    f"instrument {instrument_id} changed (items, keys, scale or critical rules)"
                    f" but its version is still {instrument.version}; raise `version` and run"
                    " `wijscan check-content --update-lock`",
                )
            )
    return problems


def write_lock(root: Path, lock: Lock) -> None:
    """Write the lock file: instruments by id, versions in numeric order."""
    ordered = {
        instrument_id: {v: lock[instrument_id][v] for v in sorted(lock[instrument_id], key=int)}
        for instrument_id in sorted(lock)
    }
    path = Path(root) / LOCK_FILE
    text = json.dumps(ordered, indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".content.lock.", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update_lock(root: str | Path) -> list[str]:
    """Record the fingerprint of every instrument version that is not in the lock yet.

    Fingerprints already recorded are never changed: a changed instrument needs a new version.
    Returns what was added, e.g. ``["klas version 2"]``. Raises ContentError when surveys/ has
    problems (a broken instrument is not locked); problems in lesbrieven/ do not stop it.
    """
    from wijscan.content.loader import collect  # loader imports this module

    root = Path(root)
    loaded = collect(root, check_lock=False)
    broken = [p for p in loaded.problems if p.file.startswith("surveys/")]
    if broken:
        raise ContentError(broken)
    lock, problems = read_lock(root)
    if problems:
        raise ContentError(problems)
    added: list[str] = []
    for instrument_id, instrument in sorted(loaded.instruments.items()):
        versions = lock.setdefault(instrument_id, {})
        if str(instrument.version) not in versions:
            versions[str(instrument.version)] = fingerprint(instrument)
            added.append(f"{instrument_id} version {instrument.version}")
    if added:
        write_lock(root, lock)
    return added
