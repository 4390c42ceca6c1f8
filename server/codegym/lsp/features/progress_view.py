"""The learner's progress as data for a view (`codegym/stats`, docs/lsp.md): per course and topic,
the recurring error patterns and the runs day by day (`learning.stats`), and the same as the text
`codegym stats` prints, for clients without a view of their own (Neovim's `:CodeGym stats`)."""

from __future__ import annotations

import asyncio
from typing import Any

from ...learning.stats import stats_document, stats_lines
from ...progress import Progress
from ..feature import Feature
from ..server import GymServer


class ProgressView(Feature):
    def __init__(self, server: GymServer) -> None:
        super().__init__(server)
        server.add_request("codegym/stats", self.stats)

    async def stats(self, params: Any = None) -> dict[str, Any]:
        server = self.server
        if server.content is None:
            document: dict[str, Any] = {"courses": [], "patterns": [], "timeline": []}
        else:
            store = server.progress
            # Off the event loop: the store reads the progress file under its lock.
            progress = await asyncio.to_thread(store.snapshot) if store else Progress()
            document = stats_document(server.content, progress)
        # Only here: `codegym stats --json` prints the document alone, `codegym stats` this text.
        return {**document, "text": "\n".join(stats_lines(document))}
