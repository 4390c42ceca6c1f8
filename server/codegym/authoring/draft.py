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

import re
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from ..checker import run_reference
from ..config import SandboxLimits
from ..content import Content, Problem, load_content
from ..content.loader import CATALOG_FILE
from ..content.models import Course, ProblemBody, ProblemMeta, Topic
from ..sandbox import Sandbox
from ..tutor.llm import Message
from ..tutor.prompts import as_data, render
from ..tutor.testgen import MAX_RETRIES, with_expected
from ..validation import ValidationFinding, validate_problem
from .catalog_entry import CatalogEditError, with_problem
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


class DraftError(Exception):
    """The draft cannot be made as asked (no such topic, an output path taken, …)."""


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


@dataclass(frozen=True)
class Place:
    """Where a draft goes: a content folder, one of its courses and a topic of that course."""

    content: Content
    course: Course
    topic: Topic
    topic_index: int

    @classmethod
    def find(cls, content: Content, language: str, topic_id: str) -> Place:
        if content.catalog is None:
            raise DraftError(f"the catalog of {content.root} did not load")
        for course in content.catalog.courses:
            for index, topic in enumerate(course.topics):
                if topic.id == topic_id and course.language == language:
                    return cls(content, course, topic, index)
        topics = [t.id for c in content.catalog.courses if c.language == language for t in c.topics]
        raise DraftError(
            f"no {language} topic {topic_id!r} in {content.root} "
            f"(its {language} topics: {', '.join(topics) or 'none'})"
        )

    def taken(self) -> set[str]:
        assert self.content.catalog is not None
        ids = {p.id for c in self.content.catalog.courses for t in c.topics for p in t.problems}
        return ids | set(self.content.failed)


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
    pid = _free_id(problem_id or _slug(proposal.id) or "drafted", place, out)
    relative = _relative_file(place, pid, out)
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


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-")[:60]


def _free_id(wanted: str, place: Place, out: Path | None) -> str:
    """`wanted`, or `wanted-2`, `wanted-3` … the first id no problem has and no file uses."""
    taken = place.taken()
    candidate, number = wanted, 1
    while candidate in taken or (
        out is None and (place.content.root / _relative_file(place, candidate, None)).exists()
    ):
        number += 1
        candidate = f"{wanted}-{number}"
    return candidate


def _relative_file(place: Place, pid: str, out: Path | None) -> str:
    """The problem file's path in the content folder: `out`, or `<language>/<topic>/<id>.yaml`."""
    if out is not None:
        return out.as_posix()
    return f"{place.course.language}/{place.topic.id}/{pid}.yaml"


def output_path(content_root: Path, out: Path) -> Path:
    """`--out PATH` as a path relative to the content folder; it must be inside it and free."""
    root = content_root.resolve()
    target = out.resolve()
    if not target.is_relative_to(root):
        raise DraftError(f"{out} is not inside the content folder {content_root}")
    if target.suffix != ".yaml":
        raise DraftError(f"{out}: a problem file's name ends in .yaml")
    if target.exists():
        raise DraftError(f"{out} exists: drafts never overwrite a file")
    return target.relative_to(root)


# ---------------------------------------------------------------------------------- writing


def _entry(problem: Problem) -> dict[str, Any]:
    """The problem's catalog entry, as an author writes it (no empty `concepts`)."""
    return problem.meta.model_dump(exclude_defaults=True)


def _write(problem: Problem, place: Place, sandbox: Sandbox, limits: SandboxLimits) -> Path:
    """Check the problem as `codegym validate` does, from its written text in a scratch content
    folder, then add it to the content folder. `_Rejected` if the checks find anything."""
    text = problem_yaml(problem.body)
    with tempfile.TemporaryDirectory(prefix="codegym-draft-") as scratch:
        staged = _stage(Path(scratch), problem, place, text)
        findings = validate_problem(staged, sandbox, limits)
    if findings:
        failure: Failure = (
            "starter_passes" if {f.code for f in findings} == {"starter_passes"} else "invalid"
        )
        raise _Rejected(failure, "; ".join(_without_id(f, problem.id) for f in findings[:5]))
    return _add(problem, place, text)


def _stage(scratch: Path, problem: Problem, place: Place, text: str) -> Problem:
    """The problem loaded by the real loader from a content folder holding only it."""
    topic = place.topic.model_dump(exclude={"problems"}) | {"problems": [_entry(problem)]}
    course = place.course.model_dump(exclude={"topics"}) | {"topics": [topic]}
    (scratch / CATALOG_FILE).write_text(
        yaml.safe_dump({"courses": [course]}, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    file = scratch / problem.meta.file
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    content = load_content(scratch)
    if content.errors or problem.id not in content.problems:
        errors = "; ".join(str(e) for e in content.errors[:5]) or "the problem did not load"
        raise _Rejected("invalid", errors)
    return content.problems[problem.id]


def _without_id(finding: ValidationFinding, pid: str) -> str:
    return finding.message.removeprefix(f"{pid}: ")


def _add(problem: Problem, place: Place, text: str) -> Path:
    """Write the problem file (never over another) and its catalog entry; the content folder
    must then load with the problem in it, or both are taken back."""
    root = place.content.root
    catalog = root / CATALOG_FILE
    before = catalog.read_text(encoding="utf-8")
    try:
        after = with_problem(before, place.course.id, place.topic.id, _entry(problem))
    except CatalogEditError as exc:
        raise DraftError(f"{catalog}: {exc}") from None
    path = root / problem.meta.file
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise DraftError(f"{path} appeared while drafting: not overwritten") from None
    catalog.write_text(after, encoding="utf-8")
    loaded = load_content(root).problems.get(problem.id)
    if loaded is None or loaded.body != problem.body:
        catalog.write_text(before, encoding="utf-8")
        path.unlink()
        raise DraftError(f"{problem.id} did not load back from {root}: nothing was written")
    return path
