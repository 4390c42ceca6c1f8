"""Tests the tutor generated for a learner: `.codegym/generated/<exercise>.yaml` in the workspace,
run with the exercise's own tests on every later save (visibility `generated`).

Each file records a hash of the reference solution that computed its expected values; when the
course's solution changes, the file is ignored rather than trusted.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import structlog
import yaml
from pydantic import TypeAdapter, ValidationError

from .content import Problem
from .content.arguments import input_problems
from .content.models import CallTest, TestCase
from .workspace import STATE_DIR, write_atomically

log = structlog.get_logger(__name__)

_TESTS = TypeAdapter(list[TestCase])


def generated_path(root: Path, exercise: str) -> Path:
    return root / STATE_DIR / "generated" / f"{exercise}.yaml"


def _solution_hash(problem: Problem) -> str:
    return hashlib.sha256(problem.body.solution.encode()).hexdigest()


def load_generated(root: Path | None, problem: Problem) -> list[TestCase]:
    if root is None:
        return []
    path = generated_path(root, problem.id)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, yaml.YAMLError, ValueError, LookupError, AttributeError) as exc:
        # PyYAML builds some scalars with bare errors (2024-13-45, `!!bool maybe`)
        log.warning("ignoring unreadable generated tests", path=str(path), error=str(exc))
        return []
    if not isinstance(data, dict) or data.get("solution_sha256") != _solution_hash(problem):
        log.info("ignoring generated tests made for another solution", path=str(path))
        return []
    try:
        tests = _TESTS.validate_python(data.get("tests") or [])
    except ValidationError as exc:
        log.warning("ignoring invalid generated tests", path=str(path), error=str(exc))
        return []
    taken = {t.id for t in problem.body.tests}
    return [
        t
        for t in tests
        if t.visibility == "generated" and t.id not in taken and _inputs_arrive(t, problem, path)
    ]


def _inputs_arrive(test: TestCase, problem: Problem, path: Path) -> bool:
    """Whether the test's inputs reach the function as written (`content.arguments`); a test
    whose inputs do not (a file edited by hand) is ignored, with a warning."""
    if not isinstance(test, CallTest):
        return True
    for _, reason in input_problems(test.args, test.kwargs, problem.language, test.id):
        log.warning("ignoring a generated test", path=str(path), error=reason)
        return False
    return True


def save_generated(root: Path, problem: Problem, new: list[TestCase]) -> Path:
    """Add `new` to the exercise's generated tests (atomically)."""
    path = generated_path(root, problem.id)
    tests = [*load_generated(root, problem), *new]
    document: dict[str, Any] = {
        "exercise": problem.id,
        "solution_sha256": _solution_hash(problem),
        "tests": [t.model_dump(mode="json", exclude_none=True) for t in tests],
    }
    write_atomically(path, yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    return path
