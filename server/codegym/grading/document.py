"""The `codegym check --json` document (docs/cli.md), from a verdict's records."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .records import Failure, TestVerdict, Verdict
from .wording import input_text, message


def verdict_document(verdict: Verdict, levels: dict[str, Any] | None = None) -> dict[str, Any]:
    """The whole run: status, levels (`levels`, default the verdict's own), the syntax error if
    any, and one entry per test."""
    return {
        "exercise": verdict.exercise,
        "status": verdict.status,
        "backend": verdict.backend,
        "isolation": verdict.isolation,
        "duration_ms": round(verdict.duration_ms, 1),
        "levels": verdict.levels if levels is None else levels,
        "error": None,  # a run that could not happen has no verdict: see `codegym check`
        "syntax": asdict(verdict.syntax) if verdict.syntax else None,
        "tests": [result_document(t) for t in verdict.tests],
    }


def result_document(test: TestVerdict) -> dict[str, Any]:
    """A test: always its id, name, label, visibility, status, category, message and line; a
    public failure's facts besides (never a hidden test's), and its typed `failure` record."""
    failure = test.failure
    shown = failure if isinstance(failure, Failure) else None
    document: dict[str, Any] = {
        "id": test.id,
        "name": test.name,
        "visibility": test.visibility,
        "status": test.status,
        "category": test.category,
        "message": message(test),
        "label": test.label,
        "line": shown.line if shown else None,
    }
    if test.visibility == "hidden":  # by label and kind only, even when judged in full
        if failure is not None:
            document["failure"] = {"kind": failure.kind}
        return document
    facts: dict[str, Any] = {}
    if shown is not None:
        error = shown.error
        facts = {
            "input": input_text(shown),
            "expected": shown.expected,
            "actual": shown.actual,
            "stdout": shown.stdout,
            "error_type": error.type if error else None,
            "traceback": (error.traceback or None) if error else None,
        }
    facts |= {"duration_ms": test.duration_ms, "cpu_ms": test.cpu_ms}
    document |= {k: v for k, v in facts.items() if v is not None}
    if shown is not None:
        document["failure"] = failure_document(shown)
    return document


def failure_document(failure: Failure) -> dict[str, Any]:
    """A public failure's record as JSON: its kind, reason and every fact it has."""
    return {k: v for k, v in asdict(failure).items() if v is not None and v is not False}
