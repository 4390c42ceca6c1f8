"""Generated variants in the editor: a generated variant problem's generator runs (in the
sandbox, off the event loop, once per workspace seed: `workspace.generated_params` keeps what it
returns) the first time the learner's variant is needed: before its file is written or its
statement shown, and when a document of it is opened or saved, which is then looked at again.
Until then `server.problem_of` gives None for its documents: they are not graded yet."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import structlog
from lsprotocol import types

from ...content import Problem
from ...content.variants import has_generator
from ...sandbox import SandboxError
from ...variants import prepare_generated
from ...workspace import exercise_id_of, generated_params, workspace_seed
from ..feature import Feature
from ..server import GymServer

log = structlog.get_logger(__name__)


class GeneratedVariants(Feature):
    def __init__(self, server: GymServer) -> None:
        super().__init__(server)
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._reported: set[str] = set()

    def missing(self, problems: Sequence[Problem]) -> list[Problem]:
        """The generated variant problems among `problems` whose generator has not run for
        the workspace's seed (no file is read for the others: this runs on every open and
        save)."""
        generated = [p for p in problems if has_generator(p)]
        if not generated:
            return []
        root = self.server.root
        seed = workspace_seed(root)
        return [p for p in generated if generated_params(root, p, seed) is None]

    def problem_of_document(self, uri: str) -> Problem | None:
        """The content's problem an open document is an exercise of, before any variant."""
        server, document = self.server, self.server.workspace.text_documents.get(uri)
        exercise = exercise_id_of(document.source) if document else None
        if server.content is None or exercise is None:
            return None
        return server.content.problems.get(exercise)

    async def ensure_document(self, uri: str) -> None:
        """An open document's generated variant made, if it is one."""
        if (problem := self.problem_of_document(uri)) is not None:
            await self.ensure([problem])

    async def ensure(self, problems: Sequence[Problem]) -> None:
        """Run the generators `problems` still need (one batch at a time: a second caller
        finds the first one's results). A generator that fails is said once, as an error."""
        if not self.missing(problems):
            return
        async with self._lock:
            needed = self.missing(problems)
            if not needed:
                return
            server = self.server
            try:
                sandbox = await server.sandbox()
                errors = await asyncio.to_thread(
                    prepare_generated, needed, server.root, sandbox, server.settings.sandbox.limits
                )
            except SandboxError as exc:
                log.warning("cannot run the variant generators", error=str(exc))
                return
        for error in errors:
            if str(error) not in self._reported:
                self._reported.add(str(error))
                server.notify_user(
                    f"Code Gym: an exercise is unavailable, {error}", types.MessageType.Error
                )

    # ------------------------------------------------------------------ documents

    def opened(self, uri: str) -> None:
        self._look_again_when_made(uri, "opened")

    def saved(self, uri: str) -> None:
        self._look_again_when_made(uri, "saved")

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    def _look_again_when_made(self, uri: str, hook: str) -> None:
        """A document of a generated variant whose generator has not run: run it, then call
        every other feature's `hook` for the document again (its run, its lenses)."""
        server = self.server
        problem = self.problem_of_document(uri)
        if problem is None or not self.missing([problem]):
            return

        async def made_then_opened() -> None:
            await self.ensure([problem])
            now = server.workspace.text_documents.get(uri)
            if now is not None and server.problem_of(now.source) is not None:
                for feature in server.features:
                    if feature is not self:
                        getattr(feature, hook)(uri)

        task = asyncio.get_running_loop().create_task(made_then_opened())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
