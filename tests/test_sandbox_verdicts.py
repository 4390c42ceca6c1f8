"""Learner file → sandbox → verdict, on both backends: right and wrong answers, errors at the right
line, syntax errors, stdio programs and code tests, in Python and JavaScript."""

from __future__ import annotations

from codegym.checker import check_source
from codegym.config import SandboxLimits
from codegym.grading import HiddenFailure, message, verdict_document
from codegym.sandbox import Sandbox

from .conftest import make_problem

PY_TESTS = [
    {"kind": "call", "name": "mixed", "args": [[1, 2, 3, 4]], "expected": 6},
    {"kind": "call", "name": "empty", "args": [[]], "expected": 0},
    {"kind": "call", "name": "hidden one", "visibility": "hidden", "label": "negatives",
     "args": [[-2, -3]], "expected": -2},
]  # fmt: skip
PY_SOLUTION = "def sum_evens(xs):\n    return sum(x for x in xs if x % 2 == 0)\n"


def py_problem() -> object:
    return make_problem(solution=PY_SOLUTION, tests=PY_TESTS, entry_point="sum_evens")


def test_solution_passes(sandbox: Sandbox, limits: SandboxLimits) -> None:
    verdict = check_source(py_problem(), PY_SOLUTION, sandbox, limits)
    assert verdict.status == "pass", verdict.tests
    assert verdict.backend == sandbox.name
    assert verdict.levels["public"] == {"passed": 2, "total": 2}
    assert verdict.levels["hidden"] == {"passed": 1, "total": 1}


def test_wrong_answer_shows_input_expected_actual_but_hides_hidden_data(
    sandbox: Sandbox, limits: SandboxLimits
) -> None:
    source = "def sum_evens(xs):\n    return sum(xs)\n"
    verdict = check_source(py_problem(), source, sandbox, limits)
    assert verdict.status == "fail"
    mixed, empty, hidden = verdict.tests
    assert mixed.category == "wrong_answer"
    assert message(mixed) == "mixed: sum_evens([1, 2, 3, 4]) returned 10, expected 6"
    failure = mixed.failure
    assert (failure.input, failure.expected, failure.actual) == (
        "sum_evens([1, 2, 3, 4])",
        "6",
        "10",
    )
    assert empty.passed
    assert message(hidden) == "hidden test failed: negatives (wrong answer)"
    assert hidden.failure == HiddenFailure("wrong_answer")  # its kind, and nothing else
    assert "-2" not in str(verdict_document(verdict)["tests"][2])


def test_exception_reports_learner_line(sandbox: Sandbox, limits: SandboxLimits) -> None:
    source = "# header\n\ndef sum_evens(xs):\n    total = 0\n    return total / len(xs)\n"
    verdict = check_source(py_problem(), source, sandbox, limits)
    empty = verdict.tests[1]
    assert empty.category == "runtime_error"
    assert empty.failure.error.type == "ZeroDivisionError"
    assert empty.failure.line == 5
    assert "raised ZeroDivisionError" in message(empty)
    assert verdict.levels["runs"] == "fail"


def test_syntax_error_fails_every_test_at_its_line(sandbox: Sandbox, limits: SandboxLimits) -> None:
    source = "def sum_evens(xs)\n    return 0\n"
    verdict = check_source(py_problem(), source, sandbox, limits)
    assert {t.category for t in verdict.tests} == {"syntax_error"}
    assert verdict.tests[0].failure.line == 1
    assert verdict.levels["syntax"] == "fail"


JS_TESTS = [
    {"kind": "call", "name": "mean", "args": [[1, 2, 3]], "expected": 2, "compare": "float"},
    {"kind": "call", "name": "empty", "args": [[]], "expected": 0},
    {"kind": "code", "name": "uses it twice", "code": "return average([2]) + average([4]);",
     "expected": 6},
]  # fmt: skip
JS_SOLUTION = (
    "function average(values) {\n"
    "  if (values.length === 0) return 0;\n"
    "  return values.reduce((a, b) => a + b, 0) / values.length;\n"
    "}\n"
)


