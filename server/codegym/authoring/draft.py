"""`codegym draft`: the model drafts a whole exercise from an author's idea; running it decides.

The loop mirrors the tutor's test generation (`tutor/testgen.py`): the model proposes a problem
whose tests carry inputs only; the reference solution, run in the sandbox, computes every expected
value; whatever is wrong (an unreadable or ill-shaped answer, a schema error, too few tests, a
reference that crashes or runs out of time, a starter that passes) goes back to the model as
feedback, for at most `MAX_RETRIES` more attempts after the first. An accepted draft is written
as an author would write it, staged first in a scratch content folder that the real loader reads
and `validation.validate_problem` (what `codegym validate` runs) checks; only then is it added to
the content folder, never over an existing file.

The model reaches this module as an `Ask` callable and the sandbox as a `Sandbox`: it knows
nothing of Ollama's client or of Docker.
"""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from ..checker import run_reference, with_expected
from ..config import SandboxLimits
from ..content import Problem
from ..content.models import ProblemBody, ProblemMeta
from ..sandbox import Sandbox
from ..tutor.llm import Message
from ..tutor.prompts import as_data, render
from ..tutor.testgen import MAX_RETRIES
from ..validation import ValidationFinding, validate_problem
from .placement import Place, add, free_id, relative_file, slug, stage
from .problem_yaml import problem_yaml
from .proposal import DraftProposal, Unreadable, body_data, error_lines, read_proposal

MIN_TESTS = 4
"""Fewer tests than this (or no hidden test) is not an exercise: sent back."""
MAX_REPLY_CHARS = 8000
"""Of a rejected answer, this much goes back into the conversation."""

Failure = Literal[
    "garbage", "shape", "schema", "too_few_tests", "crash", "timeout", "starter_passes", "invalid"
]
FAILURE_WORDS: dict[Failure, str] = {
    "garbage": "the answer is not JSON",
    "shape": "the answer is not an exercise",
    "schema": "schema error",
    "too_few_tests": "too few tests",
    "crash": "the reference solution crashed",
    "timeout": "the reference solution ran out of time",
    "starter_passes": "the starter passes every test",
    "invalid": "validate found problems",
}

Ask = Callable[[list[Message]], Awaitable[str]]
"""Sends the conversation to the model; returns its answer's text (JSON, unchecked)."""


class Offline(Exception):
    """The model could not be asked; `str(exc)` says why. `report` has the attempts before."""

    def __init__(self, reason: str, report: DraftReport) -> None:
        super().__init__(reason)
        self.report = report


@dataclass(frozen=True)
class Attempt:
    number: int
    failure: Failure | None
    """None: the draft was accepted."""
    detail: str

    def line(self) -> str:
        if self.failure is None:
            return f"attempt {self.number}: accepted: {self.detail}"
        words = FAILURE_WORDS[self.failure]
        if self.detail.startswith(words):  # the detail says it already
            return f"attempt {self.number}: {self.detail}"
        return f"attempt {self.number}: {words}: {self.detail}"


@dataclass
class DraftReport:
    attempts: list[Attempt] = field(default_factory=list)
    path: Path | None = None
    """The written problem file (None: nothing was written)."""
    problem_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.path is not None

    def document(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "id": self.problem_id,
            "path": str(self.path) if self.path else None,
            "attempts": [
                {"number": a.number, "failure": a.failure, "detail": a.detail}
                for a in self.attempts
            ],
        }


class _Rejected(Exception):
    def __init__(self, failure: Failure, detail: str) -> None:
        super().__init__(detail)
        self.failure = failure
        self.detail = detail


# ---------------------------------------------------------------------------------- the loop


async def draft(
    idea: str,
    place: Place,
    ask: Ask,
    sandbox: Sandbox,
    limits: SandboxLimits,
    *,
    problem_id: str | None = None,
    out: Path | None = None,
) -> DraftReport:
    """Ask, judge by running, feed back, up to 1 + MAX_RETRIES attempts; write the first draft
    that passes everything. Raises `Offline` when the model cannot be asked."""
    from ..tutor.llm import TutorUnavailable

    conversation = _first_messages(idea, place)
    report = DraftReport()
    for number in range(1, 2 + MAX_RETRIES):
        try:
            reply = await ask(conversation)
        except TutorUnavailable as exc:
            raise Offline(str(exc), report) from None
        try:
            problem = _judge(reply, place, sandbox, limits, problem_id, out)
            path = _write(problem, place, sandbox, limits)
        except _Rejected as exc:
            report.attempts.append(Attempt(number, exc.failure, exc.detail))
            feedback = render("draft_feedback", problems=as_data(exc.detail))
            conversation = [
                *conversation,
                {"role": "assistant", "content": reply[:MAX_REPLY_CHARS]},
                {"role": "user", "content": feedback},
            ]
            continue
        tests = problem.body.tests
        hidden = sum(t.visibility == "hidden" for t in tests)
        summary = f"{problem.id}, {len(tests)} tests ({hidden} hidden)"
        report.attempts.append(Attempt(number, None, summary))
        report.path, report.problem_id = path, problem.id
        break
    return report


