"""What a learner's record says, read back from hand-written progress documents: the error
patterns, the stats per topic and day, and the choice of the next exercise with its reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codegym.content import Content
from codegym.content.models import Catalog, Problem, ProblemBody
from codegym.grading import (
    Failure,
    HiddenFailure,
    HiddenResult,
    PublicResult,
    TestVerdict,
    Verdict,
)
from codegym.grading.records import ComparedValues
from codegym.learning.next_choice import choose_next
from codegym.learning.patterns import recurring, run_signs
from codegym.learning.stats import stats_document, stats_lines
from codegym.progress import Progress, ProgressStore

from .conftest import make_problem

TOPICS = {
    "loops": [
        ("a1", "easy", ["loops"]),
        ("a2", "easy", ["loops"]),
        ("a3", "medium", ["loops", "ranges"]),
        ("a4", "hard", ["ranges"]),
    ],
    "closures": [
        ("b1", "easy", ["closures"]),
        ("b2", "medium", ["closures"]),
        ("b3", "hard", ["closures", "memo"]),
    ],
}
GLOSSARY = {
    "loops": ["loops", "ranges"],
    "closures": ["closures", "memo"],
}


def course_content() -> Content:
    """One course, two topics, exercises from easy to hard on shared concepts."""
    catalog = Catalog.model_validate(
        {
            "courses": [
                {
                    "id": "py",
                    "title": "Python",
                    "language": "python",
                    "topics": [
                        {
                            "id": topic,
                            "title": topic.capitalize(),
                            "concepts": [
                                {"id": c, "title": f"The {c}", "explanation": "."}
                                for c in GLOSSARY[topic]
                            ],
                            "problems": [
                                {
                                    "id": pid,
                                    "title": pid.upper(),
                                    "difficulty": difficulty,
                                    "order": order,
                                    "concepts": concepts,
                                    "file": f"{pid}.yaml",
                                }
                                for order, (pid, difficulty, concepts) in enumerate(problems, 1)
                            ],
                        }
                        for topic, problems in TOPICS.items()
                    ],
                }
            ]
        }
    )
    body = ProblemBody.model_validate(
        {
            "statement": "A test problem.",
            "language": "python",
            "kind": "function",
            "entry_point": "f",
            "starter": "def f(): pass",
            "solution": "def f(): return 1",
            "tests": [{"kind": "call", "name": "one", "expected": 1}],
            "hints": ["one", "two", "three"],
        }
    )
    content = Content(root=Path("."), catalog=catalog)
    course = catalog.courses[0]
    for index, topic in enumerate(course.topics):
        for meta in topic.problems:
            content.problems[meta.id] = Problem(
                meta=meta,
                body=body,
                course=course,
                topic=topic,
                topic_index=index,
                source_file=meta.file,
            )
    return content


def entry(attempts: int, solved_after: int | None = None, hints: int = 0, day: int = 7) -> dict:
    solved = solved_after is not None
    return {
        "attempts": attempts,
        "first_attempt": f"2026-12-{day:02d}T10:00:00+00:00",
        "last_attempt": f"2026-12-{day:02d}T10:30:00+00:00",
        "solved_at": f"2026-12-{day:02d}T10:{10 + attempts:02d}:00+00:00" if solved else None,
        "solved_after": solved_after,
        "hint_level": 0 if solved else hints,
        "max_hint_level": hints,
    }


def run(exercise: str, errors: dict[str, int] | None = None, *, signs: list[str] | None = None,
        passed: bool = False, day: int = 7, minute: int = 0) -> dict:  # fmt: skip
    return {
        "time": f"2026-12-{day:02d}T11:{minute:02d}:00+00:00",
        "exercise": exercise,
        "status": "pass" if passed else "fail",
        "categories": {"public": {"passed": 1} if passed else {"runtime_error": 1}},
        "errors": errors or {},
        "signs": signs or [],
        "hint_level": 0,
        "since_first_s": 60 * minute,
    }


def progress_of(tmp_path: Path, document: Any) -> Progress:
    """A progress document as a learner's workspace would hold it, read back by the store."""
    store = ProgressStore(tmp_path)
    store.directory.mkdir(exist_ok=True)
    text = document if isinstance(document, str) else json.dumps(document)
    store.path.write_text(text, encoding="utf-8")
    return store.snapshot()


def choice(tmp_path: Path, document: Any, after: str | None = None) -> tuple[str, str] | None:
    chosen = choose_next(course_content(), progress_of(tmp_path, document), after)
    return (chosen.problem.id, chosen.reason) if chosen else None


# ------------------------------------------------------------------ the next exercise


def test_fresh_learner_starts_at_the_beginning(tmp_path: Path) -> None:
    assert choice(tmp_path, {"version": 2, "exercises": {}, "history": []}) == (
        "a1",
        "the first exercise in course order",
    )


def test_steady_learner_goes_on_in_course_order(tmp_path: Path) -> None:
    document = {"version": 2, "exercises": {"a1": entry(2, 2)}, "history": [run("a1")]}
    assert choice(tmp_path, document, after="a1") == (
        "a2",
        "the next unsolved exercise in course order",
    )


