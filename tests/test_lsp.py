"""The language server end to end over stdio: save → diagnostics, as Neovim 0.7 and VS Code."""

from __future__ import annotations

import asyncio
import os

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from codegym.process import process_start_time
from codegym.workspace import default_path

from .lsp_support import (
    CONTENT,
    diagnostics_of,
    open_file,
    replace_text,
    save,
    told_it_passes,
    wait_for,
)


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
    await wait_for(lambda: told_it_passes(client))


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
    await wait_for(lambda: told_it_passes(client))
    await asyncio.sleep(1.0)  # any stale result would have arrived by now
    assert diagnostics_of(client, uri) == []
    # The four superseded saves were cancelled or dropped: no test result of theirs was published.
    results = [v for u, v, sources in client.publishes if u == uri and "codegym" in sources]  # type: ignore[attr-defined]
    assert results == [], results


def test_serve_over_tcp() -> None:
    """`codegym serve --tcp PORT` answers `initialize` on loopback."""
    import json
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "codegym.cli", "serve", "--tcp", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not listen"
                time.sleep(0.1)
        with connection:
            body = json.dumps(
                {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                 "params": {"processId": None, "rootUri": None, "capabilities": {}}}
            ).encode()  # fmt: skip
            connection.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            received = b""
            while b"serverInfo" not in received:
                chunk = connection.recv(65536)
                assert chunk, "connection closed"
                received += chunk
        assert b'"name":"codegym"' in received.replace(b" ", b"")
    finally:
        server.kill()
        server.wait()


@pytest.mark.asyncio
async def test_a_save_before_the_open_runs_when_it_opens(client: LanguageClient) -> None:
    """Neovim sends `didSave` at once but holds `didOpen` back until the server is initialized:
    that save is not lost."""
    path = client.workspace_root / default_path(CONTENT.get("py-sum-evens"))  # type: ignore[attr-defined]
    uri = path.as_uri()
    save(client, uri)
    await asyncio.sleep(0.2)  # nothing to wait for: the server must hold the save, not drop it
    assert open_file(client, path) == uri
    found = await wait_for(lambda: diagnostics_of(client, uri))
    assert any(d.message.startswith("mixed numbers: ") for d in found)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("exercise_id", "typo", "says"),
    [
        (
            "py-sum-evens",
            "def sum_evens(numbers):\n    return sum((n for n in numbers)\n",
            "never closed",
        ),
        ("js-group-by", "function groupBy(items, key) {\n  return ((1);\n}\n", "SyntaxError"),
    ],
)
async def test_a_syntax_error_is_one_diagnostic_and_no_run(
    client: LanguageClient, exercise_id: str, typo: str, says: str
) -> None:
    """Python is parsed on the host before any run; JavaScript by Node's parser behind the
    syntax checker. Either way: one diagnostic, every test counted as failed."""
    problem = CONTENT.get(exercise_id)
    path = client.workspace_root / default_path(problem)  # type: ignore[attr-defined]
    header = path.read_text().split("\n\n", 1)[0]
    uri = open_file(client, path, header + "\n\n" + typo)
    save(client, uri)
    public = sum(t.visibility == "public" for t in problem.body.tests)
    hidden = sum(t.visibility == "hidden" for t in problem.body.tests)
    judged = f"✗ 0/{public} public · 0/{hidden} hidden"
    for _ in range(600):  # the lens shows the verdict once the save is judged
        lenses = await client.text_document_code_lens_async(
            types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        if judged in [lens.command.title for lens in lenses or [] if lens.command]:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the save was not judged")
    [only] = client.diagnostics[uri]  # published before the verdict reached the lens
    assert only.source == "codegym-syntax" and says in only.message


@pytest.mark.asyncio
async def test_a_file_written_while_the_server_started_runs_when_it_opens(
    client: LanguageClient,
) -> None:
    """Neovim 0.7 sends no `didSave` for a write made before the server is initialized: a file
    written while the server was starting counts as saved. One written later, as `codegym init`
    writes them, does not."""
    path = client.workspace_root / default_path(CONTENT.get("py-sum-evens"))  # type: ignore[attr-defined]
    later = client.workspace_root / default_path(CONTENT.get("py-compose"))  # type: ignore[attr-defined]
    started = process_start_time(client._server.pid)  # type: ignore[attr-defined]
    os.utime(path, (started + 0.05, started + 0.05))  # written during start-up
    uri = open_file(client, path)
    found = await wait_for(lambda: diagnostics_of(client, uri))
    assert any(d.message.startswith("mixed numbers: ") for d in found)
    later.write_text(later.read_text())  # now: after `initialized`
    later_uri = open_file(client, later)
    await asyncio.sleep(1.0)  # nothing to wait for: a run would publish within this time
    assert not diagnostics_of(client, later_uri)
