"""Prompts are files (`prompts/*.md`, versioned by `prompts/VERSION`); this module loads them,
fills in their `$placeholders`, and wraps learner-controlled text as delimited data."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from string import Template

DATA_TAGS = ("learner_code", "statement", "test_results", "authored_hint")
_TAG_LIKE = re.compile(r"<(/?)\s*(" + "|".join(DATA_TAGS) + r")", re.I)


@cache
def _text(name: str) -> str:
    return (resources.files(__package__) / "prompts" / name).read_text(encoding="utf-8")


def prompts_version() -> str:
    return _text("VERSION").strip()


def render(name: str, **values: object) -> str:
    """`prompts/<name>.md` with its placeholders filled; a missing value is an error."""
    return Template(_text(f"{name}.md")).substitute({k: str(v) for k, v in values.items()}).strip()


def as_data(text: str) -> str:
    """Text to place between data tags: anything that could close or open a data tag is
    defused, so learner text cannot step outside its block."""
    return _TAG_LIKE.sub(lambda m: f"‹{m.group(1)}{m.group(2)}", text)


def numbered(code: str) -> str:
    """Learner code with line numbers, as data."""
    lines = code.splitlines() or [""]
    width = len(str(len(lines)))
    return as_data("\n".join(f"{i:>{width}} | {line}" for i, line in enumerate(lines, 1)))
