"""`{{ name }}` placeholders in a variant problem's text and JSON values, and their substitution.

Pure functions on strings and JSON values (no models): the content models use them to check a
problem's placeholders, `content/variants.py` to instantiate one variant.
"""

from __future__ import annotations

import json
import re
from typing import Any

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""A parameter's name: an identifier."""
PLACEHOLDER = re.compile(r"\{\{\s*(" + NAME.pattern + r")\s*\}\}")
"""`{{ name }}`: a parameter's name between double braces, spaces optional."""

Params = dict[str, Any]


def names_in(value: Any) -> set[str]:
    """The parameter names used in a string, or in the strings (not the keys) of a JSON value."""
    if isinstance(value, str):
        return set(PLACEHOLDER.findall(value))
    if isinstance(value, list):
        return set().union(*(names_in(item) for item in value))
    if isinstance(value, dict):
        return set().union(*(names_in(item) for item in value.values()))
    return set()


def as_text(value: Any) -> str:
    """A parameter's value written into text: a string as it is, anything else as JSON
    (`3`, `[1, 2]`, `true`)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def substitute_text(text: str, params: Params) -> str:
    """`text` with every placeholder replaced by its parameter's value as text."""
    return PLACEHOLDER.sub(lambda match: as_text(params[match.group(1)]), text)


def substitute_value(value: Any, params: Params) -> Any:
    """A JSON value with its placeholders replaced: a string that is exactly one placeholder
    becomes the parameter's value itself (a number stays a number, a list a list); a placeholder
    inside a longer string is replaced by the value as text. Mapping keys are left as they are."""
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value.strip())
        return params[whole.group(1)] if whole else substitute_text(value, params)
    if isinstance(value, list):
        return [substitute_value(item, params) for item in value]
    if isinstance(value, dict):
        return {key: substitute_value(item, params) for key, item in value.items()}
    return value
