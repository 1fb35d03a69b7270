"""``wijscan check-content``: check surveys/ and lesbrieven/ and say what was found."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from wijscan.content import lock
from wijscan.content.loader import collect
from wijscan.content.problems import ContentError
from wijscan.content.quality import collect_quality


def run_check(root: str | Path, out: TextIO, *, update_lock: bool = False) -> int:
    """Check the content under ``root`` (schema, quality and lock); print a report to ``out``.

    With ``update_lock`` first record the fingerprint of every instrument version not yet in
    the lock. Returns 0 when everything is fine, 1 when there are problems (all printed).
    """
    root = Path(root)
    print(f"Checking content in {root}", file=out)
    if update_lock:
        try:
            added = lock.update_lock(root)
        except ContentError:
            print(f"{lock.LOCK_FILE}: not updated, the content has problems (see below)", file=out)
        else:
            for entry in added:
                print(f"{lock.LOCK_FILE}: added {entry}", file=out)
            if not added:
                print(f"{lock.LOCK_FILE}: nothing to add", file=out)

    loaded = collect(root, check_lock=True)
    pyramid = loaded.pyramid
    if pyramid is not None:
        print(
            f"pyramid: {len(pyramid.levels)} levels, {len(pyramid.themes)} themes,"
            f" min_group_size {pyramid.min_group_size}",
            file=out,
        )
    for instrument_id, instrument in sorted(loaded.instruments.items()):
        items = instrument.items
        per_theme = ", ".join(f"{theme.id} {len(theme.items)}" for theme in instrument.themes)
        print(
            f"instrument {instrument_id} version {instrument.version}"
            f" ({instrument.level}, {instrument.respondent}): {len(items)} items ({per_theme});"
            f" {sum(i.reverse for i in items)} reverse-keyed,"
            f" {sum(i.critical is not None for i in items)} critical",
            file=out,
        )
    print(f"lesbrieven: {len(loaded.lesbrieven)}", file=out)
    print(f"interventions: {len(loaded.interventions)}", file=out)

    problems = loaded.problems + collect_quality(
        pyramid,
        loaded.instruments,
        loaded.instrument_files,
        loaded.lesbrieven,
        root,
        interventions=loaded.interventions,
    )
    if not problems:
        print("OK", file=out)
        return 0
    noun = "problem" if len(problems) == 1 else "problems"
    print(f"{len(problems)} {noun}:", file=out)
    for problem in problems:
        print(f"  {problem}", file=out)
    return 1
