"""One submission end to end: problem + learner source → sandbox run → verdict.

Shared by `codegym check`, `codegym validate` and (later) the language server.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, replace
from typing import Any, Literal

from .config import SandboxLimits
from .content.models import CallTest, CodeTest, Problem, StdioTest, TestCase
from .grading import SyntaxFailure, Verdict, grade, syntax_verdict
from .grading.values import NotCanonical, canonical
from .sandbox import QueueListener, RunReport, RunRequest, Sandbox
from .sandbox.job_values import encode_input, encode_kwargs
from .syntax_check import SyntaxProblem, python_syntax

REFERENCE_SAMPLES = 2
"""Reference runs per calibration; the least CPU time counts (caches and page faults vary)."""


def harness_case(test: TestCase) -> dict[str, Any]:
    """A test as the harness sees it: its inputs (tagged where JSON cannot say them, see
    `sandbox.job_values`), never its expected value."""
    if isinstance(test, CallTest):
        return {
            "id": test.id,
            "kind": "call",
            "args": [encode_input(a) for a in test.args],
            "kwargs": encode_kwargs(test.kwargs),
        }
    if isinstance(test, CodeTest):
        return {"id": test.id, "kind": "code", "code": test.code}
    assert isinstance(test, StdioTest)
    return {"id": test.id, "kind": "stdio", "stdin": test.stdin}


def hidden_last(tests: list[TestCase]) -> list[TestCase]:
    """The tests in the order they run: every public (and generated) test first, then the hidden
    ones. A hidden input only enters the sandbox once no test whose value or output is shown is
    left to run, so learner code cannot carry it into a shown failure (a global, a file, the
    harness's memory). Verdicts keep the problem's order (they look outcomes up by id)."""
    return sorted(tests, key=lambda test: test.visibility == "hidden")


def learner_text(source: str) -> str:
    """The learner's file as the sandbox runs it: without a leading byte-order mark (an editor's
    UTF-8 BOM arrives as U+FEFF, which Python refuses as a character). Line ends are left alone:
    both interpreters read CRLF as a line end."""
    return source.removeprefix("\ufeff")


def run_limits(problem: Problem, limits: SandboxLimits) -> SandboxLimits:
    """The limits of the problem's runs: `limits`, with the exercise's own overrides."""
    return limits.merged(problem.body.limits)


def build_request(
    problem: Problem,
    source: str,
    limits: SandboxLimits,
    tests: list[TestCase] | None = None,
) -> RunRequest:
    body = problem.body
    tests = list(body.tests) if tests is None else tests
    return RunRequest(
        language=body.language,
        mode=body.mode,
        source=source,
        entry_point=body.entry_point,
        cases=tuple(harness_case(t) for t in hidden_last(tests)),
        limits=run_limits(problem, limits),
    )


class ReferenceTimes:
    """The reference solution's CPU time on each efficiency test, measured in the sandbox that
    judges the learner (a budget only means something on the same machine and backend). Cached
    per backend, problem, solution and tests, so a server measures each problem once."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, ...], dict[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, problem: Problem, sandbox: Sandbox, limits: SandboxLimits) -> dict[str, float]:
        efficiency = [t for t in problem.body.tests if t.time_factor]
        if not efficiency:
            return {}
        key = self._key(problem, sandbox)
        with self._lock:
            if self._cache.get(key):
                return self._cache[key]
        request = build_request(problem, problem.body.solution, limits, efficiency)
        for _ in range(REFERENCE_SAMPLES):
            self.remember(problem, sandbox, sandbox.run(request))
        with self._lock:
            return self._cache.get(key, {})

    def _key(self, problem: Problem, sandbox: Sandbox) -> tuple[str, ...]:
        efficiency = [t for t in problem.body.tests if t.time_factor]
        fingerprint = hashlib.sha256(
            problem.body.solution.encode()
            + repr([(t.id, harness_case(t)) for t in efficiency]).encode()
        ).hexdigest()
        return (sandbox.name, problem.id, fingerprint)

    def remember(self, problem: Problem, sandbox: Sandbox, report: RunReport) -> None:
        """Keep the least CPU time seen for each efficiency test from a run of the reference."""
        key = self._key(problem, sandbox)
        with self._lock:
            best = self._cache.setdefault(key, {})
            for test in problem.body.tests:
                outcome = report.cases.get(str(test.id))
                if not (test.time_factor and outcome and outcome.status == "ok"):
                    continue
                if outcome.cpu_ms is not None:
                    previous = best.get(str(test.id), outcome.cpu_ms)
                    best[str(test.id)] = min(previous, outcome.cpu_ms)


REFERENCE_TIMES = ReferenceTimes()


def check_source(
    problem: Problem,
    source: str,
    sandbox: Sandbox,
    limits: SandboxLimits,
    tests: list[TestCase] | None = None,
    cancel: threading.Event | None = None,
    reveal_hidden: bool = False,
    is_reference: bool = False,
    listener: QueueListener | None = None,
) -> Verdict:
    """Run `source` against the problem's tests (or `tests`) and judge the result.

    `is_reference`: `source` is the reference solution; its own times calibrate the efficiency
    budgets (so `codegym validate` spends no extra runs on calibration)."""
    tests = list(problem.body.tests) if tests is None else tests
    source = learner_text(source)
    if problem.language == "python" and (issue := python_syntax(source)) is not None:
        return syntax_verdict(problem, syntax_failure(issue), tests, reveal_hidden=reveal_hidden)
    report = sandbox.run(build_request(problem, source, limits, tests), cancel, listener)
    if is_reference:
        REFERENCE_TIMES.remember(problem, sandbox, report)
    verdict = grade(problem, report, tests, reveal_hidden=reveal_hidden)
    right_on_efficiency_tests = any(
        judged.passed for judged, test in zip(verdict.tests, tests, strict=True) if test.time_factor
    )
    if right_on_efficiency_tests:  # only then is the reference's time worth measuring
        reference = REFERENCE_TIMES.get(problem, sandbox, limits)
        verdict = grade(problem, report, tests, reveal_hidden=reveal_hidden, reference_ms=reference)
        if any(t.category == "too_slow" for t in verdict.tests) and not is_reference:
            report = _remeasure(problem, source, sandbox, limits, tests, report, cancel)
            reference = REFERENCE_TIMES.get(problem, sandbox, limits)
            verdict = grade(
                problem, report, tests, reveal_hidden=reveal_hidden, reference_ms=reference
            )
    return verdict


