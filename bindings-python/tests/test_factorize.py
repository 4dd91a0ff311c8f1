"""ferrule.factorize: pandas.factorize for strings."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import ferrule
import numpy as np
import pytest


def reference(values: list[Any]) -> tuple[list[int], list[str]]:
    """What pandas.factorize gives on strings, written out: missing values are -1."""
    codes: list[int] = []
    uniques: dict[str, int] = {}
    for value in values:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            codes.append(-1)
        else:
            codes.append(uniques.setdefault(value, len(uniques)))
    return codes, list(uniques)


def sample(n: int, distinct: int, missing: float, seed: int = 3) -> list[Any]:
    rng = random.Random(seed)
    words = [f"{rng.choice(['GET', 'POST', 'ü', ''])}/{i * 7919 % 1000}" for i in range(distinct)]
    out: list[Any] = []
    for _ in range(n):
        roll = rng.random()
        out.append(None if roll < missing / 2 else math.nan if roll < missing else rng.choice(words))
    return out


def test_small_example() -> None:
    codes, uniques = ferrule.factorize(["b", "a", None, "b", math.nan, "c", ""])
    assert codes.tolist() == [0, 1, -1, 0, -1, 2, 3]
    assert uniques.tolist() == ["b", "a", "c", ""]


@pytest.mark.parametrize("missing", [0.0, 0.1])
def test_matches_the_reference(missing: float) -> None:
    values = sample(60_000, 2_000, missing)
    expected = reference(values)
    converters: list[Callable[[list[Any]], Any]] = [list, tuple, lambda v: np.array(v, dtype=object)]
    for convert in converters:
        codes, uniques = ferrule.factorize(convert(values))
        assert codes.tolist() == expected[0]
        assert uniques.tolist() == expected[1]
        valid = codes >= 0
        assert uniques[codes[valid]].tolist() == [v for v in values if isinstance(v, str)]


def test_uniques_are_the_input_objects() -> None:
    values = ["x" * 10 + str(i % 3) for i in range(9)]
    _, uniques = ferrule.factorize(values)
    assert [id(u) for u in uniques] == [id(values[0]), id(values[1]), id(values[2])]


def test_numpy_unicode() -> None:
    values = ["b", "a", "b", "", "a"]
    codes, uniques = ferrule.factorize(np.array(values))
    assert codes.tolist() == [0, 1, 0, 2, 1] and uniques.tolist() == ["b", "a", ""]
    assert uniques.dtype == object


def test_empty_and_all_missing() -> None:
    codes, uniques = ferrule.factorize([])
    assert codes.shape == (0,) and uniques.shape == (0,)
    codes, uniques = ferrule.factorize([None, math.nan, np.float64("nan")])
    assert codes.tolist() == [-1, -1, -1] and uniques.shape == (0,)


def test_same_as_pandas() -> None:
    pd = pytest.importorskip("pandas")
    values = sample(20_000, 500, 0.05)
    array = np.array(values, dtype=object)
    codes, uniques = ferrule.factorize(array)
    pd_codes, pd_uniques = pd.factorize(array)
    assert codes.dtype == pd_codes.dtype
    assert codes.tolist() == pd_codes.tolist()
    assert uniques.tolist() == list(pd_uniques)
    words = [v for v in values if isinstance(v, str)]
    codes, uniques = ferrule.factorize(np.array(words))
    pd_codes, pd_uniques = pd.factorize(np.array(words))
    assert codes.tolist() == pd_codes.tolist() and uniques.tolist() == pd_uniques.tolist()


def test_arrow_inputs_with_nulls() -> None:
    pa = pytest.importorskip("pyarrow")
    values = [v if isinstance(v, str) else None for v in sample(10_000, 300, 0.1)]
    expected = reference(values)
    for type_ in [pa.string(), pa.large_string(), pa.string_view()]:
        arrow = pa.array(values, type=type_)
        codes, uniques = ferrule.factorize(arrow)
        assert codes.tolist() == expected[0] and uniques.tolist() == expected[1]
        chunked = pa.chunked_array([arrow.slice(0, 3_333), arrow.slice(3_333)])
        codes, uniques = ferrule.factorize(chunked)
        assert codes.tolist() == expected[0] and uniques.tolist() == expected[1]
        tail = arrow.slice(5_000)
        assert ferrule.factorize(tail)[0].tolist() == reference(values[5_000:])[0]


def test_bad_elements_name_their_index() -> None:
    with pytest.raises(ferrule.ArgumentTypeError, match=r"values\[2\] is int, not str") as info:
        ferrule.factorize(["a", None, 3])
    assert isinstance(info.value, TypeError)
    with pytest.raises(ferrule.ArgumentTypeError, match=r"values\[0\] is bytes"):
        ferrule.factorize([b"a"])  # type: ignore[list-item]
    with pytest.raises(ferrule.ArgumentTypeError, match="not a single str"):
        ferrule.factorize("abc")
    with pytest.raises(ferrule.InvalidUtf8Error, match=r"values\[1\]"):
        ferrule.factorize(["a", "\udc80"])
