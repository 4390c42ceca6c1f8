"""What `codegym preview ID --seed N` prints after the exercise file: the variant chosen, then
every test with its input and its expected value, written in the exercise's language."""

from __future__ import annotations

import json

from .content import COMMENT_PREFIX, Problem
from .content.models import CallTest, CodeTest, StdioTest, TestCase
from .grading.values import canonical, display, display_args


def tests_text(problem: Problem) -> str:
    """The tests of `problem` (expected values filled in) as comment lines of its language."""
    c = COMMENT_PREFIX[problem.language]
    lines = [f"{c} {_heading(problem)}"]
    for test in problem.body.tests:
        who = test.visibility + (f", {test.label!r}" if test.label else "")
        lines.append(f"{c} {test.id} · {test.name} ({who})")
        lines += [f"{c}     {line}" for line in _case(problem, test)]
    return "\n".join(lines) + "\n"


def _heading(problem: Problem) -> str:
    choice, variants = problem.variant, problem.body.variants
    if choice is None:
        return "Tests (this exercise has no variants):"
    params = ", ".join(f"{name} = {json.dumps(value)}" for name, value in choice.params.items())
    if variants is not None and variants.generator is not None:
        return f"Tests of the variant generated for seed {choice.seed} ({params}):"
    count = len(variants.listed) if variants else 0
    return f"Tests of variant {choice.index + 1} of {count} (seed {choice.seed}; {params}):"


def _case(problem: Problem, test: TestCase) -> list[str]:
    language = problem.language
    if isinstance(test, CallTest):
        call = f"{problem.body.entry_point}({display_args(test.args, test.kwargs, language)})"
        return [f"{call} → {display(canonical(test.expected), language)}"]
    if isinstance(test, CodeTest):
        body = [f"│ {line}" for line in test.code.rstrip().splitlines()]
        return [*body, f"→ {display(canonical(test.expected), language)}"]
    assert isinstance(test, StdioTest)
    return [f"stdin {json.dumps(test.stdin)} → stdout {json.dumps(test.expected_stdout)}"]
