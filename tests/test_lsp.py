"""The language server end to end over stdio (pytest-lsp), as Neovim 0.7 and as VS Code."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from codegym.content import load_content
from codegym.workspace import default_path, init_workspace

from .conftest import REQUIRE_DOCKER, ROOT

CONTENT = load_content(ROOT / "content")
BACKEND = "docker" if REQUIRE_DOCKER else "auto"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "codegym.cli", "serve"]),
    params=["neovim@v0.7", "visual-studio-code"],
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path):
    init_workspace(tmp_path, CONTENT)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=tmp_path.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="gym")],
            initialization_options={"sandbox": {"backend": BACKEND}},
        )
    )
    lsp_client.workspace_root = tmp_path  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def wait_for(predicate, timeout: float = 30.0):  # noqa: ANN001, ANN201
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


@pytest.mark.asyncio
async def test_save_starter_then_solution(client: LanguageClient) -> None:
    problem = CONTENT.get("py-sum-evens")
    path = client.workspace_root / default_path(problem)  # type: ignore[attr-defined]
    starter = path.read_text()
    uri = open_file(client, path)
    save(client, uri)
    found = await wait_for(lambda: diagnostics_of(client, uri))
    def_line = next(i for i, line in enumerate(starter.splitlines()) if line.startswith("def "))
    public = [d for d in found if d.code != "hidden"]
    assert public and all(d.range.start.line == def_line for d in public)
    assert any(
        d.message == "mixed numbers: sum_evens([1, 2, 3, 4]) returned 0, expected 6" for d in public
    )
    [hidden] = [d for d in found if d.code == "hidden"]
    assert hidden.message.startswith("4 of 5 hidden tests fail: ")
    assert "[" not in hidden.message  # labels only, never data

    header = starter.split("\n\n", 1)[0]
    replace_text(client, uri, 2, header + "\n\n" + problem.body.solution)
    client.messages.clear()
    save(client, uri)
    await wait_for(lambda: not diagnostics_of(client, uri))
    await wait_for(lambda: any("tests pass" in m.message for m in client.messages))


@pytest.mark.asyncio
async def test_runtime_error_sits_at_its_line(client: LanguageClient) -> None:
    problem = CONTENT.get("py-sum-evens")
    path = client.workspace_root / default_path(problem)  # type: ignore[attr-defined]
    header = path.read_text().split("\n\n", 1)[0]
    source = header + "\n\ndef sum_evens(numbers):\n    total = 0\n    return total / 0\n"
    uri = open_file(client, path, source)
    save(client, uri)
    found = await wait_for(lambda: diagnostics_of(client, uri))
    error_line = source.splitlines().index("    return total / 0")
    raising = [d for d in found if "ZeroDivisionError" in d.message]
    assert raising and all(d.range.start.line == error_line for d in raising)
    assert raising[0].severity == types.DiagnosticSeverity.Error


@pytest.mark.asyncio
async def test_syntax_error_while_typing(client: LanguageClient) -> None:
    problem = CONTENT.get("py-sum-evens")
    path = client.workspace_root / default_path(problem)  # type: ignore[attr-defined]
    uri = open_file(client, path)
    broken = path.read_text().replace("def sum_evens(numbers):", "def sum_evens(numbers)")
    replace_text(client, uri, 2, broken)
    found = await wait_for(
        lambda: [d for d in client.diagnostics.get(uri, []) if d.source == "codegym-syntax"]
    )
    line = broken.splitlines().index("def sum_evens(numbers)")
    assert found[0].range.start.line == line
    replace_text(client, uri, 3, path.read_text())
    await wait_for(
        lambda: not [d for d in client.diagnostics.get(uri, []) if d.source == "codegym-syntax"]
    )


@pytest.mark.asyncio
async def test_unchanged_code_is_not_run_again(client: LanguageClient) -> None:
    problem = CONTENT.get("js-fix-average")
    path = client.workspace_root / default_path(problem)  # type: ignore[attr-defined]
    uri = open_file(client, path)
    save(client, uri)
    await wait_for(lambda: diagnostics_of(client, uri))
    save(client, uri)
    await wait_for(
        lambda: any("no change since the last run" in m.message for m in client.messages)
    )


@pytest.mark.asyncio
async def test_rapid_saves_publish_only_the_latest(client: LanguageClient) -> None:
    problem = CONTENT.get("py-sum-evens")
    path = client.workspace_root / default_path(problem)  # type: ignore[attr-defined]
    header = path.read_text().split("\n\n", 1)[0]
    uri = open_file(client, path)
    for version in range(2, 6):
        body = f"def sum_evens(numbers):\n    return {version}\n"
        replace_text(client, uri, version, header + "\n\n" + body)
        save(client, uri)
    replace_text(client, uri, 6, header + "\n\n" + problem.body.solution)
    save(client, uri)
    client.messages.clear()
    await wait_for(lambda: any("tests pass" in m.message for m in client.messages))
    await asyncio.sleep(1.0)  # any stale result would have arrived by now
    assert diagnostics_of(client, uri) == []
