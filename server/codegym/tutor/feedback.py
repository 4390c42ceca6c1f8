"""Where the tutor's answers are kept: `.codegym/feedback/<exercise>/<feature>.md`, each new
answer replacing the previous one of its kind (the editor opens it; `codegym watch` names it)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..content import Problem
from ..workspace import STATE_DIR
from .tutor import Answer, Feature


def write_feedback(root: Path | None, problem: Problem, feature: Feature, answer: Answer) -> Path:
    """Write `answer` to its file (under the temporary folder without a workspace)."""
    base = root if root is not None else Path(tempfile.gettempdir()) / "codegym"
    path = base / STATE_DIR / "feedback" / problem.id / f"{feature}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {answer.title}\n\n{answer.text}\n", encoding="utf-8")
    return path
