"""The LSP's run scheduler (`codegym.lsp.runs`) on a recording sandbox: what it asks of the
sandbox, and when."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from codegym.checker import build_request, syntax_failure
from codegym.config import ExerciseLimits, SandboxLimits
from codegym.content import Problem, load_content
from codegym.grading import SyntaxFailure
from codegym.lsp.runs import RunEnd, RunResult, RunScheduler
from codegym.sandbox import QueueListener, RunCancelled, RunReport, RunRequest, SandboxError
from codegym.sandbox.types import LoadOutcome
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
    *,
    current_version: Callable[[str], int | None] = lambda uri: 1,
    concurrency: int = 2,
    on_unchanged: Callable[[str], None] = lambda uri: None,
    on_error: Callable[[str, str], None] = lambda uri, message: None,
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
        concurrency=concurrency,
        current_version=current_version,
        on_result=on_result,
        on_unchanged=on_unchanged,
        on_error=on_error,
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


@dataclass
class HeldRun:
    cancel: threading.Event
    release: threading.Event = field(default_factory=threading.Event)


class HeldSandbox(RecordingSandbox):
    """A sandbox whose runs wait until the test releases them, each its own (no clocks
    involved): a released run reports that the file loaded and no test reported, or raises
    `SandboxError`; a cancelled one raises `RunCancelled`."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.fail = fail
        self.runs: list[HeldRun] = []
        """Every run, in the order they started."""
        self.release_all = False

    def run(
        self,
        request: RunRequest,
        cancel: threading.Event | None = None,
        listener: QueueListener | None = None,
    ) -> RunReport:
        assert cancel is not None
        held = HeldRun(cancel)
        self.runs.append(held)
        for _ in range(PATIENCE_S * 100):
            if cancel.is_set():
                raise RunCancelled()
            if held.release.wait(0.01) or self.release_all:
                if self.fail:
                    raise SandboxError("the engine went away")
                return RunReport(backend="held", load=LoadOutcome("ok"), cases={}, duration_ms=1.0)
        raise AssertionError("a held run was never released")


PATIENCE_S = 60


async def until(predicate: Callable[[], bool]) -> None:
    """Let the event loop and the run threads go on until `predicate` holds."""
    for _ in range(PATIENCE_S * 200):
        if predicate():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("never happened")


async def ended(task: asyncio.Task[RunEnd] | None) -> RunEnd:
    assert task is not None
    return await asyncio.wait_for(task, PATIENCE_S)


SUM_EVENS = load_content(CONTENT).get("py-sum-evens")
URI = "file:///sum.py"


async def test_a_newer_save_cancels_the_running_one_and_only_its_result_is_published() -> None:
    sandbox, results = HeldSandbox(), []
    runs = scheduler(sandbox, SandboxLimits(), results.append, current_version=lambda uri: 2)
    first = runs.submit(URI, 1, "def sum_evens(n):\n    return 1\n", SUM_EVENS)
    await until(lambda: len(sandbox.runs) == 1)
    second = runs.submit(URI, 2, "def sum_evens(n):\n    return 2\n", SUM_EVENS)
    assert await ended(first) == "cancelled" and sandbox.runs[0].cancel.is_set()
    await until(lambda: len(sandbox.runs) == 2)
    sandbox.runs[1].release.set()
    assert await ended(second) == "fail"
    assert [r.version for r in results] == [2]


async def test_a_result_for_an_older_version_of_the_document_is_dropped() -> None:
    sandbox, results = HeldSandbox(), []
    version = {"now": 1}
    runs = scheduler(
        sandbox, SandboxLimits(), results.append, current_version=lambda uri: version["now"]
    )
    task = runs.submit(URI, 1, "def sum_evens(n):\n    return 1\n", SUM_EVENS)
    await until(lambda: len(sandbox.runs) == 1)
    version["now"] = 2  # typed on, not saved yet
    sandbox.runs[0].release.set()
    assert await ended(task) == "stale"
    assert results == []


async def test_unchanged_code_is_not_run_again_unless_forced() -> None:
    sandbox, results, unchanged = HeldSandbox(), [], []
    sandbox.release_all = True
    runs = scheduler(sandbox, SandboxLimits(), results.append, on_unchanged=unchanged.append)
    code = "def sum_evens(n):\n    return 1\n"
    assert await ended(runs.submit(URI, 1, code, SUM_EVENS)) == "fail"
    assert runs.submit(URI, 1, code, SUM_EVENS) is None and unchanged == [URI]
    assert await ended(runs.submit(URI, 1, code, SUM_EVENS, force=True)) == "fail"
    assert len(results) == 2 and len(sandbox.runs) == 2


async def test_runs_beyond_the_concurrency_wait_for_a_slot() -> None:
    sandbox, results = HeldSandbox(), []
    runs = scheduler(sandbox, SandboxLimits(), results.append, concurrency=1)
    one = runs.submit("file:///one.py", 1, "def sum_evens(n):\n    return 1\n", SUM_EVENS)
    two = runs.submit("file:///two.py", 1, "def sum_evens(n):\n    return 2\n", SUM_EVENS)
    await until(lambda: len(sandbox.runs) == 1)
    for _ in range(20):  # the second document's run does not start while the slot is taken
        await asyncio.sleep(0)
    assert len(sandbox.runs) == 1
    sandbox.runs[0].release.set()
    await until(lambda: len(sandbox.runs) == 2)
    sandbox.runs[1].release.set()
    assert (await ended(one), await ended(two)) == ("fail", "fail")
    assert sorted(r.uri for r in results) == ["file:///one.py", "file:///two.py"]


async def test_a_sandbox_failure_is_reported_and_publishes_nothing() -> None:
    sandbox, results, errors = HeldSandbox(fail=True), [], []
    sandbox.release_all = True
    runs = scheduler(
        sandbox, SandboxLimits(), results.append, on_error=lambda uri, m: errors.append(m)
    )
    task = runs.submit(URI, 1, "def sum_evens(n):\n    return 1\n", SUM_EVENS)
    assert await ended(task) == "error"
    assert errors == ["the engine went away"] and results == []
