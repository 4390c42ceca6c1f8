"""Requests to the editor (`codegym.lsp.client`): bounded waits, and answers pygls cannot read
taken as "no" instead of a request left pending forever."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from lsprotocol import types
from pygls.lsp.server import LanguageServer

from codegym.lsp.client import Client, ClientProtocol, plain_text


class Recorder:
    """The server's output stream: every message it writes."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def write(self, data: bytes) -> None:
        body = data.split(b"\r\n\r\n", 1)[-1]
        self.sent.append(json.loads(body))

    def close(self) -> None:
        pass


def server_for(capabilities: types.ClientCapabilities) -> tuple[LanguageServer, Recorder]:
    server = LanguageServer("test", "1", protocol_cls=ClientProtocol)
    recorder = Recorder()
    server.protocol.set_writer(recorder)  # type: ignore[arg-type]
    server.protocol.client_capabilities = capabilities  # as `initialize` sets them
    return server, recorder


def answer(server: LanguageServer, message: dict[str, Any]) -> None:
    """The client's answer arriving on stdin."""
    raw = json.dumps(message)
    server.protocol.handle_message(json.loads(raw, object_hook=server.protocol.structure_message))


SHOWS = types.ClientCapabilities(
    window=types.WindowClientCapabilities(
        show_document=types.ShowDocumentClientCapabilities(support=True)
    )
)


async def test_a_null_answer_to_show_document_means_not_shown() -> None:
    server, recorder = server_for(SHOWS)
    shown = asyncio.ensure_future(Client(server).show_document("file:///a.md", take_focus=False))
    await asyncio.sleep(0)
    [request] = recorder.sent
    assert request["method"] == "window/showDocument"
    answer(server, {"jsonrpc": "2.0", "id": request["id"], "result": None})  # eglot's answer
    assert await asyncio.wait_for(shown, 5) is False


async def test_a_client_that_never_answers_is_not_waited_for_forever(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("codegym.lsp.client.QUICK_ANSWER_S", 0.05)
    server, recorder = server_for(SHOWS)
    assert await Client(server).show_document("file:///a.md", take_focus=False) is False
    assert server.protocol._request_futures == {}  # forgotten, not pending
    # Its late answer is ignored, not an error.
    answer(server, {"jsonrpc": "2.0", "id": recorder.sent[0]["id"], "result": {"success": True}})


async def test_requests_go_only_to_clients_that_declared_them() -> None:
    server, recorder = server_for(types.ClientCapabilities())  # as eglot 1.9: no window section
    client = Client(server)
    assert await client.show_document("file:///a.md", take_focus=True) is False
    assert await client.create_progress("token") is False
    assert await client.configuration("codegym") is None
    edit = types.WorkspaceEdit(changes={})
    assert await client.apply_edit(edit, "reset") is False
    client.refresh_code_lenses()
    assert recorder.sent == []


async def test_an_error_answer_means_no() -> None:
    server, recorder = server_for(
        types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(apply_edit=True))
    )
    applied = asyncio.ensure_future(
        Client(server).apply_edit(types.WorkspaceEdit(changes={}), "reset")
    )
    await asyncio.sleep(0)
    error = {"code": -32603, "message": "buffer is read-only"}
    answer(server, {"jsonrpc": "2.0", "id": recorder.sent[0]["id"], "error": error})
    assert await asyncio.wait_for(applied, 5) is False


def test_hovers_in_plain_text_for_clients_that_ask_for_it() -> None:
    plain = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.PlainText])
        )
    )
    markdown = "## Sum · easy\n\n**mixed numbers** — wrong answer\n\n```python\nf(1)\n```\n\n---\n"
    content = Client(server_for(plain)[0]).markup(markdown)
    assert content.kind == types.MarkupKind.PlainText
    assert content.value == "Sum · easy\n\nmixed numbers — wrong answer\n\nf(1)"
    assert plain_text(content.value) == content.value
    assert Client(server_for(SHOWS)[0]).markup(markdown).kind == types.MarkupKind.Markdown


async def test_configuration_is_the_first_section_of_the_answer() -> None:
    server, recorder = server_for(
        types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(configuration=True))
    )
    pulled = asyncio.ensure_future(Client(server).configuration("codegym"))
    await asyncio.sleep(0)
    [request] = recorder.sent
    assert request["params"] == {"items": [{"section": "codegym"}]}
    settings = {"sandbox": {"backend": "local"}}
    answer(server, {"jsonrpc": "2.0", "id": request["id"], "result": [settings]})
    assert await asyncio.wait_for(pulled, 5) == settings
