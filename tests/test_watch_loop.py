"""`codegym watch`'s loop without a terminal: file changes and keys in, screen states out, with
the real local sandbox, progress store and tutor (off, or a scripted Ollama)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from codegym.config import Settings
from codegym.content import Problem, load_content
from codegym.grading import Verdict
from codegym.sandbox import Sandbox
from codegym.watch.loop import Watch
from codegym.watch.screen import ScreenState, render
from codegym.workspace import STATE_DIR, header_lines, init_workspace, render_exercise

from .conftest import ROOT
from .scripted_ollama import TUTOR_SCRIPT, ScriptedOllama

CONTENT = load_content(ROOT / "content")
FIRST = CONTENT.problems["py-sum-evens"]


def solved(problem: Problem) -> str:
    return "\n".join(header_lines(problem)) + "\n\n" + problem.body.solution


async def until(condition: Callable[[], object], what: str, deadline_s: float = 60) -> None:
    """Wait for `condition`, with a generous deadline (a shared, busy machine)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline_s
    while not condition():
        assert loop.time() < end, f"still waiting for {what}"
        await asyncio.sleep(0.02)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    init_workspace(tmp_path, CONTENT, course="python")
    return tmp_path


def make_watch(workspace: Path, sandbox: Sandbox, **tutor: object) -> tuple[Watch, list[str]]:
    """A loop whose screens are kept as text, newest last."""
    screens: list[str] = []
    settings = Settings.model_validate({"tutor": tutor or {"enabled": False}})

    def show(state: ScreenState) -> None:
        screens.append("\n".join(render(state, width=400, height=60)))

    return Watch(CONTENT, workspace, settings, sandbox, show), screens


def attempts(workspace: Path, exercise: str) -> int:
    document = json.loads((workspace / STATE_DIR / "progress.json").read_text())
    return int(document["exercises"][exercise]["attempts"])


async def test_start_offers_the_next_exercise_and_its_file(workspace, local_sandbox) -> None:
    watch, screens = make_watch(workspace, local_sandbox)
    await watch.start()
    assert watch.state.problem == FIRST
    assert watch.state.file is not None and watch.state.file.is_file()
    assert f"Start with: open {watch.state.file} in your editor" in screens[-1]
    assert "not run yet" in screens[-1]


async def test_a_saved_file_is_run_and_counts_as_an_attempt(workspace, local_sandbox) -> None:
    watch, screens = make_watch(workspace, local_sandbox)
    await watch.start()
    path = watch.state.file
    assert path is not None
    path.write_text(path.read_text() + "# a change\n")
    watch.file_changed(path)
    await until(lambda: "✗ 1/4 public" in screens[-1], "the run's result")
    assert "      expected: 6" in screens[-1]
    await until(lambda: (workspace / STATE_DIR / "progress.json").exists(), "the record")
    assert attempts(workspace, FIRST.id) == 1
    await watch.close()


async def test_the_newest_content_wins_and_a_burst_is_one_run(workspace, local_sandbox) -> None:
    watch, screens = make_watch(workspace, local_sandbox)
    await watch.start()
    path = watch.state.file
    assert path is not None
    path.write_text(path.read_text() + "# first save\n")
    watch.file_changed(path)  # the editor writes…
    path.write_text(solved(FIRST))
    watch.file_changed(path)  # …and writes again before the first settled
    solved_line = f"✓ {FIRST.meta.title} solved. Press n for the next one."
    await until(lambda: solved_line in screens[-1], "the run's result")
    assert watch.state.verdict is not None and watch.state.verdict.status == "pass"
    assert attempts(workspace, FIRST.id) == 1
    await watch.close()


async def test_a_run_in_flight_is_superseded(workspace, local_sandbox) -> None:
    watch, screens = make_watch(workspace, local_sandbox)
    await watch.start()
    path = watch.state.file
    assert path is not None
    slow = render_exercise(FIRST) + "import time\ntime.sleep(30)\n"
    watch.run(FIRST, path, slow)
    watch.run(FIRST, path, solved(FIRST))
    await until(lambda: "solved. Press n" in screens[-1], "the run's result")
    assert watch.state.verdict is not None and watch.state.verdict.status == "pass"
    assert attempts(workspace, FIRST.id) == 1  # the superseded run is not an attempt
    await watch.close()


async def test_a_file_of_another_exercise_becomes_the_current_one(workspace, local_sandbox) -> None:
    watch, screens = make_watch(workspace, local_sandbox)
    await watch.start()
    other = CONTENT.problems["py-guess-judge"]
    [path] = workspace.rglob(f"*{other.id}.py")
    path.write_text(path.read_text() + "\n")
    watch.file_changed(path)
    await until(lambda: watch.state.verdict is not None and not watch.state.running, "the run")
    assert watch.state.problem == other
    assert f"▶ {other.id}" in screens[-1]
    await watch.close()


