"""What the tutor knows about the learner's situation: the exercise, their current code and the
latest verdict, and how each is written into a prompt (as delimited data, hidden tests by label
only)."""

from __future__ import annotations

from dataclasses import dataclass

from ..content import Problem
from ..grading import Failure, TestVerdict, Verdict, message, syntax_result
from ..grading.wording import input_text
from .prompts import as_data, numbered


@dataclass(frozen=True)
class Situation:
    problem: Problem
    source: str
    verdict: Verdict | None = None

    @property
    def language(self) -> str:
        return self.problem.language

    def statement(self) -> str:
        return as_data(self.problem.body.statement.strip())

    def code(self) -> str:
        return numbered(self.source)

    def results(self) -> str:
        verdict = self.verdict
        if verdict is None:
            return "The tests have not been run on this code yet."
        lines = [
            f"Overall: {verdict.status}; public {verdict.score('public')}, "
            f"hidden {verdict.score('hidden')}."
        ]
        lines += [describe_failure(t) for t in verdict.tests if not t.passed][:6]
        return as_data("\n".join(lines))

    def failing(self) -> list[TestVerdict]:
        return [t for t in self.verdict.tests if not t.passed] if self.verdict else []


def describe_failure(test: TestVerdict) -> str:
    """One failing test, as the learner may see it (hidden tests carry only their label)."""
    parts = [f"- {test.visibility} test '{test.name}': {test.category}: {message(test)}"]
    failure = test.failure
    if isinstance(failure, Failure) and test.visibility != "hidden":  # even if judged in full
        for label, value in (("input", input_text(failure)), ("expected", failure.expected)):
            if value is not None:
                parts.append(f"  {label}: {value}")
        if failure.actual is not None:
            parts.append(f"  got: {failure.actual}")
        if failure.line:
            parts.append(f"  at line {failure.line}")
    return "\n".join(parts)


def failure_to_explain(verdict: Verdict | None, test_id: str | None = None) -> TestVerdict | None:
    """The failure of `verdict` to explain, as a typed record: the test `test_id` (`hidden`:
    the first failing hidden test), else the first failing test, else the syntax error; None
    when nothing fails."""
    failing = [t for t in verdict.tests if not t.passed] if verdict else []
    if test_id == "hidden":
        failing = [t for t in failing if t.visibility == "hidden"]
    elif test_id:
        failing = [t for t in failing if t.id == test_id] or failing
    if failing:
        return failing[0]
    if verdict is not None and verdict.syntax is not None:
        return syntax_result(verdict.syntax)
    return None
