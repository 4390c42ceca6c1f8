"""Tests on save: the run scheduler, each document's verdict as diagnostics, the run's
`$/progress`, the learner's progress record, the status lens, the failure hover, and the
`codegym.runTests` command."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import structlog
from lsprotocol import types

from ...content import Problem
from ...generated_tests import load_generated
from ...grading import Failure, Verdict, message
from ...grading.wording import input_text
from ...process import process_start_time
from ...progress import ProgressStore
from ...variants import judged_problem
from ..diagnostics import SOURCE_TESTS, verdict_diagnostics
from ..feature import Feature, command_action
from ..runs import RunEnd, RunResult, RunScheduler
from ..server import GymServer
from ..work_progress import WorkProgress
from .syntax import Syntax

log = structlog.get_logger(__name__)

PROCESS_STARTED = process_start_time()
"""When this server's process started (not when this module was imported, ~0.5 s later)."""
PROGRESS_CHANGED = "codegym/progressChanged"
_MAX_PENDING_SAVES = 100


class Testing(Feature):
    def __init__(self, server: GymServer) -> None:
        super().__init__(server)
        self.runs: RunScheduler | None = None
        self.verdicts: dict[str, Verdict] = {}
        self._progress: dict[str, WorkProgress] = {}
        """The `$/progress` of each document's current run."""
        self._pending_saves: set[str] = set()
        """Documents saved before they were opened: they run when they open."""
        server.diagnostics.register(SOURCE_TESTS)
        server.add_command("codegym.runTests", self.run_command)

    def configured(self) -> None:
        server = self.server
        self.runs = RunScheduler(
            sandbox=server.sandbox,
            limits=lambda: server.settings.sandbox.limits,
            tests_for=lambda problem: [
                *problem.body.tests,
                *load_generated(server.root, problem),
            ],
            concurrency=server.settings.parallelism,
            current_version=server.version_of,
            on_result=self._on_result,
            on_unchanged=lambda uri: server.notify_user(
                "Code Gym: no change since the last run.", types.MessageType.Info
            ),
            on_error=lambda uri, message: server.notify_user(
                f"Code Gym: cannot run the tests: {message}", types.MessageType.Error
            ),
            on_queued=self._on_queued,
            syntax_of=server.get_feature(Syntax).failure,
            judged=lambda problem, sandbox: judged_problem(
                problem, sandbox, server.settings.sandbox.limits, server.root
            ),
        )

    async def close(self) -> None:
        if self.runs is not None:
            self.runs.stop_preparing()

    def diagnostics(self, uri: str) -> list[types.Diagnostic]:
        """The document's test diagnostics, in the order they were published."""
        return self.server.diagnostics.get(uri, SOURCE_TESTS)

    # ------------------------------------------------------------------ documents

    def opened(self, uri: str) -> None:
        """An exercise document was opened: get the sandbox ready for its first save, or run
        the save that came before it. Neovim 0.7 sends no `didSave` at all before the server is
        initialized: a file written while this server was starting counts as saved."""
        if uri in self._pending_saves or self._written_while_starting(uri):
            self._pending_saves.discard(uri)
            self.run_tests(uri)
            return
        found = self.server.document_problem(uri)
        if found is not None and self.runs is not None:
            self.runs.prepare(found[1])
            asyncio.get_running_loop().create_task(self._resume(uri, found[1]))

    async def _resume(self, uri: str, problem: Problem) -> None:
        """An exercise tried and not solved yet (a reopened file, a reloaded editor): its
        tests run again, so its failures show before the next save."""
        store = self.server.progress
        if store is None:
            return
        try:
            entry = await asyncio.to_thread(store.get, problem.id)
        except OSError:
            return
        if self.runs is None or self.runs.task(uri) is not None or uri in self.verdicts:
            return  # saved meanwhile: that run's verdict is the one to show
        if entry.status == "attempted":
            self.run_tests(uri)

    def saved(self, uri: str) -> None:
        if Path(uri).suffix in (".py", ".js"):
            self.run_tests(uri)

    def closed(self, uri: str) -> None:
        if self.runs:
            self.runs.forget(uri)
        self.verdicts.pop(uri, None)

    def _written_while_starting(self, uri: str) -> bool:
        """Written after this process started and before the client said it was initialized
        (files written later, as by `codegym.init`, are not saves)."""
        path = self.server.path_of(uri)
        try:
            written = path.stat().st_mtime if path is not None else 0.0
        except OSError:
            return False
        return PROCESS_STARTED <= written <= (self.server.initialized_at or time.time())

    # ------------------------------------------------------------------ runs

    def run_command(self, *args: Any) -> bool:
        """`codegym.runTests`, arguments `[uri]`; with none (pygls would count a default as
        required) nothing runs."""
        uri = args[0] if args else None
        return isinstance(uri, str) and self.run_tests(uri, force=True)

    def run_tests(self, uri: str, force: bool = False) -> bool:
        """Run the tests of an open exercise document; False if it is not one. A save of a
        document not open yet (Neovim sends `didSave` before the `didOpen` it holds back until
        the server is initialized) runs once the document opens."""
        server = self.server
        if uri not in server.workspace.text_documents:
            if len(self._pending_saves) < _MAX_PENDING_SAVES:
                self._pending_saves.add(uri)
            return False
        found = server.document_problem(uri)
        if found is None or self.runs is None:
            return False
        source, problem = found
        progress = WorkProgress(server, server.client, f"Testing {problem.meta.title}")
        task = self.runs.submit(uri, server.version_of(uri) or 0, source, problem, force=force)
        if task is not None:
            self._progress[uri] = progress
            asyncio.get_running_loop().create_task(self._show_progress(uri, task, progress))
        return True

    async def _show_progress(
        self, uri: str, task: asyncio.Task[RunEnd], progress: WorkProgress
    ) -> None:
        runs = self.runs
        assert runs is not None
        await progress.run(task, cancel=lambda: runs.cancel_task(uri, task))
        if self._progress.get(uri) is progress:
            del self._progress[uri]

    def _on_queued(self, uri: str, ahead: int | None) -> None:
        """The document's run waits for the engine behind `ahead` others, or has started."""
        progress = self._progress.get(uri)
        if progress is not None:
            progress.report("running" if ahead is None else f"queued ({ahead} ahead)")

    def _on_result(self, result: RunResult) -> None:
        server = self.server
        verdict = result.verdict
        self.verdicts[result.uri] = verdict
        server.diagnostics.set(
            result.uri, SOURCE_TESTS, verdict_diagnostics(result.problem, verdict, result.source)
        )
        for feature in server.features:
            feature.judged(result)
        server.diagnostics.sync(result.uri, result.version)
        if server.progress is not None:
            asyncio.get_running_loop().create_task(
                self._record(server.progress, result.problem, verdict, result.uri)
            )
        server.client.refresh_code_lenses()

    async def _record(
        self, store: ProgressStore, problem: Problem, verdict: Verdict, uri: str
    ) -> None:
        """Off the event loop: the store takes a file lock and fsyncs."""
        try:
            before, after = await asyncio.to_thread(store.record, problem.id, verdict, problem)
        except OSError as exc:
            log.warning("cannot record progress", error=str(exc))
            return
        if before != after:
            self.server.protocol.notify(
                PROGRESS_CHANGED, {"exercise": problem.id, "status": after, "uri": uri}
            )

    # ------------------------------------------------------------------ what the editor shows

    def code_lenses(self, uri: str, problem: Problem, where: types.Range) -> list[types.CodeLens]:
        verdict = self.verdicts.get(uri)
        if verdict is None:
            status = "not run yet"
        else:
            mark = "✓" if verdict.status == "pass" else "✗"
            status = f"{mark} {verdict.score('public')} public · {verdict.score('hidden')} hidden"
        run = types.Command(title="▶ Run tests", command="codegym.runTests", arguments=[uri])
        shown = types.Command(title=status, command="codegym.runTests", arguments=[uri])
        return [
            types.CodeLens(range=where, command=run),
            types.CodeLens(range=where, command=shown),
        ]

    def hover(self, params: types.HoverParams, problem: Problem, text: str) -> str | None:
        """On a failing line: what failed, with its input, expected and actual values."""
        uri = params.text_document.uri
        sections = [
            self._failure_markdown(uri, d)
            for d in self.diagnostics(uri)
            if d.range.start.line == params.position.line
        ]
        return "\n\n---\n\n".join(sections) or None

    def _failure_markdown(self, uri: str, diagnostic: types.Diagnostic) -> str:
        verdict = self.verdicts.get(uri)
        test = (
            next((t for t in verdict.tests if t.id == diagnostic.code), None) if verdict else None
        )
        failure = test.failure if test else None
        if test is None or not isinstance(failure, Failure):
            return f"**{diagnostic.message}**"
        parts = [f"**{test.name}** — {failure.kind.replace('_', ' ')}", "", message(test)]
        fence = "python" if uri.endswith(".py") else "javascript"
        facts = [("Input", input_text(failure)), ("Expected", failure.expected)]
        for label, value in [*facts, ("Got", failure.actual)]:
            if value is not None:
                parts += ["", f"{label}:", f"```{fence}\n{value}\n```"]
        if failure.stdout:
            parts += ["", "Printed:", f"```text\n{failure.stdout[:2000]}\n```"]
        if failure.error and failure.error.traceback:
            parts += ["", "Traceback:", f"```text\n{failure.error.traceback[:3000]}\n```"]
        return "\n".join(parts)

    def code_actions(
        self, params: types.CodeActionParams, problem: Problem
    ) -> list[types.CodeAction]:
        ours = [d for d in params.context.diagnostics if d.source == SOURCE_TESTS]
        if not ours:
            return []
        uri = params.text_document.uri
        kind = types.CodeActionKind.QuickFix
        return [command_action("Run tests again", kind, "codegym.runTests", [uri], ours)]
