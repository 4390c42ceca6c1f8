"""Requests from the server to the editor. Clients differ: each request is sent only to a client
that declared it can answer, each waits a bounded time, and an answer that is null, malformed or
an error means "no". Nothing here ever waits forever on an editor."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import structlog
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCResponseMessage

log = structlog.get_logger(__name__)

QUICK_ANSWER_S = 10.0
"""How long an editor may take over a request it answers without asking the learner."""
LEARNER_ANSWER_S = 600.0
"""How long a question put to the learner (`window/showMessageRequest`) may stay open."""


class ClientProtocol(LanguageServerProtocol):
    """pygls's protocol, with what pygls 2.1.1 lacks for requests to the client: an answer it
    cannot read (eglot answers `window/showDocument` with `null`) ends the request with `None`
    instead of leaving it pending forever, and `ask` bounds the wait."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException:
            if not _is_response(data) or data["id"] not in self._request_futures:
                raise
            log.info("unreadable answer from the client", id=data["id"])
            return JsonRPCResponseMessage(id=data["id"], jsonrpc=data["jsonrpc"], result=None)

    async def ask(self, method: str, params: Any, timeout: float) -> Any:
        """Send a request and wait at most `timeout` seconds for its answer. Raises
        `TimeoutError` or the client's error; a late answer is then ignored."""
        msg_id = str(uuid.uuid4())
        future = asyncio.wrap_future(self.send_request(method, params, msg_id=msg_id))
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        finally:
            if not future.done():  # timed out or cancelled: forget it, never resolve it late
                self._request_futures.pop(msg_id, None)
                self._result_types.pop(msg_id, None)


def _is_response(data: dict[str, Any]) -> bool:
    return "id" in data and "method" not in data and "error" not in data


NO_ANSWER = object()
"""What `Client._ask` returns when the client answered with an error or not in time."""


