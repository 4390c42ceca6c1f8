"""The learner's path in a real headless Neovim (0.7+, `vim.lsp.start_client`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegym.catalog import next_exercise
from codegym.content import load_content
from codegym.progress import ProgressStore
from codegym.workspace import default_path, exercise_id_of, render_exercise

from .conftest import REQUIRE_DOCKER, ROOT

SCRIPT = Path(__file__).parent / "nvim" / "e2e.lua"
NVIM = shutil.which("nvim")


@pytest.mark.skipif(NVIM is None and not REQUIRE_DOCKER, reason="Neovim is not installed")
def test_neovim_empty_folder_to_solved(tmp_path: Path) -> None:
    assert NVIM is not None, "CI installs Neovim (apt-get install neovim)"
    content = load_content(ROOT / "content")
    problem = content.get("py-sum-evens")
    workspace = tmp_path / "gym"
    workspace.mkdir()
    exercise = workspace / default_path(problem)
    solution = tmp_path / "solution.txt"
    header = render_exercise(problem).split("\n\n", 1)[0]
    solution.write_text(header + "\n\n" + problem.body.solution)
    report_file = tmp_path / "report.json"
    env = {
        **os.environ,
        "GYM_ROOT": str(workspace),
        "GYM_FILE": str(exercise),
        "GYM_SOLUTION": str(solution),
        "GYM_REPORT": str(report_file),
        "GYM_PYTHON": sys.executable,
        "GYM_BACKEND": "docker" if REQUIRE_DOCKER else "auto",
    }
    result = subprocess.run(
        [NVIM, "--headless", "--clean", "-u", str(SCRIPT)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    assert report.get("ok"), (report, result.stderr[-2000:])
    assert "no Code Gym exercises" in report["offer"]
    written = [exercise_id_of(path.read_text()) for path in workspace.rglob("*.[jp][sy]")]
    assert sorted(map(str, written)) == sorted(content.problems)  # generated variants included
    starter = report["steps"]["starter"]
    def_line = exercise.read_text().splitlines().index("def sum_evens(numbers):")
    assert any(d["message"].startswith("mixed numbers:") for d in starter)
    assert {d["lnum"] for d in starter} == {def_line}
    actions = report["steps"]["actions"]
    assert {"Hint 1/3", "Run tests again"} <= set(actions)
    assert "Explain this failure: mixed numbers" in actions
    assert report["steps"]["hint"]["status"] == "offline"
    shown = report["steps"]["shown"]
    assert shown["name"].endswith(".codegym/feedback/py-sum-evens/hint.md")
    assert shown["lines"][0] == "# Hint 1/3 · Sum of evens"
    assert problem.body.hints[0].splitlines()[0] in "\n".join(shown["lines"])
    assert report["steps"]["solution"] == []
    after = next_exercise(content, workspace, after=problem.id)
    assert after is not None
    title = after.problem.meta.title
    assert report["questions"][1].startswith(f"✓ Sum of evens: all 9 tests pass! Next: {title}")
    assert report["steps"]["offered"] == str(workspace / default_path(after.problem))
    assert ProgressStore(workspace).get(problem.id).status == "solved"
    following = content.ordered()[1]
    assert report["steps"]["next"] == str(workspace / default_path(following))
    reason = f"Code Gym: next, {following.meta.title}: the next unsolved exercise in course order."
    assert reason in report["messages"]
