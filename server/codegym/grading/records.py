"""What grading says about a run, as data: one typed record per test, no sentences.

`grade()` (verdicts.py) produces these; presenters (`wording`, `document`, the editor's
diagnostics, the tutor) turn them into words. A public test's failure is a `Failure`: its kind,
the cause where a kind has several, and the facts behind it (input, expected and actual values,
the error, the timing, the first differing output line). A hidden test's result is a
`HiddenResult`, whose failure is a `HiddenFailure`: its kind and error type, and nothing a
learner could read the test's data from. That is a matter of types, not of care.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..content.models import Visibility
from ..sandbox.types import ErrorInfo, Isolation

TestStatus = Literal["pass", "fail", "error", "timeout"]
FailureKind = Literal[
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
Category = Literal["passed", FailureKind]
OverallStatus = Literal["pass", "fail"]

Reason = Literal[
    "in_test",
    "while_loading",
    "after_timeout",
    "after_flood",
    "exit_status",
    "exited_early",
    "bad_test",
    "unreadable",
]
"""Which of a kind's causes it was:

- `in_test`: what the kind says, in this test (the usual case);
- `while_loading`: the file itself, before any test: a `syntax_error`, a `runtime_error` raised
  at the top level, or a `timeout` (it never finished loading);
- `after_timeout`: a `timeout` that never ran: the run was stopped after an earlier test took
  too long;
- `after_flood`: an `output_limit` that never ran: the run was stopped when an earlier test
  printed too much;
- `exit_status`: a `runtime_error` of a program whose output is right but whose exit status is
  not 0 (`Failure.exit_status`);
- `exited_early`: a `no_report`: the program exited or crashed before this test reported;
- `bad_test`: a `no_report`: the test's expected value cannot be compared (`Failure.bad_test`);
- `unreadable`: a `no_report`: the value the code reported is malformed (`Failure.unreadable`).
"""

_FAILED_STATUS: dict[str, TestStatus] = {
    "wrong_answer": "fail",
    "too_slow": "fail",
    "timeout": "timeout",
}


def status_of(category: Category) -> TestStatus:
    """`pass`, `fail` (a wrong or slow answer), `timeout`, or `error` (anything else)."""
    return "pass" if category == "passed" else _FAILED_STATUS.get(category, "error")


@dataclass(frozen=True)
class Budget:
    """An efficiency test's CPU time against its budget (`too_slow`)."""

    cpu_ms: float
    budget_ms: float
    time_factor: float
    """The budget is this many times the reference solution's CPU time (never below a floor)."""


@dataclass(frozen=True)
class OutputDifference:
    """Where a program's output first differs from the expected output (stdio wrong answers),
    both normalised (line ends, trailing spaces and blank lines)."""

    expected_lines: int
    got_lines: int
    line: int | None = None
    """1-based: the first line that both have and that differs, or, when the program printed
    nothing, 1 (the first expected line); None when one is a prefix of the other."""
    expected: str | None = None
    """The expected text of `line`."""
    got: str | None = None
    """The printed text of `line` (None when nothing was printed)."""


@dataclass(frozen=True)
class ComparedValues:
    """The canonical values a call or code test compared (docs/harness-protocol.md § Values)."""

    expected: Any
    actual: Any


@dataclass(frozen=True)
class Failure:
    """Why a test that a learner may see in full failed."""

    kind: FailureKind
    reason: Reason = "in_test"
    entry_point: str | None = None
    """The function a call test calls."""
    input: str | None = None
    """What the test gave the code: a call test's call (`f([1, 2])`), a program's stdin (capped);
    for the kinds and tests that show one (wrong answers, errors)."""
    code: str | None = None
    """A code test's code (it has no input of its own)."""
    expected: str | None = None
    """The expected value, written in the exercise's language (or the expected output)."""
    actual: str | None = None
    """What the code returned, in the exercise's language (or what it printed)."""
    values: ComparedValues | None = None
    """The compared values themselves (call and code tests' wrong answers)."""
    unordered: bool = False
    """The values were compared in any order."""
    difference: OutputDifference | None = None
    """A program's first differing output line (stdio wrong answers)."""
    error: ErrorInfo | None = None
    """The error the code raised: type, message, line in the learner's file, traceback."""
    stdout: str | None = None
    """What the test printed."""
    exit_status: int | None = None
    """The program's exit status (reason `exit_status`)."""
    budget: Budget | None = None
    """`too_slow`: the CPU time and its budget."""
    bad_test: str | None = None
    """Reason `bad_test`: what is wrong with the test's expected value."""
    unreadable: str | None = None
    """Reason `unreadable`: what is wrong with the value the code reported."""

    @property
    def line(self) -> int | None:
        """The line of the learner's file where the error happened."""
        return self.error.line if self.error else None


@dataclass(frozen=True)
class HiddenFailure:
    """Why a hidden test failed, as far as a learner may know: the kind of failure and the type
    of error it raised. It has no place for the test's data."""

    kind: FailureKind
    error_type: str | None = None


@dataclass(frozen=True)
class PublicResult:
    """A test whose failure a learner (or, for hidden tests in `codegym validate`, an author)
    sees in full."""

    __test__ = False  # not a pytest test class
    id: str
    name: str
    visibility: Visibility
    label: str
    """What a learner may know of the test: a hidden test's authored label, else its name."""
    failure: Failure | None = None
    """None: it passed."""
    duration_ms: float | None = None
    cpu_ms: float | None = None
    """CPU time of the test, measured by the sandbox's supervisor: what budgets judge."""

    @property
    def passed(self) -> bool:
        return self.failure is None

    @property
    def category(self) -> Category:
        return self.failure.kind if self.failure else "passed"

    @property
    def status(self) -> TestStatus:
        return status_of(self.category)


@dataclass(frozen=True)
class HiddenResult:
    """A hidden test, as a learner may know it: its name, label and kind of failure. Its times
    are kept for the efficiency budget, never shown."""

    __test__ = False
    id: str
    name: str
    label: str
    failure: HiddenFailure | None = None
    duration_ms: float | None = None
    cpu_ms: float | None = None

    @property
    def visibility(self) -> Literal["hidden"]:
        return "hidden"

    @property
    def passed(self) -> bool:
        return self.failure is None

    @property
    def category(self) -> Category:
        return self.failure.kind if self.failure else "passed"

    @property
    def status(self) -> TestStatus:
        return status_of(self.category)


TestVerdict = PublicResult | HiddenResult
"""One judged test."""


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
