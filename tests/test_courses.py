"""The bundled courses: their shape, their variety, and efficiency tests that really separate a
naive solution from the reference."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from codegym.checker import check_source
from codegym.config import SandboxLimits
from codegym.content import load_content
from codegym.content.models import CodeTest, Problem, StdioTest
from codegym.content.variants import has_generator
from codegym.grading import message
from codegym.sandbox import Sandbox

from .conftest import ROOT

CONTENT = load_content(ROOT / "content")
NAIVE = Path(__file__).parent / "naive"
HARD_WITH_BUDGET = [
    p for p in CONTENT.ordered() if p.meta.difficulty == "hard" and
    any(t.time_factor for t in p.body.tests)
]  # fmt: skip


def test_two_courses_five_topics_six_problems_and_variants() -> None:
    assert CONTENT.errors == []
    assert CONTENT.catalog is not None
    assert [c.language for c in CONTENT.catalog.courses] == ["python", "javascript"]
    for course in CONTENT.catalog.courses:
        assert len(course.topics) == 5, course.id
        for topic in course.topics:
            fixed = [m for m in topic.problems if CONTENT.get(m.id).body.variants is None]
            assert len(fixed) == 6, topic.id
            mix = Counter(p.difficulty for p in fixed)
            assert mix == {"easy": 2, "medium": 2, "hard": 2}, (topic.id, mix)
            assert topic.concepts, topic.id
            orders = sorted(p.order for p in topic.problems)
            assert orders == list(range(1, len(topic.problems) + 1)), topic.id
    assert len(CONTENT.problems) == 68
    generated = [p.id for p in CONTENT.ordered() if has_generator(p)]
    assert generated == ["py-clamp-readings", "js-count-in-band"]


@pytest.mark.parametrize("course", ["python", "javascript"])
def test_variety_per_course(course: str) -> None:
    problems = [p for p in CONTENT.problems.values() if p.course.id == course]
    assert sum(p.body.kind == "fix" for p in problems) >= 3
    assert sum(any(isinstance(t, StdioTest) for t in p.body.tests) for p in problems) >= 3
    assert sum(any(isinstance(t, CodeTest) for t in p.body.tests) for p in problems) >= 3
    assert sum(p.body.variants is not None for p in problems) >= 3


@pytest.mark.parametrize("problem", CONTENT.ordered(), ids=lambda p: p.id)
def test_every_problem_is_complete(problem: Problem) -> None:
    tests = problem.body.tests
    assert sum(t.visibility == "public" for t in tests) >= 4
    assert sum(t.visibility == "hidden" for t in tests) >= 3
    assert len(problem.body.hints) == 3
    assert problem.meta.concepts, "practices at least one concept of its topic"
    assert "example" in problem.body.statement.lower()
    if problem.meta.difficulty == "hard":
        assert any(t.time_factor for t in tests), "a hard problem needs an efficiency test"


@pytest.fixture(scope="module")
def judge(request: pytest.FixtureRequest) -> Sandbox:
    """Docker where it is available (always in CI), else the local sandbox."""
    from .conftest import REQUIRE_DOCKER

    try:
        return request.getfixturevalue("docker_sandbox")
    except pytest.skip.Exception:
        if REQUIRE_DOCKER:
            raise
        return request.getfixturevalue("local_sandbox")


@pytest.mark.slow
@pytest.mark.parametrize("problem", HARD_WITH_BUDGET, ids=lambda p: p.id)
def test_naive_solution_fails_the_budget_reference_passes(problem: Problem, judge: Sandbox) -> None:
    naive = NAIVE / f"{problem.id}{problem.extension}"
    assert naive.is_file(), f"keep a naive solution of {problem.id} in {naive}"
    limits = SandboxLimits(wall_s=120, cpu_s=120)  # every slow test gets its own 3 s
    reference = check_source(problem, problem.body.solution, judge, limits, reveal_hidden=True)
    assert reference.status == "pass", [message(t) for t in reference.tests if not t.passed]
    verdict = check_source(problem, naive.read_text(), judge, limits, reveal_hidden=True)
    over_budget = []
    for judged, test in zip(verdict.tests, problem.body.tests, strict=True):
        if test.time_factor and judged.category in ("too_slow", "timeout"):
            over_budget.append(test.id)
        else:  # an efficiency test may target another slow approach; the answer must be right
            assert judged.passed, f"the naive solution must be right: {message(judged)}"
    assert over_budget, "the naive solution must miss at least one time budget"
