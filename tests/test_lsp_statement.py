"""`codegym/statement` (the statement beside the code, in VS Code's side view) and
`codegym/contentChanged`, over stdio with pytest-lsp, as Neovim 0.7 and as VS Code."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_lsp import LanguageClient

from codegym.workspace import learner_problem

from .lsp_support import CONTENT, exercise, open_file, plain, save, wait_for


async def statement(client: LanguageClient, params: dict[str, str]) -> dict[str, Any] | None:
    return plain(await client.protocol.send_request_async("codegym/statement", params))


@pytest.mark.asyncio
async def test_statement_of_an_open_exercise_document_and_by_id(client: LanguageClient) -> None:
    problem, path = exercise(client, "py-sum-evens")
    uri = open_file(client, path)
    found = await statement(client, {"uri": uri})
    assert found is not None
    assert {k: v for k, v in found.items() if k != "markdown"} == {
        "id": "py-sum-evens",
        "title": "Sum of evens",
        "language": "python",
        "difficulty": "easy",
        "concepts": problem.meta.concepts,
    }
    title, facts, rest = found["markdown"].split("\n\n", 2)
    assert title == "# Sum of evens"
    glossary = {c.id: c.title for c in problem.topic.concepts}
    concepts = ", ".join(glossary[c] for c in problem.meta.concepts)
    assert facts == f"**easy** · Python › Basics and functions · concepts: {concepts}"
    assert f"{title}\n\n{rest}" == problem.body.statement.strip() + "\n"  # as the content has it
    assert await statement(client, {"id": "py-sum-evens"}) == found


@pytest.mark.asyncio
async def test_statement_never_shows_the_solution_hints_or_tests(client: LanguageClient) -> None:
    root = client.workspace_root  # type: ignore[attr-defined]
    for problem in CONTENT.problems.values():
        found = await statement(client, {"id": problem.id})
        assert found is not None
        body = learner_problem(problem, root).body  # a variant exercise: the learner's own
        title, facts, rest = found["markdown"].split("\n\n", 2)
        assert f"{title}\n\n{rest}" == body.statement.strip() + "\n", problem.id
        assert title == f"# {problem.meta.title}" and facts.startswith("**"), problem.id
        assert "{{" not in found["markdown"], problem.id  # placeholders substituted
        assert body.solution.strip() not in found["markdown"], problem.id
        assert not [hint for hint in body.hints if hint.strip() in found["markdown"]], problem.id


@pytest.mark.asyncio
async def test_no_statement_for_what_is_not_an_exercise(client: LanguageClient) -> None:
    root = client.workspace_root  # type: ignore[attr-defined]
    notes = root / "notes.py"
    notes.write_text("print('my notes')\n")
    assert await statement(client, {"uri": open_file(client, notes)}) is None
    assert await statement(client, {"uri": (root / "not-open.py").as_uri()}) is None
    assert await statement(client, {"id": "no-such-exercise"}) is None
    assert await statement(client, {}) is None


@pytest.mark.content_workspace
@pytest.mark.asyncio
async def test_a_content_reload_is_announced_and_the_statement_follows(
    client: LanguageClient,
) -> None:
    reloads: list[object] = []

    @client.feature("codegym/contentChanged")
    def on_reload(_client: LanguageClient, params: object) -> None:
        reloads.append(params)

    root = client.workspace_root  # type: ignore[attr-defined]
    problem = CONTENT.get("py-sum-evens")
    body = root / problem.source_file
    line = problem.body.statement.splitlines()[2]  # under the title
    assert line and line in body.read_text()
    body.write_text(body.read_text().replace(line, "Add up the even numbers, quickly."))
    save(client, open_file(client, body))  # an author's save reloads the content
    await wait_for(lambda: reloads)
    found = await statement(client, {"id": "py-sum-evens"})
    assert found is not None
    assert "Add up the even numbers, quickly." in found["markdown"]
    assert line not in found["markdown"]
