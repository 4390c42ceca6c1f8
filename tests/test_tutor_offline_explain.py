"""The tutor's offline explanations: real verdicts from broken programs run in the local sandbox
(both languages), plus typed records built by hand for syntax errors found while typing and for
failures without an error. Each explanation must name the specific thing at fault, stay short,
and never reveal a hidden test's data."""

from __future__ import annotations

from typing import Any

import pytest

from codegym.checker import check_source, syntax_failure
from codegym.config import SandboxLimits
from codegym.grading import (
    Failure,
    FailureKind,
    HiddenFailure,
    HiddenResult,
    PublicResult,
    SyntaxFailure,
    TestVerdict,
    syntax_result,
)
from codegym.grading.records import Budget
from codegym.sandbox import Sandbox
from codegym.sandbox.types import ErrorInfo
from codegym.syntax_check import python_syntax
from codegym.tutor.offline_explain import explain_offline

from .conftest import make_problem

LIMITS = SandboxLimits(wall_s=5, test_cpu_s=1)
SUMS = [{"kind": "call", "name": "sums", "args": [[1, 2, 3]], "expected": 6}]
HIDDEN = {
    "kind": "call", "name": "secret", "visibility": "hidden", "label": "negatives",
    "args": [[-7, -11]], "expected": -18,
}  # fmt: skip


def failing(
    sandbox: Sandbox,
    source: str,
    language: str = "python",
    tests: list[dict[str, Any]] | None = None,
    **problem: Any,
) -> TestVerdict:
    """The first failing verdict of `source` run for real against `tests`."""
    built = make_problem(language=language, entry_point="f", tests=tests or SUMS, **problem)
    verdict = check_source(built, source, sandbox, LIMITS)
    return next(t for t in verdict.tests if not t.passed)


def check_shape(text: str) -> None:
    lines = [line for line in text.splitlines() if line.strip()]
    assert 2 <= len(lines) <= 8, text
    assert lines[0].startswith("**"), text


def explained(sandbox: Sandbox, source: str, language: str = "python", **kw: Any) -> str:
    test = failing(sandbox, source, language, **kw)
    text = explain_offline(test, language, source)
    check_shape(text)
    return text


# ---------------------------------------------------------------------- Python, real verdicts

