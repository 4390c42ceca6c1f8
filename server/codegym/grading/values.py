"""Canonical values (docs/harness-protocol.md § Values): putting expected values (YAML) and what
the harness reported (JSON) in one canonical form, comparing them, and displaying them in the
exercise's language."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from ..content.models import CompareMode

DisplayLanguage = Literal["python", "javascript"]

_DISPLAY_CAP = 300


class NotCanonical(ValueError):
    """A value that no program could return as canonical JSON: an author's expected value of
    another type, or a reported value with a malformed tag or nested too deep."""


_MAX_DEPTH = 128
"""Containers nested deeper than this are refused. The harnesses report at most 100 levels (deeper
ones are `$unserializable`), so only a forged or hand-written value goes past it."""

_INTEGER = re.compile(r"-?[0-9]+")
_LEAF_TAGS: dict[str, Callable[[Any], bool]] = {
    "$float": lambda inner: inner in ("nan", "inf", "-inf"),
    "$undefined": lambda inner: inner is True,
    "$bigint": lambda inner: isinstance(inner, str) and _INTEGER.fullmatch(inner) is not None,
    "$unserializable": lambda inner: isinstance(inner, str),
}
_TAGS = frozenset({"$set", "$map", *_LEAF_TAGS})


def canonical(value: Any) -> Any:
    """The one canonical form of a value (docs/harness-protocol.md § Values), for an author's
    expected value (YAML) and for what a harness reported (JSON) alike: set members, map entries
    and dict keys sorted, NaN and infinities tagged, tuples as lists. The harnesses report sets
    and maps in whatever order the learner's language iterates them; this orders them, so equal
    values compare equal. Raises `NotCanonical` for anything else, including reported values
    with malformed tags; the work is bounded by the value's size and `_MAX_DEPTH`."""
    return _canonical(value, 0)


def _canonical(value: Any, depth: int) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return {"$float": "nan"}
        if math.isinf(value):
            return {"$float": "inf" if value > 0 else "-inf"}
        return value
    if depth >= _MAX_DEPTH:
        raise NotCanonical(f"values nested deeper than {_MAX_DEPTH} levels")
    if isinstance(value, list | tuple):
        return [_canonical(v, depth + 1) for v in value]
    if isinstance(value, set | frozenset):
        return _tagged("$set", list(value), depth)
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in _TAGS:
            return _tagged(*next(iter(value.items())), depth)
        if all(isinstance(k, str) for k in value):
            return {k: _canonical(v, depth + 1) for k, v in sorted(value.items())}
        return _map([[k, v] for k, v in value.items()], depth)
    raise NotCanonical(f"{type(value).__name__} values cannot be expected (use JSON types)")


def _tagged(tag: str, inner: Any, depth: int) -> Any:
    """A tagged value, checked: a malformed one raises `NotCanonical`."""
    if tag == "$set" and isinstance(inner, list):
        return {tag: sorted((_canonical(v, depth + 1) for v in inner), key=_sort_key)}
    if tag == "$map" and isinstance(inner, list) and all(_is_pair(entry) for entry in inner):
        return _map(inner, depth)
    if tag in _LEAF_TAGS and _LEAF_TAGS[tag](inner):
        return {tag: inner}
    raise NotCanonical(f"a malformed {tag} value")


def _is_pair(entry: Any) -> bool:
    return isinstance(entry, list) and len(entry) == 2


def _map(entries: list[list[Any]], depth: int) -> Any:
    """A map's entries sorted by key, then by value (keys of a JavaScript Map can be equal as
    canonical values: two arrays); with only string keys, a plain object, as the harness reports
    a Map or dict with string keys."""
    pairs = [[_canonical(k, depth + 1), _canonical(v, depth + 1)] for k, v in entries]
    if all(isinstance(k, str) for k, _ in pairs):
        if len({k for k, _ in pairs}) != len(pairs):
            raise NotCanonical("a $map with the same string key twice")
        return dict(sorted(pairs))
    return {"$map": sorted(pairs, key=lambda kv: (_sort_key(kv[0]), _sort_key(kv[1])))}


def _sort_key(value: Any) -> str:
    """The order of set members and map keys: their JSON text (canonical values only)."""
    return json.dumps(value, sort_keys=True)


# ----------------------------------------------------------------------------- comparison


def values_match(
    expected: Any, actual: Any, mode: CompareMode = "exact", tolerance: float = 1e-9
) -> bool:
    """Compare canonical values. Both come from JSON, so no learner code can take part."""
    if mode == "unordered":
        expected_items, actual_items = _as_items(expected), _as_items(actual)
        if expected_items is not None and actual_items is not None:
            if len(expected_items) != len(actual_items):
                return False
            return all(
                _equal(e, a, None)
                for e, a in zip(
                    sorted(expected_items, key=_sort_key),
                    sorted(actual_items, key=_sort_key),
                    strict=True,
                )
            )
    return _equal(expected, actual, tolerance if mode == "float" else None)


