"""The language server's state and output. Handlers live in `features.py`; logic that the CLI also
needs lives below the LSP layer (content, workspace, checker, progress)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog
from lsprotocol import types
from pydantic import ValidationError
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..checker import syntax_failure
from ..config import Settings
from ..content import CATALOG_FILE, Content, Problem, load_content, resolve_content_dir
from ..generated_tests import load_generated
from ..grading import SyntaxFailure, Verdict
from ..process import process_start_time
from ..progress import ProgressStore
from ..sandbox import Sandbox, open_sandbox
from ..syntax_check import JavaScriptSyntax, python_syntax
from ..tutor.offline_review import Finding
from ..tutor.tutor import Tutor
from ..workspace import STATE_DIR, exercise_id_of, find_workspace
from .client import Client, ClientProtocol
from .diagnostics import (
    content_diagnostics,
    review_diagnostics,
    syntax_diagnostic,
    verdict_diagnostics,
)
from .runs import RunEnd, RunResult, RunScheduler

log = structlog.get_logger(__name__)

SYNTAX_DEBOUNCE_S = 0.1
PROCESS_STARTED = process_start_time()
"""When this server's process started (not when this module was imported, ~0.5 s later)."""
PROGRESS_CHANGED = "codegym/progressChanged"


class GymServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "codegym",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=ClientProtocol,
        )
        self.client = Client(self)
        """The editor: what it declared it can do, and bounded requests to it."""
        self.settings = Settings.from_env()
        self.content: Content | None = None
        self.root: Path | None = None
        self.progress: ProgressStore | None = None
        self.runs: RunScheduler | None = None
        self.verdicts: dict[str, Verdict] = {}
        self._sandbox: Sandbox | None = None
        self._sandbox_lock = asyncio.Lock()
        self._syntax: dict[str, list[types.Diagnostic]] = {}
        self._tests: dict[str, list[types.Diagnostic]] = {}
        self._syntax_tasks: dict[str, asyncio.Task[None]] = {}
        self._initialization_options: dict[str, Any] = {}
        self._content_files_with_errors: set[str] = set()
        self.js_syntax = JavaScriptSyntax()
        self._tutor: Tutor | None = None
        self._tutor_lock = asyncio.Lock()
        self._review: dict[str, list[types.Diagnostic]] = {}
        self._hint_levels: dict[str, int] = {}
        self._tutor_tasks: dict[tuple[str, str], asyncio.Task[Any]] = {}
        self.explanations: dict[tuple[str, str], str] = {}
        """The tutor's explanation per (document, test id), for hovers on failing lines."""
        self._progress_tokens: dict[str, str] = {}
        """The `$/progress` token of each document's current run."""
        self._run_status: dict[str, str] = {}
        """Each document's current run: "queued (n ahead)" or "running"."""
        self.initialized_at: float | None = None
        """When the client said `initialized` (`time.time()`)."""
        self._pending_saves: set[str] = set()
        """Documents saved before they were opened: they run when they open."""

    # ------------------------------------------------------------------ set-up

    def configure(self, options: Any, root: Path | None) -> None:
        """Set up from initialization options (the `Settings` shape). A bad value is reported
        and the defaults are kept. A workspace that is a content folder is loaded as the content
        (author mode)."""
        self.root = root
        self.progress = ProgressStore(root) if root else None
        self._initialization_options = options if isinstance(options, dict) else {}
        self.settings = self._validated(self._initialization_options) or Settings.from_env()
        self.load_content()
        self.runs = RunScheduler(
            sandbox=self.sandbox,
            limits=lambda: self.settings.sandbox.limits,
            tests_for=lambda problem: [
                *problem.body.tests,
                *load_generated(self.root, problem),
            ],
            concurrency=self.settings.parallelism,
            current_version=self._version_of,
            on_result=self._on_result,
            on_unchanged=lambda uri: self.notify_user(
                "Code Gym: no change since the last run.", types.MessageType.Info
            ),
            on_error=lambda uri, message: self.notify_user(
                f"Code Gym: cannot run the tests: {message}", types.MessageType.Error
            ),
            on_queued=self._on_queued,
            syntax_of=self._syntax_failure,
        )

    def adopt_workspace_of(self, uri: str) -> None:
        """An editor that sent a root without `.codegym/` (eglot's git repository or topic
        folder): the first exercise opened tells where the workspace is, so progress, hints and
        feedback all land in one `.codegym/`."""
        if self.root is not None and (self.root / STATE_DIR).is_dir():
            return
        path = self.path_of(uri)
        found = find_workspace(path.parent) if path else None
        if found is None or found == self.root:
            return
        log.info("workspace found from an open document", root=str(found))
        self.root = found
        self.progress = ProgressStore(found)
        self._hint_levels.clear()
        if self._tutor is not None:  # its cache and log belong to the workspace
            tutor, self._tutor = self._tutor, None
            asyncio.get_running_loop().create_task(tutor.close())

    def _validated(self, options: dict[str, Any]) -> Settings | None:
        if not options:
            return None
        try:
            return Settings.from_env(**options)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            self.notify_user(
                f"Code Gym: ignoring the settings, {where}: {first['msg']}",
                types.MessageType.Warning,
            )
            return None

    @property
    def author_mode(self) -> bool:
        return self.root is not None and (self.root / CATALOG_FILE).is_file()

    def load_content(self) -> None:
        configured = self.settings.content_dir
        if configured is None and self.author_mode:
            configured = self.root
        self.content = load_content(resolve_content_dir(configured))
        for error in self.content.errors[:5]:
            log.warning("content problem", error=str(error))
        if self.author_mode:
            self.publish_content_errors()

    def publish_content_errors(self) -> None:
        """Authors see schema and loader errors in their YAML files, at their lines."""
        assert self.root is not None and self.content is not None
        grouped = content_diagnostics(self.content.errors)
        for file in self._content_files_with_errors | grouped.keys():
            uri = (self.root / file).as_uri()
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=grouped.get(file, []))
            )
        self._content_files_with_errors = set(grouped)

    async def apply_configuration(self, section: Any) -> None:
        """`workspace/configuration` or `didChangeConfiguration`: the `codegym` section, over
        the initialization options. Content and sandbox are reloaded only when they changed."""
        if not isinstance(section, dict):
            return
        settings = self._validated(_deep_merge(self._initialization_options, section))
        if settings is None or settings == self.settings:
            return
        previous, self.settings = self.settings, settings
        if settings.content_dir != previous.content_dir:
            self.load_content()
        if settings.sandbox != previous.sandbox:
            async with self._sandbox_lock:
                old, self._sandbox = self._sandbox, None
            if old is not None:
                await asyncio.to_thread(old.close)
        if settings.tutor != previous.tutor and self._tutor is not None:
            tutor, self._tutor = self._tutor, None
            await tutor.close()
            self.preload_tutor()
        log.info("configuration applied")

    async def pull_configuration(self) -> None:
        section = await self.client.configuration("codegym")
        if section is not None:
            await self.apply_configuration(section)

    async def sandbox(self) -> Sandbox:
        async with self._sandbox_lock:
            if self._sandbox is None:
                self._sandbox = await asyncio.to_thread(open_sandbox, self.settings.sandbox)
                if self._sandbox.name != "docker" and self.settings.sandbox.backend == "auto":
                    self.notify_user(
                        "Code Gym: Docker is not available; tests run in the local sandbox "
                        "(weaker isolation).",
                        types.MessageType.Warning,
                    )
            return self._sandbox

    # ------------------------------------------------------------------ tutor

    async def tutor(self) -> Tutor:
        """The tutor for the current settings, made in a thread the first time (its HTTP
        client's imports would otherwise hold the event loop for half a second)."""
        async with self._tutor_lock:
            if self._tutor is None:
                state = self.root / STATE_DIR if self.root else None
                self._tutor = await asyncio.to_thread(Tutor, self.settings.tutor, state)
            return self._tutor

    def preload_tutor(self) -> None:
        """Load the model in the background, so that the first hint does not wait for it."""

        async def preload() -> None:
            await (await self.tutor()).preload()

        self._tutor_tasks[("", "preload")] = asyncio.get_running_loop().create_task(preload())

    def track(self, uri: str, feature: str, task: asyncio.Task[Any]) -> None:
        """One tutor request per document and feature: a new one cancels the previous."""
        previous = self._tutor_tasks.get((uri, feature))
        if previous is not None and not previous.done():
            previous.cancel()
        self._tutor_tasks[(uri, feature)] = task
        task.add_done_callback(lambda _: self._tutor_tasks.pop((uri, feature), None))

    async def hint_level(self, exercise: str) -> int:
        """Hints given so far for an exercise (reset when it is solved)."""
        if exercise not in self._hint_levels and self.progress is not None:
            entry = await asyncio.to_thread(self.progress.get, exercise)
            self._hint_levels[exercise] = entry.hint_level
        return self._hint_levels.get(exercise, 0)

    def cached_hint_level(self, exercise: str) -> int:
        return self._hint_levels.get(exercise, 0)

    async def set_hint_level(self, exercise: str, level: int) -> None:
        self._hint_levels[exercise] = level
        if self.progress is not None:
            try:
                await asyncio.to_thread(self.progress.record_hint, exercise, level)
            except OSError as exc:
                log.warning("cannot record the hint level", error=str(exc))
        self.client.refresh_code_lenses()

    def show_review(self, uri: str, text: str, findings: list[Finding]) -> None:
        self._review[uri] = review_diagnostics(findings, text)
        self.publish(uri, self._version_of(uri))

    def clear_review(self, uri: str) -> None:
        """Review findings point at lines of the code that was reviewed: gone once it changes."""
        if self._review.pop(uri, None):
            self.publish(uri, self._version_of(uri))

    async def close(self) -> None:
        for task in list(self._tutor_tasks.values()):
            task.cancel()
        if self._tutor is not None:
            await self._tutor.close()
        await self.js_syntax.close()
        if self.runs is not None:
            self.runs.stop_preparing()
        async with self._sandbox_lock:  # one being opened meanwhile is closed too
            sandbox, self._sandbox = self._sandbox, None
        if sandbox is not None:
            await asyncio.to_thread(sandbox.close)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Malformed or unknown messages are the client's problem, not the learner's: logged,
        never shown as a pop-up (a fuzzing run would otherwise raise thousands)."""
        log.warning(
            "protocol error", error=str(error)[:300], source=getattr(source, "__name__", "")
        )

    # ------------------------------------------------------------------ lookups

    def problem_of(self, text: str) -> Problem | None:
        exercise = exercise_id_of(text)
        if exercise is None or self.content is None:
            return None
        return self.content.problems.get(exercise)

    def document_problem(self, uri: str) -> tuple[str, Problem] | None:
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        problem = self.problem_of(document.source)
        return (document.source, problem) if problem else None

    def _version_of(self, uri: str) -> int | None:
        document = self.workspace.text_documents.get(uri)
        return document.version if document else None

    def path_of(self, uri: str) -> Path | None:
        path = to_fs_path(uri)
        return Path(path) if path else None

    # ------------------------------------------------------------------ runs

    def prepare_runs(self, uri: str) -> None:
        """An exercise document was opened: get the sandbox ready for its first save, or run
        the save that came before it. Neovim 0.7 sends no `didSave` at all before the server is
        initialized: a file written while this server was starting counts as saved."""
        if uri in self._pending_saves or self._written_while_starting(uri):
            self._pending_saves.discard(uri)
            self.run_tests(uri)
            return
        found = self.document_problem(uri)
        if found is not None and self.runs is not None:
            self.runs.prepare(found[1])

    def _written_while_starting(self, uri: str) -> bool:
        """Written after this process started and before the client said it was initialized
        (files written later, as by `codegym.init`, are not saves)."""
        path = self.path_of(uri)
        try:
            written = path.stat().st_mtime if path is not None else 0.0
        except OSError:
            return False
        return PROCESS_STARTED <= written <= (self.initialized_at or time.time())

    def run_tests(self, uri: str, force: bool = False) -> bool:
        """Run the tests of an open exercise document; False if it is not one. A save of a
        document not open yet (Neovim sends `didSave` before the `didOpen` it holds back until
        the server is initialized) runs once the document opens."""
        if uri not in self.workspace.text_documents and len(self._pending_saves) < 100:
            self._pending_saves.add(uri)
            return False
        found = self.document_problem(uri)
        if found is None or self.runs is None:
            return False
        source, problem = found
        self._run_status.pop(uri, None)
        task = self.runs.submit(uri, self._version_of(uri) or 0, source, problem, force=force)
        if task is not None:
            asyncio.get_running_loop().create_task(self._report_progress(uri, problem, task))
        return True

    async def _report_progress(
        self, uri: str, problem: Problem, task: asyncio.Task[RunEnd]
    ) -> None:
        runs = self.runs
        assert runs is not None
        await self.with_progress(
            f"Testing {problem.meta.title}",
            task,
            cancel=lambda: runs.cancel_task(uri, task),
            key=uri,
        )

    def _on_queued(self, uri: str, ahead: int | None) -> None:
        """The document's run waits for the engine behind `ahead` others, or has started."""
        message = "running" if ahead is None else f"queued ({ahead} ahead)"
        if self._run_status.get(uri, "running") == message:
            return
        self._run_status[uri] = message
        token = self._progress_tokens.get(uri)
        if token is not None:
            self.work_done_progress.report(token, types.WorkDoneProgressReport(message=message))

    async def with_progress(
        self,
        title: str,
        task: asyncio.Task[Any],
        cancel: Callable[[], object],
        key: str | None = None,
    ) -> None:
        """Wait for `task` under a `$/progress`, where the client supports it; the client's
        cancel calls `cancel`. With a `key`, `_on_queued` reports on this progress."""
        token = str(uuid.uuid4())
        if not await self.client.create_progress(token):
            await asyncio.wait([task])
            return
        message = self._run_status.get(key, "running") if key else "running"
        self.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title=title, cancellable=True, message=message)
        )
        if key is not None:
            self._progress_tokens[key] = token
        cancelled = self.work_done_progress.tokens.get(token)
        if cancelled is not None:
            cancelled.add_done_callback(lambda _: cancel())
        await asyncio.wait([task])
        if task.cancelled():
            message = "cancelled"
        elif task.exception() is not None:
            message = "failed"
        else:
            result = task.result()
            message = result if isinstance(result, str) else "done"
        self.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))
        self.work_done_progress.tokens.pop(token, None)
        if key is not None and self._progress_tokens.get(key) == token:
            del self._progress_tokens[key]
            self._run_status.pop(key, None)

    async def _syntax_failure(self, problem: Problem, source: str) -> SyntaxFailure | None:
        """JavaScript that does not parse, found by Node's parser behind `js_syntax`, is judged
        without a run. (Python is parsed on the host by `check_source` itself.)"""
        if problem.language != "javascript":
            return None
        issue = await self.js_syntax.check(source)
        return syntax_failure(issue) if issue else None

    def _on_result(self, result: RunResult) -> None:
        verdict = result.verdict
        self.verdicts[result.uri] = verdict
        self._tests[result.uri] = verdict_diagnostics(result.problem, verdict, result.source)
        if verdict.syntax is not None:  # one diagnostic for one typo: the syntax source's
            failure = verdict.syntax
            self._syntax[result.uri] = [
                syntax_diagnostic(
                    failure.line or 1,
                    failure.column or 0,
                    f"{failure.error_type}: {failure.message}",
                    result.source,
                )
            ]
        self.publish(result.uri, result.version)
        if verdict.status == "pass":
            self._hint_levels[result.problem.id] = 0  # the store resets it too
            self.notify_user(
                f"✓ {result.problem.meta.title}: all {len(verdict.tests)} tests pass!",
                types.MessageType.Info,
            )
        self.record_progress(result.problem, verdict, result.uri)
        self.client.refresh_code_lenses()

    def record_progress(self, problem: Problem, verdict: Verdict, uri: str) -> None:
        """Off the event loop: the store takes a file lock and fsyncs."""
        if self.progress is not None:
            store = self.progress
            asyncio.get_running_loop().create_task(self._record(store, problem, verdict, uri))

    async def _record(
        self, store: ProgressStore, problem: Problem, verdict: Verdict, uri: str
    ) -> None:
        try:
            before, after = await asyncio.to_thread(store.record, problem.id, verdict)
        except OSError as exc:
            log.warning("cannot record progress", error=str(exc))
            return
        if before != after:
            self.protocol.notify(
                PROGRESS_CHANGED, {"exercise": problem.id, "status": after, "uri": uri}
            )

    # ------------------------------------------------------------------ output

    def notify_user(self, message: str, kind: types.MessageType) -> None:
        self.client.show_message(message, kind)

    def publish(self, uri: str, version: int | None) -> None:
        diagnostics = [
            *self._syntax.get(uri, []),
            *self._tests.get(uri, []),
            *self._review.get(uri, []),
        ]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics)
        )

    def test_diagnostics(self, uri: str) -> list[types.Diagnostic]:
        return self._tests.get(uri, [])

    def syntax_diagnostics(self, uri: str) -> list[types.Diagnostic]:
        return self._syntax.get(uri, [])

    def forget(self, uri: str) -> None:
        if self.runs:
            self.runs.forget(uri)
        for table in (self._syntax, self._tests, self._review, self.verdicts):
            table.pop(uri, None)
        for key in [k for k in self.explanations if k[0] == uri]:
            del self.explanations[key]

    # ------------------------------------------------------------------ syntax while typing

    def schedule_syntax(self, uri: str) -> None:
        previous = self._syntax_tasks.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self._syntax_tasks[uri] = asyncio.get_running_loop().create_task(self._check_syntax(uri))

    async def _check_syntax(self, uri: str) -> None:
        await asyncio.sleep(SYNTAX_DEBOUNCE_S)
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return
        text = document.source
        problem = self.problem_of(text)
        found: list[types.Diagnostic] = []
        language = problem.language if problem else _language_of(uri)
        issue = None
        if language == "python":
            issue = python_syntax(text)
        elif language == "javascript":
            issue = await self.js_syntax.check(text)
            if self.workspace.text_documents.get(uri) is not document:
                return  # closed meanwhile
        if issue:
            found.append(syntax_diagnostic(issue.line, issue.column, issue.message, text))
        if found != self._syntax.get(uri, []):
            self._syntax[uri] = found
            self.publish(uri, document.version)


def _language_of(uri: str) -> str | None:
    return {".py": "python", ".js": "javascript"}.get(Path(uri).suffix)


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        elif value is not None:
            merged[key] = value
    return merged


server = GymServer()
