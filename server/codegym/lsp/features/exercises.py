"""The learner's exercises as workspace files: creating them (`codegym.init`, and the offer to
when a folder has none), opening one or the next unsolved, resetting one to its starter, the
catalog (`codegym/catalog`); and the statement on hover over an exercise's header and on request
(`codegym/statement`, for a side view)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path

from ...catalog import learner_catalog, next_exercise
from ...content import Problem
from ...content.variants import GeneratedParamsMissing
from ...statement import statement_record
from ...text import counted
from ...workspace import (
    backup_file,
    exercise_file,
    find_exercises,
    header_lines,
    init_workspace,
    learner_problem,
    mark_workspace,
    render_exercise,
)
from ..feature import Feature, command_action
from ..server import GymServer
from .generated_variants import GeneratedVariants


async def open_in_editor(server: GymServer, path: Path) -> str:
    """Open `path` in the editor, or tell the learner where it is; its URI either way."""
    uri = from_fs_path(str(path)) or path.as_uri()
    if not await server.client.show_document(uri, take_focus=True):
        server.notify_user(f"Code Gym: open {path}", types.MessageType.Info)
    return uri


class Exercises(Feature):
    def __init__(self, server: GymServer) -> None:
        super().__init__(server)
        server.add_command("codegym.init", self.init)
        server.add_command("codegym.openExercise", self.open_exercise)
        server.add_command("codegym.nextExercise", self.next_exercise)
        server.add_command("codegym.resetExercise", self.reset_exercise)
        server.add_request("codegym/catalog", self.catalog)

    async def initialized(self) -> None:
        """A learner's folder without exercises: offer to create them."""
        server = self.server
        if not server.settings.offer_exercises or server.author_mode:
            return
        if server.root is None or server.content is None:
            return
        if find_exercises(server.root):
            return
        create = "Create exercises"
        answer = await server.client.choose(
            f"This folder has no Code Gym exercises. Create the {len(server.content.problems)} "
            "exercises here?",
            [create, "Not now"],
        )
        if answer == create:
            await self.init()

    # ------------------------------------------------------------------ commands

    async def init(self, *args: Any) -> dict[str, int]:
        server = self.server
        if server.root is None or server.content is None:
            server.notify_user("Code Gym: open a folder first.", types.MessageType.Error)
            return {"created": 0, "existing": 0}
        root, content = server.root, server.content
        await asyncio.to_thread(mark_workspace, root)  # the seed the generators are given
        await server.get_feature(GeneratedVariants).ensure(content.ordered())
        result = await asyncio.to_thread(init_workspace, root, content)
        not_made = (
            f" Not ready, their variant generator failed: {', '.join(result.not_made)}."
            if result.not_made
            else ""
        )
        server.notify_user(
            f"Code Gym: {counted(len(result.created), 'exercise file')} created in "
            f"{server.root}.{not_made}",
            types.MessageType.Warning if not_made else types.MessageType.Info,
        )
        return {"created": len(result.created), "existing": len(result.existing)}

    async def open_exercise(self, exercise: str) -> str | None:
        server = self.server
        if server.root is None or server.content is None or exercise not in server.content.problems:
            server.notify_user(f"Code Gym: no exercise {exercise!r}.", types.MessageType.Error)
            return None
        problem = server.content.problems[exercise]
        await server.get_feature(GeneratedVariants).ensure([problem])
        try:
            path = await asyncio.to_thread(exercise_file, server.root, problem)
        except GeneratedParamsMissing:  # its generator failed: already said
            server.notify_user(
                f"Code Gym: {exercise} is unavailable: its variant generator failed.",
                types.MessageType.Error,
            )
            return None
        return await open_in_editor(server, path)

    async def next_exercise(self, *args: Any) -> str | None:
        """Open the exercise chosen from the learner's record, saying why in one line. The one
        argument a client may give: the id of the exercise just worked on."""
        server = self.server
        if server.content is None:
            return None
        just_done = args[0] if args and isinstance(args[0], str) else None
        choice = await asyncio.to_thread(next_exercise, server.content, server.root, just_done)
        if choice is None:
            server.notify_user(
                "Code Gym: every exercise is solved. Impressive!", types.MessageType.Info
            )
            return None
        server.notify_user(
            f"Code Gym: next, {choice.problem.meta.title}: {choice.reason}.",
            types.MessageType.Info,
        )
        return await self.open_exercise(choice.problem.id)

    async def reset_exercise(self, uri: str) -> bool:
        server = self.server
        found = server.document_problem(uri)
        if found is None or server.root is None:
            return False
        text, problem = found
        backup = await asyncio.to_thread(backup_file, server.root, problem, text)
        end = types.Position(line=len(text.splitlines()), character=0)
        everything = types.Range(start=types.Position(line=0, character=0), end=end)
        edit = types.WorkspaceEdit(
            changes={uri: [types.TextEdit(range=everything, new_text=render_exercise(problem))]}
        )
        if await server.client.apply_edit(edit, "Reset to starter code"):
            server.notify_user(
                f"Code Gym: reset to the starter code; your version is saved in {backup}.",
                types.MessageType.Info,
            )
            return True
        server.notify_user(
            "Code Gym: the editor did not reset the file; nothing was changed. Your version is "
            f"saved in {backup}; the starter code is `codegym preview {problem.id}`.",
            types.MessageType.Warning,
        )
        return False

    async def catalog(self, params: Any = None) -> dict[str, Any]:
        server = self.server
        if server.content is None:
            return {"courses": [], "solved": 0, "total": 0}
        # Off the event loop: it walks the workspace and reads the progress file under its lock.
        return await asyncio.to_thread(learner_catalog, server.content, server.root)

    # ------------------------------------------------------------------ what the editor shows

    def code_actions(
        self, params: types.CodeActionParams, problem: Problem
    ) -> list[types.CodeAction]:
        # Destructive: registered last, never preferred (a reflexive Enter must not pick it).
        return [
            command_action(
                "Reset to starter code",
                types.CodeActionKind.Source,
                "codegym.resetExercise",
                [params.text_document.uri],
                preferred=False,
            )
        ]