def test_breezing_skips_ahead_within_the_topic(tmp_path: Path) -> None:
    exercises = {"a1": entry(1, 1), "b1": entry(1, 1, day=8), "a2": entry(1, 1, day=9)}
    assert choice(tmp_path, {"version": 2, "exercises": exercises}, after="a2") == (
        "a4",
        "because you solved the last three on the first try, without hints: skipping ahead to "
        "a hard one",
    )


def test_breezing_through_the_easy_ones_goes_to_the_next_topics_medium(tmp_path: Path) -> None:
    exercises = {e: entry(1, 1, day=d) for d, e in enumerate(["a3", "a4", "a1"], 7)}
    assert choice(tmp_path, {"version": 2, "exercises": exercises}, after="a1") == (
        "b2",
        "because you solved the last three on the first try, without hints: on to Closures, "
        "at medium",
    )


def test_a_hint_is_not_breezing(tmp_path: Path) -> None:
    exercises = {"a1": entry(1, 1), "b1": entry(1, 1, day=8), "a2": entry(1, 1, hints=1, day=9)}
    assert choice(tmp_path, {"version": 2, "exercises": exercises}, after="a2") == (
        "a3",
        "the next unsolved exercise in course order",
    )


def test_struggling_offers_an_easier_one_on_the_same_concepts(tmp_path: Path) -> None:
    document = {"version": 2, "exercises": {"b3": entry(9, 9)}, "history": [run("b3")]}
    assert choice(tmp_path, document) == (
        "b1",
        "because B3 took 9 attempts: first a smaller one on the closures",
    )


def test_the_last_hint_counts_as_struggling(tmp_path: Path) -> None:
    document = {"version": 2, "exercises": {"a1": entry(1, 1), "a3": entry(2, hints=3)}}
    assert choice(tmp_path, document, after="a3") == (
        "a2",
        "because you needed the last hint on A3: first a smaller one on the loops",
    )


def test_a_repeated_error_counts_as_struggling(tmp_path: Path) -> None:
    history = [run("b2", {"IndexError": 1}, minute=m) for m in range(3)]
    document = {"version": 2, "exercises": {"b2": entry(3)}, "history": history}
    assert choice(tmp_path, document) == (
        "b1",
        "because IndexError came back in 3 runs of B2: first a smaller one on the closures",
    )


def test_struggling_with_no_easier_exercise_goes_on_in_order(tmp_path: Path) -> None:
    document = {"version": 2, "exercises": {"a1": entry(7, 7)}, "history": [run("a1")]}
    assert choice(tmp_path, document, after="a1") == (
        "a2",
        "because A1 took 7 attempts; there is no easier exercise on the loops, so the next one "
        "in course order",
    )


def test_everything_solved_offers_nothing(tmp_path: Path) -> None:
    exercises = {pid: entry(2, 2) for problems in TOPICS.values() for pid, _, _ in problems}
    assert choice(tmp_path, {"version": 2, "exercises": exercises}) is None


def test_the_last_unsolved_exercise_is_offered_even_after_itself(tmp_path: Path) -> None:
    exercises = {pid: entry(2, 2) for problems in TOPICS.values() for pid, _, _ in problems}
    exercises["b2"] = entry(2)
    assert choice(tmp_path, {"version": 2, "exercises": exercises}, after="b2") == (
        "b2",
        "the only exercise you have not solved",
    )


def test_a_version_1_record_is_read_as_it_is(tmp_path: Path) -> None:
    """Version 1 kept no history, `solved_after` nor `max_hint_level`: a solve took every
    attempt, the hint level reached is the highest."""
    old = {"attempts": 6, "solved_at": "2026-12-01T10:00:00+00:00", "hint_level": 0}
    document = {"version": 1, "exercises": {"b2": old, "a1": {"attempts": 1, "hint_level": 3}}}
    progress = progress_of(tmp_path, document)
    assert progress.exercises["b2"].attempts_to_solve == 6
    assert progress.exercises["a1"].max_hint_level == 3 and progress.history == []
    assert choice(tmp_path, document, after="b2") == (
        "b1",
        "because B2 took 6 attempts: first a smaller one on the closures",
    )


@pytest.mark.parametrize("text", ["{ not json", '{"version": 2, "exercises": []}'])
def test_a_corrupt_record_starts_afresh(tmp_path: Path, text: str) -> None:
    assert choice(tmp_path, text) == ("a1", "the first exercise in course order")
    assert list((tmp_path / ".codegym").glob("progress.corrupt-*.json"))


def test_unreadable_history_entries_are_skipped(tmp_path: Path) -> None:
    history = [7, {"exercise": "a1"}, run("a1", {"TypeError": 1})]
    progress = progress_of(tmp_path, {"version": 2, "exercises": {}, "history": history})
    assert [a.errors for a in progress.history] == [{"TypeError": 1}]


# ------------------------------------------------------------------ patterns and stats


