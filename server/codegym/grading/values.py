"""Canonical values (docs/harness-protocol.md § Values): normalising expected values from YAML,
comparing them with what the harness reported, and displaying them in the exercise's language."""

from __future__ import annotations

import json
import math
from typing import Any, Literal

from ..content.models import CompareMode

DisplayLanguage = Literal["python", "javascript"]

_DISPLAY_CAP = 300


class NotCanonical(ValueError):
    """An expected value that no program could return as canonical JSON."""


def canonical(value: Any) -> Any:
    """An author's expected value (from YAML) in canonical form: what the harness would report
    for a program returning that value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return {"$float": "nan"}
        if math.isinf(value):
            return {"$float": "inf" if value > 0 else "-inf"}
        return value
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return {"$set": sorted((canonical(v) for v in value), key=_sort_key)}
    if isinstance(value, dict):
        if len(value) == 1 and "$set" in value and isinstance(value["$set"], list):
            return {"$set": sorted((canonical(v) for v in value["$set"]), key=_sort_key)}
        if all(isinstance(k, str) for k in value):
            return {k: canonical(v) for k, v in sorted(value.items())}
        pairs = [[canonical(k), canonical(v)] for k, v in value.items()]
        return {"$map": sorted(pairs, key=lambda kv: _sort_key(kv[0]))}
    raise NotCanonical(f"{type(value).__name__} values cannot be expected (use JSON types)")


def _sort_key(value: Any) -> str:
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
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        if tolerance is None:
            return expected == actual
        return math.isclose(expected, actual, rel_tol=1e-9, abs_tol=tolerance)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            _equal(e, a, tolerance) for e, a in zip(expected, actual, strict=True)
        )
    if isinstance(expected, dict) and isinstance(actual, dict):
        if "$unserializable" in expected or "$unserializable" in actual:
            return False
        return expected.keys() == actual.keys() and all(
            _equal(expected[k], actual[k], tolerance) for k in expected
        )
    return type(expected) is type(actual) and expected == actual


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
        return repr(value)
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
        return f"{value['$bigint']}n"
    return None


def _js_key(key: str) -> str:
    return key if key.isidentifier() else json.dumps(key, ensure_ascii=False)
