"""Small helpers for the sentences a learner reads."""

from __future__ import annotations


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """`1 exercise file`, `2 exercise files`, `0 tests`."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
