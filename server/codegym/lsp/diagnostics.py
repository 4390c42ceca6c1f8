"""Verdicts as LSP diagnostics. Pure functions: no server, no I/O."""

from __future__ import annotations

import re
from typing import Any

from lsprotocol import types

from ..content import ContentError, Problem
from ..grading import CATEGORY_WORDS, Failure, TestVerdict, Verdict, message
from ..grading.wording import input_text
from ..tutor.offline_review import Finding

SOURCE_TESTS = "codegym"
SOURCE_SYNTAX = "codegym-syntax"


def entry_point_line(problem: Problem, text: str) -> int:
    """0-based line of the entry point's `def`/`function`/`class`, else the first code line."""
    lines = text.splitlines()
    name = problem.body.entry_point
    if name:
        pattern = re.compile(
            rf"^\s*(?:async\s+)?(?:def|function\*?|class)\s+{re.escape(name)}\b"
            rf"|^\s*(?:const|let|var)\s+{re.escape(name)}\s*="
        )
        for index, line in enumerate(lines):
            if pattern.match(line):
                return index
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "//")):
            return index
    return 0


def _line_range(text: str, line: int) -> types.Range:
    lines = text.splitlines()
    line = min(max(line, 0), max(len(lines) - 1, 0))
    content = lines[line] if lines else ""
    start = len(content) - len(content.lstrip())
    return types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=line, character=len(content)),
    )


def _data(test: TestVerdict, failure: Failure) -> dict[str, Any]:
    """What the code actions need: the record's public facts (hidden tests have none)."""
    data: dict[str, Any] = {
        "test": test.id,
        "name": test.name,
        "visibility": test.visibility,
        "category": test.category,
    }
    facts = {
        "input": input_text(failure),
        "expected": failure.expected,
        "actual": failure.actual,
        "error_type": failure.error.type if failure.error else None,
    }
    return data | {key: value for key, value in facts.items() if value is not None}


def verdict_diagnostics(problem: Problem, verdict: Verdict, text: str) -> list[types.Diagnostic]:
    """Public failures at the line where they failed (else the entry point); hidden failures
    summarised once at the entry point, by label only. None for code that does not parse: its
    one diagnostic is the syntax error's (`syntax_diagnostic`), not one per test."""
    if verdict.syntax is not None:
        return []
    anchor = entry_point_line(problem, text)
    diagnostics: list[types.Diagnostic] = []
    failing_hidden = [t for t in verdict.tests if t.visibility == "hidden" and not t.passed]
    for test in verdict.tests:
        failure = test.failure
        if not isinstance(failure, Failure) or test.visibility == "hidden":
            continue
        line = failure.line - 1 if failure.line else anchor
        severity = (
            types.DiagnosticSeverity.Error
            if test.category in ("syntax_error", "runtime_error", "tampered")
            else types.DiagnosticSeverity.Warning
        )
        diagnostics.append(
            types.Diagnostic(
                range=_line_range(text, line),
                message=message(test),
                severity=severity,
                source=SOURCE_TESTS,
                code=test.id,
                data=_data(test, failure),
            )
        )
    if failing_hidden:
        total = sum(t.visibility == "hidden" for t in verdict.tests)
        labels = ", ".join(f"{t.label} ({CATEGORY_WORDS[t.category]})" for t in failing_hidden)
        diagnostics.append(
            types.Diagnostic(
                range=_line_range(text, anchor),
                message=f"{len(failing_hidden)} of {total} hidden tests fail: {labels}",
                severity=types.DiagnosticSeverity.Warning,
                source=SOURCE_TESTS,
                code="hidden",
                data={"visibility": "hidden", "failing": [t.id for t in failing_hidden]},
            )
        )
    return diagnostics


def syntax_diagnostic(line: int, column: int, message: str, text: str) -> types.Diagnostic:
    """A syntax error at a 1-based line and 0-based column."""
    lines = text.splitlines()
    index = min(max(line - 1, 0), max(len(lines) - 1, 0))
    width = len(lines[index]) if lines else 0
    column = min(max(column, 0), width)
    return types.Diagnostic(
        range=types.Range(
            start=types.Position(line=index, character=column),
            end=types.Position(line=index, character=max(width, column)),
        ),
        message=message,
        severity=types.DiagnosticSeverity.Error,
        source=SOURCE_SYNTAX,
    )


SOURCE_REVIEW = "codegym-review"


def review_diagnostics(findings: list[Finding], text: str) -> list[types.Diagnostic]:
    """A code review's findings as Information diagnostics at their lines."""
    return [
        types.Diagnostic(
            range=_line_range(text, finding.line - 1),
            message=finding.message,
            severity=types.DiagnosticSeverity.Information,
            source=SOURCE_REVIEW,
            code=finding.category,
        )
        for finding in findings
    ]


SOURCE_CONTENT = "codegym-content"


def content_diagnostics(errors: list[ContentError]) -> dict[str, list[types.Diagnostic]]:
    """Loader and schema errors, grouped by file (relative to the content folder)."""
    grouped: dict[str, list[types.Diagnostic]] = {}
    for error in errors:
        line = max((error.line or 1) - 1, 0)
        grouped.setdefault(error.file, []).append(
            types.Diagnostic(
                range=types.Range(
                    start=types.Position(line=line, character=0),
                    end=types.Position(line=line, character=200),
                ),
                message=error.message,
                severity=types.DiagnosticSeverity.Error,
                source=SOURCE_CONTENT,
            )
        )
    return grouped
