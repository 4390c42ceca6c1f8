"""After a pass, the offer of the next exercise (a question, or a code lens where the editor
cannot answer one); the statement header folds. Over stdio with pytest-lsp, as Neovim 0.7 and as
VS Code."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from codegym.catalog import next_exercise
from codegym.lsp.client import fit_folding_ranges
from codegym.workspace import header_lines

from .lsp_support import (
    CONTENT,
    assert_opened,
    diagnostics_of,
    exercise,
    open_file,
    replace_text,
    save,
    wait_for,
)

SOLVED = "py-sum-evens"


def solve(client: LanguageClient, uri: str, version: int, extra: str = "") -> None:
    problem = CONTENT.get(SOLVED)
    header = "\n".join(header_lines(problem))
    replace_text(client, uri, version, header + "\n\n" + problem.body.solution + extra)
    save(client, uri)


def passed(client: LanguageClient) -> list[str]:
    return [m.message for m in client.messages if m.message.endswith("tests pass!")]


def lenses_of(client: LanguageClient, uri: str):
    return client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


@pytest.mark.asyncio
async def test_a_solving_save_offers_the_next_exercise_once(client: LanguageClient) -> None:
    _, path = exercise(client, SOLVED)
    uri = open_file(client, path)
    solve(client, uri, 2)
    [question] = await wait_for(lambda: client.questions)  # type: ignore[attr-defined]
    after = next_exercise(CONTENT, client.workspace_root, after=SOLVED)  # type: ignore[attr-defined]
    assert after is not None
    title = after.problem.meta.title
    assert question.message.startswith("✓ Sum of evens: all 9 tests pass! Next: " + title)
    assert [a.title for a in question.actions] == [f"Next: {title}", "Stay"]
    assert passed(client) == []  # the question says it: no second message
    # The fixture answers with the first action: the next exercise opens.
    _, next_path = exercise(client, after.problem.id)
    await wait_for(
        lambda: (
            client.shown_documents or any("Code Gym: open" in m.message for m in client.messages)
        )
    )
    await assert_opened(client, next_path.as_uri())

    # Saved again, still passing: told so, not asked again.
    solve(client, uri, 3, extra="\n# tidied\n")
    await wait_for(lambda: passed(client))
    assert len(client.questions) == 1  # type: ignore[attr-defined]

    # Broken, then solved again: the verdict turned to pass, so the offer comes again.
    replace_text(client, uri, 4, path.read_text())
    save(client, uri)
    await wait_for(lambda: diagnostics_of(client, uri))
    solve(client, uri, 5)
    await wait_for(lambda: len(client.questions) == 2)  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_a_pass_while_a_question_is_open_is_not_asked_again(client: LanguageClient) -> None:
    """The learner has not answered yet (the question can stay open for minutes) when another
    exercise passes: it is told so, and no second question stacks on the first."""
    answer = asyncio.Event()
    asked: list[types.ShowMessageRequestParams] = []

    async def hold(*args: object) -> types.MessageActionItem:
        params = args[-1]
        assert isinstance(params, types.ShowMessageRequestParams)
        asked.append(params)
        await answer.wait()
        return types.MessageActionItem(title="Stay")

    client.protocol.fm.features[types.WINDOW_SHOW_MESSAGE_REQUEST] = hold
    _, path = exercise(client, SOLVED)
    uri = open_file(client, path)
    solve(client, uri, 2)
    await wait_for(lambda: asked)

    other, other_path = exercise(client, "js-group-by")
    other_uri = open_file(client, other_path)
    header = "\n".join(header_lines(other))
    replace_text(client, other_uri, 2, header + "\n\n" + other.body.solution)
    save(client, other_uri)
    [said] = await wait_for(lambda: passed(client))
    assert said.startswith(f"✓ {other.meta.title}: all ") and said.endswith(" tests pass!")
    assert len(asked) == 1
    answer.set()


def without_questions(capabilities: types.ClientCapabilities) -> None:
    """An editor that does not declare it shows questions' actions (eglot, Helix)."""
    assert capabilities.window is not None
    capabilities.window.show_message = None


