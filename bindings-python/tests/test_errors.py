"""The error model: each core code maps to its class, and panics never escape as PanicException."""

from __future__ import annotations

import pickle

import ferrule
import ferrule._ferrule as native
import pytest

# code -> (class, the builtin a Python user would catch)
EXPECTED = {
    "FERRULE_INVALID_ARGUMENT": (ferrule.InvalidArgumentError, ValueError),
    "FERRULE_LENGTH_MISMATCH": (ferrule.LengthMismatchError, ValueError),
    "FERRULE_INVALID_UTF8": (ferrule.InvalidUtf8Error, UnicodeError),
    "FERRULE_PARSE": (ferrule.ParseError, ValueError),
    "FERRULE_CAPACITY": (ferrule.CapacityError, OverflowError),
    "FERRULE_CORRUPT": (ferrule.CorruptDataError, ValueError),
    "FERRULE_IO": (ferrule.FerruleIOError, OSError),
    "FERRULE_INTERNAL": (ferrule.InternalError, RuntimeError),
    "FERRULE_OUT_OF_RANGE": (ferrule.OutOfRangeError, IndexError),
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_core_code_maps_to_its_class(code: str) -> None:
    cls, builtin = EXPECTED[code]
    with pytest.raises(cls) as info:
        native._debug_raise(code, "something went wrong")
    err = info.value
    assert type(err) is cls
    assert isinstance(err, ferrule.FerruleError) and isinstance(err, builtin)
    assert err.code == code
    assert str(err) == "something went wrong"
    assert err.line is None and err.offset is None


def test_location_is_kept_as_attributes_and_in_the_text() -> None:
    with pytest.raises(ferrule.ParseError) as info:
        native._debug_raise("FERRULE_PARSE", "unterminated quote", 8899, 1234)
    err = info.value
    assert (err.line, err.offset) == (8899, 1234)
    assert str(err) == "unterminated quote (line 8899, byte offset 1234)"


def test_unknown_code_is_an_invalid_argument() -> None:
    with pytest.raises(ferrule.InvalidArgumentError, match="FERRULE_NOPE"):
        native._debug_raise("FERRULE_NOPE", "x")


def test_a_panic_surfaces_as_internal_error() -> None:
    # pyo3 would raise PanicException, a BaseException that `except Exception` does not catch.
    try:
        native._debug_panic("invariant broken")
    except Exception as err:  # noqa: BLE001 - the point: a plain `except Exception` catches it
        assert type(err) is ferrule.InternalError
        assert err.code == "FERRULE_INTERNAL"
        assert "invariant broken" in str(err)
    else:
        pytest.fail("no exception")
    # The interpreter and the module are intact afterwards.
    assert ferrule.version() == ferrule.__version__


def test_errors_pickle_with_their_fields() -> None:
    with pytest.raises(ferrule.FerruleIOError) as info:
        native._debug_raise("FERRULE_IO", "no such file", 3, None)
    clone = pickle.loads(pickle.dumps(info.value))
    assert type(clone) is ferrule.FerruleIOError
    assert (clone.code, clone.line, clone.offset, str(clone)) == ("FERRULE_IO", 3, None, str(info.value))


def test_classes_can_be_raised_from_python_with_their_default_code() -> None:
    err = ferrule.ParseError("bad line", line=2)
    assert err.code == "FERRULE_PARSE" and err.line == 2 and err.offset is None
    assert ferrule.FerruleError("x").code == "FERRULE_INTERNAL"
