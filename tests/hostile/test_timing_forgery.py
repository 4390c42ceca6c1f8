"""Timing forgery: every naive (too slow) solution of the bundled courses, with a prelude that
freezes every clock its process can reach, patches the harness's own timer references and
result objects, and looks for the host's channel through the supervisor's /proc entries
(`forgery/prelude.py`, `forgery/prelude.js`), must still miss its efficiency budget, on both
backends; and the prelude must find the supervisor's memory and descriptors closed to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegym.checker import check_source
from codegym.config import SandboxLimits
from codegym.content.models import Problem
from codegym.grading import message
from codegym.sandbox import RunRequest, Sandbox

from ..test_courses import HARD_WITH_BUDGET, NAIVE

PRELUDES = Path(__file__).parent / "forgery"
LIMITS = SandboxLimits(wall_s=120, cpu_s=120)  # every slow test gets its own CPU limit


@pytest.fixture(params=["local", "docker"])
def backend(request: pytest.FixtureRequest) -> Sandbox:
    return request.getfixturevalue(f"{request.param}_sandbox")


def forged(problem: Problem) -> str:
    prelude = (PRELUDES / f"prelude{problem.extension}").read_text(encoding="utf-8")
    return prelude + (NAIVE / f"{problem.id}{problem.extension}").read_text(encoding="utf-8")


@pytest.mark.parametrize("problem", HARD_WITH_BUDGET, ids=lambda p: p.id)
def test_forged_clocks_do_not_make_a_naive_solution_fast(
    problem: Problem, backend: Sandbox
) -> None:
    verdict = check_source(problem, forged(problem), backend, LIMITS, reveal_hidden=True)
    assert verdict.status == "fail"
    over_budget = [
        judged.id
        for judged, test in zip(verdict.tests, problem.body.tests, strict=True)
        if test.time_factor and judged.category in ("too_slow", "timeout")
    ]
    assert over_budget, [message(t) for t in verdict.tests]
    assert not any(t.category == "tampered" for t in verdict.tests)


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_the_supervisor_is_closed_to_learner_code(language: str, backend: Sandbox) -> None:
    extension = ".py" if language == "python" else ".js"
    prelude = (PRELUDES / f"prelude{extension}").read_text(encoding="utf-8")
    if language == "python":
        source = prelude + "def reached():\n    return FORGERY_REACHED_SUPERVISOR\n"
    else:
        source = prelude + "function reached() {\n  return FORGERY_REACHED_SUPERVISOR;\n}\n"
    request = RunRequest(
        language=language,  # type: ignore[arg-type]
        mode="function",
        source=source,
        entry_point="reached",
        cases=({"id": "t1", "kind": "call", "args": [], "kwargs": {}},),
    )
    report = backend.run(request)
    outcome = report.cases["t1"]
    assert outcome.status == "ok", (outcome, report.diagnostics)
    assert outcome.value == [], "learner code opened the supervisor's memory or descriptors"
    assert outcome.cpu_ms is not None