@pytest.mark.capabilities.with_args(without_questions)
@pytest.mark.asyncio
async def test_an_editor_without_questions_gets_a_next_lens(client: LanguageClient) -> None:
    _, path = exercise(client, SOLVED)
    uri = open_file(client, path)
    after = next_exercise(CONTENT, client.workspace_root, after=SOLVED)  # type: ignore[attr-defined]
    assert after is not None
    solve(client, uri, 2)
    assert await wait_for(lambda: passed(client)) == ["✓ Sum of evens: all 9 tests pass!"]
    found: list[types.CodeLens] = []
    for _ in range(600):  # the lens comes once the next exercise is chosen, off the event loop
        found = [
            lens
            for lens in await lenses_of(client, uri) or []
            if lens.command and lens.command.title.startswith("▶ Next")
        ]
        if found:
            break
        await asyncio.sleep(0.05)
    [lens] = found
    assert lens.command is not None
    assert lens.command.title == f"▶ Next: {after.problem.meta.title}"
    assert lens.command.command == "codegym.openExercise"
    assert list(lens.command.arguments or []) == [after.problem.id]
    assert client.questions == []  # type: ignore[attr-defined]
    opened = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=lens.command.command, arguments=list(lens.command.arguments or [])
        )
    )
    _, next_path = exercise(client, after.problem.id)
    assert opened == next_path.as_uri()

    # Broken again: no more "Next" lens.
    replace_text(client, uri, 3, path.read_text())
    save(client, uri)
    await wait_for(lambda: diagnostics_of(client, uri))
    titles = [lens.command.title for lens in await lenses_of(client, uri) or [] if lens.command]
    assert not any(t.startswith("▶ Next") for t in titles), titles


@pytest.mark.asyncio
async def test_the_statement_header_folds_under_its_marker_line(client: LanguageClient) -> None:
    for exercise_id in (SOLVED, "js-group-by"):
        problem, path = exercise(client, exercise_id)
        uri = open_file(client, path)
        ranges = await client.text_document_folding_range_async(
            types.FoldingRangeParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        header = header_lines(problem)
        assert header[2].endswith(f"codegym: exercise {exercise_id}")
        # From the marker line (the title above it and the lenses on it stay in view) to the
        # closing rule; the code below is not folded.
        assert list(ranges or []) == [
            types.FoldingRange(
                start_line=2, end_line=len(header) - 1, kind=types.FoldingRangeKind.Comment
            )
        ]


@pytest.mark.asyncio
async def test_no_folding_outside_exercises(client: LanguageClient) -> None:
    path = client.workspace_root / "notes.py"  # type: ignore[attr-defined]
    path.write_text("# my notes\n# more\nx = 1\n")
    uri = open_file(client, path)
    ranges = await client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert not ranges


def test_folding_ranges_fit_what_the_client_declared() -> None:
    ranges = [
        types.FoldingRange(
            start_line=1,
            end_line=30,
            start_character=2,
            end_character=9,
            kind=types.FoldingRangeKind.Comment,
        ),
        types.FoldingRange(start_line=33, end_line=40),
    ]
    assert fit_folding_ranges(ranges, None) == ranges
    lines_only = fit_folding_ranges(
        ranges, types.FoldingRangeClientCapabilities(line_folding_only=True, range_limit=1)
    )
    assert lines_only == [
        types.FoldingRange(start_line=1, end_line=30, kind=types.FoldingRangeKind.Comment)
    ]
    known_kinds = types.ClientFoldingRangeKindOptions(value_set=[types.FoldingRangeKind.Region])
    [first, _] = fit_folding_ranges(
        ranges, types.FoldingRangeClientCapabilities(folding_range_kind=known_kinds)
    )
    assert first.kind is None and first.start_character == 2
