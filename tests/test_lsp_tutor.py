"""The tutor through the language server, over stdio with pytest-lsp (as Neovim 0.7 and as VS
Code), against a scripted Ollama: quick fix → feedback stream → document shown → hover; hints
that level up; review diagnostics; generated tests that run on the next save; concept hovers;
and the same features offline."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from lsprotocol import types
from pygls.uris import to_fs_path
from pytest_lsp import LanguageClient

from .lsp_support import (
    BACKEND,
    as_code_action,
    diagnostics_of,
    exercise,
    open_file,
    plain,
    save,
    shows_documents,
    wait_for,
)
from .scripted_ollama import TUTOR_SCRIPT, Reply, ScriptedOllama

OLLAMA = ScriptedOllama([replace(r) for r in TUTOR_SCRIPT]).start()
"""One scripted Ollama for the module: the server's settings must name its address up front."""

EXPLANATION = (
    "Your function adds every number.\n\nThe test expected 6, the sum of the even numbers "
    "only: look at what `sum` receives on line 3."
)
OLLAMA.script(Reply(when="Feature: explain", content=EXPLANATION))
WRONG_LINE = "    return sum(numbers)"

online = pytest.mark.options(
    {"sandbox": {"backend": BACKEND}, "tutor": {"host": OLLAMA.url, "timeout_s": 10}}
)
offline = pytest.mark.options(
    {"sandbox": {"backend": BACKEND}, "tutor": {"host": "http://127.0.0.1:9", "timeout_s": 5}}
)


async def command(client: LanguageClient, name: str, *arguments: Any) -> Any:
    return plain(
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=list(arguments))
        )
    )


def stream_of(client: LanguageClient, feedback_id: str) -> list[dict[str, Any]]:
    stream = [plain(n) for n in client.feedback]  # type: ignore[attr-defined]
    return [n for n in stream if n["id"] == feedback_id]


async def failing_exercise(client: LanguageClient) -> tuple[str, list[types.Diagnostic], Path]:
    _, path = exercise(client, "py-sum-evens")
    text = path.read_text().replace("    return 0", WRONG_LINE)
    path.write_text(text)
    uri = open_file(client, path)
    save(client, uri)
    found = await wait_for(lambda: diagnostics_of(client, uri))
    return uri, found, path


async def hover_text(client: LanguageClient, uri: str, line: int, character: int = 8) -> str:
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    return hover.contents.value


@online
async def test_explain_quick_fix_streams_shows_and_feeds_the_hover(client: LanguageClient) -> None:
    uri, found, _ = await failing_exercise(client)
    public = next(d for d in found if d.code != "hidden")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=public.range,
            context=types.CodeActionContext(diagnostics=[public]),
        )
    )
    by_title = {a.title: as_code_action(a) for a in actions or []}
    explain = by_title[f"Explain this failure: {public.data['name']}"].command
    assert explain is not None and explain.arguments == [uri, public.code]

    result = await command(client, explain.command, *(explain.arguments or []))
    assert result["status"] == "ok"
    stream = stream_of(client, result["id"])
    kinds = [n["kind"] for n in stream]
    assert kinds[0] == "begin" and kinds[-1] == "end" and "chunk" in kinds
    assert stream[0]["feature"] == "explain" and stream[0]["exercise"] == "py-sum-evens"
    assert "".join(n["text"] for n in stream if n["kind"] == "chunk") == EXPLANATION
    end = stream[-1]
    assert (end["status"], end["source"], end["text"]) == ("ok", "llm", EXPLANATION)

    file = Path(to_fs_path(result["file"]))  # type: ignore[arg-type]
    assert file == client.workspace_root / ".codegym/feedback/py-sum-evens/explain.md"  # type: ignore[attr-defined]
    assert EXPLANATION in file.read_text()
    assert result["text"] == EXPLANATION  # for clients that show neither document nor message
    if shows_documents(client):
        assert [d.uri for d in client.shown_documents] == [result["file"]]
    else:  # never asked of a client that did not declare it (Neovim 0.7): a message instead
        assert client.shown_documents == []
        assert any(EXPLANATION in m.message for m in client.messages)

    shown = await hover_text(client, uri, public.range.start.line)
    assert "Tutor's explanation" in shown and "look at what `sum` receives" in shown

    log = client.workspace_root / ".codegym/logs/tutor.jsonl"  # type: ignore[attr-defined]
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["feature"] for r in records] == ["explain"]


@online
async def test_hints_level_up_and_reset_when_solved(client: LanguageClient) -> None:
    uri, _, path = await failing_exercise(client)
    doc = types.TextDocumentIdentifier(uri=uri)
    before = len(list(OLLAMA.chats()))
    titles = []
    for _ in range(4):
        result = await command(client, "codegym.hint", uri)
        titles.append(stream_of(client, result["id"])[0]["title"].split(" · ")[0])
    assert titles == ["Hint 1/3", "Hint 2/3", "Hint 3/3", "Hint 3/3"]
    asked = [r["messages"][1]["content"].split("\n")[0] for r in list(OLLAMA.chats())[before:]]
    assert asked == [f"Feature: hint (level {n} of 3)" for n in (1, 2, 3)]  # then the cache
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=doc))
    assert "💡 Hint 3/3" in [lens.command.title for lens in lenses]  # type: ignore[union-attr]
    progress = client.workspace_root / ".codegym/progress.json"  # type: ignore[attr-defined]
    assert json.loads(progress.read_text())["exercises"]["py-sum-evens"]["hint_level"] == 3

    solution = exercise(client, "py-sum-evens")[0].body.solution
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(
                    text=path.read_text().replace(WRONG_LINE, solution.splitlines()[-1])
                )
            ],
        )
    )
    save(client, uri)
    await wait_for(lambda: client.progress_changes)  # type: ignore[attr-defined]
    await wait_for(
        lambda: json.loads(progress.read_text())["exercises"]["py-sum-evens"]["hint_level"] == 0
    )
    result = await command(client, "codegym.hint", uri)
    assert stream_of(client, result["id"])[0]["title"].startswith("Hint 1/3")


