"""What a feature of the server is (as esbonio's `LanguageFeature`): it owns its state, registers
its own commands and requests when it is made, and the core calls the hooks below. Every hook does
nothing by default, so a feature implements only what it takes part in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types

from ..config import Settings
from ..content import Problem
from .runs import RunResult

if TYPE_CHECKING:
    from .server import GymServer


class Feature:
    def __init__(self, server: GymServer) -> None:
        self.server = server

    # ------------------------------------------------------------------ the server's life

    def configured(self) -> None:
        """`initialize` set the settings, the workspace root and the content."""

    async def initialized(self) -> None:
        """The client said `initialized` and its configuration was pulled."""

    def content_loaded(self) -> None:
        """The content was (re)loaded: `server.content` is new."""

    async def settings_changed(self, previous: Settings) -> None:
        """`server.settings` changed (from `previous`)."""

    def workspace_moved(self) -> None:
        """`server.root` changed: the first document opened showed where the workspace is."""

    async def close(self) -> None:
        """`shutdown`: cancel what runs, release processes."""

    # ------------------------------------------------------------------ documents

    def opened(self, uri: str) -> None: ...

    def changed(self, uri: str) -> None: ...

    def saved(self, uri: str) -> None: ...

    def closed(self, uri: str) -> None: ...

    def judged(self, result: RunResult) -> None:
        """A run's verdict, published for `result.uri` (called before the diagnostics sync)."""

    # ------------------------------------------------------------------ what the editor asks for

    def code_lenses(self, uri: str, problem: Problem, where: types.Range) -> list[types.CodeLens]:
        """Lenses on the exercise's header line (`where`)."""
        return []

    def hover(self, params: types.HoverParams, problem: Problem, text: str) -> str | None:
        """A Markdown section of the hover, or None."""
        return None

    def code_actions(
        self, params: types.CodeActionParams, problem: Problem
    ) -> list[types.CodeAction]:
        return []

    def folding_ranges(self, problem: Problem, text: str) -> list[types.FoldingRange]:
        """Ranges of the exercise's text that fold (the core fits them to the client)."""
        return []


def command_action(
    title: str,
    kind: str,
    command: str,
    arguments: list[Any],
    diagnostics: list[types.Diagnostic] | None = None,
    preferred: bool | None = None,
) -> types.CodeAction:
    """A code action that runs one of the server's commands."""
    return types.CodeAction(
        title=title,
        kind=kind,
        diagnostics=diagnostics or None,
        is_preferred=preferred,
        command=types.Command(title=title, command=command, arguments=arguments),
    )
