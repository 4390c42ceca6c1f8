"""Test runs for open documents: one at a time per document (a newer save cancels the older run,
also while it waits in the engine's queue), a bounded number across documents, results dropped
when the document changed meanwhile, and no re-run of unchanged code. No LSP types here: the
server passes callbacks."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

import structlog

from ..checker import check_source, run_limits
from ..config import SandboxLimits
from ..content import Problem
from ..content.models import TestCase
from ..grading import SyntaxFailure, Verdict, syntax_verdict
from ..sandbox import QueueListener, RunCancelled, Sandbox, SandboxError

log = structlog.get_logger(__name__)


RunEnd = Literal["pass", "fail", "error", "cancelled", "stale"]
"""How a run ended: its verdict's status, or why it published nothing."""


@dataclass
class _Run:
    version: int
    digest: str
    cancel: threading.Event
    task: asyncio.Task[RunEnd] | None = None


@dataclass(frozen=True)
class RunResult:
    uri: str
    version: int
    source: str
    problem: Problem
    verdict: Verdict


class RunScheduler:
    def __init__(
        self,
        sandbox: Callable[[], Awaitable[Sandbox]],
        limits: Callable[[], SandboxLimits],
        tests_for: Callable[[Problem], list[TestCase]],
        concurrency: int,
        current_version: Callable[[str], int | None],
        on_result: Callable[[RunResult], None],
        on_unchanged: Callable[[str], None],
        on_error: Callable[[str, str], None],
        on_queued: Callable[[str, int | None], None] = lambda uri, ahead: None,
        syntax_of: Callable[[Problem, str], Awaitable[SyntaxFailure | None]] | None = None,
        judged: Callable[[Problem, Sandbox], Problem] = lambda problem, sandbox: problem,
    ) -> None:
        """`on_queued(uri, ahead)`: the document's current run waits behind `ahead` runs for
        the engine, or (None) has started. `syntax_of`: the code's syntax error, if any; code
        that does not parse is judged without a run. `judged(problem, sandbox)`: in the run's
        worker thread, the problem as it is judged (a variant's expected values computed)."""
        self._syntax_of = syntax_of
        self._judged = judged
        self._sandbox = sandbox
        self._limits = limits
        self._tests_for = tests_for
        self._slots = asyncio.Semaphore(concurrency)
        self._current_version = current_version
        self._on_result = on_result
        self._on_unchanged = on_unchanged
        self._on_error = on_error
        self._on_queued = on_queued
        self._runs: dict[str, _Run] = {}
        self._last_digest: dict[str, str] = {}
        self._preparing: set[asyncio.Task[None]] = set()

    def prepare(self, problem: Problem) -> asyncio.Task[None]:
        """When an exercise is opened, before its first save: open the sandbox and get it ready
        for the exercise's runs (Docker starts their containers), in the background, so that
        the first run is as quick as the next."""
        task = asyncio.get_running_loop().create_task(self._prepare(problem))
        self._preparing.add(task)
        task.add_done_callback(self._preparing.discard)
        return task

    def stop_preparing(self) -> None:
        for task in list(self._preparing):
            task.cancel()

    async def _prepare(self, problem: Problem) -> None:
        try:
            sandbox = await self._sandbox()
            limits = run_limits(problem, self._limits())
            await asyncio.to_thread(sandbox.warm, problem.body.language, limits)
        except SandboxError as exc:  # the first run says so to the learner
            log.warning("cannot get the sandbox ready", error=str(exc))

    def submit(
        self, uri: str, version: int, source: str, problem: Problem, force: bool = False
    ) -> asyncio.Task[RunEnd] | None:
        """Start a run of `source`; None when it is the code that was last run (CodeArena's
        'no change since the last run'), unless `force`."""
        digest = hashlib.sha256(f"{problem.id}\0{source}".encode()).hexdigest()
        if not force and self._last_digest.get(uri) == digest:
            self._on_unchanged(uri)
            return None
        self.cancel(uri)
        run = _Run(version=version, digest=digest, cancel=threading.Event())
        run.task = asyncio.get_running_loop().create_task(self._run(uri, source, problem, run))
        self._runs[uri] = run
        return run.task

    def cancel(self, uri: str) -> None:
        run = self._runs.pop(uri, None)
        if run is not None:
            run.cancel.set()
            if run.task is not None:
                run.task.cancel()

    def cancel_task(self, uri: str, task: asyncio.Task[RunEnd]) -> None:
        """Cancel this run, if it is still the document's current one."""
        if self.task(uri) is task:
            self.cancel(uri)

    def forget(self, uri: str) -> None:
        self.cancel(uri)
        self._last_digest.pop(uri, None)

    def task(self, uri: str) -> asyncio.Task[RunEnd] | None:
        run = self._runs.get(uri)
        return run.task if run else None

    def _check(
        self,
        problem: Problem,
        source: str,
        sandbox: Sandbox,
        cancel: threading.Event,
        listener: QueueListener,
    ) -> Verdict:
        """In a worker thread: the tests (the exercise's own, and any generated) and the run."""
        problem = self._judged(problem, sandbox)
        tests = self._tests_for(problem)
        limits = self._limits()
        return check_source(problem, source, sandbox, limits, tests, cancel, listener=listener)

    def _listener(self, uri: str, run: _Run) -> QueueListener:
        """Called from the run's thread: tells `on_queued` on the event loop, while `run` is
        the document's current run."""
        loop = asyncio.get_running_loop()

        def told(ahead: int | None) -> None:
            loop.call_soon_threadsafe(self._queued, uri, run, ahead)

        return told

    def _queued(self, uri: str, run: _Run, ahead: int | None) -> None:
        if self._runs.get(uri) is run and not run.cancel.is_set():
            self._on_queued(uri, ahead)

    async def _verdict(self, uri: str, source: str, problem: Problem, run: _Run) -> Verdict | None:
        """The verdict of a run, or None if it was cancelled before it started."""
        failure = await self._syntax_of(problem, source) if self._syntax_of else None
        if failure is not None:
            tests = await asyncio.to_thread(self._tests_for, problem)
            return syntax_verdict(problem, failure, tests)
        async with self._slots:
            if run.cancel.is_set():
                return None
            sandbox = await self._sandbox()
            return await asyncio.to_thread(
                self._check, problem, source, sandbox, run.cancel, self._listener(uri, run)
            )

    async def _run(self, uri: str, source: str, problem: Problem, run: _Run) -> RunEnd:
        try:
            verdict = await self._verdict(uri, source, problem, run)
            if verdict is None:
                return "cancelled"
        except (asyncio.CancelledError, RunCancelled):
            return "cancelled"
        except SandboxError as exc:
            self._on_error(uri, str(exc))
            return "error"
        except Exception as exc:  # never let a run take the server down
            log.exception("test run failed", uri=uri)
            self._on_error(uri, f"internal error: {exc}")
            return "error"
        finally:
            if self._runs.get(uri) is run:
                del self._runs[uri]
        if run.cancel.is_set():
            return "cancelled"
        if self._current_version(uri) != run.version:
            log.info("dropping a stale result", uri=uri, version=run.version)
            return "stale"
        self._last_digest[uri] = run.digest
        self._on_result(RunResult(uri, run.version, source, problem, verdict))
        return verdict.status