def syntax_failure(issue: SyntaxProblem) -> SyntaxFailure:
    """A parser's finding as grading's record of it."""
    return SyntaxFailure(issue.error_type, issue.detail, issue.line, issue.column)


def _remeasure(
    problem: Problem,
    source: str,
    sandbox: Sandbox,
    limits: SandboxLimits,
    tests: list[TestCase],
    report: RunReport,
    cancel: threading.Event | None,
) -> RunReport:
    """Before a right answer is called too slow: the reference's efficiency tests again, then
    the learner's, one after the other under the same conditions; each keeps its least CPU
    time. (CPU time does not count waiting for a busy CPU, but caches, frequency scaling and
    the cost of the machine's other work on shared caches still move it a little.)"""
    efficiency = [t for t in tests if t.time_factor]
    reference = build_request(problem, problem.body.solution, limits, efficiency)
    REFERENCE_TIMES.remember(problem, sandbox, sandbox.run(reference))
    again = sandbox.run(build_request(problem, source, limits, efficiency), cancel)
    cases = dict(report.cases)
    for test in efficiency:
        first, second = cases.get(str(test.id)), again.cases.get(str(test.id))
        if (
            first is not None
            and second is not None
            and first.status == second.status == "ok"
            and _same_value(first.value, second.value)
            and first.cpu_ms is not None
            and second.cpu_ms is not None
            and second.cpu_ms < first.cpu_ms
        ):
            cases[str(test.id)] = replace(first, cpu_ms=second.cpu_ms)
    return replace(report, cases=cases)


ReferenceFailure = Literal["", "not_run", "crash", "timeout", "output_limit", "not_plain"]
"""How the reference failed on an input ("" when it did not): its code never got to the test
(`not_run`), it raised or exited non-zero (`crash`), ran out of time (`timeout`), printed too much
(`output_limit`), or returned something that is not a plain value (`not_plain`)."""

_CASE_FAILURES: dict[str, ReferenceFailure] = {"timeout": "timeout", "output_limit": "output_limit"}


@dataclass(frozen=True)
class ReferenceOutcome:
    """What the reference solution did on one (generated) test's input."""

    ok: bool
    value: Any = None
    """What it returned (canonical JSON), for function exercises."""
    stdout: str = ""
    problem: str = ""
    """Why it failed on this input."""
    failure: ReferenceFailure = ""


def run_reference(
    problem: Problem, tests: list[TestCase], sandbox: Sandbox, limits: SandboxLimits
) -> list[ReferenceOutcome]:
    """The reference solution on `tests`' inputs: the only source of generated expected values."""
    report = sandbox.run(build_request(problem, problem.body.solution, limits, tests))
    outcomes: list[ReferenceOutcome] = []
    for test in tests:
        outcome = report.cases.get(str(test.id))
        if report.tampered or report.load.status != "ok" or outcome is None:
            outcomes.append(_not_run(report))
        elif outcome.status != "ok":
            error = outcome.error
            why = error.type if error else outcome.status.replace("_", " ")
            detail = f": {error.message}" if error and error.message else ""
            failure = _CASE_FAILURES.get(outcome.status, "crash")
            outcomes.append(ReferenceOutcome(False, problem=f"{why}{detail}", failure=failure))
        elif outcome.exit_code not in (None, 0):
            outcomes.append(
                ReferenceOutcome(False, problem=f"exit status {outcome.exit_code}", failure="crash")
            )
        elif isinstance(outcome.value, dict) and "$unserializable" in outcome.value:
            outcomes.append(
                ReferenceOutcome(
                    False, problem="the result is not a plain value", failure="not_plain"
                )
            )
        else:
            outcomes.append(ReferenceOutcome(True, value=outcome.value, stdout=outcome.stdout))
    return outcomes


def _not_run(report: RunReport) -> ReferenceOutcome:
    """The reference never got to a test: why, as far as the report tells."""
    why = "the reference solution did not run"
    error = report.load.error
    if report.load.status != "ok" and error is not None:
        why += f": {error.type}" + (f": {error.message}" if error.message else "")
    elif report.stopped == "wall_timeout":
        return ReferenceOutcome(False, problem=f"{why}: it ran out of time", failure="timeout")
    elif report.stopped is not None:
        why += f" ({report.stopped.replace('_', ' ')})"
    return ReferenceOutcome(False, problem=why, failure="not_run")


def with_expected(test: TestCase, outcome: ReferenceOutcome) -> TestCase:
    """`test` with the reference's result on its input as its expected value."""
    if isinstance(test, StdioTest):
        return test.model_copy(update={"expected_stdout": outcome.stdout})
    return test.model_copy(update={"expected": outcome.value})


def _same_value(first: Any, second: Any) -> bool:
    """The same answer twice: compared in canonical form (a set may come back in another order)."""
    try:
        return canonical(first) == canonical(second)
    except NotCanonical:
        return False
