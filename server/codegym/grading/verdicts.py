"""Judge a sandbox report against a problem's tests: per-test verdicts, classified, plus an
overall status and a report per level (syntax, runs, public, hidden).

Public failures carry their input, expected and actual value; hidden failures carry only their
label. All comparison happens here, on the host.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from ..content.models import CallTest, CodeTest, Problem, StdioTest, TestCase, Visibility
from ..sandbox.types import CaseOutcome, ErrorInfo, Isolation, LoadOutcome, RunReport
from .values import NotCanonical, canonical, display, display_args, values_match

TestStatus = Literal["pass", "fail", "error", "timeout"]
Category = Literal[
    "passed",
    "wrong_answer",
    "too_slow",
    "syntax_error",
    "runtime_error",
    "timeout",
    "memory_limit",
    "output_limit",
    "no_report",
    "tampered",
]
OverallStatus = Literal["pass", "fail"]

_SYNTAX_ERRORS = {"SyntaxError", "IndentationError", "TabError"}
MIN_BUDGET_MS = 50.0
"""An efficiency budget is never below this: tiny timings are mostly noise."""
_MEMORY_ERRORS = {"MemoryError"}


@dataclass(frozen=True)
class TestVerdict:
    __test__ = False  # not a pytest test class
    id: str
    name: str
    visibility: Visibility
    status: TestStatus
    category: Category
    message: str
    label: str = ""
    """What a learner may know of the test: a hidden test's authored label, else its name."""
    line: int | None = None
    input: str | None = None
    expected: str | None = None
    actual: str | None = None
    stdout: str | None = None
    error_type: str | None = None
    traceback: str | None = None
    duration_ms: float | None = None
    cpu_ms: float | None = None
    """CPU time of the test, measured by the sandbox's supervisor: what budgets judge."""

    @property
    def passed(self) -> bool:
        return self.status == "pass"


@dataclass(frozen=True)
class Score:
    passed: int
    total: int

    def __str__(self) -> str:
        return f"{self.passed}/{self.total}"


@dataclass(frozen=True)
class SyntaxFailure:
    """The code does not parse: no test ran, and this is the one thing to show."""

    error_type: str
    """`SyntaxError`, `IndentationError`, `TabError`."""
    message: str
    """The parser's words, e.g. `'(' was never closed`."""
    line: int | None = None
    """1-based."""
    column: int | None = None
    """0-based."""


