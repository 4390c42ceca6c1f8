"""The Neovim set-up of docs/learners.md, as a learner pastes it, in a real headless Neovim."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegym.content import load_content
from codegym.workspace import default_path, header_lines

from .conftest import REQUIRE_DOCKER, ROOT

GUIDE = ROOT / "docs" / "learners.md"
DRIVER = Path(__file__).parent / "nvim" / "learner_guide.lua"
NVIM = shutil.which("nvim")
BIN = Path(sys.executable).parent  # .venv/bin: `codegym` is installed next to the interpreter

SNIPPET = re.compile(
    r"<!-- snippet:neovim:begin -->\n```lua\n(?P<lua>.*?)```\n<!-- snippet:neovim:end -->",
    re.DOTALL,
)


def guide_snippet() -> str:
    found = SNIPPET.findall(GUIDE.read_text(encoding="utf-8"))
    assert len(found) == 1, "docs/learners.md needs exactly one marked ```lua Neovim snippet"
    return found[0]


def topic_row(lines: list[str], title: str) -> list[str]:
    """The cells after the title of the first course's row for the topic `title`."""
    row = next(line for line in lines if line.startswith(f"  {title} "))
    return row.split(title, 1)[1].split()


def test_readme_points_at_the_guide() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/learners.md" in readme
    assert "vim.lsp.start_client" not in readme, "the Neovim snippet lives in docs/learners.md"


@pytest.mark.slow
@pytest.mark.skipif(NVIM is None and not REQUIRE_DOCKER, reason="Neovim is not installed")
def test_guide_neovim_snippet(tmp_path: Path) -> None:
    assert NVIM is not None, "CI installs Neovim (apt-get install neovim)"
    codegym = BIN / "codegym"
    assert codegym.is_file(), f"no codegym next to {sys.executable}"
    workspace = tmp_path / "gym"
    subprocess.run([codegym, "init", workspace], check=True, capture_output=True, timeout=60)
    problem = load_content(ROOT / "content").get("py-sum-evens")
    exercise = workspace / default_path(problem)
    assert exercise.is_file()
    solution = tmp_path / "solution.txt"
    header = exercise.read_text(encoding="utf-8").split("\n\n", 1)[0]
    solution.write_text(header + "\n\n" + problem.body.solution, encoding="utf-8")
    init = tmp_path / "init.lua"
    init.write_text(guide_snippet(), encoding="utf-8")
    report_file = tmp_path / "report.json"
    env = {
        **os.environ,
        # The snippet finds `codegym` with exepath(): the learner's PATH.
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GYM_REPORT": str(report_file),
        "GYM_SOLUTION": str(solution),
        # Nothing listens there: the tutor answers offline, as without Ollama.
        "OLLAMA_HOST": "http://127.0.0.1:9",
        # Neovim's own state (the LSP log) stays in the test's folder.
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    env.pop("CODEGYM_TUTOR", None)
    if REQUIRE_DOCKER:
        env["CODEGYM_BACKEND"] = "docker"  # else the server chooses (auto)
    else:
        env.pop("CODEGYM_BACKEND", None)
    result = subprocess.run(
        [NVIM, "--headless", "--clean", "-u", str(init), "-c", f"luafile {DRIVER}", str(exercise)],
        env=env,
        cwd=workspace,  # the learner starts Neovim in the exercises folder
        capture_output=True,
        text=True,
        timeout=90,
    )
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    assert report.get("ok"), (report, result.stdout[-2000:], result.stderr[-2000:])
    steps = report["steps"]
    assert steps["filetype"] == "python"
    # The statement folded: from under the marker line (line 3, its lenses in view) to the rule.
    assert steps["fold"] == {"first": 4, "last": len(header_lines(problem))}
    client = steps["client"]
    assert client["cmd"] == [str(codegym), "serve"]
    assert Path(client["root_dir"]).resolve() == workspace.resolve()
    assert client["buffer_var"] and client["hover_key"]

    diagnostics = steps["diagnostics"]
    def_line = exercise.read_text().splitlines().index("def sum_evens(numbers):")
    messages = [d["message"] for d in diagnostics]
    assert any(m.startswith("mixed numbers: sum_evens([1, 2, 3, 4]) returned 0") for m in messages)
    hidden = [d for d in diagnostics if d["code"] == "hidden"]
    assert len(hidden) == 1 and re.match(r"\d+ of \d+ hidden tests fail: ", hidden[0]["message"])
    assert {d["lnum"] for d in diagnostics} == {def_line}

    assert "not run yet" in steps["lenses_before_save"]
    lenses = steps["lenses"]
    assert {"▶ Run tests", "💡 Hint 1/3", "🔍 Review"} <= set(lenses)
    assert any(t.startswith("✗ 1/4 public · ") for t in lenses), lenses

    feedback = steps["feedback"]
    assert feedback["name"].endswith("/.codegym/feedback/py-sum-evens/hint.md")
    assert feedback["lines"][0] == "# Hint 1/3 · Sum of evens"
    assert feedback["lines"][2].startswith("> Tutor unavailable: cannot reach Ollama at ")
    assert problem.body.hints[0].splitlines()[0] in "\n".join(feedback["lines"])
    assert feedback["windows"] == 2 and feedback["cursor_in_exercise"]
    assert steps["review"] == {"windows": 2, "cursor_in_exercise": True}  # one feedback window
    assert any(m.startswith("Code Gym: tutor unavailable: ") for m in report["messages"])

    # :CodeGym stats: the exercise's topic row in a read-only scratch split, the cursor in it,
    # `q` closes it (the exercise, the feedback and the stats windows while it is open).
    title, total = problem.topic.title, len(problem.topic.problems)
    failing = steps["stats_failing"]  # solved/total, tried, new
    assert topic_row(failing["lines"], title)[:3] == [f"0/{total}", "1", f"{total - 1}"]
    assert (failing["bufhidden"], failing["modifiable"]) == ("wipe", False)
    assert failing["windows"] == 3 and failing["cursor_in_stats"]
    assert failing["closed"] and failing["wiped"]
    # After the solution, from an empty buffer (no exercise open): what `codegym stats` prints.
    solved = steps["stats_solved"]
    assert topic_row(solved["lines"], title)[:3] == [f"1/{total}", "0", f"{total - 1}"]
    assert solved["closed"] and solved["wiped"]
    printed = subprocess.run(
        [codegym, "stats", workspace], check=True, capture_output=True, text=True, timeout=60
    )
    assert solved["lines"] == printed.stdout.splitlines()
    if not REQUIRE_DOCKER:
        return
    assert not any("local sandbox" in m for m in report["messages"])
