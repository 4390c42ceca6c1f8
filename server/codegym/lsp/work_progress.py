"""A task shown as a cancellable `$/progress` in the editor, where the client supports it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .client import Client


class WorkProgress:
    """One `$/progress`: `report` changes its message while it is shown (before `run` begins
    it, the message is remembered and shown at the beginning)."""

    def __init__(self, server: LanguageServer, client: Client, title: str) -> None:
        self._server = server
        self._client = client
        self.title = title
        self.message = "running"
        self._token: str | None = None

    def report(self, message: str) -> None:
        if message == self.message:
            return
        self.message = message
        if self._token is not None:
            self._server.work_done_progress.report(
                self._token, types.WorkDoneProgressReport(message=message)
            )

    async def run(self, task: asyncio.Task[Any], cancel: Callable[[], object]) -> None:
        """Wait for `task` under this progress; the client's cancel calls `cancel`. Without
        progress support in the client, just wait."""
        token = str(uuid.uuid4())
        if not await self._client.create_progress(token):
            await asyncio.wait([task])
            return
        progress = self._server.work_done_progress
        progress.begin(
            token,
            types.WorkDoneProgressBegin(title=self.title, cancellable=True, message=self.message),
        )
        self._token = token
        cancelled = progress.tokens.get(token)
        if cancelled is not None:
            cancelled.add_done_callback(lambda _: cancel())
        await asyncio.wait([task])
        self._token = None
        progress.end(token, types.WorkDoneProgressEnd(message=_ending(task)))
        progress.tokens.pop(token, None)


def _ending(task: asyncio.Task[Any]) -> str:
    if task.cancelled():
        return "cancelled"
    if task.exception() is not None:
        return "failed"
    result = task.result()
    return result if isinstance(result, str) else "done"