def _as_items(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and set(value) == {"$set"} and isinstance(value["$set"], list):
        return value["$set"]
    return None


def _equal(expected: Any, actual: Any, tolerance: float | None) -> bool:
    """Walks both values with a list of pairs still to compare, not by recursion: a reported
    value nests as deep as `_MAX_DEPTH` maps (three JSON levels each)."""
    pending = [(expected, actual)]
    while pending:
        expected, actual = pending.pop()
        if isinstance(expected, bool) or isinstance(actual, bool):
            if type(expected) is not type(actual) or expected != actual:
                return False
        elif isinstance(expected, int | float) and isinstance(actual, int | float):
            if not _numbers_equal(expected, actual, tolerance):
                return False
        elif isinstance(expected, list) and isinstance(actual, list):
            if len(expected) != len(actual):
                return False
            pending.extend(zip(expected, actual, strict=True))
        elif isinstance(expected, dict) and isinstance(actual, dict):
            if "$unserializable" in expected or "$unserializable" in actual:
                return False
            if expected.keys() != actual.keys():
                return False
            pending.extend((expected[k], actual[k]) for k in expected)
        elif type(expected) is not type(actual) or expected != actual:
            return False
    return True


def _numbers_equal(expected: float, actual: float, tolerance: float | None) -> bool:
    if tolerance is None:
        return expected == actual
    return math.isclose(expected, actual, rel_tol=1e-9, abs_tol=tolerance)


# ----------------------------------------------------------------------------- display


def display(value: Any, language: DisplayLanguage) -> str:
    """A canonical value written as a literal of the exercise's language, capped."""
    text = _display(value, language, 0)
    return text if len(text) <= _DISPLAY_CAP else text[: _DISPLAY_CAP - 1] + "…"


def display_args(args: list[Any], kwargs: dict[str, Any], language: DisplayLanguage) -> str:
    parts = [_display(canonical(a), language, 0) for a in args]
    separator = "=" if language == "python" else ": "
    parts += [f"{k}{separator}{_display(canonical(v), language, 0)}" for k, v in kwargs.items()]
    text = ", ".join(parts)
    return text if len(text) <= _DISPLAY_CAP else text[: _DISPLAY_CAP - 1] + "…"


def _display(value: Any, language: DisplayLanguage, depth: int) -> str:
    py = language == "python"
    if depth > 20:
        return "…"
    if value is None:
        return "None" if py else "null"
    if isinstance(value, bool):
        return ("True" if value else "False") if py else ("true" if value else "false")
    if isinstance(value, int | float):
        return repr(value) if py else _js_number(value)
    if isinstance(value, str):
        return repr(value) if py else json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_display(v, language, depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        special = _display_special(value, language, depth)
        if special is not None:
            return special
        if py:
            items = (f"{k!r}: {_display(v, language, depth + 1)}" for k, v in value.items())
        else:
            items = (f"{_js_key(k)}: {_display(v, language, depth + 1)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    return repr(value)


def _js_number(value: int | float) -> str:
    """A number as JavaScript's `String(n)` writes it: `2` for 2.0, `0.000001`, `1e-7`, `1e+21`."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    mantissa, _, exponent = repr(value).partition("e")  # Python's shortest round-trip digits
    if not exponent:
        return mantissa
    power = int(exponent)
    if -7 < power < 21:
        return format(Decimal(repr(value)), "f")
    return f"{mantissa.removesuffix('.0')}e{'+' if power > 0 else '-'}{abs(power)}"


def _display_special(value: dict[str, Any], language: DisplayLanguage, depth: int) -> str | None:
    py = language == "python"
    if set(value) == {"$float"}:
        name = str(value["$float"])
        if py:
            return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(name, name)
        return {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}.get(name, name)
    if set(value) == {"$set"} and isinstance(value["$set"], list):
        inner = ", ".join(_display(v, language, depth + 1) for v in value["$set"])
        if py:
            return "{" + inner + "}" if inner else "set()"
        return f"new Set([{inner}])"
    if set(value) == {"$map"} and isinstance(value["$map"], list):
        pairs = [p for p in value["$map"] if isinstance(p, list) and len(p) == 2]
        if py:
            inner = ", ".join(
                f"{_display(k, language, depth + 1)}: {_display(v, language, depth + 1)}"
                for k, v in pairs
            )
            return "{" + inner + "}"
        inner = ", ".join(
            f"[{_display(k, language, depth + 1)}, {_display(v, language, depth + 1)}]"
            for k, v in pairs
        )
        return f"new Map([{inner}])"
    if set(value) == {"$unserializable"}:
        return f"<{value['$unserializable']} object>"
    if set(value) == {"$undefined"}:
        return "undefined"
    if set(value) == {"$bigint"}:
        return str(value["$bigint"]) + ("" if py else "n")
    return None


def _js_key(key: str) -> str:
    return key if key.isidentifier() else json.dumps(key, ensure_ascii=False)
