"""A variant's parameters and expected values, computed in the sandbox: a generator function
makes a generated variant's parameters from the learner's seed, and the reference solution, run
on the variant's inputs, computes its expected values (as it does the tutor's generated tests);
authors never write them.

A workspace keeps them in `.codegym/variants/<exercise>.json`, keyed by the seed and a digest of
what determines them (the solution, the language and every test's input), so a save does not run
the reference again, and a changed exercise is never judged by stale values.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import structlog

from .checker import harness_case, run_reference, with_expected
from .config import SandboxLimits
from .content import Problem
from .content.arguments import value_problem
from .content.models import CallTest, StdioTest, TestCase
from .content.templates import Params
from .content.variants import generator_seed
from .sandbox import Sandbox
from .workspace import (
    STATE_DIR,
    generated_params,
    store_generated_params,
    workspace_seed,
    write_atomically,
)

log = structlog.get_logger(__name__)


class VariantError(Exception):
    """The reference solution failed on a variant's input: the content is wrong, not the
    learner's code."""

    def __init__(self, problem: Problem, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        """(test id, what went wrong) for each test the reference failed."""
        test, why = failures[0]
        super().__init__(
            f"{problem.id}: the reference solution fails test {test!r} of variant "
            f"{_number(problem)}: {why}"
        )


class GeneratorError(Exception):
    """A problem's generator did not give a usable parameter set: the content is wrong."""

    def __init__(self, problem: Problem, number: int, why: str) -> None:
        self.why = why
        super().__init__(f"{problem.id}: the generator's variant({number}) {why}")


GENERATOR_FUNCTION = "variant"
"""The function a generator defines: `variant(seed)` → the parameter set."""


def generate_params(
    problem: Problem, number: int, sandbox: Sandbox, limits: SandboxLimits
) -> Params:
    """What the problem's generator returns for `number`, run in the sandbox under the
    problem's limits, called twice in the one run: a generator that gives two answers (an
    unseeded random choice) is refused, as is anything but a mapping of the declared names to
    values the tests' inputs can take."""
    variants = problem.body.variants
    assert variants is not None and variants.generator is not None, f"{problem.id}: no generator"
    calls: list[TestCase] = [
        CallTest(kind="call", id=call, name=GENERATOR_FUNCTION, args=[number])
        for call in ("first", "again")
    ]
    body = problem.body.model_copy(
        update={"solution": variants.generator, "entry_point": GENERATOR_FUNCTION, "tests": calls}
    )
    first, again = run_reference(problem.model_copy(update={"body": body}), calls, sandbox, limits)
    if not first.ok:
        raise GeneratorError(problem, number, f"failed: {first.problem}")
    params = first.value
    names = sorted(variants.names or [])
    if not isinstance(params, dict) or _tagged(params):
        raise GeneratorError(
            problem, number, f"must return a mapping of {names}, not {params!r:.80}"
        )
    if sorted(params) != names:
        raise GeneratorError(problem, number, f"returned {sorted(params)}; names declares {names}")
    if not again.ok or again.value != params:
        raise GeneratorError(
            problem, number, "gave different parameters when called again with the same seed: "
            "derive every random choice from seed (e.g. random.Random(seed))",
        )  # fmt: skip
    for name, value in params.items():
        if (reason := value_problem(value, problem.language)) is not None:
            raise GeneratorError(problem, number, f"returned {name!r}: {reason}")
    return params


def _tagged(value: Any) -> bool:
    """Whether a result holds a value JSON cannot say (a set, a tuple-keyed map, a big
    integer, infinity: the harness tags those `$...`): parameters are JSON values."""
    if isinstance(value, dict):
        return any(str(key).startswith("$") or _tagged(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_tagged(item) for item in value)
    return False


def prepare_generated(
    problems: list[Problem], root: Path | None, sandbox: Sandbox, limits: SandboxLimits
) -> list[GeneratorError]:
    """Run the generator of every generated variant problem among `problems` that has not run
    for the workspace's seed, and keep what it returns (`workspace.generated_params`). The
    errors of the generators that failed; their problems stay unavailable."""
    seed = workspace_seed(root)
    errors: list[GeneratorError] = []
    for problem in problems:
        variants = problem.body.variants
        if variants is None or variants.generator is None:
            continue
        if generated_params(root, problem, seed) is not None:
            continue
        try:
            params = generate_params(problem, generator_seed(seed, problem.id), sandbox, limits)
        except GeneratorError as exc:
            log.warning("a variant generator failed", error=str(exc))
            errors.append(exc)
            continue
        store_generated_params(root, problem, seed, params)
    return errors


def _number(problem: Problem) -> int:
    return problem.variant.index + 1 if problem.variant else 0


def cache_path(root: Path, exercise: str) -> Path:
    return root / STATE_DIR / "variants" / f"{exercise}.json"


def digest(problem: Problem) -> str:
    """What a variant's expected values depend on: the solution, how it is run, every input."""
    body = problem.body
    basis = {
        "language": body.language,
        "mode": body.mode,
        "entry_point": body.entry_point,
        "solution": body.solution,
        "cases": [harness_case(test) for test in body.tests],
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def judged_problem(
    problem: Problem, sandbox: Sandbox, limits: SandboxLimits, root: Path | None = None
) -> Problem:
    """A variant instance with every test's expected value filled in (from the workspace's
    cache when it has them, else by running the reference); any other problem unchanged.
    Raises VariantError if the reference fails on one of the variant's inputs."""
    choice = problem.variant
    if choice is None or choice.computed:
        return problem
    key = digest(problem)
    expected = _cached(root, problem, key) if root is not None else None
    if expected is None:
        expected = compute_expected(problem, sandbox, limits)
        if root is not None:
            _store(root, problem, key, expected)
    tests = [_filled(test, expected[str(test.id)]) for test in problem.body.tests]
    body = problem.body.model_copy(update={"tests": tests})
    computed = choice.model_copy(update={"computed": True})
    return problem.model_copy(update={"body": body, "variant": computed})


def compute_expected(problem: Problem, sandbox: Sandbox, limits: SandboxLimits) -> dict[str, Any]:
    """Each test's expected value (for stdio tests, the output), by test id, from one run of
    the reference solution on the variant's inputs."""
    tests = list(problem.body.tests)
    outcomes = run_reference(problem, tests, sandbox, limits)
    failures = [(str(t.id), o.problem) for t, o in zip(tests, outcomes, strict=True) if not o.ok]
    if failures:
        raise VariantError(problem, failures)
    return {
        str(test.id): _expected_of(with_expected(test, outcome))
        for test, outcome in zip(tests, outcomes, strict=True)
    }


def _expected_of(test: TestCase) -> Any:
    return test.expected_stdout if isinstance(test, StdioTest) else test.expected


def _filled(test: TestCase, value: Any) -> TestCase:
    field = "expected_stdout" if isinstance(test, StdioTest) else "expected"
    return test.model_copy(update={field: value})


def _cached(root: Path, problem: Problem, key: str) -> dict[str, Any] | None:
    path = cache_path(root, problem.id)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring an unreadable variant cache", path=str(path), error=str(exc))
        return None
    expected = document.get("expected") if isinstance(document, dict) else None
    wanted = {str(test.id) for test in problem.body.tests}
    if document.get("digest") != key or not isinstance(expected, dict) or set(expected) != wanted:
        return None
    return expected


def _store(root: Path, problem: Problem, key: str, expected: dict[str, Any]) -> None:
    """Write the cache atomically; a workspace that cannot be written is only slower."""
    path = cache_path(root, problem.id)
    document = {
        "exercise": problem.id,
        "seed": problem.variant.seed if problem.variant else None,
        "variant": _number(problem),
        "digest": key,
        "expected": expected,
    }
    try:
        write_atomically(path, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    except OSError as exc:
        log.warning("cannot cache a variant's expected values", path=str(path), error=str(exc))
