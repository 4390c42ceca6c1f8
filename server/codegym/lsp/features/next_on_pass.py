"""When an exercise passes: the success message, and the offer to open the next exercise (as the
rustlings helper does).

The offer is made when a document's verdict turns to pass (its first pass in this session, or a
pass after a failure); saving a passing exercise again only says it passes. An editor that
answers questions (`window.showMessage.messageActionItem`) is asked "✓ <title>: all N tests pass!
Next: <next>" with the actions "Next: <next>" and "Stay"; any other gets the plain success message
and a "▶ Next: <next>" code lens on the exercise's header while it passes. The question runs as a
task of its own (the learner may take minutes to answer, and the verdict's handling never waits
for it), and one question is open at a time: a pass while one is open gets the plain message."""

from __future__ import annotations

import asyncio

import structlog
from lsprotocol import types

from ...catalog import NextChoice, next_exercise
from ...content import Problem
from ..feature import Feature
from ..runs import RunResult
from ..server import GymServer
from .exercises import Exercises

log = structlog.get_logger(__name__)

STAY = "Stay"


def next_action(choice: NextChoice) -> str:
    """The action (and lens title, after "▶ ") that opens the next exercise."""
    return f"Next: {choice.problem.meta.title}"


class NextOnPass(Feature):
    def __init__(self, server: GymServer) -> None:
        super().__init__(server)
        self._passing: set[str] = set()
        """Documents whose last verdict is a pass."""
        self._lenses: dict[str, NextChoice] = {}
        """For an editor that does not answer questions: the next exercise, on each passing
        document's lens."""
        self._offer: asyncio.Task[None] | None = None

    def judged(self, result: RunResult) -> None:
        uri, verdict = result.uri, result.verdict
        if verdict.status != "pass":
            self._passing.discard(uri)
            self._lenses.pop(uri, None)  # Testing refreshes the lenses after every verdict
            return
        passed = f"✓ {result.problem.meta.title}: all {len(verdict.tests)} tests pass!"
        turned = uri not in self._passing
        self._passing.add(uri)
        asking = self._offering() and self.server.client.answers_questions
        if not turned or asking or self.server.author_mode:  # an author previews: no offer
            self.server.notify_user(passed, types.MessageType.Info)
            return
        self._offer = asyncio.get_running_loop().create_task(
            self._offer_next(uri, result.problem, passed)
        )

    def closed(self, uri: str) -> None:
        self._passing.discard(uri)
        self._lenses.pop(uri, None)

    async def close(self) -> None:
        if self._offering() and self._offer is not None:
            self._offer.cancel()

    def _offering(self) -> bool:
        return self._offer is not None and not self._offer.done()

    async def _offer_next(self, uri: str, problem: Problem, passed: str) -> None:
        server = self.server
        if server.content is None:
            server.notify_user(passed, types.MessageType.Info)
            return
        try:  # off the event loop: it reads the progress file
            choice = await asyncio.to_thread(next_exercise, server.content, server.root, problem.id)
        except OSError as exc:
            log.warning("cannot choose the next exercise", error=str(exc))
            server.notify_user(passed, types.MessageType.Info)
            return
        if choice is None:
            server.notify_user(
                f"{passed} Every exercise is solved. Impressive!", types.MessageType.Info
            )
            return
        action = next_action(choice)
        if not server.client.answers_questions:
            server.notify_user(passed, types.MessageType.Info)
            if uri in self._passing:  # still passing, still open
                self._lenses[uri] = choice
                server.client.refresh_code_lenses()
            return
        question = f"{passed} {action} ({choice.reason})."
        if await server.client.choose(question, [action, STAY]) == action:
            await server.get_feature(Exercises).open_exercise(choice.problem.id)

    def code_lenses(self, uri: str, problem: Problem, where: types.Range) -> list[types.CodeLens]:
        choice = self._lenses.get(uri)
        if choice is None:
            return []
        command = types.Command(
            title=f"▶ {next_action(choice)}",
            command="codegym.openExercise",
            arguments=[choice.problem.id],
        )
        return [types.CodeLens(range=where, command=command)]
