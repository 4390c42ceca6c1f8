"""`codegym serve`: the language server. Thin glue between LSP messages and the content, sandbox
and grading modules (which know nothing of LSP)."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from lsprotocol import types
from pydantic import ValidationError
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..config import Settings
from ..content import Content, Problem, load_content, resolve_content_dir
from ..sandbox import Sandbox, open_sandbox
from ..syntax import python_syntax
from ..workspace import exercise_id_of
from .diagnostics import syntax_diagnostic, verdict_diagnostics
from .runs import RunResult, RunScheduler

log = structlog.get_logger(__name__)

SYNTAX_DEBOUNCE_S = 0.1


class GymServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "codegym",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.settings = Settings.from_env()
        self.content: Content | None = None
        self._sandbox: Sandbox | None = None
        self._sandbox_lock = asyncio.Lock()
        self._syntax: dict[str, list[types.Diagnostic]] = {}
        self._tests: dict[str, list[types.Diagnostic]] = {}
        self._syntax_tasks: dict[str, asyncio.Task[None]] = {}
        self.runs: RunScheduler | None = None

    # ------------------------------------------------------------------ state

    def configure(self, options: Any) -> None:
        """Apply initialization options (the `Settings` shape); a bad value is reported and the
        defaults are kept."""
        if isinstance(options, dict) and options:
            try:
                self.settings = Settings.from_env(**options)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                self.notify_user(
                    f"Code Gym: ignoring the setting {where}: {first['msg']}",
                    types.MessageType.Warning,
                )
        self.content = load_content(resolve_content_dir(self.settings.content_dir))
        for error in self.content.errors[:5]:
            log.warning("content problem", error=str(error))
        self.runs = RunScheduler(
            sandbox=self.sandbox,
            limits=lambda: self.settings.sandbox.limits,
            concurrency=self.settings.parallelism,
            current_version=self._version_of,
            on_result=self._publish_result,
            on_unchanged=lambda uri: self.notify_user(
                "Code Gym: no change since the last run.", types.MessageType.Info
            ),
            on_error=lambda uri, message: self.notify_user(
                f"Code Gym: cannot run the tests: {message}", types.MessageType.Error
            ),
        )

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

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None

    def problem_of(self, text: str) -> Problem | None:
        exercise = exercise_id_of(text)
        if exercise is None or self.content is None:
            return None
        return self.content.problems.get(exercise)

    def _version_of(self, uri: str) -> int | None:
        document = self.workspace.text_documents.get(uri)
        return document.version if document else None

    # ------------------------------------------------------------------ output

    def notify_user(self, message: str, kind: types.MessageType) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def publish(self, uri: str, version: int | None) -> None:
        diagnostics = [*self._syntax.get(uri, []), *self._tests.get(uri, [])]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics)
        )

    def _publish_result(self, result: RunResult) -> None:
        verdict = result.verdict
        self._tests[result.uri] = verdict_diagnostics(result.problem, verdict, result.source)
        self.publish(result.uri, result.version)
        if verdict.status == "pass":
            self.notify_user(
                f"✓ {result.problem.meta.title}: all {len(verdict.tests)} tests pass!",
                types.MessageType.Info,
            )

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
        is_python = problem.language == "python" if problem else uri.endswith(".py")
        if is_python and (issue := python_syntax(text)):
            found.append(syntax_diagnostic(issue.line, issue.column, issue.message, text))
        if found != self._syntax.get(uri, []):
            self._syntax[uri] = found
            self.publish(uri, document.version)


server = GymServer()


@server.feature(types.INITIALIZE)
def initialize(ls: GymServer, params: types.InitializeParams) -> None:
    ls.configure(params.initialization_options)


@server.feature(types.SHUTDOWN)
def shutdown(ls: GymServer, *args: Any) -> None:
    ls.close()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: GymServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.schedule_syntax(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: GymServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule_syntax(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: GymServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    if ls.runs:
        ls.runs.forget(uri)
    ls._syntax.pop(uri, None)
    ls._tests.pop(uri, None)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
def did_save(ls: GymServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    document = ls.workspace.text_documents.get(uri)
    if document is None or ls.runs is None:
        return
    problem = ls.problem_of(document.source)
    if problem is not None:
        ls.runs.submit(uri, document.version or 0, document.source, problem)


def serve() -> None:
    server.start_io()
