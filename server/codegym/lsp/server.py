"""The language server's core: the editor (`client`), the settings, the workspace and its
content, the sandbox, the diagnostics store, and the features. The LSP handlers in `handlers.py`
pass each event to every feature; everything else lives in a feature (`features/`), which the core
does not import."""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import structlog
from lsprotocol import types
from pydantic import ValidationError
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..config import Settings, deep_merge
from ..content import CATALOG_FILE, Content, Problem, load_content, resolve_content_dir
from ..content.variants import GeneratedParamsMissing
from ..progress import ProgressStore
from ..sandbox import Sandbox, open_sandbox
from ..workspace import STATE_DIR, exercise_id_of, find_workspace, learner_problem
from .client import Client, ClientProtocol
from .diagnostics_store import DiagnosticsStore
from .feature import Feature

log = structlog.get_logger(__name__)

F = TypeVar("F", bound=Feature)


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
        self.diagnostics = DiagnosticsStore(self.text_document_publish_diagnostics)
        self.features: list[Feature] = []
        self.initialized_at: float | None = None
        """When the client said `initialized` (`time.time()`)."""
        self._initialization_options: dict[str, Any] = {}
        self._sandbox: Sandbox | None = None
        self._sandbox_lock = asyncio.Lock()

    def add_feature(self, feature: type[F]) -> F:
        """Make a feature (it registers its handlers); its hooks run after earlier features'."""
        made = feature(self)
        self.features.append(made)
        return made

    def add_command(self, name: str, handler: Callable[..., Any]) -> None:
        """Register a feature's method as `workspace/executeCommand` handler for `name`."""
        self.command(name)(_function_of(handler))

    def add_request(self, method: str, handler: Callable[..., Any]) -> None:
        """Register a feature's method as the handler of a custom request or notification."""
        self.feature(method)(_function_of(handler))

    def get_feature(self, kind: type[F]) -> F:
        """The feature of this type, for a feature that builds on another."""
        found = next((f for f in self.features if isinstance(f, kind)), None)
        if found is None:
            raise LookupError(f"{kind.__name__} is not a feature of this server")
        return found

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
        for feature in self.features:
            feature.configured()

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
        for feature in self.features:
            feature.workspace_moved()

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
        for feature in self.features:
            feature.content_loaded()

    async def apply_configuration(self, section: Any) -> None:
        """`workspace/configuration` or `didChangeConfiguration`: the `codegym` section, over
        the initialization options. Content and sandbox are reloaded only when they changed."""
        if not isinstance(section, dict):
            return
        settings = self._validated(deep_merge(self._initialization_options, section))
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
        for feature in self.features:
            await feature.settings_changed(previous)
        log.info("configuration applied")

    async def pull_configuration(self) -> None:
        section = await self.client.configuration("codegym")
        if section is not None:
            await self.apply_configuration(section)

    async def sandbox(self) -> Sandbox:
        """The sandbox for the current settings, opened the first time it is needed."""
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

    async def close(self) -> None:
        for feature in self.features:
            await feature.close()
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
        if exercise is None or self.content is None or exercise not in self.content.problems:
            return None
        try:
            return learner_problem(self.content.problems[exercise], self.root)
        except GeneratedParamsMissing:  # its generator has not run (or failed): not yet graded
            return None

    def document_problem(self, uri: str) -> tuple[str, Problem] | None:
        """An open exercise document's text and its problem."""
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        problem = self.problem_of(document.source)
        return (document.source, problem) if problem else None

    def version_of(self, uri: str) -> int | None:
        document = self.workspace.text_documents.get(uri)
        return document.version if document else None

    def path_of(self, uri: str) -> Path | None:
        path = to_fs_path(uri)
        return Path(path) if path else None

    # ------------------------------------------------------------------ output

    def notify_user(self, message: str, kind: types.MessageType) -> None:
        self.client.show_message(message, kind)


def _function_of(method: Callable[..., Any]) -> Callable[..., Any]:
    """A plain function calling a bound method: pygls marks the function it registers, which a
    method cannot carry, and reads its signature (`__wrapped__`) to pass the arguments."""
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def call_async(*args: Any, **kwargs: Any) -> Any:
            return await method(*args, **kwargs)

        return call_async

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        return method(*args, **kwargs)

    return call
