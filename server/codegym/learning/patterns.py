"""Error patterns: what a failing run shows (its *signs*, read from the typed records when the
run is recorded) and which of them come back over a learner's last failing runs ("IndexError in 4
of your last 10 failing runs"). The words of every pattern are here and nowhere else.

A pattern is an error type (`IndexError`, `SyntaxError`, …, from public and hidden tests alike)
or one of the signs below. Signs about values and inputs come from public tests only (a hidden
test's record has its kind of failure and its error type, nothing else); `too_slow` and
`timeout` are kinds of failure, so hidden tests show them too."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..content import CallTest, Problem, StdioTest, TestCase
from ..grading import Failure, Verdict

if TYPE_CHECKING:
    from .attempts import Attempt

SIGN_WORDS: dict[str, str] = {
    "empty_input": "wrong on empty input",
    "off_by_one": "off by one",
    "no_value": "no value returned",
    "wrong_type": "wrong type returned",
    "too_slow": "too slow",
    "timeout": "timed out",
    "crashed_at_import": "crashed at import",
}
"""What each sign means, as the subject of "… in 3 of your last 10 failing runs"; in this order
when a run shows several."""

WINDOW = 10
"""Patterns are counted over this many of the learner's last failing runs."""
MINIMUM = 2
"""A pattern is one when it shows in at least this many of them."""


@dataclass(frozen=True)
class Pattern:
    key: str
    """An error type, or a sign (`SIGN_WORDS`)."""
    count: int
    """In how many of the `window` failing runs it shows."""
    window: int
    """How many failing runs were looked at (`WINDOW`, or fewer when there are fewer)."""

    @property
    def words(self) -> str:
        return pattern_words(self.key)

    @property
    def text(self) -> str:
        return f"{self.words} in {self.count} of your last {self.window} failing runs"

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "count": self.count, "window": self.window, "text": self.text}


def pattern_words(key: str) -> str:
    """A pattern's words: a sign's, or the error type itself."""
    return SIGN_WORDS.get(key, key)


def run_patterns(attempt: Attempt) -> set[str]:
    """Every pattern a recorded run shows: its error types and its signs."""
    return set(attempt.errors) | set(attempt.signs)


def recurring(
    history: Sequence[Attempt], window: int = WINDOW, minimum: int = MINIMUM
) -> list[Pattern]:
    """The patterns of the last `window` failing runs of `history` (oldest first) that show in
    at least `minimum` of them, the most frequent first (then by key: deterministic)."""
    failing = [attempt for attempt in history if attempt.failed][-window:]
    counts = Counter(key for attempt in failing for key in run_patterns(attempt))
    found = [Pattern(key, n, len(failing)) for key, n in counts.items() if n >= minimum]
    return sorted(found, key=lambda p: (-p.count, p.key))


def daily_counts(attempts: Iterable[Attempt]) -> dict[str, int]:
    """How many of `attempts` (failing runs) show each pattern, by key."""
    counts = Counter(key for attempt in attempts for key in run_patterns(attempt))
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


# ------------------------------------------------------------------ the signs of one run


def run_signs(verdict: Verdict, problem: Problem | None) -> list[str]:
    """The signs a judged run shows, in `SIGN_WORDS` order. `problem` (when known) tells which
    of its tests have an empty input; tests it does not list (generated ones) never count as
    empty."""
    tests: dict[str, TestCase] = {}
    if problem is not None:
        tests = {str(test.id): test for test in problem.body.tests}
    signs: set[str] = set()
    for result in verdict.tests:
        failure = result.failure
        if failure is None:
            continue
        if failure.kind in ("too_slow", "timeout"):
            signs.add(failure.kind)
        if isinstance(failure, Failure):  # a test the learner sees in full
            signs |= _public_signs(failure, tests.get(result.id))
    return [sign for sign in SIGN_WORDS if sign in signs]


def _public_signs(failure: Failure, test: TestCase | None) -> set[str]:
    signs: set[str] = set()
    if failure.kind == "runtime_error" and failure.reason == "while_loading":
        signs.add("crashed_at_import")
    in_test = failure.reason == "in_test"
    if in_test and failure.kind in ("wrong_answer", "runtime_error") and _empty_input(test):
        signs.add("empty_input")
    if failure.kind == "wrong_answer" and failure.values is not None:
        expected, actual = failure.values.expected, failure.values.actual
        expected_kind, actual_kind = _value_kind(expected), _value_kind(actual)
        if expected_kind == actual_kind == "number" and _one_apart(expected, actual):
            signs.add("off_by_one")
        elif actual_kind == "none" and expected_kind != "none":
            signs.add("no_value")
        elif actual_kind != expected_kind:
            signs.add("wrong_type")
    return signs


def _empty_input(test: TestCase | None) -> bool:
    """A call with only empty arguments (`[]`, `""`, `{}`), or a program given no input."""
    if isinstance(test, StdioTest):
        return not test.stdin.strip()
    if isinstance(test, CallTest):
        given = [*test.args, *test.kwargs.values()]
        return bool(given) and all(
            isinstance(value, str | list | dict) and not value for value in given
        )
    return False


_TAG_KINDS = {"$float": "number", "$bigint": "number", "$undefined": "none", "$set": "set",
              "$map": "map", "$unserializable": "other"}  # fmt: skip


def _value_kind(value: Any) -> str:
    """The kind of a canonical value (docs/harness-protocol.md § Values), as a learner names it:
    numbers of any sort alike, JavaScript's `undefined` as Python's `None`."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _TAG_KINDS:
        return _TAG_KINDS[next(iter(value))]
    return "map"


def _one_apart(expected: Any, actual: Any) -> bool:
    return (
        isinstance(expected, int | float)
        and isinstance(actual, int | float)
        and abs(expected - actual) == 1
    )
