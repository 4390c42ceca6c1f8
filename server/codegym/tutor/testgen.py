"""Generated tests: the model proposes inputs only; the reference solution, run in the sandbox,
computes every expected value. Inputs on which the reference fails or times out are sent back to
the model, which tries again (up to 3 times). Offline, inputs come from varying the exercise's
public inputs, and the reference judges them the same way.

The sandbox reaches this module as a `RunReference` callable (`checker.run_reference` in a
thread, for the language server): it knows nothing of Docker.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from ..checker import ReferenceOutcome, with_expected
from ..content.arguments import input_problems
from ..content.models import CallTest, StdioTest, TestCase
from ..sandbox.job_values import encode_input, encode_kwargs
from ..sandbox.types import Language

MAX_RETRIES = 3
WANTED = 5
MAX_INPUT_CHARS = 2000
"""A proposed input larger than this is not a readable test: dropped."""


class ProposedCase(BaseModel):
    args: list[Any] | None = Field(None, description="Positional arguments, JSON values.")
    stdin: str | None = Field(None, description="The program's standard input.")
    why: str = Field("", max_length=300, description="The case this input covers.")


class Proposals(BaseModel):
    cases: list[ProposedCase] = Field(default_factory=list, max_length=20)


RunReference = Callable[[list[TestCase]], Awaitable[list[ReferenceOutcome]]]
Propose = Callable[[str | None], Awaitable[Proposals]]
"""Asks for proposals; the argument is the feedback on rejected ones (None the first time)."""


@dataclass
class Generation:
    accepted: list[TestCase] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    """(input, why the reference failed) for every dropped proposal."""
    rounds: int = 0


def supports(tests: list[TestCase]) -> str | None:
    """The kind of test this exercise can generate (`call` or `stdio`), or None."""
    kinds = {t.kind for t in tests}
    if kinds <= {"call"}:
        return "call"
    if kinds <= {"stdio"}:
        return "stdio"
    return None


def input_key(test: TestCase) -> str:
    if isinstance(test, CallTest):  # encoded: an author's inputs may hold sets and int keys
        encoded = [[encode_input(a) for a in test.args], encode_kwargs(test.kwargs)]
        return json.dumps(encoded, sort_keys=True)
    assert isinstance(test, StdioTest)
    return json.dumps(test.stdin)


def _candidate(case: ProposedCase, kind: str, number: int) -> TestCase | None:
    name = f"generated {number}" + (f": {case.why}" if case.why else "")
    name = name[:80]
    if kind == "call" and case.args is not None:
        return CallTest.model_construct(
            id=f"g{number}", name=name, visibility="generated", kind="call", args=case.args,
            kwargs={}, expected=None, compare="exact", tolerance=1e-9, label=None, time_factor=None,
        )  # fmt: skip
    if kind == "stdio" and case.stdin is not None:
        return StdioTest.model_construct(
            id=f"g{number}", name=name, visibility="generated", kind="stdio", stdin=case.stdin,
            expected_stdout="", label=None, time_factor=None,
        )  # fmt: skip
    return None


async def generate(
    existing: list[TestCase],
    propose: Propose,
    run_reference: RunReference,
    wanted: int = WANTED,
    first_number: int = 1,
    language: Language = "python",
) -> Generation:
    """Ask for inputs, keep those the reference solves, send the rest back, up to MAX_RETRIES.
    Inputs that cannot reach a `language` function as written (`content.arguments`: in
    JavaScript, integers beyond the safe range) are sent back too."""
    kind = supports(existing)
    result = Generation()
    if kind is None:
        return result
    seen = {input_key(t) for t in existing}
    feedback: str | None = None
    number = first_number
    for _ in range(1 + MAX_RETRIES):
        result.rounds += 1
        proposals = await propose(feedback)
        candidates: list[TestCase] = []
        for case in proposals.cases:
            candidate = _candidate(case, kind, number)
            if candidate is None:
                result.rejected.append((case.model_dump_json(), f"not a {kind} input"))
                continue
            key = input_key(candidate)
            if key in seen or len(key) > MAX_INPUT_CHARS:
                continue
            if isinstance(candidate, CallTest):
                problems = input_problems(candidate.args, {}, language, candidate.id)
                if reason := next((why for _, why in problems), None):
                    result.rejected.append((key, reason))
                    continue
            seen.add(key)
            candidates.append(candidate)
            number += 1
        if not candidates:
            feedback = _feedback(result.rejected[-5:]) if result.rejected else None
            if feedback is None:
                break
            continue
        outcomes = await run_reference(candidates)
        failed: list[tuple[str, str]] = []
        for candidate, outcome in zip(candidates, outcomes, strict=True):
            if outcome.ok:
                result.accepted.append(with_expected(candidate, outcome))
            else:
                failed.append((input_key(candidate), outcome.problem))
        result.rejected += failed
        if len(result.accepted) >= wanted or not failed:
            break
        feedback = _feedback(failed)
    result.accepted = result.accepted[:wanted]
    return result


def _feedback(failed: list[tuple[str, str]]) -> str:
    return "\n".join(f"- input {text[:300]}: {problem}" for text, problem in failed)


# ---------------------------------------------------------------------- offline proposals


def varied_inputs(existing: list[TestCase], limit: int = 12) -> Proposals:
    """Inputs made by varying the public ones: boundaries (empty, zero, one element), negated
    and shifted numbers, reversed sequences and strings. No model needed."""
    cases: list[ProposedCase] = []
    for test in existing:
        if test.visibility != "public":
            continue
        if isinstance(test, CallTest):
            for variant in _variants(test.args):
                cases.append(ProposedCase(args=variant, why="a variation of a public input"))
        elif isinstance(test, StdioTest):
            lines = test.stdin.splitlines()
            if len(lines) > 1:
                cases.append(
                    ProposedCase(stdin="\n".join(reversed(lines)) + "\n", why="lines reversed")
                )
    return Proposals(cases=cases[:limit])


def _variants(args: list[Any]) -> list[list[Any]]:
    variants: list[list[Any]] = []
    for index, value in enumerate(args):
        for changed in _vary(value):
            variants.append([*args[:index], changed, *args[index + 1 :]])
    return variants


def _vary(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, -value, 0]
    if isinstance(value, str):
        return [value[::-1], value.upper(), ""] if value else ["a"]
    if isinstance(value, list):
        return [value[::-1], value[:1], []] if value else []
    return []
