"""JSON that users give (``.jsonl`` lines, annotation files, request bodies): one error type, never a crash.

``json.loads`` raises three different exceptions for bad input (``JSONDecodeError``,
``RecursionError`` for deep nesting, ``ValueError`` for a 5,000-digit integer) and accepts
``NaN``, ``Infinity`` and ``1e999``, which no other JSON reader does and which would be
written back out as invalid JSON. :func:`load_json` turns all of that into :class:`JsonError`.

>>> load_json('{"a": [1, 2.5]}')
{'a': [1, 2.5]}
>>> try:
...     load_json('{"a": NaN}')
... except JsonError as err:
...     print(err.message, err.line, err.column)
NaN is not JSON (use null or a string) 1 7
"""

from __future__ import annotations

import json
import math
from typing import Any


class JsonError(ValueError):
    """Why a text is not (acceptable) JSON, with the line and column when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class _Refused(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not JSON (use null or a string)")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Refused(f"the number {text[:20]} is too large for a 64-bit float")
    return value


def load_json(text: str) -> Any:
    """``json.loads(text)``, or a :class:`JsonError` for anything that is not plain, finite JSON."""
    decoder = json.JSONDecoder(parse_constant=_constant, parse_float=_float)
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as err:
        raise JsonError(err.msg, err.lineno, err.colno) from None
    except _Refused as err:
        raise JsonError(str(err), *_position(text, str(err))) from None
    except RecursionError:
        raise JsonError("nested too deeply") from None
    except ValueError as err:  # e.g. an integer of more digits than Python converts
        raise JsonError(str(err)) from None


def _position(text: str, message: str) -> tuple[int | None, int | None]:
    """Line and column of the first refused constant (NaN, Infinity) in ``text``, if it is one."""
    word = message.split(" ", 1)[0]
    index = text.find(word) if word in ("NaN", "Infinity", "-Infinity") else -1
    if index < 0:
        return None, None
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def encodes_as_utf8(value: Any) -> bool:
    """Whether ``value`` is Unicode text all through (JSON allows lone surrogate escapes such as ``"\\ud800"``)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
