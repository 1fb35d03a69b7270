"""Whatever is in a file, the loaders answer with a ContentError (or a valid object), never with
any other exception."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wijscan.content import ContentError, Instrument, Pyramid, load_instrument, load_pyramid

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_INSTRUMENT = yaml.safe_load((ROOT / "surveys" / "klas.yaml").read_text(encoding="utf-8"))
SHIPPED_PYRAMID = yaml.safe_load((ROOT / "surveys" / "piramide.yaml").read_text(encoding="utf-8"))
PYRAMID = load_pyramid(ROOT / "surveys" / "piramide.yaml")

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["nl", "en", "id", "items", "themes", "klas", "from", "critical", "5", ""]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.text(max_size=10), st.integers(0, 10)), inner, max_size=5),
    ),
    max_leaves=30,
)


def check(path: Path, load) -> None:
    problems = []
    try:
        result = load(path)
    except ContentError as error:
        problems = error.problems
        assert problems, "a ContentError lists its problems"
    else:
        assert isinstance(result, Instrument | Pyramid)
    for problem in problems:
        assert problem.message
        assert problem.line is None or problem.line >= 1
        assert str(problem).startswith(str(path))


LOADERS = [
    pytest.param(lambda p: load_instrument(p), id="instrument"),
    pytest.param(lambda p: load_instrument(p, PYRAMID), id="instrument-with-pyramid"),
    pytest.param(load_pyramid, id="pyramid"),
]


@pytest.fixture(scope="module")
def fuzz_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "fuzz.yaml"


@pytest.mark.parametrize("load", LOADERS)
@FUZZ
@given(text=st.text())
def test_any_text(fuzz_file, load, text):
    fuzz_file.write_text(text, encoding="utf-8", errors="surrogatepass")
    check(fuzz_file, load)


@pytest.mark.parametrize("load", LOADERS)
@FUZZ
@given(data=st.binary())
def test_any_bytes(fuzz_file, load, data):
    fuzz_file.write_bytes(data)
    check(fuzz_file, load)


@pytest.mark.parametrize("load", LOADERS)
@FUZZ
@given(value=values)
def test_any_yaml_structure(fuzz_file, load, value):
    fuzz_file.write_text(yaml.safe_dump(value, allow_unicode=True), encoding="utf-8")
    check(fuzz_file, load)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into a nested structure."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (_replace(v, rest, new) if k == head else v) for k, v in value.items()}
    return [(_replace(v, rest, new) if i == head else v) for i, v in enumerate(value)]


@pytest.mark.parametrize(
    ("load", "document"),
    [
        pytest.param(lambda p: load_instrument(p, PYRAMID), SHIPPED_INSTRUMENT, id="instrument"),
        pytest.param(load_pyramid, SHIPPED_PYRAMID, id="pyramid"),
    ],
)
@FUZZ
@given(choice=st.data())
def test_a_real_file_with_one_part_replaced(fuzz_file, load, document, choice):
    paths = _paths(document)
    path = choice.draw(st.sampled_from(paths))
    new = choice.draw(values)
    fuzz_file.write_text(
        yaml.safe_dump(_replace(document, path, new), allow_unicode=True), encoding="utf-8"
    )
    check(fuzz_file, load)