@online
async def test_review_findings_become_information_diagnostics(client: LanguageClient) -> None:
    uri, _, _ = await failing_exercise(client)
    result = await command(client, "codegym.review", uri)
    assert result["status"] == "ok"

    def review() -> list[types.Diagnostic]:
        return [d for d in client.diagnostics.get(uri, []) if d.source == "codegym-review"]

    [finding] = await wait_for(review)
    assert finding.severity == types.DiagnosticSeverity.Information
    assert finding.range.start.line == 1 and finding.code == "style"
    assert finding.message == "Use a descriptive name."
    assert diagnostics_of(client, uri)  # the test failures are still there


@online
async def test_generated_tests_are_stored_and_run_on_the_next_save(client: LanguageClient) -> None:
    OLLAMA.script(
        Reply(
            when="Feature: tests",
            content=json.dumps({"cases": [{"args": [[2, 3, 8]], "why": "evens around an odd"}]}),
            times=1,
        )
    )
    uri, _, _ = await failing_exercise(client)
    result = await command(client, "codegym.generateTests", uri)
    assert result["status"] == "ok"
    stored = client.workspace_root / ".codegym/generated/py-sum-evens.yaml"  # type: ignore[attr-defined]
    [test] = yaml.safe_load(stored.read_text())["tests"]
    assert (test["args"], test["expected"], test["visibility"]) == ([[2, 3, 8]], 10, "generated")
    await command(client, "codegym.runTests", uri)
    generated = await wait_for(
        lambda: [d for d in diagnostics_of(client, uri) if d.code == test["id"]]
    )
    assert "returned 13, expected 10" in generated[0].message


@online
async def test_concept_hover_and_explain_concept(client: LanguageClient) -> None:
    uri, _, path = await failing_exercise(client)
    line = path.read_text().splitlines().index(WRONG_LINE)
    text = await hover_text(client, uri, line, WRONG_LINE.index("sum") + 1)
    assert text.startswith("**Built-ins: sum, len, range**")
    result = await command(client, "codegym.explainConcept", uri, "py-builtins")
    assert result["status"] == "ok"
    assert stream_of(client, result["id"])[0]["title"] == "Concept: Built-ins: sum, len, range"


@offline
async def test_offline_every_answer_comes_from_the_course(client: LanguageClient) -> None:
    uri, found, _ = await failing_exercise(client)
    problem = exercise(client, "py-sum-evens")[0]
    result = await command(client, "codegym.hint", uri)
    end = stream_of(client, result["id"])[-1]
    assert (end["status"], end["source"]) == ("offline", "authored")
    assert end["note"] == "tutor unavailable: cannot reach Ollama at http://127.0.0.1:9"
    assert problem.body.hints[0] in end["text"]
    shown = Path(to_fs_path(result["file"])).read_text()  # type: ignore[arg-type]
    assert shown.startswith("# Hint 1/3") and "Tutor unavailable" in shown

    def cannot_show(*args: object) -> None:
        return None  # as eglot answers: `null`, which is not a ShowDocumentResult

    client.protocol.fm.features[types.WINDOW_SHOW_DOCUMENT] = cannot_show

    result = await command(client, "codegym.explainFailure", uri, found[0].code)
    end = stream_of(client, result["id"])[-1]
    assert (end["status"], end["source"]) == ("offline", "rules")
    shown = await wait_for(
        lambda: [m.message for m in client.messages if m.message.startswith("Why “")]
    )
    assert end["text"] in shown[0] and "explain.md)" in shown[0]  # the answer came as a message
    # Two offline answers, one "tutor unavailable" message: not a pop-up on every command.
    told = [m for m in client.messages if "tutor unavailable" in m.message]
    assert len(told) == 1, [m.message for m in told]


@online
async def test_cancelling_the_progress_cancels_the_tutor(client: LanguageClient) -> None:
    if not (client.capabilities and client.capabilities.window and
            client.capabilities.window.work_done_progress):  # fmt: skip
        pytest.skip("this client profile has no work-done progress")
    OLLAMA.script(Reply(when="Feature: review", content="{}", delay_s=8, times=1))
    uri, _, _ = await failing_exercise(client)
    started = len(client.progress_reports)
    pending = asyncio.ensure_future(command(client, "codegym.review", uri))
    token = await wait_for(
        lambda: [
            t for t, reports in client.progress_reports.items()
            if any("tutor" in (getattr(r, "title", "") or "") for r in reports)
        ]
    )  # fmt: skip
    assert len(client.progress_reports) > started
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token[0]))
    result = await asyncio.wait_for(pending, timeout=5)
    assert result["status"] == "cancelled"
    assert stream_of(client, result["id"])[-1]["status"] == "cancelled"


@online
async def test_the_model_is_preloaded_when_the_server_starts(client: LanguageClient) -> None:
    def preloads() -> list[dict[str, Any]]:
        return [r for r in OLLAMA.requests if r["path"] == "/api/generate" and not r["prompt"]]

    [first, *_] = await wait_for(preloads)
    assert (first["model"], first["keep_alive"]) == ("qwen2.5-coder:7b", "30m")
