"""A pytest-lsp client of `codegym serve`, as Neovim 0.7 and as VS Code, and helpers."""

from __future__ import annotations

import ast
import asyncio
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import to_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from codegym.content import load_content
from codegym.workspace import default_path, init_workspace

ROOT = Path(__file__).resolve().parents[1]
REQUIRE_DOCKER = os.environ.get("CODEGYM_REQUIRE_DOCKER") == "1"
CONTENT = load_content(ROOT / "content")
BACKEND = "docker" if REQUIRE_DOCKER else "auto"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "codegym.cli", "serve"]),
    params=["neovim@v0.7", "visual-studio-code"],
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path):
    if request.node.get_closest_marker("content_workspace"):
        shutil.copytree(ROOT / "content", tmp_path, dirs_exist_ok=True)
    elif request.node.get_closest_marker("empty_workspace") is None:
        init_workspace(tmp_path, CONTENT)
        written_before_the_editor_started(tmp_path)
    options = {"sandbox": {"backend": BACKEND}}
    if marker := request.node.get_closest_marker("options"):
        options = marker.args[0]
    lsp_client.progress_changes = []  # type: ignore[attr-defined]
    lsp_client.lens_refreshes = 0  # type: ignore[attr-defined]
    lsp_client.questions = []  # type: ignore[attr-defined]
    lsp_client.edits = []  # type: ignore[attr-defined]
    lsp_client.publishes = []  # type: ignore[attr-defined] (uri, version, sources) of every publish
    lsp_client.feedback = []  # type: ignore[attr-defined] codegym/feedback notifications
    record = lsp_client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def recording(*args: object) -> None:
        params = args[-1]
        assert isinstance(params, types.PublishDiagnosticsParams)
        sources = {d.source for d in params.diagnostics}
        lsp_client.publishes.append((params.uri, params.version, sources))  # type: ignore[attr-defined]
        record(*args)

    lsp_client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = recording

    @lsp_client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def on_question(
        _client: LanguageClient, params: types.ShowMessageRequestParams
    ) -> types.MessageActionItem | None:
        lsp_client.questions.append(params)  # type: ignore[attr-defined]
        return params.actions[0] if params.actions else None

    @lsp_client.feature(types.WORKSPACE_APPLY_EDIT)
    def on_edit(
        _client: LanguageClient, params: types.ApplyWorkspaceEditParams
    ) -> types.ApplyWorkspaceEditResult:
        lsp_client.edits.append(params)  # type: ignore[attr-defined]
        return types.ApplyWorkspaceEditResult(applied=True)

    @lsp_client.feature("codegym/progressChanged")
    def on_progress(_client: LanguageClient, params: object) -> None:
        lsp_client.progress_changes.append(params)  # type: ignore[attr-defined]

    @lsp_client.feature("codegym/feedback")
    def on_feedback(_client: LanguageClient, params: object) -> None:
        lsp_client.feedback.append(params)  # type: ignore[attr-defined]

    @lsp_client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def on_refresh(_client: LanguageClient, params: object) -> None:
        lsp_client.lens_refreshes += 1  # type: ignore[attr-defined]

    capabilities = client_capabilities(request.param)
    if marker := request.node.get_closest_marker("capabilities"):
        marker.args[0](capabilities)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=tmp_path.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="gym")],
            initialization_options=options,
        )
    )
    lsp_client.workspace_root = tmp_path  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def written_before_the_editor_started(workspace: Path) -> None:
    """Date the workspace's files an hour back, as a learner's are when the editor starts: the
    server counts a file written while it was starting as saved (Neovim 0.7 sends no `didSave`
    then) and runs it when it opens."""
    an_hour_ago = time.time() - 3600
    for path in workspace.rglob("*"):
        os.utime(path, (an_hour_ago, an_hour_ago))


async def wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting for the server")


def open_file(client: LanguageClient, path: Path, text: str | None = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id="python" if path.suffix == ".py" else "javascript",
                version=1,
                text=path.read_text() if text is None else text,
            )
        )
    )
    return uri


def replace_text(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def save(client: LanguageClient, uri: str) -> None:
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


def diagnostics_of(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    return [d for d in client.diagnostics.get(uri, []) if d.source == "codegym"]


def exercise(client: LanguageClient, exercise_id: str):
    problem = CONTENT.get(exercise_id)
    return problem, client.workspace_root / default_path(problem)  # type: ignore[attr-defined]


def as_code_action(item: types.Command | types.CodeAction) -> types.CodeAction:
    """lsprotocol's client-side hook parses every code action that has a `command` member as a
    Command, stringifying the nested command; recover the action (real clients check the type)."""
    if isinstance(item, types.CodeAction):
        return item
    nested = ast.literal_eval(item.command)
    return types.CodeAction(title=item.title, command=types.Command(**nested))


def shows_documents(client: LanguageClient) -> bool:
    """The client profile declared `window/showDocument` (VS Code does; Neovim 0.7 does not)."""
    window = client.capabilities.window if client.capabilities else None
    return bool(window and window.show_document and window.show_document.support)


async def assert_opened(client: LanguageClient, uri: str) -> None:
    """The server opened `uri` in the editor, or, where the client cannot, said where it is."""
    if shows_documents(client):
        assert client.shown_documents[-1].uri == uri
        return
    assert client.shown_documents == []  # never asked of a client that did not declare it
    path = Path(to_fs_path(uri) or "")
    await wait_for(lambda: any(m.message == f"Code Gym: open {path}" for m in client.messages))


def told_it_passes(client: LanguageClient) -> bool:
    """The learner was told the tests pass: in a message, or in the question that offers the
    next exercise."""
    said = [m.message for m in client.messages]
    said += [q.message for q in client.questions]  # type: ignore[attr-defined]
    return any("tests pass!" in m for m in said)


def plain(value: Any) -> Any:
    """A custom message's params or a command's result as plain data: pygls hands them over as
    named tuples."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