PYTHON_CASES = [
    pytest.param(
        "def f(xs):\n    total = 0\n    for x in xs:\n        total = totl + x\n    return total\n",
        ["NameError", "`totl`", "`total`", "line 4", "`total = totl + x`"],
        id="name-error-close-match",
    ),
    pytest.param(
        "def f(xs):\n    result = helper(xs)\n    return result\n\ndef g():\n    helper = 1\n",
        ["`helper`", "line 6", "inside `g`"],
        id="name-error-defined-in-another-function",
    ),
    pytest.param(
        "def f(xs):\n    total = 0\n    for x in xs:\n        totl += x\n    return total\n",
        ["UnboundLocalError", "`totl`", "`total`", "line 4"],
        id="unbound-local-typo",
    ),
    pytest.param(
        "count = 0\ndef f(xs):\n    count += 1\n    return count\n",
        ["`count`", "line 1", "local"],
        id="unbound-local-global",
    ),
    pytest.param(
        "def f(xs):\n    return sum(xs) + None\n",
        ["`int`", "`NoneType`", "`+`", "return"],
        id="type-error-operands",
    ),
    pytest.param(
        "def f(xs):\n    return 'total: ' + sum(xs)\n",
        ["`str`", "`int`", "str(...)", "line 2"],
        id="type-error-concatenate",
    ),
    pytest.param(
        "def f(xs):\n    n = len(xs)\n    return n[0]\n",
        ["not subscriptable", "an `int`", "`return n[0]`"],
        id="type-error-subscript",
    ),
    pytest.param(
        "def f(xs):\n    sum = 0\n    for x in xs:\n        sum += x\n    return sum(xs)\n",
        ["not callable", "`sum`", "built-in"],
        id="type-error-shadowed-builtin",
    ),
    pytest.param(
        "def f(xs):\n    for i in len(xs):\n        pass\n    return 0\n",
        ["an `int`", "range(n)", "line 2"],
        id="type-error-not-iterable",
    ),
    pytest.param(
        "def add(a, b):\n    return a + b\n\ndef f(xs):\n    return add(xs[0])\n",
        ["`add()`", "'b'", "line 5"],
        id="type-error-missing-argument",
    ),
    pytest.param(
        "def last(xs):\n    xs.sort()\n\ndef f(xs):\n    return last(xs)[0]\n",
        ["`NoneType`", "return"],
        id="type-error-none-from-function",
    ),
    pytest.param(
        "def f(xs):\n    total = 0\n    for i in range(len(xs) + 1):\n        total += xs[i]\n"
        "    return total\n",
        ["IndexError", "`i`", "`xs`", "len(xs) - 1", "off-by-one", "line 4"],
        id="index-error",
    ),
    pytest.param(
        "def f(xs):\n    counts = {}\n    for x in xs:\n        counts[x] += 1\n    return 6\n",
        ["KeyError", "`1`", ".get", "line 4"],
        id="key-error",
    ),
    pytest.param(
        "def f(xs):\n    empty = [x for x in xs if x > 10]\n    return sum(xs) // len(empty)\n",
        ["ZeroDivisionError", "`len(empty)`", "line 3"],
        id="zero-division",
    ),
    pytest.param(
        "def f(xs):\n    if not xs:\n        return 0\n    return xs[0] + f(xs)\n",
        ["RecursionError", "`f`", "base case", "smaller", "line 4"],
        id="recursion",
    ),
    pytest.param(
        "def f(xs):\n    ordered = xs.sort()\n    return ordered.pop()\n",
        ["AttributeError", "`.pop`", "Line 2", "`.sort()`", "`None`"],
        id="attribute-none-from-sort",
    ),
    pytest.param(
        "def f(xs):\n    word = 'abc'\n    return word.uper()\n",
        ["`.uper`", "a `str`", "`.upper`"],
        id="attribute-typo",
    ),
    pytest.param(
        "def f(xs):\n    xs.push(4)\n    return 6\n",
        ["`.push`", "`append`"],
        id="attribute-mixup",
    ),
    pytest.param(
        "def f(xs):\n    return int('3.5') + 3\n",
        ["ValueError", "`'3.5'`", "decimal point"],
        id="value-error-int",
    ),
    pytest.param(
        "def f(xs):\n    a, b = xs\n    return a + b\n",
        ["unpack", "2 names", "line 2"],
        id="value-error-unpack",
    ),
    pytest.param(
        "def f(xs):\n    raise RuntimeError('the widget broke')\n",
        ["RuntimeError", "the widget broke", "traceback from the bottom", "line 2"],
        id="unknown-error",
    ),
]


@pytest.mark.parametrize(("source", "wanted"), PYTHON_CASES)
def test_python_runtime_errors(local_sandbox: Sandbox, source: str, wanted: list[str]) -> None:
    text = explained(local_sandbox, source)
    for piece in wanted:
        assert piece in text, f"{piece!r} missing from:\n{text}"


def test_python_syntax_errors_from_the_sandbox(local_sandbox: Sandbox) -> None:
    text = explained(local_sandbox, "def f(xs)\n    return sum(xs)\n")
    assert "colon" in text and "line 1" in text and "`def f(xs)`" in text
    text = explained(local_sandbox, "def f(xs):\n    return (sum(xs)\n")
    assert "`(`" in text and "never closed" in text and "line 2" in text
    text = explained(local_sandbox, "def f(xs):\n    total = 0\n      return total\n")
    assert "IndentationError" in text and "line 3" in text and "indented more" in text


def test_python_wrong_answers(local_sandbox: Sandbox) -> None:
    printed = explained(local_sandbox, "def f(xs):\n    print(sum(xs))\n")
    assert "printed `6`" in printed and "return" in printed
    text = explained(local_sandbox, "def f(xs):\n    return str(sum(xs))\n")
    assert "`'6'`" in text and "number" in text and "text" in text
    text = explained(local_sandbox, "def f(xs):\n    return sum(xs) + 1\n")
    assert "off-by-one" in text and "7 instead of 6" in text
    text = explained(local_sandbox, "def f(xs):\n    total = sum(xs)\n")
    assert "no `return`" in text and "`None`" in text
    reverse = [{"kind": "call", "name": "evens", "args": [[1, 2, 3, 4]], "expected": [2, 4]}]
    text = explained(
        local_sandbox, "def f(xs):\n    return [x for x in xs[::-1] if x % 2 == 0]\n", tests=reverse
    )
    assert "reverse order" in text