def js_problem() -> object:
    return make_problem(
        language="javascript", solution=JS_SOLUTION, tests=JS_TESTS, entry_point="average"
    )


def test_javascript_pass_and_fail(sandbox: Sandbox, limits: SandboxLimits) -> None:
    assert check_source(js_problem(), JS_SOLUTION, sandbox, limits).status == "pass"
    buggy = (
        "// header\n"
        "function average(values) {\n"
        "  let total = 0;\n"
        "  for (let i = 0; i < values.length; i++) total += values[i];\n"
        "  return total / values.length;\n"
        "}\n"
    )
    verdict = check_source(js_problem(), buggy, sandbox, limits)
    mean, empty, code = verdict.tests
    assert mean.passed and code.passed
    assert empty.category == "wrong_answer"
    assert message(empty) == "empty: average([]) returned NaN, expected 0"


def test_javascript_error_line_and_syntax(sandbox: Sandbox, limits: SandboxLimits) -> None:
    throwing = "function average(values) {\n  return values.missing.length;\n}\n"
    verdict = check_source(js_problem(), throwing, sandbox, limits)
    assert verdict.tests[0].failure.error.type == "TypeError"
    assert verdict.tests[0].failure.line == 2
    broken = "function average(values) {\n  return (;\n}\n"
    verdict = check_source(js_problem(), broken, sandbox, limits)
    assert {t.category for t in verdict.tests} == {"syntax_error"}
    assert verdict.tests[0].failure.line == 2


def test_stdio_program(sandbox: Sandbox, limits: SandboxLimits) -> None:
    tests = [
        {"kind": "stdio", "name": "three", "stdin": "3\n1\n2\n3\n", "expected_stdout": "1\n3\n6\n"},
        {"kind": "stdio", "name": "none", "stdin": "0\n", "expected_stdout": ""},
    ]
    solution = (
        "n = int(input())\ntotal = 0\nfor _ in range(n):\n"
        "    total += int(input())\n    print(total)\n"
    )
    problem = make_problem(kind="script", solution=solution, tests=tests)
    assert check_source(problem, solution, sandbox, limits).status == "pass"
    wrong = solution.replace("print(total)", "print(total + 1)")
    verdict = check_source(problem, wrong, sandbox, limits)
    assert message(verdict.tests[0]) == "three: output line 1: expected '1', got '2'"
    crash = "n = int(input())\nprint(n)\nraise ValueError('boom')\n"
    verdict = check_source(problem, crash, sandbox, limits)
    assert verdict.tests[0].failure.error.type == "ValueError"
    assert verdict.tests[0].failure.line == 3


def test_javascript_stdio_program(sandbox: Sandbox, limits: SandboxLimits) -> None:
    tests = [{"kind": "stdio", "name": "echo", "stdin": "hi\n", "expected_stdout": "HI\n"}]
    solution = (
        "const text = require('fs').readFileSync(0, 'utf8');\n"
        "console.log(text.trim().toUpperCase());\n"
    )
    problem = make_problem(language="javascript", kind="script", solution=solution, tests=tests)
    assert check_source(problem, solution, sandbox, limits).status == "pass"


def test_code_tests_compare_on_host(sandbox: Sandbox, limits: SandboxLimits) -> None:
    tests = [
        {"kind": "code", "name": "counts", "code": "c = Counter()\nc.add()\nc.add()\nreturn c.n",
         "expected": 2},
        {"kind": "code", "name": "asserts", "code": "assert Counter().n == 0"},
    ]  # fmt: skip
    solution = (
        "class Counter:\n"
        "    def __init__(self):\n        self.n = 0\n"
        "    def add(self):\n        self.n += 1\n"
    )
    problem = make_problem(solution=solution, tests=tests)
    assert check_source(problem, solution, sandbox, limits).status == "pass"
    wrong = solution.replace("self.n += 1", "self.n += 2")
    verdict = check_source(problem, wrong, sandbox, limits)
    assert verdict.tests[0].category == "wrong_answer"
    assert "returned 4, expected 2" in message(verdict.tests[0])