STATEMENT = "codegym/statement"
CONTENT_CHANGED = "codegym/contentChanged"


class Statement(Feature):
    """Over an exercise's header: its statement (before the tutor's hovers). On request, the
    statement of an exercise or of an open exercise document, and a notification when the
    content is reloaded, so a view showing one asks again."""

    def __init__(self, server: GymServer) -> None:
        super().__init__(server)
        server.add_request(STATEMENT, self.statement)

    def content_loaded(self) -> None:
        if self.server.initialized_at is not None:  # not the first load, during `initialize`
            self.server.protocol.notify(CONTENT_CHANGED, {})

    async def statement(self, params: Any = None) -> dict[str, Any] | None:
        """`{"id": exercise}` or `{"uri": open document}` → the statement record, or None for
        a document that is not an exercise (or an exercise the content does not have)."""
        content = self.server.content
        exercise, uri = getattr(params, "id", None), getattr(params, "uri", None)
        if content is None:
            return None
        if isinstance(exercise, str) and exercise in content.problems:
            await self.server.get_feature(GeneratedVariants).ensure([content.problems[exercise]])
            try:
                problem = learner_problem(content.problems[exercise], self.server.root)
            except GeneratedParamsMissing:
                problem = None
        elif isinstance(uri, str):
            await self.server.get_feature(GeneratedVariants).ensure_document(uri)
            found = self.server.document_problem(uri)
            problem = found[1] if found else None
        else:
            problem = None
        return statement_record(problem) if problem else None

    def hover(self, params: types.HoverParams, problem: Problem, text: str) -> str | None:
        line = params.position.line
        if line >= len(header_lines(problem)) or line >= len(text.splitlines()):
            return None
        return f"## {problem.meta.title} · {problem.meta.difficulty}\n\n" + problem.body.statement
