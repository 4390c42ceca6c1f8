"""The solution-leak screen: recall and precision on the labelled set of tutor answers
(tests/tutor_leak_set/, written independently of the screen), and the cases that shaped it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from codegym.config import TutorSettings
from codegym.content import Problem, load_content
from codegym.tutor.leak_screen import LeakCheck, displayable_prefix, screen_answer

ROOT = Path(__file__).resolve().parents[1]
CONTENT = load_content(ROOT / "content")
LEAK_SETS = ROOT / "tests" / "tutor_leak_set"
DEVELOPMENT = ["python.yaml", "javascript.yaml"]
"""The first set: its misses shaped three of the screen's rules."""
HELD_OUT = ["heldout.yaml"]
"""Written later, by someone who never saw the screen, and never used to change it."""
THRESHOLD = TutorSettings().leak_threshold


def screen(answer: str, problem: Problem, learner_code: str | None = None) -> LeakCheck:
    body = problem.body
    return screen_answer(
        answer,
        solution=body.solution,
        language=body.language,
        entry_point=body.entry_point,
        learner_code=body.starter if learner_code is None else learner_code,
        threshold=THRESHOLD,
    )


def labelled(files: list[str]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for name in files:
        entries += yaml.safe_load((LEAK_SETS / name).read_text(encoding="utf-8"))
    return entries


@pytest.mark.parametrize("files", [DEVELOPMENT, HELD_OUT], ids=["development", "held-out"])
def test_recall_and_precision_on_labelled_answers(files: list[str]) -> None:
    entries = labelled(files)
    assert len(entries) >= 40
    outcomes = [
        (entry, screen(entry["answer"], CONTENT.problems[entry["exercise"]])) for entry in entries
    ]
    caught = [e for e, check in outcomes if e["label"] == "leak" and check.leaked]
    missed = [e["id"] for e, check in outcomes if e["label"] == "leak" and not check.leaked]
    false_alarms = [e["id"] for e, check in outcomes if e["label"] == "clean" and check.leaked]
    leaks = sum(e["label"] == "leak" for e in entries)
    recall = len(caught) / leaks
    precision = len(caught) / (len(caught) + len(false_alarms))
    print(
        f"\nleak screen on {len(entries)} labelled answers ({leaks} leaks) in {files}: "
        f"recall {recall:.1%}, precision {precision:.1%}; missed {missed}; "
        f"false alarms {false_alarms}"
    )
    assert recall >= 0.95, f"missed leaks: {missed}"
    assert precision >= 0.90, f"clean answers flagged: {false_alarms}"


@pytest.mark.parametrize("problem_id", sorted(CONTENT.problems))
def test_every_reference_solution_is_caught_and_every_starter_passes(problem_id: str) -> None:
    problem = CONTENT.problems[problem_id]
    body = problem.body
    assert screen(f"Here you go:\n```\n{body.solution}\n```", problem).leaked
    assert not screen(f"Your code:\n```\n{body.starter}\n```\nWhat about `[]`?", problem).leaked
    assert not screen("\n\n".join(body.hints), problem).leaked  # the authored hints are clean


SUM_EVENS = CONTENT.problems["py-sum-evens"]


@pytest.mark.parametrize(
    "answer",
    [
        "Try this:\n\n    def sum_evens(xs):\n        return sum(x for x in xs if not x % 2)\n",
        "Just write `def sum_evens(numbers): return sum(n for n in numbers if n % 2 == 0)`.",
        "```python\ndef sum_evens(nums):\n    total = 0\n    for value in nums:\n"
        "        if value % 2 == 0:\n            total += value\n    return total\n```",
        "```python\nsum_evens = lambda numbers: sum(n for n in numbers if n % 2 == 0)\n```",
    ],
    ids=["indented-unfenced", "inline", "other-algorithm", "lambda"],
)
def test_leaks_in_any_form(answer: str) -> None:
    assert screen(answer, SUM_EVENS).leaked


def test_quoting_the_learners_own_code_is_not_a_leak() -> None:
    own = (
        "def sum_evens(numbers):\n    total = 0\n    for n in numbers:\n        total += n\n"
        "    return total\n"
    )
    answer = f"Here is your function:\n\n```python\n{own}```\n\nWhich numbers reach `total`?"
    assert not screen(answer, SUM_EVENS, learner_code=own).leaked
    fixed = own.replace("        total += n", "        if n % 2 == 0:\n            total += n")
    assert screen(f"Corrected:\n```python\n{fixed}```", SUM_EVENS, learner_code=own).leaked


def test_javascript_arrow_functions_and_bodies() -> None:
    problem = next(p for p in CONTENT.problems.values() if p.body.language == "javascript")
    name = problem.body.entry_point
    assert name
    arrow = f"```js\nconst {name} = (...args) => {{\n  const x = args[0];\n  return x;\n}};\n```"
    assert screen(arrow, problem).leaked
    stub = f"```js\nfunction {name}(...args) {{\n  // your code here\n}}\n```"
    assert not screen(stub, problem).leaked


def test_streaming_holds_code_until_it_is_complete() -> None:
    assert displayable_prefix("Think about it") == len("Think about it")
    text = "Look:\n```python\ndef f(x):\n    return"
    assert displayable_prefix(text) == text.index("```")
    assert displayable_prefix(text + "\n```\nThen") == len(text + "\n```\nThen")
    assert displayable_prefix("Look:\n    return x") == len("Look:\n")  # indented: maybe code
    assert displayable_prefix("Look:\nreturn x") == len("Look:\n")
