"""Judge a sandbox report against a problem's tests: one typed record per test (records.py),
plus an overall status and a report per level (syntax, runs, public, hidden).

Public failures carry their input, expected and actual value; hidden failures carry only their
kind. All comparison happens here, on the host; no sentence is written here (wording.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..content.models import CallTest, CodeTest, Problem, StdioTest, TestCase
from ..sandbox.types import CaseOutcome, ErrorInfo, LoadOutcome, RunReport
from .records import (
    Budget,
    ComparedValues,
    Failure,
    FailureKind,
    HiddenFailure,
    HiddenResult,
    OutputDifference,
    PublicResult,
    Reason,
    SyntaxFailure,
    TestVerdict,
    Verdict,
)
from .values import NotCanonical, canonical, display, display_args, values_match

_SYNTAX_ERRORS = {"SyntaxError", "IndentationError", "TabError"}
MIN_BUDGET_MS = 50.0
"""An efficiency budget is never below this: tiny timings are mostly noise."""
_MEMORY_ERRORS = {"MemoryError"}
_INPUT_CAP = 300


def grade(
    problem: Problem,
    report: RunReport,
    tests: list[TestCase] | None = None,
    *,
    reveal_hidden: bool = False,
    reference_ms: dict[str, float] | None = None,
) -> Verdict:
    """Judge `report` (a run of `tests`, default: the problem's own) against expected values.

    `reveal_hidden` gives hidden failures in full: for authors (`codegym validate`), never for
    learners. `reference_ms` holds the reference solution's time per efficiency test, measured in
    the same sandbox; a right answer that uses more than `time_factor` times its CPU time is
    `too_slow`."""
    tests = list(problem.body.tests) if tests is None else tests
    judged = [
        _conceal(
            _within_budget(_judge(problem, test, report), test, reference_ms),
            test,
            reveal_hidden,
        )
        for test in tests
    ]
    efficiency = [t for t, test in zip(judged, tests, strict=True) if test.time_factor]
    public = [t for t in judged if t.visibility == "public"]
    hidden = [t for t in judged if t.visibility == "hidden"]
    syntax_ok = not any(t.category == "syntax_error" for t in judged)
    runs_ok = syntax_ok and all(t.category in ("passed", "wrong_answer") for t in judged)
    levels = {
        "syntax": "pass" if syntax_ok else "fail",
        "runs": "pass" if runs_ok else "fail",
        "public": {"passed": sum(t.passed for t in public), "total": len(public)},
        "hidden": {"passed": sum(t.passed for t in hidden), "total": len(hidden)},
        "efficiency": {"passed": sum(t.passed for t in efficiency), "total": len(efficiency)},
    }
    return Verdict(
        exercise=problem.id,
        status="pass" if all(t.passed for t in judged) else "fail",
        backend=report.backend,
        duration_ms=report.duration_ms,
        tests=judged,
        levels=levels,
        isolation=report.isolation,
        syntax=_syntax_failure(report),
    )


def _syntax_failure(report: RunReport) -> SyntaxFailure | None:
    error = report.load.error
    if report.load.status != "error" or error is None or error.type not in _SYNTAX_ERRORS:
        return None
    return SyntaxFailure(error_type=error.type, message=error.message, line=error.line)


def syntax_verdict(
    problem: Problem,
    failure: SyntaxFailure,
    tests: list[TestCase] | None = None,
    *,
    reveal_hidden: bool = False,
) -> Verdict:
    """The verdict on code that does not parse, found before any run (nothing ran): judged as
    the sandbox's own syntax error would be."""
    error = ErrorInfo(type=failure.error_type, message=failure.message, line=failure.line)
    report = RunReport(
        backend="syntax check",
        load=LoadOutcome("error", error),
        cases={},
        duration_ms=0.0,
    )
    verdict = grade(problem, report, tests, reveal_hidden=reveal_hidden)
    return replace(verdict, isolation=None, syntax=failure)


def syntax_result(failure: SyntaxFailure) -> PublicResult:
    """A syntax error found while typing (no run, no verdict), as a failing result that the
    tutor can explain like any other."""
    error = ErrorInfo(type=failure.error_type, message=failure.message, line=failure.line)
    return PublicResult(
        id="syntax",
        name="syntax check",
        visibility="public",
        label="syntax check",
        failure=Failure("syntax_error", "while_loading", error=error),
    )


def budget_ms(test: TestCase, reference_ms: dict[str, float] | None) -> float | None:
    """The CPU time a right answer may use on an efficiency test, or None if it has no budget."""
    if not test.time_factor or not reference_ms or test.id not in reference_ms:
        return None
    return max(test.time_factor * reference_ms[test.id], MIN_BUDGET_MS)


def _within_budget(
    result: PublicResult, test: TestCase, reference_ms: dict[str, float] | None
) -> PublicResult:
    budget = budget_ms(test, reference_ms)
    took = result.cpu_ms
    if not result.passed or budget is None or took is None or took <= budget:
        return result
    assert test.time_factor is not None  # a budget needs one
    spent = Budget(cpu_ms=took, budget_ms=budget, time_factor=test.time_factor)
    return replace(result, failure=Failure("too_slow", budget=spent))


def _conceal(result: PublicResult, test: TestCase, reveal: bool) -> TestVerdict:
    """A hidden test keeps its label and the kind of failure: never data, never a line. Its
    times stay, for the efficiency budget (never shown)."""
    if test.visibility != "hidden" or reveal:
        return result
    failure = result.failure
    return HiddenResult(
        id=result.id,
        name=result.name,
        label=result.label,
        failure=(
            HiddenFailure(failure.kind, failure.error.type if failure.error else None)
            if failure
            else None
        ),
        duration_ms=result.duration_ms,
        cpu_ms=result.cpu_ms,
    )


def _judge(problem: Problem, test: TestCase, report: RunReport) -> PublicResult:
    """The test's result in full (`_conceal` hides what a learner may not see)."""
    assert test.id is not None
    result = PublicResult(
        id=test.id,
        name=test.name,
        visibility=test.visibility,
        label=(test.label if test.visibility == "hidden" else None) or test.name,
    )
    if report.tampered:
        return replace(result, failure=Failure("tampered"))
    load = report.load
    if load.status == "error" and load.error is not None:
        return replace(result, failure=_load_failure(load.error))
    outcome = report.cases.get(test.id) or CaseOutcome(id=test.id, status="no_report")
    if load.status == "missing":
        outcome = CaseOutcome(id=test.id, status="no_report")
    timed = replace(result, duration_ms=outcome.duration_ms, cpu_ms=outcome.cpu_ms)
    if outcome.status == "ok":
        return replace(timed, failure=_compare(problem, test, outcome))
    if outcome.status == "timeout":
        return replace(timed, failure=_from_outcome("timeout", outcome))
    if outcome.status == "output_limit":
        return replace(timed, failure=_from_outcome("output_limit", outcome))
    if outcome.status == "error" and outcome.error is not None:
        if outcome.error.type in _SYNTAX_ERRORS:  # judged as the file's own: no times, no output
            return replace(result, failure=Failure("syntax_error", error=outcome.error))
        return replace(timed, failure=_error(problem, test, outcome, outcome.error.type))
    return replace(result, failure=_no_report(report))


def _compare(problem: Problem, test: TestCase, outcome: CaseOutcome) -> Failure | None:
    """None when the answer is right."""
    if isinstance(test, StdioTest):
        expected_text = _normalise_output(test.expected_stdout)
        actual_text = _normalise_output(outcome.stdout)
        if expected_text == actual_text:
            if outcome.exit_code not in (None, 0):
                return _from_outcome(
                    "runtime_error", outcome, reason="exit_status", exit_status=outcome.exit_code
                )
            return None
        return _from_outcome(
            "wrong_answer", outcome,
            input=_cap(test.stdin), expected=_cap(test.expected_stdout),
            actual=_cap(outcome.stdout),
            difference=_first_difference(expected_text, actual_text),
        )  # fmt: skip
    assert isinstance(test, CallTest | CodeTest)
    try:
        expected = canonical(test.expected)
    except NotCanonical as exc:
        return _from_outcome("no_report", outcome, reason="bad_test", bad_test=str(exc))
    try:
        actual = canonical(outcome.value)
    except NotCanonical as exc:
        return _from_outcome("no_report", outcome, reason="unreadable", unreadable=str(exc))
    if values_match(expected, actual, test.compare, test.tolerance):
        return None
    language = problem.language
    return _from_outcome(
        "wrong_answer", outcome, **_subject(problem, test),
        expected=display(expected, language), actual=display(actual, language),
        values=ComparedValues(expected, actual), unordered=test.compare == "unordered",
    )  # fmt: skip


def _subject(problem: Problem, test: CallTest | CodeTest) -> dict[str, str | None]:
    """What a call or code test runs: the call (and its function), or the code."""
    if isinstance(test, CallTest):
        args = display_args(test.args, test.kwargs, problem.language)
        entry = problem.body.entry_point
        return {"entry_point": entry, "input": f"{entry}({args})"}
    return {"code": test.code}


def _error(problem: Problem, test: TestCase, outcome: CaseOutcome, error_type: str) -> Failure:
    if error_type in _MEMORY_ERRORS:
        return _from_outcome("memory_limit", outcome)
    if isinstance(test, CallTest | CodeTest):
        return _from_outcome("runtime_error", outcome, **_subject(problem, test))
    assert isinstance(test, StdioTest)
    return _from_outcome("runtime_error", outcome, input=_cap(test.stdin) if test.stdin else None)


def _load_failure(error: ErrorInfo) -> Failure:
    """The file raised before any test ran."""
    kind: FailureKind = "syntax_error" if error.type in _SYNTAX_ERRORS else "runtime_error"
    return Failure(kind, "while_loading", error=error)


def _no_report(report: RunReport) -> Failure:
    """No result for this test: why, from how the run ended."""
    if report.stopped == "memory":
        return Failure("memory_limit")
    if report.stopped == "wall_timeout":
        # Loaded: the run's time ran out before this test (a slow solution, not a missing result).
        loading = report.load.status == "missing"
        return Failure("timeout", "while_loading" if loading else "after_timeout")
    if report.stopped == "output_flood":
        return Failure("output_limit", "after_flood")
    return Failure("no_report", "exited_early")


def _from_outcome(
    kind: FailureKind, outcome: CaseOutcome, reason: Reason = "in_test", **facts: Any
) -> Failure:
    """A failure with what the test's outcome tells (its error, what it printed) and `facts`."""
    failure = Failure(kind, reason, error=outcome.error, stdout=outcome.stdout or None)
    return replace(failure, **facts)


def _normalise_output(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _first_difference(expected: str, actual: str) -> OutputDifference:
    want = expected.split("\n") if expected else []
    got = actual.split("\n") if actual else []
    if not got:
        return OutputDifference(len(want), 0, line=1, expected=want[0])
    for number, (w, g) in enumerate(zip(want, got, strict=False), start=1):
        if w != g:
            return OutputDifference(len(want), len(got), line=number, expected=w, got=g)
    return OutputDifference(len(want), len(got))


def _cap(text: str) -> str:
    return text if len(text) <= _INPUT_CAP else text[: _INPUT_CAP - 1] + "…"
