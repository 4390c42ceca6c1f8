"""Hover, code lens, code actions, commands, the catalog request, progress and configuration, over
stdio with pytest-lsp, as Neovim 0.7 and as VS Code."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import tempfile
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.uris import to_fs_path
from pytest_lsp import LanguageClient

from codegym.workspace import find_exercises

from .lsp_support import (
    BACKEND,
    CONTENT,
    as_code_action,
    assert_opened,
    diagnostics_of,
    exercise,
    open_file,
    replace_text,
    save,
    wait_for,
)


def position(line: int) -> types.Position:
    return types.Position(line=line, character=2)


@pytest.mark.asyncio
async def test_hover_statement_and_failure(client: LanguageClient) -> None:
    problem, path = exercise(client, "py-sum-evens")
    uri = open_file(client, path)
    doc = types.TextDocumentIdentifier(uri=uri)
    header = await client.text_document_hover_async(
        types.HoverParams(text_document=doc, position=position(1))
    )
    assert header is not None
    assert problem.body.statement.splitlines()[0] in header.contents.value  # type: ignore[union-attr]

    save(client, uri)
    [first, *_] = await wait_for(lambda: diagnostics_of(client, uri))
    failure = await client.text_document_hover_async(
        types.HoverParams(text_document=doc, position=first.range.start)
    )
    assert failure is not None
    text = failure.contents.value  # type: ignore[union-attr]
    assert "wrong answer" in text and "Expected:" in text and "Got:" in text


@pytest.mark.asyncio
async def test_a_reopened_exercise_that_still_fails_shows_its_failures_without_a_save(
    client: LanguageClient,
) -> None:
    _, path = exercise(client, "py-sum-evens")
    uri = open_file(client, path)
    save(client, uri)
    failing = await wait_for(lambda: diagnostics_of(client, uri))
    await wait_for(lambda: client.progress_changes)  # type: ignore[attr-defined]  # "attempted"
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    client.diagnostics.pop(uri, None)
    open_file(client, path)  # as after a reload of the editor: no save
    again = await wait_for(lambda: diagnostics_of(client, uri))
    assert [d.message for d in again] == [d.message for d in failing]


@pytest.mark.asyncio
async def test_code_lens_shows_run_and_status(client: LanguageClient) -> None:
    _, path = exercise(client, "py-sum-evens")
    uri = open_file(client, path)
    doc = types.TextDocumentIdentifier(uri=uri)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=doc))
    titles = [lens.command.title for lens in lenses]  # type: ignore[union-attr]
    assert titles == ["▶ Run tests", "not run yet", "💡 Hint 1/3", "🔍 Review"]
    save(client, uri)
    await wait_for(lambda: diagnostics_of(client, uri))
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=doc))
    assert lenses[1].command.title == "✗ 1/4 public · 1/5 hidden"  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_code_actions_and_reset(client: LanguageClient) -> None:
    problem, path = exercise(client, "py-sum-evens")
    edited = path.read_text().replace("return 0", "return 42")
    uri = open_file(client, path, edited)
    save(client, uri)
    found = await wait_for(lambda: diagnostics_of(client, uri))

    async def actions(only: list[str] | None = None) -> dict[str, types.CodeAction]:
        found_actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=found[0].range,
                context=types.CodeActionContext(diagnostics=found, only=only),
            )
        )
        return {a.title: as_code_action(a) for a in found_actions or []}

    every = list(await actions())
    assert "Run tests again" in every
    assert every[-1] == "Reset to starter code"  # destructive: last, never the first offered
    explains = {f"Explain this failure: {d.data['name']}" for d in found[:3]}
    assert len(explains) == 3  # each names its test
    quick_fixes = {"Run tests again", "Hint 1/3", *explains}
    assert set(await actions([types.CodeActionKind.QuickFix])) == quick_fixes
    by_title = await actions([types.CodeActionKind.Source])
    concepts = {t for t in by_title if t.startswith("Explain concept: ")}
    assert concepts == {"Explain concept: Defining functions"}  # `return` is under the cursor
    assert set(by_title) - concepts == {
        "Reset to starter code",
        "Review my code",
        "Generate more tests",
    }

    reset = by_title["Reset to starter code"].command
    assert reset is not None
    applied = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=reset.command, arguments=reset.arguments)
    )
    assert applied is True
    [edit] = client.edits  # type: ignore[attr-defined]
    assert edit.edit.changes[uri][0].new_text.rstrip().endswith(problem.body.starter.rstrip())
    backups = list((client.workspace_root / ".codegym" / "backups").iterdir())  # type: ignore[attr-defined]
    assert [b.read_text() for b in backups] == [edited]


@pytest.mark.asyncio
async def test_catalog_progress_and_next_exercise(client: LanguageClient) -> None:
    catalog = await client.protocol.send_request_async("codegym/catalog", {})
    courses = {c.id: c for c in catalog.courses}
    assert set(courses) == {"python", "javascript"}
    first = courses["python"].topics[0].exercises[0]
    assert (first.id, first.status) == ("py-sum-evens", "new")
    assert first.file.endswith("01-py-sum-evens.py")

    problem, path = exercise(client, "py-sum-evens")
    uri = open_file(client, path)
    header = path.read_text().split("\n\n", 1)[0]
    replace_text(client, uri, 2, header + "\n\n" + problem.body.solution)
    save(client, uri)
    await wait_for(lambda: client.progress_changes)  # type: ignore[attr-defined]
    change = client.progress_changes[0]  # type: ignore[attr-defined]
    assert (change.exercise, change.status) == ("py-sum-evens", "solved")
    stored = json.loads((client.workspace_root / ".codegym" / "progress.json").read_text())  # type: ignore[attr-defined]
    assert stored["exercises"]["py-sum-evens"]["solved_at"]

    catalog = await client.protocol.send_request_async("codegym/catalog", {})
    assert catalog.solved == 1
    shown = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="codegym.nextExercise", arguments=[])
    )
    assert shown.endswith(".py") and "py-sum-evens" not in shown
    await assert_opened(client, shown)


@pytest.mark.asyncio
async def test_work_done_progress_for_each_run(client: LanguageClient) -> None:
    _, path = exercise(client, "py-sum-evens")
    uri = open_file(client, path)
    save(client, uri)
    await wait_for(lambda: diagnostics_of(client, uri))
    if not (client.capabilities and client.capabilities.window and
            client.capabilities.window.work_done_progress):  # fmt: skip
        pytest.skip("this client profile has no work-done progress")
    reports = await wait_for(
        lambda: [r for r in client.progress_reports.values() if len(r) >= 2], timeout=10
    )
    begin, *_, end = reports[0]
    assert begin.title == "Testing Sum of evens" and begin.cancellable
    assert end.kind == "end"


QUEUE_DIR = Path(tempfile.mkdtemp(prefix="codegym-queue-"))


@pytest.mark.options(
    {"sandbox": {"backend": BACKEND, "queue": {"slots": 1, "directory": str(QUEUE_DIR)}}}
)
@pytest.mark.asyncio
async def test_a_run_waiting_for_the_engine_says_queued(client: LanguageClient) -> None:
    """While the engine's one slot is taken (here by this test), a save's run waits and its
    `$/progress` says so; once the slot is free the run goes ahead and publishes."""
    if not (client.capabilities and client.capabilities.window and
            client.capabilities.window.work_done_progress):  # fmt: skip
        pytest.skip("this client profile has no work-done progress")
    problem, path = exercise(client, "py-sum-evens")
    uri = open_file(client, path)
    save(client, uri)
    await wait_for(lambda: diagnostics_of(client, uri))  # the sandbox and its queue exist
    # The first run's progress ends just after its diagnostics: wait for that end, so that no
    # report of the first run comes after the clear below.
    await wait_for(
        lambda: (
            client.progress_reports
            and all(
                any(getattr(r, "kind", "") == "end" for r in reports)
                for reports in client.progress_reports.values()
            )
        )
    )
    [engine] = [d for d in QUEUE_DIR.iterdir() if d.is_dir()]
    slot = os.open(engine / "slot-0", os.O_RDONLY)
    fcntl.flock(slot, fcntl.LOCK_EX)
    try:
        client.progress_reports.clear()
        header = path.read_text().split("\n\n", 1)[0]
        replace_text(client, uri, 2, f"{header}\n\n{problem.body.solution}")
        save(client, uri)
        [reports] = await wait_for(lambda: list(client.progress_reports.values()))
        await wait_for(
            lambda: any(getattr(r, "message", "") == "queued (0 ahead)" for r in reports)
        )
        assert not any(getattr(r, "kind", "") == "end" for r in reports)
    finally:
        os.close(slot)
    await wait_for(lambda: any(getattr(r, "kind", "") == "end" for r in reports))
    assert reports[-1].message == "pass"
    assert any(getattr(r, "message", "") == "running" for r in reports[1:])
    assert diagnostics_of(client, uri) == []


@pytest.mark.empty_workspace
@pytest.mark.asyncio
async def test_empty_workspace_offers_to_create_exercises(client: LanguageClient) -> None:
    root = client.workspace_root  # type: ignore[attr-defined]
    await wait_for(lambda: client.questions)  # type: ignore[attr-defined]
    assert "no Code Gym exercises" in client.questions[0].message  # type: ignore[attr-defined]
    await wait_for(lambda: len(find_exercises(root)) == len(CONTENT.problems))


@pytest.mark.empty_workspace
@pytest.mark.options({"offer_exercises": False})
@pytest.mark.asyncio
async def test_an_editor_with_its_own_welcome_turns_the_offer_off(client: LanguageClient) -> None:
    """The VS Code extension offers to create the exercises in its view: the server does not
    ask too (its question would stay on screen after the exercises were created)."""
    uri = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="codegym.openExercise", arguments=["js-group-by"])
    )
    assert uri  # the server has answered requests since `initialized`
    catalog = await client.protocol.send_request_async("codegym/catalog", {})
    assert catalog is not None
    assert client.questions == []  # type: ignore[attr-defined]


@pytest.mark.empty_workspace
@pytest.mark.asyncio
async def test_open_exercise_writes_and_shows_it(client: LanguageClient) -> None:
    uri = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="codegym.openExercise", arguments=["js-group-by"])
    )
    problem, path = exercise(client, "js-group-by")
    assert uri == path.as_uri()  # where `codegym init` would put it, written from the starter
    assert problem.body.starter.strip() in path.read_text(encoding="utf-8")
    await assert_opened(client, uri)


@pytest.mark.options({"sandbox": {"backend": "kubernetes"}, "parallelism": 2})
@pytest.mark.asyncio
async def test_bad_setting_is_reported_and_the_server_keeps_working(
    client: LanguageClient,
) -> None:
    await wait_for(lambda: any("ignoring the setting" in m.message for m in client.messages))
    _, path = exercise(client, "py-sum-evens")
    uri = open_file(client, path)
    save(client, uri)
    assert await wait_for(lambda: diagnostics_of(client, uri))


def syntax_of(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    return [d for d in client.diagnostics.get(uri, []) if d.source == "codegym-syntax"]


@pytest.mark.asyncio
async def test_javascript_syntax_while_typing(client: LanguageClient) -> None:
    _, path = exercise(client, "js-fix-average")
    uri = open_file(client, path)
    text = path.read_text()
    broken = text.replace("function average(values) {", "function average(values) {\n  return (;")
    replace_text(client, uri, 2, broken)
    [found] = await wait_for(lambda: syntax_of(client, uri))
    assert found.message == "SyntaxError: Unexpected token ';'"
    assert found.range.start.line == broken.splitlines().index("  return (;")
    replace_text(client, uri, 3, text)
    await wait_for(lambda: not syntax_of(client, uri))


@pytest.mark.asyncio
async def test_configuration_change_pushed(client: LanguageClient) -> None:
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"codegym": {"parallelism": 0}})
    )
    await wait_for(lambda: any("ignoring the settings" in m.message for m in client.messages))
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"codegym": {"sandbox": {"backend": "local", "limits": {"wall_s": 8}}}}
        )
    )
    _, path = exercise(client, "py-sum-evens")
    uri = open_file(client, path)
    save(client, uri)
    assert await wait_for(lambda: diagnostics_of(client, uri))


@pytest.mark.content_workspace
@pytest.mark.asyncio
async def test_author_sees_content_errors_in_yaml(client: LanguageClient) -> None:
    root = client.workspace_root  # type: ignore[attr-defined]
    problem = CONTENT.get("py-sum-evens")
    body = root / problem.source_file
    good = body.read_text()
    body.write_text(good.replace("kind: function", "kind: function\ncolour: blue"))
    uri = open_file(client, body)
    save(client, uri)
    [found] = await wait_for(lambda: client.diagnostics.get(uri))
    assert found.message == "colour: unknown field 'colour'"
    assert found.range.start.line == good.splitlines().index("kind: function") + 1
    body.write_text(good)
    save(client, uri)
    await wait_for(lambda: len(client.diagnostics.get(uri, [None])) == 0)
    assert not client.questions  # type: ignore[attr-defined] (no offer to create exercises)


@pytest.mark.content_workspace
@pytest.mark.asyncio
async def test_author_previews_an_exercise(client: LanguageClient) -> None:
    uri = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="codegym.previewExercise", arguments=["js-memoize"])
    )
    assert "/.codegym/preview/" in uri and uri.endswith("-js-memoize.js")
    await assert_opened(client, uri)
    assert "// codegym: exercise js-memoize" in Path(to_fs_path(uri)).read_text()


@pytest.mark.asyncio
async def test_cancelling_the_progress_cancels_the_run(client: LanguageClient) -> None:
    if not (client.capabilities and client.capabilities.window and
            client.capabilities.window.work_done_progress):  # fmt: skip
        pytest.skip("this client profile has no work-done progress")
    _, path = exercise(client, "py-sum-evens")
    header = path.read_text().split("\n\n", 1)[0]
    slow = header + "\n\nimport time\ntime.sleep(5)\n\ndef sum_evens(numbers):\n    return 0\n"
    uri = open_file(client, path, slow)
    save(client, uri)
    [token] = await wait_for(lambda: list(client.progress_reports))
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    reports = await wait_for(
        lambda: [r for r in client.progress_reports[token] if getattr(r, "kind", "") == "end"]
    )
    assert reports[0].message == "cancelled"
    await asyncio.sleep(1.0)
    assert diagnostics_of(client, uri) == []  # the cancelled run published nothing
