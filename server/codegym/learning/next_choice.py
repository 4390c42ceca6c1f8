"""Which exercise to offer next, from the learner's record, and why, in one line they read.

The rules (docs/learners.md § What comes next), in this order:

1. Every exercise solved: nothing to offer (the one just worked on, when it is the only one left).
2. **Struggling** on the exercise just worked on (`after`, else the one last run): it took
   `STRUGGLE_ATTEMPTS` attempts or more, or the third hint, or one error pattern came back in
   `REPEATED` of its failing runs. Offer the first unsolved exercise of the same course that is
   easier and shares a concept with it (same topic first, then the most concepts shared, then
   course order). With no such exercise, the next one in course order, saying so.
3. **Breezing**: the last `BREEZE_RUN` exercises solved were each solved on the first try
   without a hint. Skip ahead: the first unsolved exercise of the next one's topic that is
   harder than it; if it has none and the next one is easy, the next topic's first unsolved
   medium one.
4. Otherwise the first unsolved exercise in course order.

Pure and deterministic: the same content and record give the same choice."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..content import Content, Problem
from ..progress import ExerciseProgress, Progress
from .patterns import pattern_words, run_patterns

STRUGGLE_ATTEMPTS = 5
"""Attempts on one exercise that count as struggling."""
STRUGGLE_HINT = 3
"""The hint level that counts as struggling (the last, most specific hint)."""
REPEATED = 3
"""Failing runs of one exercise showing the same pattern that count as struggling."""
BREEZE_RUN = 3
"""Solves in a row on the first try, without hints, that count as breezing through."""

RANK = {"easy": 0, "medium": 1, "hard": 2}
NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five"}


@dataclass(frozen=True)
class NextChoice:
    """The exercise to offer next, and why, in one line a learner reads ("because you solved the
    last three on the first try, without hints")."""

    problem: Problem
    reason: str


def choose_next(
    content: Content, progress: Progress, after: str | None = None
) -> NextChoice | None:
    """The exercise to offer after `after` (the one just worked on, if known); None when every
    exercise is solved."""
    ordered = content.ordered()
    unsolved = [p for p in ordered if p.id != after and not _solved(progress, p.id)]
    if not unsolved:
        if after in content.problems and not _solved(progress, after):
            return NextChoice(content.problems[after], "the only exercise you have not solved")
        return None
    default = unsolved[0]
    current = _current(content, progress, after)
    if current is not None:
        why = _struggle(progress, current)
        if why is not None:
            return _easier(current, unsolved, why) or NextChoice(
                default,
                f"because {why}; there is no easier exercise on {_concepts(current)}, so the "
                "next one in course order",
            )
    if _breezing(progress):
        ahead = _harder(default, unsolved)
        if ahead is not None:
            return ahead
    if not progress.exercises or all(e.attempts == 0 for e in progress.exercises.values()):
        return NextChoice(default, "the first exercise in course order")
    return NextChoice(default, "the next unsolved exercise in course order")


# ------------------------------------------------------------------ reading the record


def _solved(progress: Progress, exercise: str) -> bool:
    entry = progress.exercises.get(exercise)
    return entry is not None and entry.status == "solved"


def _current(content: Content, progress: Progress, after: str | None) -> Problem | None:
    """The exercise just worked on: `after`, else the one of the last recorded run."""
    exercise = after or (progress.history[-1].exercise if progress.history else None)
    return content.problems.get(exercise) if exercise else None


def _struggle(progress: Progress, problem: Problem) -> str | None:
    """Why the learner struggled on `problem` ("Memoize took 9 attempts"), or None."""
    entry = progress.exercises.get(problem.id) or ExerciseProgress()
    title = problem.meta.title
    attempts = entry.attempts_to_solve or entry.attempts
    if attempts >= STRUGGLE_ATTEMPTS:
        return f"{title} took {attempts} attempts"
    if entry.max_hint_level >= STRUGGLE_HINT:
        return f"you needed the last hint on {title}"
    failing = [a for a in progress.history if a.exercise == problem.id and a.failed]
    counts = Counter(key for attempt in failing for key in run_patterns(attempt))
    repeated = [key for key, n in counts.items() if n >= REPEATED]
    if repeated:
        key = min(repeated, key=lambda k: (-counts[k], k))
        return f"{pattern_words(key)} came back in {counts[key]} runs of {title}"
    return None


def _breezing(progress: Progress) -> bool:
    """The last `BREEZE_RUN` exercises solved (by when) were each solved on the first try,
    without a hint."""
    solved = sorted(
        (entry.solved_at or "", exercise, entry)
        for exercise, entry in progress.exercises.items()
        if entry.status == "solved"
    )
    last = [entry for _, _, entry in solved[-BREEZE_RUN:]]
    return len(last) == BREEZE_RUN and all(
        entry.attempts_to_solve == 1 and entry.max_hint_level == 0 for entry in last
    )


# ------------------------------------------------------------------ the choices


def _easier(current: Problem, unsolved: list[Problem], why: str) -> NextChoice | None:
    """An unsolved, easier exercise of the course on the concepts of `current`."""
    concepts = set(current.meta.concepts)
    rank = RANK[current.meta.difficulty]
    candidates = [
        (index, p)
        for index, p in enumerate(unsolved)
        if p.course.id == current.course.id
        and RANK[p.meta.difficulty] < rank
        and concepts & set(p.meta.concepts)
    ]
    if not candidates:
        return None
    _, chosen = min(
        candidates,
        key=lambda c: (
            c[1].topic.id != current.topic.id,
            -len(concepts & set(c[1].meta.concepts)),
            c[0],
        ),
    )
    shared = [c for c in current.meta.concepts if c in chosen.meta.concepts]
    return NextChoice(chosen, f"because {why}: first a smaller one on {_titles(current, shared)}")


def _harder(default: Problem, unsolved: list[Problem]) -> NextChoice | None:
    """Skipping ahead from `default`: a harder one of its topic, else the next topic's medium."""
    words = f"because you solved the last {NUMBERS[BREEZE_RUN]} on the first try, without hints"
    rank = RANK[default.meta.difficulty]
    same_topic = [
        p for p in unsolved if p.course.id == default.course.id and p.topic.id == default.topic.id
    ]
    harder = [p for p in same_topic if RANK[p.meta.difficulty] > rank]
    if harder:
        chosen = harder[0]
        return NextChoice(chosen, f"{words}: skipping ahead to a {chosen.meta.difficulty} one")
    later = [
        p
        for p in unsolved
        if p.course.id == default.course.id
        and p.topic_index > default.topic_index
        and p.meta.difficulty == "medium"
    ]
    if rank < RANK["medium"] and later:
        chosen = later[0]
        return NextChoice(chosen, f"{words}: on to {chosen.topic.title}, at medium")
    return None


def _concepts(problem: Problem) -> str:
    return _titles(problem, problem.meta.concepts) if problem.meta.concepts else "its concepts"


def _titles(problem: Problem, concepts: list[str]) -> str:
    """Concepts by their glossary titles, each begun in lower case ("closures and scope")."""
    glossary = {
        concept.id: concept.title for topic in problem.course.topics for concept in topic.concepts
    }
    titles = [glossary.get(c, c) for c in concepts]
    titles = [title[:1].lower() + title[1:] for title in titles]
    if len(titles) == 1 or any(" and " in title for title in titles):
        return ", ".join(titles)  # "defining functions, remainder and evenness"
    return ", ".join(titles[:-1]) + " and " + titles[-1]
