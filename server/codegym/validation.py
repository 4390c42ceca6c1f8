"""`codegym validate`: everything an author can get wrong, each with its file:line.

Schema and loader errors; every reference solution passes every test; every starter fails at
least one; expected values are canonical; no hint contains a line of the solution's code.
Problems run in parallel against one sandbox.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

from .checker import check_source
from .config import SandboxLimits
from .content import Content, Problem
from .content.models import CallTest, CodeTest
from .content.variants import instantiate, sample
from .grading import message
from .grading.values import NotCanonical, canonical
from .sandbox import Sandbox, SandboxError
from .variants import GeneratorError, VariantError, generate_params, judged_problem

_MIN_LEAK_CHARS = 12

FindingCode = Literal[
    "content", "expected", "hint_leak", "reference_fails", "starter_passes", "sandbox"
]
"""What kind of thing a finding is: a schema or loader error, an expected value no program can
return, a hint that contains the solution's code, a test the reference fails, a starter that
passes every test, a sandbox that failed."""


@dataclass(frozen=True)
class ValidationFinding:
    """One thing an author must fix, at its file and line."""

    file: str
    line: int | None
    message: str
    code: FindingCode = "content"

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.message}"
            if self.line
            else f"{self.file}: {self.message}"
        )


@dataclass(frozen=True)
class ValidationReport:
    findings: list[ValidationFinding]
    problems: int
    tests: int
    duration_s: float
    backend: str
    variants: int = 0
    """Parameter sets of variant problems tried (a sample of each problem's)."""

    @property
    def ok(self) -> bool:
        return not self.findings


def validate(
    content: Content,
    sandbox: Sandbox,
    limits: SandboxLimits,
    parallelism: int,
    progress: Callable[[Problem], None] | None = None,
) -> ValidationReport:
    started = time.perf_counter()
    findings = [ValidationFinding(e.file, e.line, e.message) for e in content.errors]
    problems = content.ordered()

    def one(problem: Problem) -> list[ValidationFinding]:
        found = validate_problem(problem, sandbox, limits)
        if progress:
            progress(problem)
        return found

    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
        for found in pool.map(one, problems):
            findings.extend(found)
    return ValidationReport(
        findings=findings,
        problems=len(problems),
        tests=sum(len(p.body.tests) for p in problems),
        duration_s=time.perf_counter() - started,
        backend=sandbox.name,
        variants=sum(len(sample(p)) for p in problems),
    )


def validate_problem(
    problem: Problem, sandbox: Sandbox, limits: SandboxLimits
) -> list[ValidationFinding]:
    file = problem.source_file
    findings = [*_static_checks(problem)]
    if problem.body.variants is not None:
        return [*findings, *_validate_variants(problem, sandbox, limits)]
    try:
        solution = check_source(
            problem, problem.body.solution, sandbox, limits, reveal_hidden=True, is_reference=True
        )
        starter = check_source(problem, problem.body.starter, sandbox, limits)
    except SandboxError as exc:
        failed = ValidationFinding(file, None, f"{problem.id}: sandbox failed: {exc}", "sandbox")
        return [*findings, failed]
    for test in solution.tests:
        if not test.passed:
            findings.append(
                ValidationFinding(
                    file,
                    problem.lines.get(f"tests.{test.id}"),
                    f"{problem.id}: the reference solution fails test {test.id!r}: {message(test)}",
                    "reference_fails",
                )
            )
    if starter.status == "pass":
        findings.append(
            ValidationFinding(
                file,
                problem.lines.get("starter"),
                f"{problem.id}: the starter passes every test (it must fail at least one)",
                "starter_passes",
            )
        )
    return findings


def _validate_variants(
    problem: Problem, sandbox: Sandbox, limits: SandboxLimits
) -> list[ValidationFinding]:
    """A sample of a variant problem's parameter sets: on each, the reference solution runs
    clean on every test (its results become the expected values) and the starter fails."""
    findings: list[ValidationFinding] = []
    generator = problem.body.variants is not None and problem.body.variants.generator is not None
    for index in sample(problem):
        if generator:
            where = problem.lines.get("variants")
            named = f"{problem.id}: the variant generated for {index}"
        else:
            where = problem.lines.get(f"variants.{index}")
            named = f"{problem.id}: parameter set {index + 1}"
        try:
            params = generate_params(problem, index, sandbox, limits) if generator else None
            variant = instantiate(problem, index, None, params)
            judged = judged_problem(variant, sandbox, limits)
            starter = check_source(judged, judged.body.starter, sandbox, limits)
        except GeneratorError as exc:
            findings.append(ValidationFinding(problem.source_file, where, str(exc)))
            continue
        except VariantError as exc:
            findings += [
                ValidationFinding(
                    problem.source_file,
                    where,
                    f"{named}: the reference solution fails test {test!r}: {why}",
                )
                for test, why in exc.failures
            ]
            continue
        except SandboxError as exc:
            return [ValidationFinding(problem.source_file, None, f"{named}: sandbox failed: {exc}")]
        if starter.status == "pass":
            findings.append(
                ValidationFinding(
                    problem.source_file,
                    where,
                    f"{named}: the starter passes every test (it must fail at least one)",
                )
            )
    return findings


def _static_checks(problem: Problem) -> list[ValidationFinding]:
    file = problem.source_file
    findings: list[ValidationFinding] = []
    for test in problem.body.tests:
        if isinstance(test, CallTest | CodeTest):
            try:
                canonical(test.expected)
            except NotCanonical as exc:
                findings.append(
                    ValidationFinding(
                        file,
                        problem.lines.get(f"tests.{test.id}"),
                        f"{problem.id}: {exc}",
                        "expected",
                    )
                )
    for number, hint in enumerate(problem.body.hints, start=1):
        if leaked := solution_lines_in(hint, problem.body.solution):
            findings.append(
                ValidationFinding(
                    file,
                    problem.lines.get("hints"),
                    f"{problem.id}: hint {number} contains the solution's code: {leaked[0]!r}",
                    "hint_leak",
                )
            )
    return findings


def _normalise(line: str) -> str:
    return re.sub(r"\s+", "", line)


def solution_lines_in(text: str, solution: str) -> list[str]:
    """Lines of the solution's code (ignoring whitespace, comments and short lines such as
    `return result`) that appear in `text`."""
    haystack = _normalise(text)
    found = []
    for line in solution.splitlines():
        stripped = line.strip()
        if stripped.startswith(("#", "//")):
            continue
        needle = _normalise(stripped)
        if len(needle) >= _MIN_LEAK_CHARS and needle in haystack:
            found.append(stripped)
    return found
