"""The learner's record through the language server: `codegym/stats` after saves (with the text
`codegym stats` prints), and `codegym.nextExercise` choosing from the record and saying why (as
Neovim 0.7 and VS Code)."""

from __future__ import annotations

import asyncio
import json

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .lsp_support import assert_opened, exercise, open_file, plain, replace_text, save, wait_for
from .test_cli import codegym

pytestmark = pytest.mark.slow  # a language server per test


@pytest.mark.asyncio
async def test_stats_after_a_failing_and_a_passing_save(client: LanguageClient) -> None:
    empty = plain(await client.protocol.send_request_async("codegym/stats", {}))
    assert (empty["patterns"], empty["timeline"]) == ([], [])
    assert empty["text"].splitlines()[-1].startswith("No run recorded yet: ")
    problem, path = exercise(client, "py-sum-evens")
    uri = open_file(client, path)
    save(client, uri)  # the starter: it fails
    await wait_for(lambda: len(client.progress_changes) == 1)  # type: ignore[attr-defined]
    header = path.read_text().split("\n\n", 1)[0]
    replace_text(client, uri, 2, header + "\n\n" + problem.body.solution)
    save(client, uri)
    await wait_for(lambda: len(client.progress_changes) == 2)  # type: ignore[attr-defined]

    stats = plain(await client.protocol.send_request_async("codegym/stats", {}))
    python = next(c for c in stats["courses"] if c["id"] == "python")
    basics = python["topics"][0]
    total = len(problem.topic.problems)
    assert (basics["id"], basics["total"], basics["solved"]) == (problem.topic.id, total, 1)
    assert (basics["attempted"], basics["new"], basics["attempts_to_solve"]) == (0, total - 1, 2)
    assert basics["hints_used"] == 0 and basics["minutes_to_solve"] is not None
    [day] = stats["timeline"]
    assert (day["runs"], day["solved"], day["failing_runs"]) == (2, 1, 1)

    # The text is what `codegym stats` prints in a terminal for the record the saves wrote.
    workspace = client.workspace_root  # type: ignore[attr-defined]
    printed = await asyncio.to_thread(codegym, "stats", workspace)
    assert printed.returncode == 0, printed.stderr
    assert stats["text"] + "\n" == printed.stdout
    lines = stats["text"].splitlines()
    course = lines.index(f"{python['title']} ({python['language']})")
    row = next(line for line in lines[course:] if line.startswith(f"  {problem.topic.title} "))
    assert row.split(problem.topic.title, 1)[1].split()[0] == f"1/{total}"  # solved/total


@pytest.mark.asyncio
async def test_next_exercise_after_a_struggle_is_easier_and_says_why(
    client: LanguageClient,
) -> None:
    """A learner stuck on Parking fee (9 attempts) is offered Sum of evens, which shares two of
    its concepts and is easy, with the reason in the message."""
    record = {
        "version": 2,
        "exercises": {"py-parking-fee": {"attempts": 9, "first_attempt": "2026-12-07T10:00:00"}},
        "history": [
            {"time": "2026-12-07T10:20:00", "exercise": "py-parking-fee", "status": "fail"}
        ],
    }
    store = client.workspace_root / ".codegym" / "progress.json"  # type: ignore[attr-defined]
    store.write_text(json.dumps(record))
    shown = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="codegym.nextExercise", arguments=[])
    )
    assert shown.endswith("01-py-sum-evens.py")
    await assert_opened(client, shown)
    expected = (
        "Code Gym: next, Sum of evens: because Parking fee took 9 attempts: first a smaller one "
        "on defining functions, remainder and evenness."
    )
    await wait_for(lambda: any(m.message == expected for m in client.messages))
