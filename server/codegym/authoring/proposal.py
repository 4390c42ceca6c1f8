"""What the model is asked to fill in for `codegym draft`: a whole problem whose tests carry
inputs only. The schema the model is given has no `expected` field, and any the reply carries
anyway is dropped on reading: every expected value is computed by running the solution.

`read_proposal` turns the model's text into a `DraftProposal` or says, in words the model can act
on, why it could not; `body_data` turns a proposal into a problem file's data, every test's
expected value still unknown (None, or empty output)."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..content.models import CompareMode, Difficulty, Kind
from ..sandbox.types import Language

UNION_TAGS = {"call", "stdio", "code"}
"""pydantic puts the test kind (the discriminator) into error locations: not a field name."""


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")
    """Fields the schema does not have (`expected`, `expected_stdout`, …) are dropped."""


class ProposedTest(_Lenient):
    kind: Literal["call", "stdio", "code"] = Field(
        ..., description="call: call the function with args; stdio: run the program with stdin; "
        "code: run a function body that returns the value to check."
    )  # fmt: skip
    name: str = Field(..., description="Short name shown when the test fails (at most 80).")
    visibility: Literal["public", "hidden"] = Field(
        "public", description="public: a learner sees input and expected value; hidden: not."
    )
    label: str | None = Field(
        None, description="Hidden tests: what situation it tests, never its data (at most 60)."
    )
    args: list[Any] | None = Field(None, description="call: positional arguments, JSON values.")
    stdin: str | None = Field(None, description="stdio: the program's standard input.")
    code: str | None = Field(None, description="code: a function body that returns a value.")
    compare: CompareMode = Field(
        "exact", description="exact, float (computed floats) or unordered (order does not matter)."
    )


class DraftProposal(_Lenient):
    id: str = Field(..., description="Lower-case letters, digits and dashes.")
    title: str = Field(..., description="At most 80 characters.")
    difficulty: Difficulty
    kind: Kind
    concepts: list[str] = Field([], description="Ids from the topic's glossary.")
    entry_point: str | None = Field(None, description="The function the tests call.")
    statement: str = Field(..., description="Markdown, with examples, constraints, edge cases.")
    starter: str = Field(..., description="Code the learner starts from; fails some test.")
    solution: str = Field(..., description="The reference solution.")
    tests: list[ProposedTest] = Field(..., description="Inputs only, no expected values.")
    hints: list[str] = Field(..., description="Exactly three, in words, never code.")


class Unreadable(ValueError):
    """The reply is not a proposal: `kind` is `garbage` (not JSON) or `shape` (JSON of another
    shape); `str(exc)` says what was wrong."""

    def __init__(self, kind: Literal["garbage", "shape"], detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


def read_proposal(text: str) -> DraftProposal:
    """The model's reply as a proposal, or `Unreadable`."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        start = text.strip()[:60]
        raise Unreadable("garbage", f"the answer is not JSON ({exc}); it began {start!r}") from None
    if not isinstance(data, dict):
        raise Unreadable("shape", f"the answer is a JSON {type(data).__name__}, not an object")
    try:
        return DraftProposal.model_validate(data)
    except ValidationError as exc:
        raise Unreadable("shape", "; ".join(error_lines(exc))) from None


def error_lines(exc: ValidationError, limit: int = 6) -> list[str]:
    """A validation error as `where: what` lines (test kinds left out of the paths)."""
    lines = []
    for error in exc.errors()[:limit]:
        loc = error["loc"]
        shown = [
            str(part)
            for i, part in enumerate(loc)
            if not (i and isinstance(loc[i - 1], int) and part in UNION_TAGS)
        ]
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown field {loc[-1]!r}"
        lines.append(f"{'.'.join(shown) or 'the answer'}: {message}")
    return lines


def body_data(proposal: DraftProposal, language: Language) -> dict[str, Any]:
    """A problem file's data from a proposal, fields in the order authors write them, code
    without trailing spaces (so it can be written as YAML block scalars), expected values None
    (or empty output) until the reference computes them."""
    return {
        "statement": tidy(proposal.statement),
        "language": language,
        "kind": proposal.kind,
        "entry_point": proposal.entry_point or None,
        "starter": tidy(proposal.starter),
        "solution": tidy(proposal.solution),
        "tests": _unique([_test_data(test) for test in proposal.tests]),
        "hints": [tidy(hint).strip() for hint in proposal.hints],
    }


def _test_data(test: ProposedTest) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": test.kind, "name": test.name}
    if test.visibility == "hidden":
        data |= {"visibility": "hidden", "label": test.label}
    if test.kind == "call":
        data |= {"args": test.args or [], "expected": None}
    elif test.kind == "code":
        data |= {"code": tidy(test.code or ""), "expected": None}
    else:
        data |= {"stdin": test.stdin or "", "expected_stdout": ""}
    if test.kind != "stdio" and test.compare != "exact":
        data["compare"] = test.compare
    return data


def _unique(tests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tests without repeats of an earlier test's input (the first one is kept)."""
    seen: set[str] = set()
    kept = []
    for test in tests:
        key = json.dumps([test.get(k) for k in ("kind", "args", "stdin", "code")], sort_keys=True)
        if key not in seen:
            seen.add(key)
            kept.append(test)
    return kept


def tidy(text: str) -> str:
    """Text with Unix line ends, no trailing spaces on its lines, one final newline at most."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n" if text.strip() else ""
