"""Syntax checks while typing, in process and without a sandbox."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass


@dataclass(frozen=True)
class SyntaxProblem:
    line: int  # 1-based
    column: int  # 0-based
    message: str


def python_syntax(text: str, filename: str = "exercise.py") -> SyntaxProblem | None:
    """The first syntax error of a Python source, or None. Never executes anything."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text, filename=filename)
    except SyntaxError as exc:
        line = exc.lineno or 1
        column = max((exc.offset or 1) - 1, 0)
        return SyntaxProblem(line, column, f"{type(exc).__name__}: {exc.msg}")
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return SyntaxProblem(1, 0, f"cannot parse: {exc}")
    return None
