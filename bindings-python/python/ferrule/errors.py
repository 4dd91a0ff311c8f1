"""Exceptions raised by ferrule.

Every error ferrule raises is a :class:`FerruleError`, and also an instance of the builtin
exception a Python user would catch anyway (``ValueError``, ``OSError``, ...). Each carries:

* ``code``: the stable code shared by every ferrule runtime (``"FERRULE_PARSE"``, ...);
* ``line``: the 1-based input line the error refers to, or ``None``;
* ``offset``: the 0-based byte offset in the input, or ``None``.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "FerruleError",
    "InvalidArgumentError",
    "ArgumentTypeError",
    "LengthMismatchError",
    "InvalidUtf8Error",
    "ParseError",
    "CapacityError",
    "OutOfRangeError",
    "CorruptDataError",
    "FerruleIOError",
    "InternalError",
]


class FerruleError(Exception):
    """Base class of every exception ferrule raises."""

    #: The code of instances raised without an explicit one.
    default_code: ClassVar[str] = "FERRULE_INTERNAL"

    code: str
    line: int | None
    offset: int | None

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        line: int | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code if code is not None else self.default_code
        self.line = line
        self.offset = offset

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep code/line/offset across pickling (multiprocessing, concurrent.futures).
        return (_rebuild, (type(self), self.args, self.code, self.line, self.offset))


def _rebuild(
    cls: type[FerruleError], args: tuple[Any, ...], code: str, line: int | None, offset: int | None
) -> FerruleError:
    return cls(*args, code=code, line=line, offset=offset)


class InvalidArgumentError(FerruleError, ValueError):
    """An argument is out of its domain (an unknown option value, a bad size, ...)."""

    default_code = "FERRULE_INVALID_ARGUMENT"


class ArgumentTypeError(InvalidArgumentError, TypeError):
    """An argument, or an element of one, has the wrong type (``values[3] is int, not str``).

    Also a ``TypeError``, which is what Python code raises for a wrong type; its code is
    ``FERRULE_INVALID_ARGUMENT``, like every ``InvalidArgumentError``.
    """


class LengthMismatchError(FerruleError, ValueError):
    """Inputs that must have the same length or dimension do not."""

    default_code = "FERRULE_LENGTH_MISMATCH"


class InvalidUtf8Error(FerruleError, UnicodeError):
    """Bytes that must be UTF-8 are not; ``offset`` is where the invalid sequence starts."""

    default_code = "FERRULE_INVALID_UTF8"


class ParseError(FerruleError, ValueError):
    """Text does not follow the expected grammar (a log line, a format string).

    ``reason`` is the finer, stable code of a bad log line (``"UNTERMINATED_QUOTE"``,
    ``"BAD_TIMESTAMP"``, ... as in a ``LogTable``'s ``error`` column), or ``None`` (a bad format
    string). For a log line, ``line`` is its 1-based number and ``offset`` the byte in the line
    where parsing stopped.
    """

    default_code = "FERRULE_PARSE"

    reason: str | None

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        line: int | None = None,
        offset: int | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message, code=code, line=line, offset=offset)
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_parse_error, (type(self), self.args, self.code, self.line, self.offset, self.reason))


def _rebuild_parse_error(
    cls: type[ParseError],
    args: tuple[Any, ...],
    code: str,
    line: int | None,
    offset: int | None,
    reason: str | None,
) -> ParseError:
    return cls(*args, code=code, line=line, offset=offset, reason=reason)


class CapacityError(FerruleError, OverflowError):
    """A size, count or id would exceed what the data structure can address."""

    default_code = "FERRULE_CAPACITY"


class CorruptDataError(FerruleError, ValueError):
    """Serialized data is truncated, tampered with or of an unknown version."""

    default_code = "FERRULE_CORRUPT"


class OutOfRangeError(FerruleError, IndexError):
    """An id or index that names nothing, such as an id a ``StringPool`` never handed out."""

    default_code = "FERRULE_OUT_OF_RANGE"


class FerruleIOError(FerruleError, OSError):
    """The operating system refused a file operation."""

    default_code = "FERRULE_IO"


class InternalError(FerruleError, RuntimeError):
    """A bug in ferrule, including a caught panic. Please report it."""

    default_code = "FERRULE_INTERNAL"