def test_timeout_names_the_stuck_loop(local_sandbox: Sandbox) -> None:
    source = "def f(xs):\n    i = 0\n    total = 0\n    while i < len(xs):\n"
    source += "        total += xs[i]\n    return total\n"
    test = failing(local_sandbox, source)
    assert test.category == "timeout"
    text = explain_offline(test, "python", source)
    check_shape(text)
    assert "line 4" in text and "`i`" in text and "never becomes false" in text


def test_memory_and_output_limits(local_sandbox: Sandbox) -> None:
    flood = "def f(xs):\n    while True:\n        print(xs)\n"
    text = explained(local_sandbox, flood)
    assert "Too much output" in text and "line 3" in text and "inside a loop" in text
    assert "[1, 2, 3]\n[1, 2, 3]" not in text  # the flood itself is never quoted
    hog = "def f(xs):\n    grow = []\n    while True:\n        grow.append([0] * 100000)\n"
    text = explained(local_sandbox, hog)
    assert "memory" in text and "line 3" in text


def test_hidden_test_reveals_nothing(local_sandbox: Sandbox) -> None:
    source = "def f(xs):\n    if xs[0] < 0:\n        return {}['neg']\n    return sum(xs)\n"
    built = make_problem(entry_point="f", tests=[*SUMS, HIDDEN])
    verdict = check_source(built, source, local_sandbox, LIMITS)
    hidden = next(t for t in verdict.tests if t.visibility == "hidden")
    assert hidden.category == "runtime_error"
    text = explain_offline(hidden, "python", source)
    check_shape(text)
    assert "negatives" in text and "KeyError" in text
    assert "'neg'" not in text and "-7" not in text and "line" not in text


# ---------------------------------------------------------------------- JavaScript, real verdicts

JS_CASES = [
    pytest.param(
        "function f(xs) {\n  let total = 0;\n  for (const x of xs) totl += x;\n"
        "  return total;\n}\n",
        ["ReferenceError", "`totl`", "`total`", "line 3"],
        id="reference-error-close-match",
    ),
    pytest.param(
        "function f(xs) {\n  const doubled = total * 2;\n  let total = 3;\n  return doubled;\n}\n",
        ["`total`", "line 3", "before"],
        id="reference-error-before-initialization",
    ),
    pytest.param(
        "function f(xs) {\n  xs.append(4);\n  return 6;\n}\n",
        ["`xs.append`", "`push`", "line 2"],
        id="type-error-not-a-function",
    ),
    pytest.param(
        "function f(xs) {\n  const person = {};\n  return person.address.city;\n}\n",
        ["reading `city`", "`person.address`", "`undefined`", "line 3"],
        id="type-error-read-undefined",
    ),
    pytest.param(
        "function f(xs) {\n  let n = xs.length;\n  for (const i of n) {}\n  return 6;\n}\n",
        ["not iterable", "`n`", "line 3", "counter"],
        id="type-error-not-iterable",
    ),
    pytest.param(
        "function f(xs) {\n  const total = 0;\n  for (const x of xs) {\n    total += x;\n  }\n"
        "  return total;\n}\n",
        ["`total`", "`const`", "line 2", "`let`", "line 4"],
        id="type-error-constant",
    ),
    pytest.param(
        "function f(xs) {\n  return xs.length + f(xs);\n}\n",
        ["RangeError", "`f`", "base case", "line 2"],
        id="range-error-stack",
    ),
    pytest.param(
        "function f(xs) {\n  return new Array(xs.length - 10).length;\n}\n",
        ["Invalid array length", "line 2", "negative"],
        id="range-error-array-length",
    ),
    pytest.param(
        "function f(xs) {\n  console.log('sum' xs);\n  return 6;\n}\n",
        ["missing ) after argument list", "line 2", "commas"],
        id="syntax-missing-paren",
    ),
    pytest.param(
        "function f(xs) {\n  return xs.reduce((a, b) => a + b, 0);\n",
        ["Unexpected end of input", "`}`"],
        id="syntax-end-of-input",
    ),
    pytest.param(
        "function f(xs) {\n  const label = 'sum;\n  return 6;\n}\n",
        ["Invalid or unexpected token", "never closed", "line 2"],
        id="syntax-invalid-token",
    ),
    pytest.param(
        "function f(xs) {\n  return (xs[0] + );\n}\n",
        ["Unexpected token", "`)`", "line 2"],
        id="syntax-unexpected-token",
    ),
]


@pytest.mark.parametrize(("source", "wanted"), JS_CASES)
def test_javascript_errors(local_sandbox: Sandbox, source: str, wanted: list[str]) -> None:
    text = explained(local_sandbox, source, "javascript")
    for piece in wanted:
        assert piece in text, f"{piece!r} missing from:\n{text}"


