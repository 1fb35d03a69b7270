"""The comparability guard: an instrument's scoring never changes under the same version."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from wijscan.content import LOCK_FILE, ContentError, load_content, run_check, update_lock
from wijscan.content.lock import fingerprint

CHANGED = (
    "surveys/klas.yaml: instrument klas changed (items, keys, scale or critical rules) but its"
    " version is still 1; raise `version` and run `wijscan check-content --update-lock`"
)


def lock_of(root: Path) -> dict:
    return json.loads((root / LOCK_FILE).read_text(encoding="utf-8"))


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(root)
    return [str(p) for p in caught.value.problems]


def test_the_shipped_lock_matches_the_instruments():
    root = Path(__file__).resolve().parents[2]
    content = load_content(root)
    lock = lock_of(root)
    for instrument_id, instrument in content.instruments.items():
        assert lock[instrument_id][str(instrument.version)] == fingerprint(instrument)


def test_a_changed_reverse_flag_without_a_new_version_fails(project, edit):
    edit(
        project / "surveys" / "klas.yaml",
        'regels alleen voor anderen gelden."\n          en: "In our class students think that'
        ' rules only apply to others."\n        reverse: true',
        'regels alleen voor anderen gelden."\n          en: "In our class students think that'
        ' rules only apply to others."\n        reverse: false',
    )
    assert problems(project) == [CHANGED]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param(
            "critical: {answers: [5], cap: 2}", "critical: {answers: [5], cap: 1}", id="cap"
        ),
        pytest.param(
            "critical: {answers: [5], cap: 2}", "critical: {answers: [4, 5], cap: 2}", id="answers"
        ),
        pytest.param(
            "        critical: {answers: [5], cap: 2}\n",
            "        critical: {answers: [5], cap: 2}\n        weight: 2\n",
            id="weight",
        ),
        pytest.param("- id: klas-burg-4", "- id: klas-burg-5", id="item-id"),
        pytest.param("min_answered", "min_answered", id="min-answered"),
    ],
)
def test_any_scoring_change_without_a_new_version_fails(project, edit, old, new):
    path = project / "surveys" / "klas.yaml"
    if old == "min_answered":
        edit(path, "respondent: leerling\n", "respondent: leerling\nmin_answered: 0.75\n")
    else:
        edit(path, old, new)
    assert problems(project) == [CHANGED]


def test_moving_an_item_to_another_place_fails(project):
    path = project / "surveys" / "klas.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.index("      - id: klas-burg-1")
    second = text.index("      - id: klas-burg-2")
    third = text.index("      - id: klas-burg-3")
    path.write_text(
        text[:first] + text[second:third] + text[first:second] + text[third:], encoding="utf-8"
    )
    assert problems(project) == [CHANGED]


def test_a_new_version_is_locked_by_update_lock(project, edit):
    path = project / "surveys" / "klas.yaml"
    old_fingerprint = lock_of(project)["klas"]["1"]
    edit(path, "critical: {answers: [5], cap: 2}", "critical: {answers: [4, 5], cap: 2}")
    edit(path, "version: 1", "version: 2")
    assert problems(project) == [
        "surveys/klas.yaml: instrument klas version 2 is not in the lock file; run"
        " `wijscan check-content --update-lock`"
    ]
    assert update_lock(project) == ["klas version 2"]
    lock = lock_of(project)
    assert lock["klas"]["1"] == old_fingerprint
    assert lock["klas"]["2"] == fingerprint(load_content(project).instruments["klas"])
    assert lock["klas"]["2"] != old_fingerprint
    assert update_lock(project) == []


def test_run_check_updates_the_lock(project, edit):
    edit(project / "surveys" / "klas.yaml", "version: 1", "version: 2")
    out = io.StringIO()
    assert run_check(project, out, update_lock=True) == 0, out.getvalue()
    assert "surveys/content.lock.json: added klas version 2\n" in out.getvalue()
    assert out.getvalue().endswith("OK\n")
    assert set(lock_of(project)["klas"]) == {"1", "2"}


def test_update_lock_never_overwrites_a_recorded_fingerprint(project, edit):
    edit(
        project / "surveys" / "klas.yaml",
        "cap: 2}\n      - id: klas-iden-3",
        "cap: 1}\n      - id: klas-iden-3",
    )
    assert update_lock(project) == []
    assert problems(project) == [CHANGED]
    out = io.StringIO()
    assert run_check(project, out, update_lock=True) == 1
    assert f"  {CHANGED}\n" in out.getvalue()


def test_changing_only_the_wording_keeps_the_version(project, edit):
    path = project / "surveys" / "klas.yaml"
    edit(path, "In onze klas mag iedereen zichzelf zijn.", "In onze klas mag je jezelf zijn.")
    edit(path, "In our class everyone can be themselves.", "In our class you can be yourself.")
    edit(path, 'nl: "Vragenlijst over je klas"', 'nl: "Jouw klas"')
    edit(path, '"Helemaal mee oneens", "Mee oneens"', '"Helemaal oneens", "Oneens"')
    assert load_content(project).instruments["klas"].title.nl == "Jouw klas"


def test_without_a_lock_file_every_instrument_must_be_locked(project):
    (project / LOCK_FILE).unlink()
    assert problems(project) == [
        f"surveys/{name}.yaml: instrument {name} version 1 is not in the lock file; run"
        " `wijscan check-content --update-lock`"
        for name in ("individu", "klas", "observatie", "school")
    ]
    assert load_content(project, check_lock=False).instruments.keys() == {
        "individu",
        "klas",
        "observatie",
        "school",
    }
    assert update_lock(project) == [
        "individu version 1",
        "klas version 1",
        "observatie version 1",
        "school version 1",
    ]
    load_content(project)


def test_a_broken_lock_file(project):
    (project / LOCK_FILE).write_text(
        '{\n  "klas": {"1": "sha256:x"},\n  oops\n}\n', encoding="utf-8"
    )
    assert problems(project) == [
        "surveys/content.lock.json:3: not valid JSON: Expecting property name enclosed in double"
        " quotes"
    ]


def test_a_lock_file_of_the_wrong_shape(project):
    (project / LOCK_FILE).write_text('{"klas": {"een": 5}}', encoding="utf-8")
    assert problems(project) == [
        "surveys/content.lock.json: klas: 'een' is not a version number",
        "surveys/content.lock.json: klas.een: should be a fingerprint 'sha256:…'",
    ]


def test_update_lock_refuses_broken_content(project, edit):
    edit(project / "surveys" / "klas.yaml", "version: 1", "version: 2\npoints: 3")
    (project / LOCK_FILE).unlink()
    with pytest.raises(ContentError) as caught:
        update_lock(project)
    assert [str(p) for p in caught.value.problems] == [
        "surveys/klas.yaml:6: points: unknown key 'points' (allowed: id, version, level,"
        " respondent, title, scale, min_answered, themes)"
    ]
    assert not (project / LOCK_FILE).exists()


def test_a_broken_lesbrief_does_not_block_the_lock(project, edit):
    edit(project / "surveys" / "klas.yaml", "version: 1", "version: 2")
    (project / "lesbrieven" / "kapot.md").write_text("geen front matter\n", encoding="utf-8")
    assert update_lock(project) == ["klas version 2"]
