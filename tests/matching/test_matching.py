"""The matching rules of DESIGN.md: order, reasons, and an explained empty result."""

from __future__ import annotations

from wijscan.content.models import Intervention, Lesbrief
from wijscan.matching import (
    Empty,
    ThemeResult,
    interventions_for,
    lesbrieven_for,
    match_class,
    match_school,
    match_student,
    weak_themes,
)

ALL_STREAMS = ["vmbo-b", "vmbo-k", "vmbo-gt", "mavo", "pro", "havo", "vwo", "gymnasium"]


def les(ident, theme="democratie", levels=(3,), grades=(1, 2, 3), streams=None, duration=50):
    return Lesbrief(
        id=ident,
        title=ident,
        theme=theme,
        levels=list(levels),
        grades=list(grades),
        streams=list(streams or ALL_STREAMS),
        duration=duration,
        goals=["doel"],
        focus=["houding"],
        body="## Doel\n",
        source=f"lesbrieven/{ident}.md",
    )


def intervention(ident, scope, themes, levels, effort="middel"):
    return Intervention(
        id=ident,
        title=ident,
        scope=scope,
        themes=list(themes),
        levels=list(levels),
        provider="school",
        effort=effort,
        asks="tijd",
        description="beschrijving",
    )


def ids(matches):
    return [m.item.id for m in matches]


def test_weak_themes_come_weakest_first_and_level_six_is_left_out():
    results = [
        ThemeResult("burgerschap", 4, 55.0),
        ThemeResult("democratie", 3, 41.0),
        ThemeResult("identiteit", 6, 90.0),
        ThemeResult("conflicten", 3, 41.0),
    ]
    assert [r.theme for r in weak_themes(results)] == ["conflicten", "democratie", "burgerschap"]


def test_theme_level_grade_and_stream_must_fit():
    catalogue = [
        les("fits"),
        les("other-theme", theme="burgerschap"),
        les("other-level", levels=(4,)),
        les("bovenbouw", grades=(4, 5)),
        les("vwo-only", streams=["vwo"]),
    ]
    result = ThemeResult("democratie", 3, 40.0)
    matches, empty = lesbrieven_for(result, catalogue, grade=2, stream="havo")
    assert ids(matches) == ["fits"]
    assert empty is None


def test_not_done_first_then_exact_level_then_shorter():
    catalogue = [
        les("done-exact-short", levels=(3,), duration=30),
        les("span-short", levels=(2, 3), duration=30),
        les("exact-long", levels=(3,), duration=50),
        les("exact-short", levels=(3,), duration=45),
        les("span-long", levels=(3, 4), duration=50),
    ]
    result = ThemeResult("democratie", 3, 40.0)
    matches, _ = lesbrieven_for(
        result, catalogue, grade=1, stream="vmbo-k", done={"done-exact-short"}
    )
    assert ids(matches) == [
        "exact-short",
        "exact-long",
        "span-short",
        "span-long",
        "done-exact-short",
    ]
    reasons = {m.item.id: m.reason for m in matches}
    assert reasons["exact-short"].exact
    assert not reasons["exact-short"].done
    assert not reasons["span-short"].exact
    assert reasons["done-exact-short"].done
    assert (reasons["exact-long"].grade, reasons["exact-long"].stream) == (1, "vmbo-k")
    assert (reasons["exact-long"].theme, reasons["exact-long"].level) == ("democratie", 3)


def test_an_empty_result_names_the_filter_that_emptied_it():
    result = ThemeResult("democratie", 3, 40.0)
    cases = [
        ([les("a", theme="burgerschap")], "theme"),
        ([les("a", levels=(5,))], "level"),
        ([les("a", grades=(5, 6))], "grade"),
        ([les("a", streams=["vwo"])], "stream"),
    ]
    for catalogue, expected in cases:
        matches, empty = lesbrieven_for(result, catalogue, grade=2, stream="havo")
        assert matches == []
        assert empty == Empty("democratie", 3, expected, 2, "havo")


def test_match_class_gives_each_weak_theme_its_lesbrieven_and_klas_interventions():
    catalogue = [les("demo-3"), les("burg-4", theme="burgerschap", levels=(4,))]
    interventions = [
        intervention("dialoog", "klas", ["democratie"], [3, 4]),
        intervention("zorg", "individu", ["democratie"], [1, 2, 3]),
        intervention("team", "school", ["oefenplaats"], [3]),
    ]
    plan = match_class(
        [ThemeResult("burgerschap", 4, 60.0), ThemeResult("democratie", 3, 42.0)],
        catalogue,
        interventions,
        grade=2,
        stream="havo",
    )
    assert [t.result.theme for t in plan] == ["democratie", "burgerschap"]
    assert ids(plan[0].matches) == ["demo-3"]
    assert ids(plan[0].interventions) == ["dialoog"]
    assert ids(plan[1].matches) == ["burg-4"]
    assert plan[1].interventions == []


def test_interventions_prefer_exact_level_then_lighter_effort():
    items = [
        intervention("heavy-exact", "individu", ["conflicten"], [1], effort="zwaar"),
        intervention("light-span", "individu", ["conflicten"], [1, 2], effort="licht"),
        intervention("light-exact", "individu", ["conflicten"], [1], effort="licht"),
        intervention("klas", "klas", ["conflicten"], [1]),
    ]
    matches, empty = interventions_for(ThemeResult("conflicten", 1, 10.0), items, "individu")
    assert ids(matches) == ["light-exact", "heavy-exact", "light-span"]
    assert empty is None
    _, empty = interventions_for(ThemeResult("conflicten", 1, 10.0), items, "school")
    assert empty.filter == "scope"


def test_student_and_school_matching_use_their_own_scope():
    items = [
        intervention("gesprek", "individu", ["identiteit"], [1, 2]),
        intervention("training", "school", ["polarisatie"], [2, 3]),
    ]
    student = match_student(
        [ThemeResult("identiteit", 2, 30.0), ThemeResult("democratie", 2, 25.0)], items
    )
    assert [t.result.theme for t in student] == ["democratie", "identiteit"]
    assert student[0].empty.filter == "theme"
    assert ids(student[1].matches) == ["gesprek"]
    school = match_school([ThemeResult("polarisatie", 3, 45.0)], items)
    assert ids(school[0].matches) == ["training"]