async def test_files_that_are_not_exercises_are_ignored(workspace, local_sandbox) -> None:
    watch, _ = make_watch(workspace, local_sandbox)
    await watch.start()
    scratch = workspace / "scratch.py"
    scratch.write_text("print('hello')\n")
    watch.file_changed(scratch)
    assert not watch.quiet
    await until(lambda: watch.quiet, "the change to settle")
    assert watch.state.problem == FIRST
    assert watch.state.verdict is None and not watch.state.running


async def test_next_moves_on_and_writes_a_missing_file(workspace, local_sandbox) -> None:
    watch, screens = make_watch(workspace, local_sandbox)
    await watch.start()
    [path] = workspace.rglob("*py-guess-judge.py")
    path.unlink()
    assert await watch.key("n")
    assert watch.state.problem == CONTENT.problems["py-guess-judge"]
    assert path.is_file()
    assert f"Next: open {path} in your editor (" in screens[-1]


async def test_reset_keeps_a_backup_and_writes_the_starter(workspace, local_sandbox) -> None:
    watch, screens = make_watch(workspace, local_sandbox)
    await watch.start()
    path = watch.state.file
    assert path is not None
    path.write_text(solved(FIRST))
    await watch.key("r")
    assert path.read_text() == render_exercise(FIRST)
    [backup] = (workspace / STATE_DIR / "backups").iterdir()
    assert backup.read_text() == solved(FIRST)
    assert f"Reset {path} to the starter code; your version is in {backup}." in screens[-1]
    await watch.key("r")
    assert f"{path} is already the starter code." in screens[-1]


async def test_hints_go_level_by_level_offline(workspace, local_sandbox) -> None:
    watch, screens = make_watch(workspace, local_sandbox)
    await watch.start()
    await watch.key("h")
    await until(lambda: watch.state.tutor and not watch.state.tutor.working, "the hint")
    assert "── Hint 1/3 · Sum of evens" in screens[-1]
    assert "Offline answer: The tutor model is turned off" in screens[-1]
    assert FIRST.body.hints[0].splitlines()[0] in screens[-1]
    await watch.key("h")
    await until(lambda: watch.state.tutor and not watch.state.tutor.working, "the hint")
    assert "── Hint 2/3 · Sum of evens" in screens[-1]
    progress = json.loads((workspace / STATE_DIR / "progress.json").read_text())
    assert progress["exercises"][FIRST.id]["hint_level"] == 2
    assert (workspace / STATE_DIR / "feedback" / FIRST.id / "hint.md").is_file()
    await watch.close()


async def test_explain_needs_a_failure(workspace, local_sandbox) -> None:
    watch, screens = make_watch(workspace, local_sandbox)
    await watch.start()
    await watch.key("e")
    assert "Save the file first: nothing ran yet." in screens[-1]


async def test_explain_answers_from_the_model(workspace, local_sandbox) -> None:
    with ScriptedOllama(list(TUTOR_SCRIPT)) as ollama:
        watch, screens = make_watch(
            workspace, local_sandbox, host=ollama.url, timeout_s=10, connect_timeout_s=2
        )
        await watch.start()
        path = watch.state.file
        assert path is not None
        path.write_text(path.read_text() + "\n")
        watch.file_changed(path)
        await until(lambda: watch.state.verdict is not None and not watch.state.running, "run")
        await watch.key("e")
        await until(lambda: watch.state.tutor and not watch.state.tutor.working, "the answer")
        await watch.close()
    assert "── Why “mixed numbers” fails · Sum of evens" in screens[-1]
    assert "The test expected a different value than your function returned." in screens[-1]
    assert "Offline answer" not in screens[-1]


async def test_start_loads_the_model_in_the_background(workspace, local_sandbox) -> None:
    """As the language server does: the first `h` does not wait for the model to load."""
    with ScriptedOllama(list(TUTOR_SCRIPT)) as ollama:
        watch, _ = make_watch(
            workspace, local_sandbox, host=ollama.url, timeout_s=10, connect_timeout_s=2
        )
        await watch.start()
        await until(
            lambda: any(r["path"] == "/api/generate" and not r["prompt"] for r in ollama.requests),
            "the preload",
        )
        await watch.close()
        assert not any(r["path"] == "/api/chat" for r in ollama.requests)  # nothing asked yet


async def test_next_stays_on_the_last_unsolved_exercise(workspace, local_sandbox) -> None:
    watch, screens = make_watch(workspace, local_sandbox)
    await watch.start()
    for problem in CONTENT.ordered():
        if problem != FIRST:  # solved, as a recorded passing run says
            watch.progress.record(problem.id, Verdict(problem.id, "pass", "local", 1.0, []))
    await watch.key("n")
    assert watch.state.problem == FIRST
    assert "This is the last unsolved exercise: no other to go to." in screens[-1]
    watch.progress.record(FIRST.id, Verdict(FIRST.id, "pass", "local", 1.0, []))
    await watch.key("n")
    assert watch.state.problem is None
    assert "Every exercise is solved. Well done!" in screens[-1]
