"""Code Gym in a real Emacs with eglot: the set-up of docs/learners.md in `emacs --batch`, on a
folder made by `codegym init`. Save the starter → Flymake diagnostics; a hover and the code
actions on the failing line; the hint and the review (the tutor offline); the solution, saved →
cleared. One Emacs run per project layout (tests/emacs/e2e.el writes what it saw as JSON), then
one test per expectation, so that each failure says what it is about."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from codegym.content import Problem, load_content
from codegym.progress import ProgressStore
from codegym.workspace import default_path, init_workspace, render_exercise

from .conftest import REQUIRE_DOCKER, ROOT

SCRIPT = Path(__file__).parent / "emacs" / "e2e.el"
GUIDE = ROOT / "docs" / "learners.md"
EMACS = shutil.which("emacs")
SNIPPET = re.compile(
    r"<!-- snippet:emacs:begin -->\n```elisp\n(?P<elisp>.*?)```\n<!-- snippet:emacs:end -->",
    re.DOTALL,
)
EXERCISE = "py-sum-evens"

LAYOUTS = {
    # The guide's set-up as given: its `codegym-project` makes the exercises folder the project,
    # though the folder is inside a git repository (as `make.py practice` makes ./gym).
    "guide": {"hook": True, "git": True},
    # Without `codegym-project`: eglot's project is the enclosing git repository.
    "git-root": {"hook": False, "git": True},
    # Without `codegym-project` or git: eglot's project is the exercise's own (topic) folder.
    "topic-folder": {"hook": False, "git": False},
}


@dataclass
class Run:
    layout: str
    workspace: Path
    exercise: Path
    eglot_root: Path
    """The project root eglot should pick in this layout."""
    problem: Problem
    report: dict[str, Any]
    stderr: str
    seconds: float

    @property
    def steps(self) -> dict[str, Any]:
        return self.report.get("steps", {})

    def why(self) -> str:
        """What to read when an assertion fails: the failed steps, then eglot's events buffer
        (every JSON-RPC message) and the server's stderr."""
        brief = {k: v for k, v in self.report.items() if k not in ("events", "stderr")}
        steps = {k: v for k, v in self.steps.items() if k not in ("action_details", "connected")}
        return (
            f"\n--- layout {self.layout} ({self.seconds:.1f} s): ok={brief.get('ok')} "
            f"why={brief.get('why')} errors={brief.get('errors')}\n--- steps\n"
            f"{json.dumps(steps, indent=1, ensure_ascii=False)[:6000]}\n"
            f"--- messages {brief.get('messages')}\n--- requests {brief.get('requests')}\n"
            f"--- eglot events (tail)\n{(self.report.get('events') or '')[-12000:]}\n"
            f"--- server stderr (tail)\n{(self.report.get('stderr') or '')[-3000:]}\n"
            f"--- emacs stderr (tail)\n{self.stderr[-3000:]}"
        )


def unavailable(reason: str) -> None:
    if REQUIRE_DOCKER:
        pytest.fail(f"CODEGYM_REQUIRE_DOCKER=1 (CI) but {reason}")
    pytest.skip(reason)


def guide_snippet() -> str:
    found = SNIPPET.findall(GUIDE.read_text(encoding="utf-8"))
    assert len(found) == 1, "docs/learners.md needs exactly one marked ```elisp Emacs snippet"
    return found[0]


