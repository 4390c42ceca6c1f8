"""Efficiency tests: a right answer must also be fast, relative to the reference solution measured
in the same sandbox."""

from __future__ import annotations

from codegym.checker import check_source
from codegym.config import SandboxLimits
from codegym.grading import message
from codegym.sandbox import Sandbox

from .conftest import make_problem

BUILD = "data = [(i * 7919) % 1_000_003 for i in range(6000)]\ndata.append(data[3000])\n"
TESTS = [
    {"kind": "call", "name": "small", "args": [[1, 2, 1]], "expected": True},
    {"kind": "call", "name": "distinct", "args": [[1, 2, 3]], "expected": False},
    {"kind": "code", "name": "long list", "code": BUILD + "return has_duplicate(data)",
     "expected": True, "time_factor": 5},
    {"kind": "code", "name": "long list, hidden", "visibility": "hidden", "label": "a long list",
     "code": BUILD + "return has_duplicate(data)", "expected": True, "time_factor": 5},
]  # fmt: skip
LINEAR = "def has_duplicate(xs):\n    return len(set(xs)) != len(xs)\n"
QUADRATIC = (
    "def has_duplicate(xs):\n"
    "    for i in range(len(xs)):\n"
    "        for j in range(i):\n"
    "            if xs[i] == xs[j]:\n"
    "                return True\n"
    "    return False\n"
)


def problem() -> object:
    return make_problem(solution=LINEAR, tests=TESTS, entry_point="has_duplicate")


def test_linear_passes_quadratic_is_too_slow(sandbox: Sandbox) -> None:
    limits = SandboxLimits(test_cpu_s=5, wall_s=20)
    fast = check_source(problem(), LINEAR, sandbox, limits)
    assert fast.status == "pass", fast.tests
    assert fast.levels["efficiency"] == {"passed": 2, "total": 2}

    slow = check_source(problem(), QUADRATIC, sandbox, limits)
    small, distinct, public, hidden = slow.tests
    assert small.passed and distinct.passed
    assert public.category in ("too_slow", "timeout"), public
    if public.category == "too_slow":
        assert "right answer, but it used" in message(public)
        assert "5× the reference solution" in message(public)
    assert message(hidden) in (
        "hidden test failed: a long list (too slow)",
        "hidden test failed: a long list (timed out)",
    )
    assert slow.levels["efficiency"] == {"passed": 0, "total": 2}
    assert slow.status == "fail"


def test_wrong_answers_do_not_cost_a_calibration(local_sandbox: Sandbox) -> None:
    from codegym.checker import REFERENCE_TIMES

    before = dict(REFERENCE_TIMES._cache)
    wrong = "def has_duplicate(xs):\n    return None\n"
    verdict = check_source(problem(), wrong, local_sandbox, SandboxLimits())
    assert verdict.levels["efficiency"]["passed"] == 0
    assert REFERENCE_TIMES._cache == before
