"""What `codegym check` says after a pass: the exercise to do next and where its file is (the
editor's "Next: <title>" offer, for a learner in a terminal)."""

from __future__ import annotations

from pathlib import Path

from .catalog import next_exercise
from .content import Content, Problem
from .workspace import find_exercises, find_workspace


def next_step_line(content: Content, solved: Problem, file: Path) -> str | None:
    """ "Next: <title> (<why>): <its file>" for a file in a workspace; None outside one, or when
    every other exercise is solved."""
    root = find_workspace(file.resolve().parent)
    if root is None:
        return None
    choice = next_exercise(content, root, after=solved.id)
    if choice is None:
        return "Every exercise is solved. Impressive!"
    path = find_exercises(root).get(choice.problem.id)
    where = str(path) if path else f"`codegym init {root}` writes its file"
    return f"Next: {choice.problem.meta.title} ({choice.reason}): {where}"