class Client:
    """What the editor declared it can do, and the requests that depend on it."""

    def __init__(self, server: LanguageServer) -> None:
        self._server = server

    @property
    def _protocol(self) -> ClientProtocol:
        protocol = self._server.protocol
        assert isinstance(protocol, ClientProtocol)
        return protocol

    @property
    def capabilities(self) -> types.ClientCapabilities:
        return self._server.client_capabilities

    # ------------------------------------------------------------------ what it declared

    @property
    def shows_documents(self) -> bool:
        window = self.capabilities.window
        return bool(window and window.show_document and window.show_document.support)

    @property
    def answers_questions(self) -> bool:
        """It declared `window.showMessage.messageActionItem`: a question with actions
        (`choose`) is shown with its buttons. (An offer that has another way to show itself, as
        a code lens, goes that way elsewhere.)"""
        window = self.capabilities.window
        return bool(window and window.show_message and window.show_message.message_action_item)

    @property
    def shows_progress(self) -> bool:
        window = self.capabilities.window
        return bool(window and window.work_done_progress)

    @property
    def applies_edits(self) -> bool:
        workspace = self.capabilities.workspace
        return bool(workspace and workspace.apply_edit)

    @property
    def has_configuration(self) -> bool:
        workspace = self.capabilities.workspace
        return bool(workspace and workspace.configuration)

    @property
    def refreshes_code_lenses(self) -> bool:
        workspace = self.capabilities.workspace
        lens = workspace.code_lens if workspace else None
        return bool(lens and lens.refresh_support)

    def fit_folding_ranges(self, ranges: list[types.FoldingRange]) -> list[types.FoldingRange]:
        document = self.capabilities.text_document
        return fit_folding_ranges(ranges, document.folding_range if document else None)

    @property
    def hover_format(self) -> types.MarkupKind:
        """Markdown unless the client asks for plain text first (eglot without markdown-mode)."""
        document = self.capabilities.text_document
        formats = document.hover.content_format if document and document.hover else None
        if formats and formats[0] == types.MarkupKind.PlainText:
            return types.MarkupKind.PlainText
        return types.MarkupKind.Markdown

    # ------------------------------------------------------------------ requests

    async def _ask(self, method: str, params: Any, timeout: float) -> Any:
        """The answer, or `NO_ANSWER` when the client failed or took too long."""
        try:
            return await self._protocol.ask(method, params, timeout)
        except (TimeoutError, asyncio.TimeoutError):
            log.info("the client did not answer in time", method=method, timeout_s=timeout)
        except Exception as exc:
            log.info("the client answered with an error", method=method, error=str(exc)[:200])
        return NO_ANSWER

    async def show_document(self, uri: str, take_focus: bool) -> bool:
        """Open `uri` in the editor; False where the client cannot or did not."""
        if not self.shows_documents:
            return False
        shown = await self._ask(
            types.WINDOW_SHOW_DOCUMENT,
            types.ShowDocumentParams(uri=uri, take_focus=take_focus),
            QUICK_ANSWER_S,
        )
        return isinstance(shown, types.ShowDocumentResult) and shown.success

    async def choose(
        self, message: str, choices: list[str], kind: types.MessageType = types.MessageType.Info
    ) -> str | None:
        """Ask the learner to pick one of `choices`; None if dismissed or unanswered. Sent to
        every client: the request predates capabilities, and those that do not declare
        `window.showMessage` (eglot) still answer it."""
        answer = await self._ask(
            types.WINDOW_SHOW_MESSAGE_REQUEST,
            types.ShowMessageRequestParams(
                type=kind,
                message=message,
                actions=[types.MessageActionItem(title=c) for c in choices],
            ),
            LEARNER_ANSWER_S,
        )
        title = getattr(answer, "title", None)
        return title if title in choices else None

    async def configuration(self, section: str) -> Any:
        """The client's settings under `section`, or None."""
        if not self.has_configuration:
            return None
        sections = await self._ask(
            types.WORKSPACE_CONFIGURATION,
            types.ConfigurationParams(items=[types.ConfigurationItem(section=section)]),
            QUICK_ANSWER_S,
        )
        # pygls gives the answer's array as a tuple.
        return sections[0] if isinstance(sections, list | tuple) and sections else None

    async def apply_edit(self, edit: types.WorkspaceEdit, label: str) -> bool:
        """Apply `edit` in the editor; False where the client cannot or did not."""
        if not self.applies_edits:
            return False
        result = await self._ask(
            types.WORKSPACE_APPLY_EDIT,
            types.ApplyWorkspaceEditParams(edit=edit, label=label),
            LEARNER_ANSWER_S,  # an editor may ask before it changes a modified buffer
        )
        return isinstance(result, types.ApplyWorkspaceEditResult) and result.applied

    async def create_progress(self, token: str) -> bool:
        """Ask for a `$/progress` token; False where the client has no work-done progress."""
        if not self.shows_progress:
            return False
        created = await self._ask(
            types.WINDOW_WORK_DONE_PROGRESS_CREATE,
            types.WorkDoneProgressCreateParams(token=token),
            QUICK_ANSWER_S,
        )
        return created is not NO_ANSWER  # its answer is `null`

    def refresh_code_lenses(self) -> None:
        if self.refreshes_code_lenses:
            self._server.workspace_code_lens_refresh(None)

    def show_message(self, message: str, kind: types.MessageType) -> None:
        self._server.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def markup(self, markdown: str) -> types.MarkupContent:
        """Hover contents in the format the client asked for."""
        kind = self.hover_format
        value = markdown if kind == types.MarkupKind.Markdown else plain_text(markdown)
        return types.MarkupContent(kind=kind, value=value)


def fit_folding_ranges(
    ranges: list[types.FoldingRange], wanted: types.FoldingRangeClientCapabilities | None
) -> list[types.FoldingRange]:
    """The ranges as a client asked for them: whole lines only (`lineFoldingOnly`), kinds it
    knows, at most `rangeLimit` of them."""
    if wanted is None:
        return ranges
    kinds = wanted.folding_range_kind.value_set if wanted.folding_range_kind else None
    fitted = [
        types.FoldingRange(
            start_line=r.start_line,
            end_line=r.end_line,
            start_character=None if wanted.line_folding_only else r.start_character,
            end_character=None if wanted.line_folding_only else r.end_character,
            kind=r.kind if kinds is None or r.kind in kinds else None,
            collapsed_text=r.collapsed_text,
        )
        for r in ranges
    ]
    return fitted if wanted.range_limit is None else fitted[: wanted.range_limit]


_FENCE = re.compile(r"^```.*$", re.MULTILINE)
_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_RULE = re.compile(r"^---+$", re.MULTILINE)


def plain_text(markdown: str) -> str:
    """The hover's Markdown as plain text: code kept, fences, headings marks, emphasis and
    rules dropped (our own Markdown, so these few forms are all there is)."""
    text = _FENCE.sub("", markdown)
    text = _HEADING.sub("", text)
    text = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
    text = _RULE.sub("", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
