"""The core's LSP handlers: the server's life, the configuration, and the document events and
editor requests, each passed to every feature in turn. No feature is named here."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..workspace import locate_workspace
from .server import GymServer


def install(server: GymServer) -> None:
    """Register the core handlers on `server` (features register their own)."""

    @server.feature(types.INITIALIZE)
    def initialize(ls: GymServer, params: types.InitializeParams) -> None:
        root: Path | None = None
        if params.workspace_folders:
            root = ls.path_of(params.workspace_folders[0].uri)
        elif params.root_uri:
            root = ls.path_of(params.root_uri)
        if root is not None:  # the editor's project root may be above or below the exercises
            root = locate_workspace(root) or root
        ls.configure(params.initialization_options, root)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: GymServer, params: types.InitializedParams) -> None:
        ls.initialized_at = time.time()
        await ls.pull_configuration()
        for feature in ls.features:
            await feature.initialized()

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: GymServer, *args: Any) -> None:
        await ls.close()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: GymServer, params: types.DidChangeConfigurationParams
    ) -> None:
        pushed = params.settings.get("codegym") if isinstance(params.settings, dict) else None
        if isinstance(pushed, dict):
            await ls.apply_configuration(pushed)
        else:
            await ls.pull_configuration()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: GymServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.adopt_workspace_of(params.text_document.uri)
        for feature in ls.features:
            feature.opened(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: GymServer, params: types.DidChangeTextDocumentParams) -> None:
        for feature in ls.features:
            feature.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: GymServer, params: types.DidCloseTextDocumentParams) -> None:
        for feature in ls.features:
            feature.closed(params.text_document.uri)
        ls.diagnostics.forget(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: GymServer, params: types.DidSaveTextDocumentParams) -> None:
        for feature in ls.features:
            feature.saved(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS)
    def code_lens(ls: GymServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        found = ls.document_problem(params.text_document.uri)
        if found is None:
            return []
        text, problem = found
        marker = next(
            (i for i, line in enumerate(text.splitlines()) if "codegym: exercise" in line), 0
        )
        where = types.Range(
            start=types.Position(line=marker, character=0),
            end=types.Position(line=marker, character=0),
        )
        return [
            lens
            for feature in ls.features
            for lens in feature.code_lenses(params.text_document.uri, problem, where)
        ]

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: GymServer, params: types.HoverParams) -> types.Hover | None:
        found = ls.document_problem(params.text_document.uri)
        if found is None:
            return None
        text, problem = found
        sections = [
            section for feature in ls.features if (section := feature.hover(params, problem, text))
        ]
        if not sections:
            return None
        return types.Hover(contents=ls.client.markup("\n\n---\n\n".join(sections)))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.Source]
        ),
    )
    def code_action(ls: GymServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        found = ls.document_problem(params.text_document.uri)
        if found is None:
            return []
        actions = [
            action for feature in ls.features for action in feature.code_actions(params, found[1])
        ]
        if only := params.context.only:
            actions = [a for a in actions if a.kind and any(a.kind.startswith(k) for k in only)]
        return actions

    @server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    def folding_range(ls: GymServer, params: types.FoldingRangeParams) -> list[types.FoldingRange]:
        found = ls.document_problem(params.text_document.uri)
        if found is None:
            return []
        text, problem = found
        ranges = [r for feature in ls.features for r in feature.folding_ranges(problem, text)]
        return ls.client.fit_folding_ranges(ranges)
