"""LSP handlers: each one a few lines of glue over `GymServer` and the modules below it."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path

from ..catalog import learner_catalog, next_unsolved
from ..content import Problem
from ..grading import Failure, message
from ..grading.wording import input_text
from ..workspace import (
    STATE_DIR,
    backup_file,
    default_path,
    find_exercises,
    header_lines,
    init_workspace,
    locate_workspace,
    render_exercise,
    write_new_file,
)
from .diagnostics import SOURCE_TESTS
from .server import GymServer, server

COMMANDS = (
    "codegym.runTests",
    "codegym.init",
    "codegym.openExercise",
    "codegym.resetExercise",
    "codegym.nextExercise",
    "codegym.previewExercise",
)

# Other features (the tutor) plug in here; the handlers below need no change.
CodeActionProvider = Callable[[GymServer, types.CodeActionParams, Problem], list[types.CodeAction]]
CODE_ACTION_PROVIDERS: list[CodeActionProvider] = []
CodeLensProvider = Callable[[GymServer, str, Problem, types.Range], list[types.CodeLens]]
CODE_LENS_PROVIDERS: list[CodeLensProvider] = []
HoverProvider = Callable[[GymServer, types.HoverParams, Problem, str], str | None]
HOVER_PROVIDERS: list[HoverProvider] = []
"""Each returns a Markdown section for the hover, or None."""


# ---------------------------------------------------------------------- lifecycle


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
    ls.preload_tutor()
    if ls.author_mode:
        return
    if ls.root is None or ls.content is None or find_exercises(ls.root):
        return
    create = "Create exercises"
    answer = await ls.client.choose(
        f"This folder has no Code Gym exercises. Create the {len(ls.content.problems)} "
        "exercises here?",
        [create, "Not now"],
    )
    if answer == create:
        init(ls)


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


# ---------------------------------------------------------------------- documents


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: GymServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.adopt_workspace_of(params.text_document.uri)
    ls.schedule_syntax(params.text_document.uri)
    ls.prepare_runs(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: GymServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.clear_review(params.text_document.uri)
    ls.schedule_syntax(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: GymServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.forget(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
def did_save(ls: GymServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    if ls.author_mode and uri.endswith((".yaml", ".yml")):
        ls.load_content()  # authors: re-validate the content, republish its diagnostics
        return
    ls.run_tests(uri)


# ---------------------------------------------------------------------- code lens and hover


def _header_end(problem: Problem) -> int:
    return len(header_lines(problem)) - 1


@server.feature(types.TEXT_DOCUMENT_CODE_LENS)
def code_lens(ls: GymServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    uri = params.text_document.uri
    found = ls.document_problem(uri)
    if found is None:
        return []
    text, problem = found
    marker = next((i for i, line in enumerate(text.splitlines()) if "codegym: exercise" in line), 0)
    where = types.Range(
        start=types.Position(line=marker, character=0), end=types.Position(line=marker, character=0)
    )
    verdict = ls.verdicts.get(uri)
    if verdict is None:
        status = "not run yet"
    else:
        mark = "✓" if verdict.status == "pass" else "✗"
        status = f"{mark} {verdict.score('public')} public · {verdict.score('hidden')} hidden"
    run = types.Command(title="▶ Run tests", command="codegym.runTests", arguments=[uri])
    shown = types.Command(title=status, command="codegym.runTests", arguments=[uri])
    lenses = [types.CodeLens(range=where, command=run), types.CodeLens(range=where, command=shown)]
    for provider in CODE_LENS_PROVIDERS:
        lenses.extend(provider(ls, uri, problem, where))
    return lenses


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: GymServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    found = ls.document_problem(uri)
    if found is None:
        return None
    text, problem = found
    line = params.position.line
    sections = [
        _failure_markdown(ls, uri, d)
        for d in ls.test_diagnostics(uri)
        if d.range.start.line == line
    ]
    if not sections and line <= _header_end(problem) and line < len(text.splitlines()):
        sections.append(
            f"## {problem.meta.title} · {problem.meta.difficulty}\n\n" + problem.body.statement
        )
    for provider in HOVER_PROVIDERS:
        if section := provider(ls, params, problem, text):
            sections.append(section)
    if not sections:
        return None
    return types.Hover(contents=ls.client.markup("\n\n---\n\n".join(sections)))


def _failure_markdown(ls: GymServer, uri: str, diagnostic: types.Diagnostic) -> str:
    verdict = ls.verdicts.get(uri)
    test = next((t for t in verdict.tests if t.id == diagnostic.code), None) if verdict else None
    failure = test.failure if test else None
    if test is None or not isinstance(failure, Failure):
        return f"**{diagnostic.message}**"
    parts = [f"**{test.name}** — {failure.kind.replace('_', ' ')}", "", message(test)]
    fence = "python" if uri.endswith(".py") else "javascript"
    facts = [("Input", input_text(failure)), ("Expected", failure.expected)]
    for label, value in [*facts, ("Got", failure.actual)]:
        if value is not None:
            parts += ["", f"{label}:", f"```{fence}\n{value}\n```"]
    if failure.stdout:
        parts += ["", "Printed:", f"```text\n{failure.stdout[:2000]}\n```"]
    if failure.error and failure.error.traceback:
        parts += ["", "Traceback:", f"```text\n{failure.error.traceback[:3000]}\n```"]
    return "\n".join(parts)


# ---------------------------------------------------------------------- code actions


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.Source]
    ),
)
def code_action(ls: GymServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    found = ls.document_problem(uri)
    if found is None:
        return []
    _, problem = found
    ours = [d for d in params.context.diagnostics if d.source == SOURCE_TESTS]
    actions: list[types.CodeAction] = []
    if ours:
        actions.append(
            types.CodeAction(
                title="Run tests again",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=ours,
                command=types.Command(
                    title="Run tests again", command="codegym.runTests", arguments=[uri]
                ),
            )
        )
    for provider in CODE_ACTION_PROVIDERS:
        actions.extend(provider(ls, params, problem))
    # Destructive: always last, never preferred (a reflexive Enter must not pick it).
    actions.append(
        types.CodeAction(
            title="Reset to starter code",
            kind=types.CodeActionKind.Source,
            is_preferred=False,
            command=types.Command(
                title="Reset to starter code", command="codegym.resetExercise", arguments=[uri]
            ),
        )
    )
    if only := params.context.only:
        actions = [a for a in actions if a.kind and any(a.kind.startswith(k) for k in only)]
    return actions


# ---------------------------------------------------------------------- commands


@server.command("codegym.runTests")
def run_tests(ls: GymServer, *args: Any) -> bool:
    """Arguments `[uri]`; with none (pygls would count a default as required) nothing runs."""
    uri = args[0] if args else None
    return isinstance(uri, str) and ls.run_tests(uri, force=True)


@server.command("codegym.init")
def init(ls: GymServer, *args: Any) -> dict[str, int]:
    if ls.root is None or ls.content is None:
        ls.notify_user("Code Gym: open a folder first.", types.MessageType.Error)
        return {"created": 0, "existing": 0}
    result = init_workspace(ls.root, ls.content)
    ls.notify_user(
        f"Code Gym: {len(result.created)} exercise file(s) created in {ls.root}.",
        types.MessageType.Info,
    )
    return {"created": len(result.created), "existing": len(result.existing)}


@server.command("codegym.openExercise")
async def open_exercise(ls: GymServer, exercise: str) -> str | None:
    if ls.root is None or ls.content is None or exercise not in ls.content.problems:
        ls.notify_user(f"Code Gym: no exercise {exercise!r}.", types.MessageType.Error)
        return None
    path = await asyncio.to_thread(_exercise_file, ls.root, ls.content.problems[exercise])
    return await _open(ls, path)


async def _open(ls: GymServer, path: Path) -> str:
    """Open `path` in the editor, or tell the learner where it is; its URI either way."""
    uri = from_fs_path(str(path)) or path.as_uri()
    if not await ls.client.show_document(uri, take_focus=True):
        ls.notify_user(f"Code Gym: open {path}", types.MessageType.Info)
    return uri


def _exercise_file(root: Path, problem: Problem) -> Path:
    """The learner's file for an exercise, written from the starter if it has none yet."""
    path = find_exercises(root).get(problem.id)
    if path is None:
        path = root / default_path(problem)
        write_new_file(path, render_exercise(problem))
    return path


