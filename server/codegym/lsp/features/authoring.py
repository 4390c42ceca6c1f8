"""Authors (a workspace that is a content folder): schema and loader errors as diagnostics in
their YAML files, re-validated on every save, and `codegym.previewExercise`."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from lsprotocol import types

from ...content.variants import GeneratedParamsMissing
from ...workspace import STATE_DIR, default_path, learner_problem, render_exercise
from ..diagnostics import SOURCE_CONTENT, content_diagnostics
from ..feature import Feature
from ..server import GymServer
from .exercises import open_in_editor
from .generated_variants import GeneratedVariants


class Authoring(Feature):
    def __init__(self, server: GymServer) -> None:
        super().__init__(server)
        self._files_with_errors: set[str] = set()
        server.diagnostics.register(SOURCE_CONTENT)
        server.add_command("codegym.previewExercise", self.preview_exercise)

    def content_loaded(self) -> None:
        """Authors see schema and loader errors in their YAML files, at their lines."""
        server = self.server
        if not server.author_mode or server.content is None:
            return
        assert server.root is not None
        grouped = content_diagnostics(server.content.errors)
        for file in self._files_with_errors | grouped.keys():
            uri = (server.root / file).as_uri()
            server.diagnostics.set(uri, SOURCE_CONTENT, grouped.get(file, []))
            server.diagnostics.sync(uri)  # even unchanged: a closed file's were forgotten
        self._files_with_errors = set(grouped)

    def saved(self, uri: str) -> None:
        if self.server.author_mode and uri.endswith((".yaml", ".yml")):
            self.server.load_content()  # re-validate the content, republish its diagnostics

    async def preview_exercise(self, exercise: str) -> str | None:
        """The exercise as a learner gets it, in a scratch folder (`.codegym/preview/`,
        rewritten on every preview); saving it runs the tests against the content being
        edited."""
        server = self.server
        if server.content is None or exercise not in server.content.problems:
            server.notify_user(f"Code Gym: no exercise {exercise!r}.", types.MessageType.Error)
            return None
        await server.get_feature(GeneratedVariants).ensure([server.content.problems[exercise]])
        try:
            problem = learner_problem(server.content.problems[exercise], server.root)
        except GeneratedParamsMissing:  # its generator failed: already said
            server.notify_user(
                f"Code Gym: {exercise} is unavailable: its variant generator failed.",
                types.MessageType.Error,
            )
            return None
        scratch = (server.root or Path(tempfile.gettempdir())) / STATE_DIR / "preview"
        path = scratch / default_path(problem)
        await asyncio.to_thread(_write_preview, path, render_exercise(problem))
        return await open_in_editor(server, path)


def _write_preview(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