def test_javascript_wrong_answers(local_sandbox: Sandbox) -> None:
    text = explained(
        local_sandbox, "function f(xs) {\n  xs.reduce((a, b) => a + b, 0);\n}\n", "javascript"
    )
    assert "`undefined`" in text and "no `return`" in text
    text = explained(
        local_sandbox, "function f(xs) {\n  return String(xs.reduce((a, b) => a + b));\n}\n",
        "javascript",
    )  # fmt: skip
    assert '`"6"`' in text and "number" in text
    text = explained(
        local_sandbox,
        "function f(xs) {\n  let t;\n  for (const x of xs) t += x;\n  return t;\n}\n",
        "javascript",
    )  # fmt: skip
    assert "`NaN`" in text and "undefined" in text


# ---------------------------------------------------------------------- hand-built records


@pytest.mark.parametrize(
    ("source", "wanted"),
    [
        ("def f(xs):\n    if xs[0] = 1:\n        return 1\n", ["`==`", "line 2"]),
        ("def f(xs):\n    print 'hello'\n", ["print", "parentheses", "line 2"]),
        ("def f(xs):\n    return 'abc\n", ["string", "never closed", "line 2"]),
        ("def f(xs):\n    for x in xs\n        pass\n", ["colon", "`for x in xs`"]),
        (
            "def f(xs):\n    if xs:\n        return 1\n      return 2\n",
            ["IndentationError", "line up"],
        ),
        ("def f(xs):\nreturn 1\n", ["indented", "line 2"]),
        ("def f(xs):\n    return [1, 2\n\ndef g():\n    pass\n", ["`[`", "never closed"]),
    ],
)
def test_python_syntax_while_typing(source: str, wanted: list[str]) -> None:
    problem = python_syntax(source)
    assert problem is not None
    # as the language server hands a syntax error found while typing to the tutor
    text = explain_offline(syntax_result(syntax_failure(problem)), "python", source)
    check_shape(text)
    for piece in wanted:
        assert piece in text, f"{piece!r} missing from:\n{text}"


def test_javascript_syntax_while_typing() -> None:
    source = "function f(xs) {\n  let n = 1;\n  let n = 2;\n  return n;\n}\n"
    redeclared = SyntaxFailure("SyntaxError", "Identifier 'n' has already been declared", 3)
    text = explain_offline(syntax_result(redeclared), "javascript", source)
    assert "`n`" in text and "lines 2, 3" in text
    source = "function f(xs) {\n  return xs.map(x => x * 2;\n}\n"
    unclosed = SyntaxFailure("SyntaxError", "missing ) after argument list", 2)
    text = explain_offline(syntax_result(unclosed), "javascript", source)
    assert "line 2" in text and "`return xs.map(x => x * 2;`" in text


def failed(kind: FailureKind, **facts: Any) -> TestVerdict:
    """A public test "big" that failed so, with these facts."""
    return PublicResult(
        id="t1", name="big", visibility="public", label="big", failure=Failure(kind, **facts)
    )


def test_too_slow_points_at_nested_loops_and_list_membership() -> None:
    source = (
        "def f(xs):\n    seen = []\n    pairs = 0\n    for a in xs:\n        for b in xs:\n"
        "            if a + b == 0 and a not in seen:\n                pairs += 1\n"
        "        seen.append(a)\n    return pairs\n"
    )
    test = failed("too_slow", budget=Budget(cpu_ms=900.0, budget_ms=60.0, time_factor=5.0))
    text = explain_offline(test, "python", source)
    check_shape(text)
    assert "900 ms, the budget is 60 ms" in text
    assert "line 5" in text and "line 4" in text and "set or dict" in text and "Line 6" in text


def test_timeout_recursion_and_waiting_for_input() -> None:
    source = "def f(n):\n    x = int(input())\n    return f(n) + x\n"
    test = failed("timeout", entry_point="f", input="f(3)")
    text = explain_offline(test, "python", source)
    assert "`f` calls itself" in text and "input()" in text
    js = "function f(xs) {\n  let i = 0;\n  while (i < xs.length) {\n"
    js += "    console.log(xs[i]);\n  }\n}\n"
    text = explain_offline(failed("timeout"), "javascript", js)
    assert "line 3" in text and "`i`" in text


