"""A learner's progress per course and topic, their recurring error patterns and their runs day by
day: the document of `codegym stats --json` and of the `codegym/stats` request (docs/lsp.md),
and its text for the terminal (also the request's `text`). A pure function of the content and the
progress record."""

from __future__ import annotations

from collections import defaultdict
from statistics import median
from typing import Any

from ..content import Content
from ..progress import ExerciseProgress, Progress, seconds_between
from .attempts import Attempt
from .patterns import daily_counts, recurring


def stats_document(content: Content, progress: Progress) -> dict[str, Any]:
    """`{"courses": [...], "patterns": [...], "timeline": [...]}` (docs/lsp.md § codegym/stats)."""
    courses = []
    for course in content.catalog.courses if content.catalog else []:
        topics = []
        for topic in course.topics:
            loaded = [m.id for m in topic.problems if m.id in content.problems]
            entries = [progress.exercises.get(exercise) for exercise in loaded]
            topics.append({"id": topic.id, "title": topic.title, **topic_figures(entries)})
        courses.append(
            {"id": course.id, "title": course.title, "language": course.language, "topics": topics}
        )
    return {
        "courses": courses,
        "patterns": [pattern.to_json() for pattern in recurring(progress.history)],
        "timeline": timeline(progress),
    }


def topic_figures(entries: list[ExerciseProgress | None]) -> dict[str, Any]:
    """A topic's counts, and the medians of its solved exercises (None when none is solved)."""
    statuses = [entry.status if entry else "new" for entry in entries]
    solved = [entry for entry in entries if entry is not None and entry.status == "solved"]
    attempts = [entry.attempts_to_solve for entry in solved if entry.attempts_to_solve]
    minutes = [
        minutes_between(entry.first_attempt, entry.solved_at)
        for entry in solved
        if entry.first_attempt and entry.solved_at
    ]
    return {
        "total": len(entries),
        "solved": statuses.count("solved"),
        "attempted": statuses.count("attempted"),
        "new": statuses.count("new"),
        "attempts_to_solve": median(attempts) if attempts else None,
        "minutes_to_solve": round(median(minutes), 1) if minutes else None,
        "hints_used": sum(entry.max_hint_level for entry in entries if entry is not None),
    }


def minutes_between(start: str, end: str) -> float:
    return seconds_between(start, end) / 60


def timeline(progress: Progress) -> list[dict[str, Any]]:
    """Per day of the history (UTC, oldest first): its runs, the exercises solved that day, its
    failing runs and the patterns they show."""
    runs: dict[str, int] = defaultdict(int)
    failing: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in progress.history:
        day = attempt.time[:10]
        runs[day] += 1
        if attempt.failed:
            failing[day].append(attempt)
    solved: dict[str, int] = defaultdict(int)
    for entry in progress.exercises.values():
        if entry.solved_at:
            solved[entry.solved_at[:10]] += 1
    return [
        {
            "day": day,
            "runs": runs[day],
            "solved": solved.get(day, 0),
            "failing_runs": len(failing[day]),
            "patterns": daily_counts(failing[day]),
        }
        for day in sorted(runs)
    ]


# ------------------------------------------------------------------ text


def stats_lines(document: dict[str, Any]) -> list[str]:
    """`codegym stats`: a table per course, one row per topic, then the recurring patterns."""
    lines: list[str] = []
    header = ("topic", "solved", "tried", "new", "attempts", "minutes", "hints")
    for course in document["courses"]:
        rows = [
            (
                topic["title"],
                f"{topic['solved']}/{topic['total']}",
                str(topic["attempted"]),
                str(topic["new"]),
                _figure(topic["attempts_to_solve"]),
                _figure(topic["minutes_to_solve"]),
                str(topic["hints_used"]),
            )
            for topic in course["topics"]
        ]
        width = max(len(row[0]) for row in [header, *rows])
        lines.append(f"{course['title']} ({course['language']})")
        for row in [header, *rows]:
            lines.append(f"  {row[0]:<{width}}" + "".join(f"  {cell:>8}" for cell in row[1:]))
        lines.append("")
    lines.append("attempts and minutes: median to solve; hints: highest hint level, summed")
    patterns = document["patterns"]
    if patterns:
        lines += ["", "What comes back in your failing runs:"]
        lines += [f"  {pattern['text']}" for pattern in patterns[:5]]
    elif document["timeline"]:
        lines += ["", "No error comes back in your last failing runs."]
    else:
        lines += ["", "No run recorded yet: save an exercise (or `codegym check FILE`)."]
    return lines


def _figure(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, int) or value == int(value) else f"{value:.1f}"
