"""The LSP's run scheduler (`codegym.lsp.runs`) on a recording sandbox: what it asks of the
sandbox, and when."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from codegym.checker import build_request, syntax_failure
from codegym.config import ExerciseLimits, SandboxLimits
from codegym.content import Problem, load_content
from codegym.grading import SyntaxFailure
from codegym.lsp.runs import RunResult, RunScheduler
from codegym.sandbox import QueueListener, RunReport, RunRequest, SandboxError
from codegym.syntax_check import python_syntax

CONTENT = Path(__file__).resolve().parents[1] / "content"


class RecordingSandbox:
    """A sandbox that runs nothing and records what it was asked to get ready for."""

    name = "recording"

    def __init__(self, refuse: bool = False) -> None:
        self.warmed: list[tuple[str, SandboxLimits]] = []
        self.refuse = refuse

    def run(
        self,
        request: RunRequest,
        cancel: threading.Event | None = None,
        listener: QueueListener | None = None,
    ) -> RunReport:
        raise AssertionError("opening an exercise runs nothing")

    def warm(self, language: str, limits: SandboxLimits) -> None:
        if self.refuse:
            raise SandboxError("no engine")
        self.warmed.append((language, limits))

    def close(self) -> None:
        pass


def scheduler(
    sandbox: RecordingSandbox,
    limits: SandboxLimits,
    on_result: Callable[[RunResult], None] = lambda result: None,
) -> RunScheduler:
    async def opened() -> RecordingSandbox:
        return sandbox

    async def syntax_of(problem: Problem, source: str) -> SyntaxFailure | None:
        issue = python_syntax(source) if problem.language == "python" else None
        return syntax_failure(issue) if issue else None

    return RunScheduler(
        sandbox=opened,  # type: ignore[arg-type]
        limits=lambda: limits,
        tests_for=lambda problem: list(problem.body.tests),
        concurrency=2,
        current_version=lambda uri: 1,
        on_result=on_result,
        on_unchanged=lambda uri: None,
        on_error=lambda uri, message: None,
        syntax_of=syntax_of,
    )


@pytest.fixture(scope="module")
def problem() -> Problem:
    """A bundled exercise with limits of its own, as an author may write them."""
    found = next(p for p in load_content(CONTENT).ordered() if p.language == "javascript")
    body = found.body.model_copy(update={"limits": ExerciseLimits(memory_mb=384, processes=32)})
    return found.model_copy(update={"body": body})


async def test_opening_an_exercise_readies_the_sandbox_its_runs_will_use(problem: Problem) -> None:
    sandbox = RecordingSandbox()
    defaults = SandboxLimits()
    await scheduler(sandbox, defaults).prepare(problem)
    run = build_request(problem, problem.body.solution, defaults)
    # The same language and limits as the exercise's runs: on Docker, the pool they draw from.
    assert sandbox.warmed == [("javascript", run.limits)]
    assert run.limits.memory_mb == 384 and run.limits != defaults


async def test_a_sandbox_that_cannot_get_ready_is_left_to_the_first_run(problem: Problem) -> None:
    await scheduler(RecordingSandbox(refuse=True), SandboxLimits()).prepare(problem)


async def test_code_that_does_not_parse_is_judged_without_a_run() -> None:
    """One typo: one syntax failure, every test marked by it, and the sandbox never asked."""
    problem = load_content(CONTENT).get("py-sum-evens")
    results: list[RunResult] = []
    runs = scheduler(RecordingSandbox(), SandboxLimits(), results.append)
    typo = "def sum_evens(numbers):\n    return sum((n for n in numbers)\n"
    task = runs.submit("file:///sum.py", 1, typo, problem)
    assert task is not None and await task == "fail"  # RecordingSandbox.run would raise
    [result] = results
    verdict = result.verdict
    assert verdict.syntax is not None and verdict.syntax.line == 2
    assert (verdict.syntax.error_type, verdict.isolation) == ("SyntaxError", None)
    assert "never closed" in verdict.syntax.message
    assert {t.category for t in verdict.tests} == {"syntax_error"}
    assert len(verdict.tests) == len(problem.body.tests)
