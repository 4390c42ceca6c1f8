"""Grading's records in words: the one place where a test result becomes a sentence.

Every presenter (the CLI's text and JSON, the editor's diagnostics and hovers, `codegym validate`,
the tutor's prompts and offline explanations) takes its sentences from here or writes its own
from the records; none reads a sentence back.
"""

from __future__ import annotations

from ..text import counted
from .records import Category, Failure, HiddenResult, OutputDifference, TestVerdict, Verdict

CATEGORY_WORDS: dict[Category, str] = {  # how a category reads in a sentence
    "passed": "passed",
    "wrong_answer": "wrong answer",
    "too_slow": "too slow",
    "syntax_error": "syntax error",
    "runtime_error": "raised an error",
    "timeout": "timed out",
    "memory_limit": "ran out of memory",
    "output_limit": "too much output",
    "no_report": "no result",
    "tampered": "tampered",
}

_FIXED: dict[tuple[str, str], str] = {  # (kind, reason) → what happened, when no fact varies
    ("tampered", "in_test"): "the test channel was tampered with",
    ("timeout", "in_test"): "took too long: is there an infinite loop or a very slow step?",
    ("timeout", "while_loading"): (
        "the file did not finish loading in time: is there a loop at the top level?"
    ),
    ("timeout", "after_timeout"): (
        "not run: the run was stopped after an earlier test took too long"
    ),
    ("output_limit", "in_test"): "printed too much output (the limit is there to stop floods)",
    ("output_limit", "after_flood"): "not run: the run was stopped because it printed too much",
    ("memory_limit", "in_test"): "ran out of memory",
    ("no_report", "exited_early"): (
        "no result: the program exited or crashed before this test reported (does it call exit()?)"
    ),
}


def message(test: TestVerdict) -> str:
    """The test's one-line message: `passed`, `<name>: <what happened>`, or, for a hidden test,
    `hidden test failed: <label> (<kind of failure>)`."""
    if test.failure is None:
        return "passed"
    if isinstance(test, HiddenResult):
        return f"hidden test failed: {test.label} ({CATEGORY_WORDS[test.failure.kind]})"
    return f"{test.name}: {what_happened(test.failure)}"


def scores(verdict: Verdict) -> str:
    """`1/4 public · 1/5 hidden`: the score of each kind of test the run had."""
    kinds = ("public", "generated", "hidden")
    return " · ".join(f"{verdict.score(v)} {v}" for v in kinds if verdict.score(v).total)


def what_happened(failure: Failure) -> str:
    """A public failure in words, without the test's name."""
    fixed = _FIXED.get((failure.kind, failure.reason))
    if fixed is not None:
        return fixed
    error = failure.error
    where = f" at line {error.line}" if error and error.line else ""
    if failure.kind == "syntax_error" and error is not None:
        return f"{error.type}{where}: {error.message}"
    if failure.kind == "runtime_error" and failure.reason == "exit_status":
        return f"the output is right but the program exited with status {failure.exit_status}"
    if failure.kind == "runtime_error" and error is not None:
        if failure.reason == "while_loading":
            return f"the file raised {error.type} while loading{where}: {error.message}"
        detail = f"{error.type}: {error.message}" if error.message else error.type
        return f"{subject(failure)} raised {detail}{where}"
    if failure.kind == "no_report" and failure.reason == "bad_test":
        return f"bad test: {failure.bad_test}"
    if failure.kind == "no_report" and failure.reason == "unreadable":
        return f"no result: {failure.unreadable}"
    if failure.kind == "too_slow" and failure.budget is not None:
        budget = failure.budget
        return (
            f"right answer, but it used {budget.cpu_ms:.0f} ms of CPU time; the budget is "
            f"{budget.budget_ms:.0f} ms ({budget.time_factor:g}× the reference solution). "
            "Look for a faster approach."
        )
    if failure.kind == "wrong_answer" and failure.difference is not None:
        return output_difference(failure.difference)
    if failure.kind == "wrong_answer":
        answer = f"{input_text(failure)} returned {failure.actual}, expected {failure.expected}"
        return answer + (" (in any order)" if failure.unordered else "")
    return CATEGORY_WORDS[failure.kind]


def subject(failure: Failure) -> str:
    """What ran: the call (`f([1, 2])`), a code test (`the test \\`first line…\\``), or `the
    program`."""
    if failure.entry_point is not None and failure.input is not None:
        return failure.input
    if failure.code is not None:
        lines = failure.code.strip().splitlines()
        return f"the test `{lines[0]}…`" if len(lines) > 1 else "the test"
    return "the program"


def input_text(failure: Failure) -> str | None:
    """The input a learner is shown: the call or the stdin; a code test's wrong answer names
    the test instead."""
    if failure.input is not None:
        return failure.input
    if failure.code is not None and failure.kind == "wrong_answer":
        return subject(failure)
    return None


def output_difference(difference: OutputDifference) -> str:
    """A program's first differing output line, in words."""
    expected, got = difference.expected_lines, difference.got_lines
    if got == 0:
        return (
            f"printed nothing; expected {counted(expected, 'line')}, starting with "
            f"{difference.expected!r}"
        )
    if difference.line is not None:
        return (
            f"output line {difference.line}: expected {difference.expected!r}, "
            f"got {difference.got!r}"
        )
    if got < expected:
        return f"output stops after {counted(got, 'line')}; expected {expected}"
    return f"output has {got} lines; expected {expected}"