def test_no_report_and_tampered_are_brief() -> None:
    text = explain_offline(failed("no_report", reason="exited_early"), "python", "")
    check_shape(text)
    assert "exit()" in text
    text = explain_offline(failed("tampered"), "python", "")
    check_shape(text)
    assert "tampered" in text.lower()


def test_a_test_that_never_ran_points_at_what_stopped_the_run() -> None:
    loop = "def f(xs):\n    while xs:\n        print(xs)\n"
    text = explain_offline(failed("timeout", reason="after_timeout"), "python", loop)
    check_shape(text)
    assert "never ran" in text and "timed out first" in text and "line 2" not in text
    text = explain_offline(failed("output_limit", reason="after_flood"), "python", loop)
    check_shape(text)
    assert "never ran" in text and "flood of output first" in text and "line 3" not in text


def test_right_output_but_an_exit_status() -> None:
    source = "import sys\nprint(2)\nsys.exit(3)\n"
    test = failed("runtime_error", reason="exit_status", exit_status=3, stdout="2\n")
    text = explain_offline(test, "python", source)
    check_shape(text)
    assert text.startswith("**Error**: the output is right but the program exited with status 3")
    assert "exit status 3 instead of 0" in text and "`exit(...)`" in text


def test_unknown_error_without_details_still_helps() -> None:
    test = runtime("math range error", "OverflowError", 3)
    source = "import math\ndef f(xs):\n    return math.exp(1000)\n"
    text = explain_offline(test, "python", source)
    check_shape(text)
    assert "OverflowError" in text and "math range error" in text and "line 3" in text
    assert "`return math.exp(1000)`" in text and "traceback" in text


def test_programs_reading_stdin(local_sandbox: Sandbox) -> None:
    tests = [{"kind": "stdio", "name": "two", "stdin": "2\n3\n", "expected_stdout": "5\n"}]
    source = "a = int(input())\nb = int(input())\nprint(a + b + 1)\n"
    test = failing(local_sandbox, source, tests=tests, kind="script")
    text = explain_offline(test, "python", source)
    check_shape(text)
    assert "output line 1" in text and "`'5'`" in text and "`'6'`" in text
    source = "a = int(input())\nb = int(input().split(',')[1])\nprint(a + b)\n"
    text = explain_offline(
        failing(local_sandbox, source, tests=tests, kind="script"), "python", source
    )
    assert "IndexError" in text and "line 2" in text and "`input().split(',')`" in text


@pytest.mark.parametrize(
    "category",
    ["runtime_error", "syntax_error", "wrong_answer", "timeout", "too_slow", "memory_limit",
     "output_limit", "no_report", "tampered"],
)  # fmt: skip
@pytest.mark.parametrize("language", ["python", "javascript"])
def test_every_category_survives_sparse_or_odd_records(
    category: FailureKind, language: str
) -> None:
    odd = failed(
        category, input="(", expected="[", actual="{", error=ErrorInfo("WeirdError", "???", 99)
    )
    check_shape(explain_offline(odd, language, "x = (\n"))
    check_shape(explain_offline(failed(category), language, "x = (\n"))
    hidden = HiddenResult(
        id="h", name="secret", label="big inputs", failure=HiddenFailure(category, "KeyError")
    )
    text = explain_offline(hidden, language, "def f(xs):\n    return xs\n")
    check_shape(text)
    assert "big inputs" in text and "line" not in text.split("\n", 1)[0]


def runtime(message: str, error_type: str, line: int) -> TestVerdict:
    """`f([1])` raised this error at this line."""
    error = ErrorInfo(error_type, message, line)
    return failed("runtime_error", entry_point="f", input="f([1])", error=error)


def test_names_the_owner_of_a_missing_property_or_method() -> None:
    js = "function f(grid) {\n  let t = 0;\n  t += grid[3][0] + Math.maxx(1, 2);\n  return t;\n}\n"
    text = explain_offline(
        runtime("Cannot read properties of undefined (reading '0')", "TypeError", 3),
        "javascript", js,
    )  # fmt: skip
    assert "`grid[3]` is `undefined`" in text and "line 3" in text
    text = explain_offline(runtime("Math.maxx is not a function", "TypeError", 3), "javascript", js)
    assert "`maxx`" in text and "`max`" in text
    text = explain_offline(runtime("xs.length is not a function", "TypeError", 1), "javascript", "")
    assert "property" in text and "parentheses" in text
    py = "def f(xs):\n    return lenght(xs)\n"
    text = explain_offline(runtime("name 'lenght' is not defined", "NameError", 2), "python", py)
    assert "`len`" in text and "`lenght`" in text
