"""Test inputs as a job carries them: the tagged values of docs/harness-protocol.md § Values,
in the host → harness direction, so that what JSON cannot say (sets, non-string keys, NaN and
infinities) reaches the learner's function as written. Each harness has the one decoder."""

from __future__ import annotations

import math
from typing import Any

TAGS = frozenset({"$set", "$map", "$float"})


class UnsupportedInput(ValueError):
    """A value no job can carry (content checks inputs when it loads, so only a `Problem`
    built in code, or a bug, gets here)."""


def encode_input(value: Any) -> Any:
    """`value` as JSON-ready data: a set as `{"$set": [...]}`, a dict whose keys are not all
    strings (or that could be read as a tag) as `{"$map": [[k, v], ...]}`, NaN and ±inf as
    `{"$float": "nan" | "inf" | "-inf"}`; lists, strings, numbers, booleans and null as is."""
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        if math.isnan(value):
            return {"$float": "nan"}
        if math.isinf(value):
            return {"$float": "inf" if value > 0 else "-inf"}
        return value
    if type(value) is list:
        return [encode_input(item) for item in value]
    if type(value) in (set, frozenset):
        return {"$set": [encode_input(item) for item in value]}
    if type(value) is dict:
        keys = list(value)
        if all(type(k) is str for k in keys) and not (len(keys) == 1 and keys[0] in TAGS):
            return {k: encode_input(v) for k, v in value.items()}
        return {"$map": [[encode_input(k), encode_input(v)] for k, v in value.items()]}
    raise UnsupportedInput(f"a value of type {type(value).__name__} cannot be sent to a test")


def encode_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments: their names as they are, their values encoded."""
    return {name: encode_input(value) for name, value in kwargs.items()}