def _first_messages(idea: str, place: Place) -> list[Message]:
    language = place.course.language
    concepts = ", ".join(c.id for c in place.topic.concepts) or "(none)"
    existing = "; ".join(p.title for p in place.topic.problems) or "(none)"
    prompt = render(
        "draft",
        language=language.capitalize(),
        topic_title=place.topic.title,
        idea=as_data(idea.strip()),
        concepts=concepts,
        existing=existing,
        min_tests=MIN_TESTS,
    )
    return [{"role": "user", "content": prompt}]


# ---------------------------------------------------------------------------------- judging


def _judge(
    reply: str,
    place: Place,
    sandbox: Sandbox,
    limits: SandboxLimits,
    problem_id: str | None,
    out: Path | None,
) -> Problem:
    """The model's answer as a problem whose expected values the reference computed, or
    `_Rejected` with what to tell the model."""
    try:
        proposal = read_proposal(reply)
    except Unreadable as exc:
        raise _Rejected(exc.kind, str(exc)) from None
    problem = _problem(proposal, place, problem_id, out)
    tests = list(problem.body.tests)
    if len(tests) < MIN_TESTS or not any(t.visibility == "hidden" for t in tests):
        hidden = sum(t.visibility == "hidden" for t in tests)
        raise _Rejected(
            "too_few_tests",
            f"{len(tests)} distinct tests, {hidden} hidden: write at least {MIN_TESTS}, "
            "with a hidden test for each edge case",
        )
    outcomes = run_reference(problem, tests, sandbox, limits)
    failed = [(t, o) for t, o in zip(tests, outcomes, strict=True) if not o.ok]
    if failed:
        failure: Failure = "timeout" if any(o.failure == "timeout" for _, o in failed) else "crash"
        detail = "; ".join(f"test {t.id} ({t.name}): {o.problem}" for t, o in failed[:5])
        raise _Rejected(failure, detail)
    computed = [with_expected(t, o) for t, o in zip(tests, outcomes, strict=True)]
    return problem.model_copy(update={"body": problem.body.model_copy(update={"tests": computed})})


def _problem(
    proposal: DraftProposal, place: Place, problem_id: str | None, out: Path | None
) -> Problem:
    """The proposal as a problem of `place`, every expected value still unknown."""
    language = place.course.language
    pid = free_id(problem_id or slug(proposal.id) or "drafted", place, out)
    relative = relative_file(place, pid, out)
    glossary = {c.id for c in place.topic.concepts}
    order = max((p.order for p in place.topic.problems), default=0) + 1
    meta = {
        "id": pid,
        "title": proposal.title.strip(),
        "difficulty": proposal.difficulty,
        "order": order,
        "concepts": [c for c in dict.fromkeys(proposal.concepts) if c in glossary],
        "file": relative,
    }
    try:
        body = ProblemBody.model_validate(body_data(proposal, language))
        checked_meta = ProblemMeta.model_validate(meta)
    except ValidationError as exc:
        raise _Rejected("schema", "; ".join(error_lines(exc))) from None
    return Problem(
        meta=checked_meta,
        body=body,
        course=place.course,
        topic=place.topic,
        topic_index=place.topic_index,
        source_file=relative,
    )


# ---------------------------------------------------------------------------------- writing


def _write(problem: Problem, place: Place, sandbox: Sandbox, limits: SandboxLimits) -> Path:
    """Check the problem as `codegym validate` does, from its written text in a scratch content
    folder, then add it to the content folder. `_Rejected` if the checks find anything."""
    text = problem_yaml(problem.body)
    with tempfile.TemporaryDirectory(prefix="codegym-draft-") as scratch:
        staged = stage(Path(scratch), problem, place, text)
        loaded = staged.problems.get(problem.id)
        if staged.errors or loaded is None:
            errors = "; ".join(str(e) for e in staged.errors[:5]) or "the problem did not load"
            raise _Rejected("invalid", errors)
        findings = validate_problem(loaded, sandbox, limits)
    if findings:
        failure: Failure = (
            "starter_passes" if {f.code for f in findings} == {"starter_passes"} else "invalid"
        )
        raise _Rejected(failure, "; ".join(_without_id(f, problem.id) for f in findings[:5]))
    return add(problem, place, text)


def _without_id(finding: ValidationFinding, pid: str) -> str:
    return finding.message.removeprefix(f"{pid}: ")
