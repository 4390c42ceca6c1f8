"""The learner's progress as data for a view (`codegym/stats`, docs/lsp.md): per course and topic,
the recurring error patterns and the runs day by day (`learning.stats`)."""

from __future__ import annotations

import asyncio
from typing import Any

from ...learning.stats import stats_document
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
            return {"courses": [], "patterns": [], "timeline": []}
        store = server.progress
        # Off the event loop: the store reads the progress file under its lock.
        progress = await asyncio.to_thread(store.snapshot) if store else Progress()
        return stats_document(server.content, progress)