@dataclass(frozen=True)
class Verdict:
    exercise: str
    status: OverallStatus
    backend: str
    duration_ms: float
    tests: list[TestVerdict]
    levels: dict[str, Any] = field(default_factory=dict)
    isolation: Isolation | None = "container"
    """How the run was isolated (`codegym.sandbox.Isolation`); None when nothing ran."""
    syntax: SyntaxFailure | None = None
    """Set when the code does not parse; every test is then a `syntax_error`."""

    def score(self, visibility: Visibility) -> Score:
        selected = [t for t in self.tests if t.visibility == visibility]
        return Score(sum(t.passed for t in selected), len(selected))

    _ALWAYS_SHOWN = ("id", "name", "label", "visibility", "status", "category", "message", "line")
    """The fields of a test in `to_json` even when it is hidden (the rest only for others)."""

    def to_json(self) -> dict[str, Any]:
        """The `codegym check --json` document (docs/cli.md)."""
        return {
            "exercise": self.exercise,
            "status": self.status,
            "backend": self.backend,
            "isolation": self.isolation,
            "duration_ms": round(self.duration_ms, 1),
            "levels": self.levels,
            "error": None,  # a run that could not happen has no verdict: see `codegym check`
            "syntax": asdict(self.syntax) if self.syntax else None,
            "tests": [
                {
                    k: v
                    for k, v in asdict(t).items()
                    if k in self._ALWAYS_SHOWN or (v is not None and t.visibility != "hidden")
                }
                for t in self.tests
            ],
        }


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
        _within_budget(
            _judge(problem, test, report, reveal_hidden),
            test,
            reference_ms,
            conceal=test.visibility == "hidden" and not reveal_hidden,
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


def budget_ms(test: TestCase, reference_ms: dict[str, float] | None) -> float | None:
    """The CPU time a right answer may use on an efficiency test, or None if it has no budget."""
    if not test.time_factor or not reference_ms or test.id not in reference_ms:
        return None
    return max(test.time_factor * reference_ms[test.id], MIN_BUDGET_MS)


def _within_budget(
    verdict: TestVerdict, test: TestCase, reference_ms: dict[str, float] | None, *, conceal: bool
) -> TestVerdict:
    budget = budget_ms(test, reference_ms)
    took = verdict.cpu_ms
    if not verdict.passed or budget is None or took is None or took <= budget:
        return verdict
    if conceal:
        message = f"hidden test failed: {test.label} (too slow)"
    else:
        message = (
            f"{test.name}: right answer, but it used {took:.0f} ms of CPU time; the budget is "
            f"{budget:.0f} ms "
            f"({test.time_factor:g}× the reference solution). Look for a faster approach."
        )
    return replace(verdict, status="fail", category="too_slow", message=message)


def _judge(problem: Problem, test: TestCase, report: RunReport, reveal: bool) -> TestVerdict:
    assert test.id is not None
    hidden = test.visibility == "hidden" and not reveal
    base = {
        "id": test.id,
        "name": test.name,
        "visibility": test.visibility,
        "label": (test.label if test.visibility == "hidden" else None) or test.name,
    }
    if report.tampered:
        return _failure(
            base, hidden, test, "error", "tampered", "the test channel was tampered with"
        )
    load = report.load
    if load.status == "error" and load.error is not None:
        return _load_failure(base, hidden, test, load.error)
    outcome = report.cases.get(test.id) or CaseOutcome(id=test.id, status="no_report")
    if load.status == "missing":
        outcome = CaseOutcome(id=test.id, status="no_report")
    if outcome.status == "ok":
        return _compare(problem, base, hidden, test, outcome)
    if outcome.status == "timeout":
        return _failure(
            base,
            hidden,
            test,
            "timeout",
            "timeout",
            "took too long: is there an infinite loop or a very slow step?",
            outcome,
        )
    if outcome.status == "output_limit":
        return _failure(
            base,
            hidden,
            test,
            "error",
            "output_limit",
            "printed too much output (the limit is there to stop floods)",
            outcome,
        )
    if outcome.status == "error" and outcome.error is not None:
        return _error(base, hidden, test, outcome.error, outcome, problem)
    return _no_report(base, hidden, test, report)


def _compare(
    problem: Problem, base: dict[str, Any], hidden: bool, test: TestCase, outcome: CaseOutcome
) -> TestVerdict:
    language = problem.language
    if isinstance(test, StdioTest):
        expected_text, actual_text = (
            _normalise_output(test.expected_stdout),
            _normalise_output(outcome.stdout),
        )
        if expected_text == actual_text:
            if outcome.exit_code not in (None, 0):
                return _failure(
                    base,
                    hidden,
                    test,
                    "error",
                    "runtime_error",
                    f"the output is right but the program exited with status {outcome.exit_code}",
                    outcome,
                )
            return _passed(base, outcome)
        message = _first_difference(expected_text, actual_text)
        return _failure(
            base, hidden, test, "fail", "wrong_answer", message, outcome,
            input=_quote(test.stdin), expected=_quote(test.expected_stdout),
            actual=_quote(outcome.stdout),
        )  # fmt: skip
    assert isinstance(test, CallTest | CodeTest)
    try:
        expected = canonical(test.expected)
    except NotCanonical as exc:
        return _failure(base, hidden, test, "error", "no_report", f"bad test: {exc}", outcome)
    if values_match(expected, outcome.value, test.compare, test.tolerance):
        return _passed(base, outcome)
    shown_expected = display(expected, language)
    shown_actual = outcome.display or display(outcome.value, language)
    call = _call_text(problem, test)
    if isinstance(outcome.value, dict) and "$unserializable" in outcome.value:
        shown_actual = display(outcome.value, language)
    message = f"{call} returned {shown_actual}, expected {shown_expected}"
    if test.compare == "unordered":
        message += " (in any order)"
    return _failure(
        base, hidden, test, "fail", "wrong_answer", message, outcome,
        input=call, expected=shown_expected, actual=shown_actual,
    )  # fmt: skip


def _call_text(problem: Problem, test: CallTest | CodeTest) -> str:
    if isinstance(test, CallTest):
        args = display_args(test.args, test.kwargs, problem.language)
        return f"{problem.body.entry_point}({args})"
    first = test.code.strip().splitlines()[0] if test.code.strip() else ""
    return f"the test `{first}…`" if len(test.code.strip().splitlines()) > 1 else "the test"


def _error(
    base: dict[str, Any],
    hidden: bool,
    test: TestCase,
    error: ErrorInfo,
    outcome: CaseOutcome,
    problem: Problem,
) -> TestVerdict:
    if error.type in _MEMORY_ERRORS:
        return _failure(base, hidden, test, "error", "memory_limit", "ran out of memory", outcome)
    if error.type in _SYNTAX_ERRORS:
        return _load_failure(base, hidden, test, error)
    where = f" at line {error.line}" if error.line else ""
    subject = _call_text(problem, test) if isinstance(test, CallTest | CodeTest) else "the program"
    detail = f"{error.type}: {error.message}" if error.message else error.type
    shown_input: str | None = None
    if isinstance(test, CallTest):
        shown_input = subject
    elif isinstance(test, StdioTest) and test.stdin:
        shown_input = _quote(test.stdin)
    return _failure(
        base, hidden, test, "error", "runtime_error", f"{subject} raised {detail}{where}",
        outcome, error=error, input=shown_input,
    )  # fmt: skip


def _load_failure(
    base: dict[str, Any], hidden: bool, test: TestCase, error: ErrorInfo
) -> TestVerdict:
    where = f" at line {error.line}" if error.line else ""
    if error.type in _SYNTAX_ERRORS:
        category: Category = "syntax_error"
        message = f"{error.type}{where}: {error.message}"
    else:
        category = "runtime_error"
        message = f"the file raised {error.type} while loading{where}: {error.message}"
    return _failure(base, hidden, test, "error", category, message, error=error)


def _no_report(
    base: dict[str, Any], hidden: bool, test: TestCase, report: RunReport
) -> TestVerdict:
    if report.stopped == "memory":
        return _failure(base, hidden, test, "error", "memory_limit", "ran out of memory")
    if report.stopped == "wall_timeout":
        if report.load.status == "missing":
            return _failure(
                base,
                hidden,
                test,
                "timeout",
                "timeout",
                "the file did not finish loading in time: is there a loop at the top level?",
            )
        # The run's time ran out before this test: a slow solution, not a missing result.
        return _failure(
            base,
            hidden,
            test,
            "timeout",
            "timeout",
            "not run: the run was stopped after an earlier test took too long",
        )
    if report.stopped == "output_flood":
        return _failure(
            base,
            hidden,
            test,
            "error",
            "output_limit",
            "not run: the run was stopped because it printed too much",
        )
    return _failure(
        base,
        hidden,
        test,
        "error",
        "no_report",
        "no result: the program exited or crashed before this test reported (does it call exit()?)",
    )


def _passed(base: dict[str, Any], outcome: CaseOutcome) -> TestVerdict:
    # Timings are kept for hidden tests too: the efficiency budget needs them (not shown).
    return TestVerdict(
        **base,
        status="pass",
        category="passed",
        message="passed",
        duration_ms=outcome.duration_ms,
        cpu_ms=outcome.cpu_ms,
    )


def _failure(
    base: dict[str, Any],
    hidden: bool,
    test: TestCase,
    status: TestStatus,
    category: Category,
    message: str,
    outcome: CaseOutcome | None = None,
    *,
    error: ErrorInfo | None = None,
    input: str | None = None,
    expected: str | None = None,
    actual: str | None = None,
) -> TestVerdict:
    error = error or (outcome.error if outcome else None)
    if hidden:
        # A hidden test tells only its label and the kind of failure: never data, never a line.
        return TestVerdict(
            **base,
            status=status,
            category=category,
            message=f"hidden test failed: {test.label} ({CATEGORY_WORDS[category]})",
            error_type=error.type if error else None,
        )
    return TestVerdict(
        **base,
        status=status,
        category=category,
        message=f"{test.name}: {message}",
        line=error.line if error else None,
        input=input,
        expected=expected,
        actual=actual,
        stdout=(outcome.stdout or None) if outcome else None,
        error_type=error.type if error else None,
        traceback=error.traceback or None if error else None,
        duration_ms=outcome.duration_ms if outcome else None,
        cpu_ms=outcome.cpu_ms if outcome else None,
    )


CATEGORY_WORDS: dict[str, str] = {  # how a category reads in a sentence
    "passed": "passed",
    "wrong_answer": "wrong answer",
    "too_slow": "too slow",
    "syntax_error": "syntax error",
    "runtime_error": "raised an error",
    "timeout": "timed out",
    "memory_limit": "ran out of memory",
    "output_limit": "too much output",
    "no_report": "no result",
    "tampered": "tampered",
}


def _normalise_output(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _first_difference(expected: str, actual: str) -> str:
    want = expected.split("\n") if expected else []
    got = actual.split("\n") if actual else []
    if not got:
        return f"printed nothing; expected {len(want)} line(s), starting with {want[0]!r}"
    for number, (w, g) in enumerate(zip(want, got, strict=False), start=1):
        if w != g:
            return f"output line {number}: expected {w!r}, got {g!r}"
    if len(got) < len(want):
        return f"output stops after {len(got)} line(s); expected {len(want)}"
    return f"output has {len(got)} lines; expected {len(want)}"


def _quote(text: str) -> str:
    return text if len(text) <= 300 else text[:299] + "…"
