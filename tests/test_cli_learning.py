"""A learner in the terminal: `codegym check` records each run in the workspace and reports five
levels; `codegym stats` reads the record back; `codegym next` says what to do next and why."""

from __future__ import annotations

import json
from pathlib import Path

from codegym.content import load_content
from codegym.workspace import default_path

from .conftest import ROOT
from .test_cli import codegym

CONTENT = load_content(ROOT / "content")


def solve(file: Path, solution: str, extra: str = "") -> None:
    header = file.read_text(encoding="utf-8").split("\n\n", 1)[0]
    file.write_text(header + "\n\n" + solution + extra, encoding="utf-8")


def test_a_learner_checks_then_reads_stats_and_next(tmp_path: Path) -> None:
    assert codegym("init", tmp_path, "--course", "python").returncode == 0
    first = CONTENT.get("py-sum-evens")
    file = tmp_path / default_path(first)
    for _ in range(2):
        assert codegym("check", file).returncode == 1
    # The solution, with a finding of the offline review added: `== None`.
    solve(file, first.body.solution, "\n\ndef unused(x):\n    return x == None\n")
    checked = codegym("check", file, "--json")
    assert checked.returncode == 0, checked.stderr
    levels = json.loads(checked.stdout)["levels"]
    assert list(levels) == ["syntax", "runs", "public", "hidden", "quality", "efficiency"]
    assert levels["quality"]["findings"] >= 1 and levels["quality"]["by_category"]["style"] >= 1
    text = codegym("check", file).stdout.splitlines()
    assert text[1].startswith("  levels: syntax ✓ · runs ✓ · tests ")
    assert "quality: " in text[1] and "style" in text[1]

    stats = codegym("stats", tmp_path, "--json")
    assert stats.returncode == 0, stats.stderr
    document = json.loads(stats.stdout)
    basics = document["courses"][0]["topics"][0]
    assert (basics["id"], basics["solved"], basics["attempts_to_solve"]) == (first.topic.id, 1, 3)
    assert document["timeline"][0]["runs"] == 4 and document["timeline"][0]["failing_runs"] == 2
    shown = codegym("stats", tmp_path).stdout
    assert first.topic.title in shown and "1/" in shown

    following = codegym("next", tmp_path / "python").stdout.splitlines()
    second = next(p for p in CONTENT.ordered() if p.id != first.id)
    assert following[0].startswith(f"next: {second.id} · {second.meta.title}")
    assert following[1] == "  The next unsolved exercise in course order."


def test_a_check_outside_a_workspace_records_nothing(tmp_path: Path) -> None:
    problem = CONTENT.get("py-sum-evens")
    file = tmp_path / "alone.py"
    file.write_text(f"# codegym: exercise {problem.id}\n\n{problem.body.starter}")
    assert codegym("check", file).returncode == 1
    assert not (tmp_path / ".codegym").exists()
    assert "No run recorded yet" in codegym("stats", tmp_path).stdout