@pytest.fixture(scope="module")
def emacs() -> str:
    """`emacs`, once eglot is known to load in it (a skip otherwise, a failure in CI)."""
    if EMACS is None:
        unavailable("Emacs is not installed (apt-get install emacs-nox elpa-eglot)")
    assert EMACS is not None
    probe = subprocess.run(
        [EMACS, "--batch", "-Q", "-l", str(SCRIPT)],
        env={**os.environ, "GYM_PROBE": "1"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode != 0:
        unavailable(f"eglot cannot be loaded in Emacs: {probe.stderr.strip()[-500:]}")
    return EMACS


@pytest.fixture(scope="module", params=list(LAYOUTS))
def run(
    request: pytest.FixtureRequest, emacs: str, tmp_path_factory: pytest.TempPathFactory
) -> Run:
    layout = request.param
    options = LAYOUTS[layout]
    tmp = tmp_path_factory.mktemp(f"eglot-{layout}")
    base = tmp / "home"
    base.mkdir()
    if options["git"]:
        subprocess.run(["git", "init", "-q", str(base)], check=True, timeout=30)
    content = load_content(ROOT / "content")
    problem = content.get(EXERCISE)
    workspace = base / "gym"
    init_workspace(workspace, content)
    assert (workspace / ".codegym").is_dir(), "init_workspace marks the exercises folder"
    exercise = workspace / default_path(problem)
    solution = tmp / "solution.txt"
    header = render_exercise(problem).split("\n\n", 1)[0]
    solution.write_text(header + "\n\n" + problem.body.solution, encoding="utf-8")
    snippet = tmp / "codegym.el"
    snippet.write_text(guide_snippet(), encoding="utf-8")
    report_file = tmp / "report.json"
    env = {
        **os.environ,
        "GYM_FILE": str(exercise),
        "GYM_SOLUTION": str(solution),
        "GYM_REPORT": str(report_file),
        "GYM_PYTHON": sys.executable,
        "GYM_BACKEND": "docker" if REQUIRE_DOCKER else "auto",
        "GYM_SNIPPET": str(snippet),
        "GYM_PROJECT_HOOK": "1" if options["hook"] else "0",
    }
    for name in ("CODEGYM_TUTOR", "CODEGYM_BACKEND", "OLLAMA_HOST"):
        env.pop(name, None)  # the initializationOptions decide
    started = time.monotonic()
    result = subprocess.run(
        [emacs, "--batch", "-Q", "-l", str(SCRIPT)],
        env=env,
        cwd=tmp,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )
    seconds = time.monotonic() - started
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.exists() else {}
    eglot_root = {"guide": workspace, "git-root": base, "topic-folder": exercise.parent}[layout]
    return Run(layout, workspace, exercise, eglot_root, problem, report, result.stderr, seconds)


def def_line(run: Run) -> int:
    return run.exercise.read_text(encoding="utf-8").splitlines().index("def sum_evens(numbers):")


def test_every_step_completes(run: Run) -> None:
    assert run.report.get("ok") is True, run.why()


def test_eglot_project_root(run: Run) -> None:
    """The layout is the one meant: eglot's project root (the server's workspace folder)."""
    connected = run.steps.get("connected", {})
    assert connected, run.why()
    assert Path(connected["root"]).resolve() == run.eglot_root.resolve(), run.why()
    assert connected["flymake"] is True


def test_starter_diagnostics(run: Run) -> None:
    starter = run.steps.get("starter") or []
    line = def_line(run)
    assert any(d["message"].startswith("mixed numbers:") and d["lnum"] == line for d in starter), (
        run.why()
    )
    assert {d["lnum"] for d in starter if d["source"] == "codegym"} == {line}, run.why()


def test_hover_shows_the_failure(run: Run) -> None:
    hover = run.steps.get("hover") or {}
    text = hover.get("text") or ""
    assert "mixed numbers: sum_evens([1, 2, 3, 4]) returned 0, expected 6" in text, run.why()


def test_hover_is_plain_text(run: Run) -> None:
    """eglot 1.9 without markdown-mode asks for plaintext hovers only."""
    contents = (run.steps.get("hover") or {}).get("contents") or {}
    assert contents.get("kind") == "plaintext", run.why()
    assert "**" not in contents.get("value", "") and "```" not in contents.get("value", "")


def test_code_actions_on_the_failing_line(run: Run) -> None:
    titles = run.steps.get("actions") or []
    assert "Hint 1/3" in titles, run.why()
    assert "Run tests again" in titles, run.why()
    assert any(t.startswith("Explain this failure") for t in titles), run.why()


def test_code_actions_explain_the_first_failure(run: Run) -> None:
    """eglot sends the line's diagnostics in the reverse of the published order: the actions
    still follow the tests' order."""
    titles = run.steps.get("actions") or []
    assert "Explain this failure: mixed numbers" in titles, run.why()


def test_hint_offline(run: Run) -> None:
    hint = run.steps.get("hint")
    assert isinstance(hint, dict), run.why()
    assert hint.get("status") == "offline", run.why()
    first_line = run.problem.body.hints[0].splitlines()[0]
    assert first_line in (hint.get("text") or ""), run.why()
    saved = run.workspace / ".codegym" / "feedback" / EXERCISE / "hint.md"
    assert hint.get("file") == saved.as_uri(), run.why()
    assert first_line in saved.read_text(encoding="utf-8")


def test_hint_comes_as_a_message(run: Run) -> None:
    """eglot cannot open documents for the server (no `window.showDocument` capability): the
    answer comes as `window/showMessage`, with the file it is saved in."""
    assert not [r for r in run.report.get("requests", []) if r["method"] == "window/showDocument"]
    first_line = run.problem.body.hints[0].splitlines()[0]
    saved = run.workspace / ".codegym" / "feedback" / EXERCISE / "hint.md"
    assert any(
        first_line in m["message"] and str(saved) in m["message"]
        for m in run.report.get("messages", [])
    ), run.why()


def test_review(run: Run) -> None:
    review = run.steps.get("review")
    assert isinstance(review, dict), run.why()
    assert review.get("status") == "offline" and review.get("text"), run.why()
    saved = run.workspace / ".codegym" / "feedback" / EXERCISE / "review.md"
    assert review.get("file") == saved.as_uri(), run.why()


def test_solution_clears_the_diagnostics(run: Run) -> None:
    assert run.steps.get("solution") == [], run.why()
    messages = [m["message"] for m in run.report.get("messages", [])]
    assert any(m.endswith("all 9 tests pass!") for m in messages), run.why()
    assert ProgressStore(run.workspace).get(EXERCISE).status == "solved", run.why()


def test_state_stays_in_the_exercises_folder(run: Run) -> None:
    """Whatever root eglot picked, the server keeps its state in the exercises folder."""
    assert (run.workspace / ".codegym" / "progress.json").is_file(), run.why()
    if run.eglot_root != run.workspace:
        assert not (run.eglot_root / ".codegym").exists(), run.why()