def test_patterns_count_the_last_failing_runs() -> None:
    from codegym.learning.attempts import Attempt

    history = [Attempt.from_json(run("a1", {"IndexError": 1}, minute=m)) for m in range(4)]
    history += [Attempt.from_json(run("a2", signs=["empty_input"], minute=m)) for m in range(4)]
    history += [Attempt.from_json(run("a2", passed=True))]
    history += [Attempt.from_json(run("a3", {"TypeError": 1}, signs=["wrong_type"]))]
    attempts = [a for a in history if a is not None]
    assert [p.to_json() for p in recurring(attempts, window=8)] == [
        {"key": "empty_input", "count": 4, "window": 8,
         "text": "wrong on empty input in 4 of your last 8 failing runs"},
        {"key": "IndexError", "count": 3, "window": 8,
         "text": "IndexError in 3 of your last 8 failing runs"},
    ]  # fmt: skip


def test_stats_per_topic_pattern_and_day(tmp_path: Path) -> None:
    exercises = {"a1": entry(3, 2, hints=1), "a2": entry(1, 1), "a3": entry(4, hints=2)}
    history = [run("a3", {"IndexError": 1}, minute=m) for m in range(3)]
    history += [run("a1", passed=True, day=8)]
    progress = progress_of(tmp_path, {"version": 2, "exercises": exercises, "history": history})
    document = stats_document(course_content(), progress)
    loops, closures = document["courses"][0]["topics"]
    assert loops == {
        "id": "loops",
        "title": "Loops",
        "total": 4,
        "solved": 2,
        "attempted": 1,
        "new": 1,
        "attempts_to_solve": 1.5,
        "minutes_to_solve": 12.0,  # a1 in 13 minutes, a2 in 11
        "hints_used": 3,
    }
    assert (closures["new"], closures["attempts_to_solve"], closures["hints_used"]) == (3, None, 0)
    assert document["patterns"] == [
        {"key": "IndexError", "count": 3, "window": 3,
         "text": "IndexError in 3 of your last 3 failing runs"}
    ]  # fmt: skip
    assert document["timeline"] == [
        {"day": "2026-12-07", "runs": 3, "solved": 2, "failing_runs": 3,
         "patterns": {"IndexError": 3}},
        {"day": "2026-12-08", "runs": 1, "solved": 0, "failing_runs": 0, "patterns": {}},
    ]  # fmt: skip
    text = "\n".join(stats_lines(document))
    assert "Loops" in text and "2/4" in text and "IndexError in 3 of your last 3" in text


# ------------------------------------------------------------------ the signs of one run


def judged(*failures: Failure | HiddenFailure | None) -> Verdict:
    """A verdict with one test per failure: public tests t1…, hidden ones h1…."""
    tests: list[TestVerdict] = []
    for index, failure in enumerate(failures, 1):
        if isinstance(failure, HiddenFailure):
            tests.append(HiddenResult(id=f"h{index}", name="h", label="h", failure=failure))
        else:
            tests.append(
                PublicResult(id=f"t{index}", name="p", visibility="public", label="p",
                             failure=failure)
            )  # fmt: skip
    return Verdict(exercise="x", status="fail", backend="local", duration_ms=1, tests=tests)


def wrong(expected: Any, actual: Any) -> Failure:
    return Failure("wrong_answer", values=ComparedValues(expected, actual))


@pytest.mark.parametrize(
    ("failure", "signs"),
    [
        (wrong(6, 5), ["off_by_one"]),
        (wrong(6, 6.5), []),
        (wrong([1], None), ["no_value"]),
        (wrong({"$undefined": True}, {"$undefined": True}), []),
        (wrong(3, "3"), ["wrong_type"]),
        (wrong(3, {"$bigint": "4"}), []),  # numbers of any sort alike; not one apart as read
        (Failure("runtime_error", reason="while_loading"), ["crashed_at_import"]),
        (Failure("too_slow"), ["too_slow"]),
        (HiddenFailure("timeout", error_type=None), ["timeout"]),
        (HiddenFailure("wrong_answer", error_type="TypeError"), []),  # no values to read
        (None, []),
    ],
)
def test_the_signs_of_a_run(failure: Failure | HiddenFailure | None, signs: list[str]) -> None:
    assert run_signs(judged(failure), None) == signs


def test_empty_input_is_read_from_the_problems_public_tests() -> None:
    problem = make_problem(
        solution="def f(xs): return 0",
        entry_point="f",
        tests=[
            {"kind": "call", "name": "empty", "args": [[]], "expected": 1},
            {"kind": "call", "name": "full", "args": [[1]], "expected": 1},
            {"kind": "call", "name": "none", "args": [], "expected": 1},
        ],
    )
    assert run_signs(judged(wrong(1, 0)), problem) == ["empty_input", "off_by_one"]
    assert run_signs(judged(None, wrong(1, 0)), problem) == ["off_by_one"]
    assert run_signs(judged(None, None, wrong(1, 0)), problem) == ["off_by_one"]
    assert run_signs(judged(HiddenFailure("wrong_answer")), problem) == []
