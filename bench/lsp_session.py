"""A client of one `codegym serve` process over stdio, for the benchmarks: start, open, change
and save a document, wait for the diagnostics of a version or for the end of a test run."""

from __future__ import annotations

import asyncio
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient


@dataclass
class RunOutcome:
    """One save's test run as the client saw it: how long from the save to the end of its
    `$/progress`, and how it ended (`pass`, `fail`, `error`, `cancelled`, `stale`)."""

    saved_at: float
    took_ms: float
    ended: str


class Session:
    """A client of one `codegym serve` process."""

    def __init__(
        self, workspace: Path, options: dict[str, object], env: dict[str, str] | None = None
    ) -> None:
        self.workspace = workspace
        self.options = options
        self.env = env
        self.client = LanguageClient("codegym-bench", "1")
        self.wanted: dict[tuple[str, int], asyncio.Event] = {}
        self.errors: list[str] = []  # error pop-ups: "cannot run the tests: …"
        self.outcomes: list[RunOutcome] = []
        self._saves: deque[float] = deque()  # save times not yet matched to a run's progress
        self._running: dict[str, float] = {}  # progress token → the save it belongs to
        self.run_ended = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(*args: object) -> None:
            params = args[-1]
            assert isinstance(params, types.PublishDiagnosticsParams)
            if any(d.source == "codegym" for d in params.diagnostics):
                event = self.wanted.get((params.uri, params.version or 0))
                if event is not None:
                    event.set()

        @self.client.feature(types.WINDOW_SHOW_MESSAGE)
        def on_message(*args: object) -> None:
            params = args[-1]
            assert isinstance(params, types.ShowMessageParams)
            if params.type == types.MessageType.Error:
                self.errors.append(params.message)

        @self.client.feature("codegym/progressChanged")
        def on_progress_changed(*args: object) -> None:
            pass

        @self.client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def on_progress_create(*args: object) -> None:
            return None

        @self.client.feature(types.PROGRESS)
        def on_progress(*args: object) -> None:
            params = args[-1]
            token = str(getattr(params, "token", ""))
            value = getattr(params, "value", None)
            kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
            if kind == "begin" and self._saves:
                self._running[token] = self._saves.popleft()
            elif kind == "end" and token in self._running:
                saved_at = self._running.pop(token)
                message = (
                    value.get("message") if isinstance(value, dict) else value.message  # type: ignore[union-attr]
                )
                took = (time.perf_counter() - saved_at) * 1000
                self.outcomes.append(RunOutcome(saved_at, took, str(message)))
                self.run_ended.set()

    async def start(self) -> float:
        """Start the server and initialize it; the time from launch to the initialize answer."""
        began = time.perf_counter()
        await self.client.start_io(sys.executable, "-m", "codegym.cli", "serve", env=self.env)
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(
                    window=types.WindowClientCapabilities(work_done_progress=True)
                ),
                root_uri=self.workspace.as_uri(),
                initialization_options=self.options,
            )
        )
        self.client.initialized(types.InitializedParams())
        return (time.perf_counter() - began) * 1000

    def rss_mb(self) -> float:
        pid = self.client._server.pid  # type: ignore[union-attr]
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def open(self, path: Path, language: str = "python") -> str:
        uri = path.as_uri()
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language, version=1, text=path.read_text()
                )
            )
        )
        return uri

    def save(self, uri: str, version: int, text: str) -> float:
        """Change the document to `text` and save it; the time of the save."""
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        saved_at = time.perf_counter()
        self._saves.append(saved_at)
        self.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        return saved_at

    async def save_and_wait(self, uri: str, version: int, text: str) -> float:
        """Save, then wait for diagnostics of that version; the milliseconds it took."""
        event = asyncio.Event()
        self.wanted[(uri, version)] = event
        began = self.save(uri, version, text)
        await asyncio.wait_for(event.wait(), 60)
        return (time.perf_counter() - began) * 1000

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()