@server.command("codegym.previewExercise")
async def preview_exercise(ls: GymServer, exercise: str) -> str | None:
    """Authors: the exercise as a learner gets it, in a scratch folder (`.codegym/preview/`,
    rewritten on every preview); saving it runs the tests against the content being edited."""
    if ls.content is None or exercise not in ls.content.problems:
        ls.notify_user(f"Code Gym: no exercise {exercise!r}.", types.MessageType.Error)
        return None
    problem = ls.content.problems[exercise]
    scratch = (ls.root or Path(tempfile.gettempdir())) / STATE_DIR / "preview"
    path = scratch / default_path(problem)
    await asyncio.to_thread(_write_preview, path, render_exercise(problem))
    return await _open(ls, path)


def _write_preview(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@server.command("codegym.nextExercise")
async def next_exercise(ls: GymServer, *args: Any) -> str | None:
    if ls.content is None:
        return None
    problem = await asyncio.to_thread(next_unsolved, ls.content, ls.root)
    if problem is None:
        ls.notify_user("Code Gym: every exercise is solved. Impressive!", types.MessageType.Info)
        return None
    return await open_exercise(ls, problem.id)


@server.command("codegym.resetExercise")
async def reset_exercise(ls: GymServer, uri: str) -> bool:
    found = ls.document_problem(uri)
    if found is None or ls.root is None:
        return False
    text, problem = found
    backup = await asyncio.to_thread(backup_file, ls.root, problem, text)
    lines = text.splitlines()
    end = types.Position(line=len(lines), character=0)
    edit = types.WorkspaceEdit(
        changes={
            uri: [
                types.TextEdit(
                    range=types.Range(start=types.Position(line=0, character=0), end=end),
                    new_text=render_exercise(problem),
                )
            ]
        }
    )
    if await ls.client.apply_edit(edit, "Reset to starter code"):
        ls.notify_user(
            f"Code Gym: reset to the starter code; your version is saved in {backup}.",
            types.MessageType.Info,
        )
        return True
    ls.notify_user(
        "Code Gym: the editor did not reset the file; nothing was changed. Your version is "
        f"saved in {backup}; the starter code is `codegym preview {problem.id}`.",
        types.MessageType.Warning,
    )
    return False


# ---------------------------------------------------------------------- custom requests


@server.feature("codegym/catalog")
async def catalog(ls: GymServer, params: Any = None) -> dict[str, Any]:
    if ls.content is None:
        return {"courses": [], "solved": 0, "total": 0}
    # Off the event loop: it walks the workspace and reads the progress file under its lock.
    return await asyncio.to_thread(learner_catalog, ls.content, ls.root)
