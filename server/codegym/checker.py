"""One submission end to end: problem + learner source → sandbox run → verdict.

Shared by `codegym check`, `codegym validate` and (later) the language server.
"""

from __future__ import annotations

import threading
from typing import Any

from .config import SandboxLimits
from .content.models import CallTest, CodeTest, Problem, StdioTest, TestCase
from .grading import Verdict, grade
from .sandbox import RunRequest, Sandbox


def harness_case(test: TestCase) -> dict[str, Any]:
    """A test as the harness sees it: its inputs, never its expected value."""
    if isinstance(test, CallTest):
        return {"id": test.id, "kind": "call", "args": test.args, "kwargs": test.kwargs}
    if isinstance(test, CodeTest):
        return {"id": test.id, "kind": "code", "code": test.code}
    assert isinstance(test, StdioTest)
    return {"id": test.id, "kind": "stdio", "stdin": test.stdin}


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
        cases=tuple(harness_case(t) for t in tests),
        limits=limits.merged(body.limits),
    )


def check_source(
    problem: Problem,
    source: str,
    sandbox: Sandbox,
    limits: SandboxLimits,
    tests: list[TestCase] | None = None,
    cancel: threading.Event | None = None,
    reveal_hidden: bool = False,
) -> Verdict:
    """Run `source` against the problem's tests (or `tests`) and judge the result."""
    request = build_request(problem, source, limits, tests)
    report = sandbox.run(request, cancel)
    return grade(problem, report, tests, reveal_hidden=reveal_hidden)
