"""What a test's inputs (a call test's `args` and `kwargs`) may be, per language.

YAML can write more than JSON: mappings with integer, float, boolean or null keys, sets
(`!!set`), dates, binary data and lists of pairs (`!!omap`, `!!pairs`). An input reaches the
learner's function exactly as YAML wrote it, or the content does not load and says why, at the
input's line (docs/authors.md § Argument types):

- both languages: null, booleans, integers, floats (`.inf`, `.nan` included), strings, lists,
  mappings and sets (Python `set`, JavaScript `Set`);
- Python: mappings with keys of any of those scalar types, and integers of any size;
- JavaScript: mappings with string keys only (a plain object), integers within
  ±(2^53 - 1) (`Number.MAX_SAFE_INTEGER`);
- neither: dates and timestamps (quote them to pass a string), binary data, lists of pairs,
  a mapping whose only key is a tag of expected values (`{$set: [1]}`: write `!!set {1}`),
  values that contain themselves (a recursive anchor), more than `MAX_VALUES` values or
  deeper than `MAX_DEPTH` levels.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from ..sandbox.types import Language

MAX_DEPTH = 100
"""The harnesses report nothing deeper, and decode nothing deeper either."""
MAX_VALUES = 1_000_000
"""Values in one input, counted with repeats: YAML aliases can repeat a list exponentially."""
JS_SAFE_INTEGER = 2**53 - 1

_SCALAR_NAMES: dict[type, str] = {
    bool: "boolean",
    int: "integer",
    float: "float",
    type(None): "null",
    str: "string",
}
_TAG_HINTS: dict[Any, str] = {
    "$set": "write a set as !!set {1, 2}",
    "$float": "write .nan, .inf or -.inf",
    "$map": "write a mapping",
    "$bigint": "write the integer",
    "$undefined": "use null",
    "$unserializable": "use a plain value",
}
"""Single keys that make a mapping read as a tagged value in an expected value (`{$set: [1]}`
is a set there): in an input it would stay a mapping, so it is refused rather than surprise."""
_LANGUAGE_NAMES: dict[str, str] = {"python": "Python", "javascript": "JavaScript"}


class _Rejected(Exception):
    """Why a value cannot be passed (the message, without the argument's name)."""


def input_problems(
    args: list[Any], kwargs: dict[str, Any], language: Language, test_id: str | None
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Each input of a call test that cannot reach a `language` function as written: its path
    in the test (`("args", 0)`, `("kwargs", "name")`) and a sentence saying why."""
    named: list[tuple[tuple[str | int, ...], str, Any]] = [
        (("args", index), f"argument {index + 1}", value) for index, value in enumerate(args)
    ]
    named += [(("kwargs", key), f"keyword argument {key!r}", v) for key, v in kwargs.items()]
    for path, name, value in named:
        reason = value_problem(value, language)
        if reason is not None:
            yield path, f"{name} of test {test_id!r}: {reason}"


def value_problem(value: Any, language: Language) -> str | None:
    """Why `value` cannot be passed to a `language` function as it is, or None."""
    try:
        _check(value, language)
    except _Rejected as exc:
        return str(exc)
    return None


def expected_problem(value: Any) -> str | None:
    """Why no function can ever return `value` (an expected value: a date, a timestamp,
    binary data, a list of pairs, a value that contains itself, one too deep or too big), or
    None. Tagged values (`{$set: [1]}`) and mappings with any keys are fine here: the harness
    reports results that way."""
    try:
        _check(value, None)
    except _Rejected as exc:
        return str(exc)
    return None


def _check(root: Any, language: Language | None) -> None:
    """Walks the value with a list of values still to check (no recursion), keeping the
    containers on the current path to tell a recursive anchor from a repeated one."""
    pending: list[tuple[Any, int, tuple[int, ...]]] = [(root, 0, ())]
    count = 0
    while pending:
        value, depth, path = pending.pop()
        count += 1
        if count > MAX_VALUES:
            raise _Rejected(f"it holds more than {MAX_VALUES} values")
        children = _children(value, language)
        if children is None:
            continue
        if id(value) in path:
            raise _Rejected("it contains itself (a recursive YAML anchor)")
        if depth >= MAX_DEPTH:
            raise _Rejected(f"it is nested deeper than {MAX_DEPTH} levels")
        inner = (*path, id(value))
        pending.extend((child, depth + 1, inner) for child in children)


def _children(value: Any, language: Language | None) -> list[Any] | None:
    """The values inside a container (None for a scalar); raises `_Rejected` for a value the
    language cannot receive (`language` None: an expected value, which no function can
    return)."""
    kind = type(value)
    if kind in (bool, float, str, type(None)):
        return None
    if kind is int:
        if language == "javascript" and abs(value) > JS_SAFE_INTEGER:
            raise _Rejected(
                f"the integer {value} is beyond JavaScript's safe integers "
                "(±9007199254740991); a function would receive another number"
            )
        return None
    if kind is list:
        return value
    if kind is set or kind is frozenset:
        return list(value)
    if kind is dict:
        if language is None:
            return [*value.keys(), *value.values()]
        if len(value) == 1 and (tag := next(iter(value))) in _TAG_HINTS:
            raise _Rejected(
                f"{{{tag}: …}} is how an expected value writes a tagged value, and an input "
                f"would receive a mapping with the key {tag!r}; {_TAG_HINTS[tag]}"
            )
        if language == "javascript":
            other = sorted({_SCALAR_NAMES.get(type(k), "other") for k in value} - {"string"})
            if other:
                keys = " and ".join(other)
                raise _Rejected(
                    f"a mapping with {keys} keys cannot be passed to a JavaScript function "
                    "(its keys would become strings); quote the keys"
                )
        return [*value.keys(), *value.values()]
    raise _Rejected(_unsupported(value, language))


def _unsupported(value: Any, language: Language | None) -> str:
    """Why `value` cannot be passed to a `language` function (`language` None: why no function
    can return it, as an expected value), and what to write instead."""
    what, instead = _what_it_is(value)
    if language is None:
        said = f"{what}, which no function can return"
        use = instead.format(use="expect")
    else:
        said = f"{what} cannot be passed to a {_LANGUAGE_NAMES[language]} function"
        use = instead.format(use="pass")
    return f"{said}; {use}" if use else said


def _what_it_is(value: Any) -> tuple[str, str]:
    """A value YAML can build and the harnesses cannot carry: what it is, and what to write
    instead ("" when nothing can stand for it; `{use}`: pass or expect)."""
    if isinstance(value, datetime.datetime):
        return f"a timestamp ({value})", "quote it to {use} a string"
    if isinstance(value, datetime.date):
        return f"a date ({value})", "quote it to {use} a string"
    if isinstance(value, bytes):
        return "binary data (!!binary)", ""
    if isinstance(value, tuple):
        return "a list of pairs (!!omap or !!pairs)", "write a mapping or a list of lists"
    return f"a value of type {type(value).__name__}", ""
