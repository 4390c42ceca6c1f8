"""The catalog as a learner sees it: courses → topics → exercises, each with its status and file.
Served by the language server as `codegym/catalog` (docs/lsp.md); and the exercise to offer next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .content import Content
from .learning.next_choice import NextChoice, choose_next
from .progress import Progress, ProgressStore
from .workspace import find_exercises


def learner_catalog(content: Content, root: Path | None) -> dict[str, Any]:
    files = find_exercises(root) if root else {}
    progress = ProgressStore(root).load() if root else {}
    courses = []
    for course in content.catalog.courses if content.catalog else []:
        topics = []
        for topic in course.topics:
            exercises = []
            for meta in sorted(topic.problems, key=lambda m: m.order):
                if meta.id not in content.problems:
                    continue  # failed to load; `codegym validate` says why
                entry = progress.get(meta.id)
                exercises.append(
                    {
                        "id": meta.id,
                        "title": meta.title,
                        "difficulty": meta.difficulty,
                        "order": meta.order,
                        "concepts": meta.concepts,
                        "status": entry.status if entry else "new",
                        "file": files[meta.id].as_uri() if meta.id in files else None,
                    }
                )
            topics.append({"id": topic.id, "title": topic.title, "exercises": exercises})
        courses.append(
            {"id": course.id, "title": course.title, "language": course.language, "topics": topics}
        )
    solved = sum(1 for entry in progress.values() if entry.status == "solved")
    return {"courses": courses, "solved": solved, "total": len(content.problems)}


def next_exercise(
    content: Content, root: Path | None, after: str | None = None
) -> NextChoice | None:
    """The exercise to offer next (after `after`, the one just worked on, if given), chosen from
    the learner's record (`learning.next_choice`); None when every exercise is solved."""
    progress = ProgressStore(root).snapshot() if root else Progress()
    return choose_next(content, progress, after)
