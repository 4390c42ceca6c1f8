"""One attempt (a judged run of an exercise) as the progress record keeps it: what is needed to
read a learner's history back, and nothing a learner may not see. A hidden test gives only its
kind of failure and its error type, as its `HiddenResult` does; a public failure's inputs and
values are never stored, only the signs (`patterns.run_signs`) read from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..content import Problem
from ..grading import Failure, HiddenFailure, Verdict
from .patterns import run_signs

AttemptStatus = Literal["pass", "fail"]


@dataclass(frozen=True)
class Attempt:
    time: str
    """When it was judged: ISO 8601, UTC, to the second."""
    exercise: str
    status: AttemptStatus
    categories: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per visibility (`public`, `hidden`, `generated`), how many tests ended in each category
    (`passed`, `wrong_answer`, `runtime_error`, …)."""
    errors: dict[str, int] = field(default_factory=dict)
    """The error types raised (`IndexError`, `TypeError`, `SyntaxError`, …): how many tests
    raised each."""
    signs: list[str] = field(default_factory=list)
    """The error patterns this run shows besides its error types (`patterns.SIGN_WORDS`)."""
    hint_level: int = 0
    """The hint level reached on the exercise when it was run (0: no hint)."""
    since_first_s: int = 0
    """Seconds since the exercise's first attempt."""

    @property
    def failed(self) -> bool:
        return self.status != "pass"

    def to_json(self) -> dict[str, Any]:
        """The stored record, without the fields that are empty or 0 (`from_json` reads them
        back as such): the history stays small."""
        stored = {
            "time": self.time,
            "exercise": self.exercise,
            "status": self.status,
            "categories": self.categories,
            "errors": self.errors,
            "signs": self.signs,
            "hint_level": self.hint_level,
            "since_first_s": self.since_first_s,
        }  # not `asdict`, which copies deeply: a record writes 200 of these
        return {k: v for k, v in stored.items() if v or k in ("time", "exercise", "status")}

    @classmethod
    def from_json(cls, data: Any) -> Attempt | None:
        """The attempt a stored record holds, or None if it is not one (a hand-edited file)."""
        if not isinstance(data, dict):
            return None
        try:
            attempt = cls(
                time=str(data["time"]),
                exercise=str(data["exercise"]),
                status="pass" if data["status"] == "pass" else "fail",
                categories={
                    str(visibility): {str(k): int(v) for k, v in counts.items()}
                    for visibility, counts in dict(data.get("categories") or {}).items()
                },
                errors={str(k): int(v) for k, v in dict(data.get("errors") or {}).items()},
                signs=[str(s) for s in data.get("signs") or []],
                hint_level=int(data.get("hint_level") or 0),
                since_first_s=int(data.get("since_first_s") or 0),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return attempt


def attempt_of(
    exercise: str,
    verdict: Verdict,
    problem: Problem | None,
    *,
    time: str,
    hint_level: int,
    since_first_s: int,
) -> Attempt:
    """The record of a judged run. `problem` (when known) tells which tests had an empty input."""
    categories: dict[str, dict[str, int]] = {}
    errors: dict[str, int] = {}
    for test in verdict.tests:
        counts = categories.setdefault(test.visibility, {})
        counts[test.category] = counts.get(test.category, 0) + 1
        failure = test.failure
        error_type = None
        if isinstance(failure, Failure) and failure.error is not None:
            error_type = failure.error.type
        elif isinstance(failure, HiddenFailure):
            error_type = failure.error_type
        if error_type:
            errors[error_type] = errors.get(error_type, 0) + 1
    return Attempt(
        time=time,
        exercise=exercise,
        status=verdict.status,
        categories=categories,
        errors=dict(sorted(errors.items())),
        signs=run_signs(verdict, problem),
        hint_level=hint_level,
        since_first_s=max(0, since_first_s),
    )
