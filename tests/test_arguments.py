"""Test inputs reach the learner's function exactly as the YAML wrote them (issue 16), or the
content does not load and says why at the input's line.

The round trip: an exercise whose function returns a tagged description of its arguments'
exact types and values, loaded from YAML and run on both backends, must return the description
of the values the YAML loader built."""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegym.checker import ReferenceOutcome, check_source, harness_case, run_reference
from codegym.config import SandboxLimits
from codegym.content import load_content
from codegym.content.arguments import input_problems, value_problem
from codegym.content.models import CallTest, TestCase
from codegym.generated_tests import generated_path, load_generated, save_generated
from codegym.sandbox import Sandbox
from codegym.sandbox.job_values import UnsupportedInput, encode_input
from codegym.tutor.testgen import Proposals, ProposedCase, generate

from .conftest import make_problem
from .test_harness import LANGUAGES, call, run

# ----------------------------------------------------------------------------- describers

PYTHON_DESCRIBE = """\
def describe(v):
    t = type(v).__name__
    if type(v) is float and (v != v or v in (float("inf"), float("-inf"))):
        return [t, repr(v)]
    if type(v) is int:
        return [t, str(v)]
    if type(v) in (list, tuple):
        return [t, [describe(x) for x in v]]
    if type(v) in (set, frozenset):
        return [t, sorted((describe(x) for x in v), key=repr)]
    if type(v) is dict:
        return [t, sorted(([describe(k), describe(x)] for k, x in v.items()), key=repr)]
    return [t, v]


def arrived(*args, **kwargs):
    return [describe(list(args)), describe(kwargs)]
"""

JS_DESCRIBE = """\
function describe(v) {
  if (v === null) return ['null'];
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return ['number', 'nan'];
    if (!Number.isFinite(v)) return ['number', v > 0 ? 'inf' : '-inf'];
    return ['number', v];
  }
  if (typeof v !== 'object') return [typeof v, v];
  if (Array.isArray(v)) return ['array', v.map(describe)];
  const order = (a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
  if (v instanceof Set) return ['set', [...v].map(describe).sort(order)];
  if (Object.getPrototypeOf(v) === Object.prototype) {
    return ['object', Object.keys(v).sort().map((k) => [k, describe(v[k])])];
  }
  return ['other', Object.prototype.toString.call(v)];
}

function arrived(...args) {
  return describe(args);
}
"""


def _python_describer() -> Any:
    namespace: dict[str, Any] = {}
    exec(PYTHON_DESCRIBE, namespace)  # the very function the learner's file holds
    return namespace["describe"]


def describe_as_js(value: Any) -> Any:
    """What `JS_DESCRIBE` returns for the JavaScript value a YAML value is meant to become."""
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["boolean", value]
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return ["number", "nan"]
        if isinstance(value, float) and math.isinf(value):
            return ["number", "inf" if value > 0 else "-inf"]
        return ["number", value]
    if isinstance(value, str):
        return ["string", value]
    if isinstance(value, list):
        return ["array", [describe_as_js(v) for v in value]]
    if isinstance(value, set | frozenset):
        members = [describe_as_js(v) for v in value]
        return ["set", sorted(members, key=lambda m: json.dumps(m, separators=(",", ":")))]
    assert isinstance(value, dict)
    return ["object", [[k, describe_as_js(value[k])] for k in sorted(value)]]


# ----------------------------------------------------------------------------- inputs

PYTHON_ARGS = """\
      - 7
      - -12
      - 1267650600228229401496703205376   # 2**100
      - 2.5
      - 1.0e+300
      - .inf
      - -.inf
      - .nan
      - true
      - null
      - "héllo \\u2603"
      - [1, [2, [3, []]], "x"]
      - {5: banana, 6: cherry}
      - {1.5: a, -2.25: b}
      - {true: yes, false: no}
      - {null: nothing}
      - {1: one, two: 2, 3.5: three-and-a-half, null: none}
      - !!set {1, 2, 3}
      - !!set {a, b}
      - !!set {}
      - {nested: [!!set {4}, {7: seven}], deep: {x: {y: [.nan]}}}
      - {}
      - []
"""

PYTHON_KWARGS = """\
      key: !!set {x}
      numbers: {1: one}
      plain: {a: [1, 2]}
"""

JS_ARGS = """\
      - 7
      - -12
      - 9007199254740991
      - -9007199254740991
      - 2.5
      - 1.0e+300
      - .inf
      - -.inf
      - .nan
      - true
      - null
      - "héllo \\u2603"
      - [1, [2, [3, []]], "x"]
      - {a: 1, b: [true, null]}
      - {__proto__: polluted, constructor: c}
      - !!set {1, 2, 3}
      - !!set {a, b}
      - !!set {}
      - {nested: [!!set {4}, {seven: 7}], deep: {x: {y: [.nan]}}}
      - {}
      - []
"""

JS_KWARGS = """\
      key: !!set {x}
      plain: {a: [1, 2]}
"""


def _indent(text: str, spaces: int) -> str:
    return textwrap.indent(text, " " * spaces)


def write_content(root: Path, language: str, body: str) -> Path:
    """A content folder with one problem `p` of `language` whose file is `body`."""
    (root / "p.yaml").write_text(body, encoding="utf-8")
    (root / "config.yaml").write_text(
        textwrap.dedent(f"""\
            courses:
              - id: course
                title: Course
                language: {language}
                topics:
                  - id: topic
                    title: Topic
                    problems:
                      - id: p
                        title: P
                        difficulty: easy
                        order: 1
                        file: p.yaml
            """),
        encoding="utf-8",
    )
    return root


def body(language: str, solution: str, tests: str) -> str:
    return (
        f"statement: Describe the arguments.\nlanguage: {language}\nkind: function\n"
        f"entry_point: arrived\nstarter: |\n{_indent('pass', 2)}\nsolution: |\n"
        f"{_indent(solution, 2)}\ntests:\n{tests}hints: [one, two, three]\n"
    )


def round_trip_tests(args: str, kwargs: str) -> str:
    return (
        "  - kind: call\n    name: every type\n    expected: null\n"
        f"    args:\n{args}    kwargs:\n{kwargs}"
    )


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_every_accepted_input_arrives_as_the_yaml_wrote_it(
    tmp_path: Path, sandbox: Sandbox, limits: SandboxLimits, language: str
) -> None:
    if language == "python":
        text = body("python", PYTHON_DESCRIBE, round_trip_tests(PYTHON_ARGS, PYTHON_KWARGS))
    else:
        text = body("javascript", JS_DESCRIBE, round_trip_tests(JS_ARGS, JS_KWARGS))
    content = load_content(write_content(tmp_path, language, text))
    assert content.errors == []
    problem = content.get("p")
    test = problem.body.tests[0]
    assert isinstance(test, CallTest)
    if language == "python":
        describe = _python_describer()
        wanted = [describe(list(test.args)), describe(test.kwargs)]
    else:  # JavaScript has no keywords: they arrive as one last options object
        wanted = describe_as_js([*test.args, test.kwargs])
    # the YAML really holds what the test claims to send
    assert {5: "banana", 6: "cherry"} in test.args or language == "javascript"
    assert {1, 2, 3} in test.args
    checked = test.model_copy(update={"expected": wanted})
    verdict = check_source(problem, problem.body.solution, sandbox, limits, tests=[checked])
    result = verdict.tests[0]
    assert verdict.status == "pass", result


# ----------------------------------------------------------------------------- the decoders

HOSTILE = {
    "python": """\
import builtins
builtins.set = list
builtins.float = str
def f(*args, **kwargs):
    return [repr(a) for a in args] + [repr(kwargs)]
""",
    "javascript": """\
Set.prototype.add = function () { throw new Error('add'); };
Object.defineProperty(Object.prototype, 'k', { set() { throw new Error('k'); } });
function f(...args) {
  return args.map((a) => (a instanceof Set ? 'Set ' + [...a].join(',') : JSON.stringify(a)));
}
""",
}
DECODED = {
    "python": ["{1, 2}", "nan", "{'k': 5}", "{5: 'x'}", "[[1]]", "{'k': {'x'}}"],
    "javascript": ["Set 1,2", "null", '{"k":5}', '{"k":{}}'],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_harness_decodes_the_tags_with_its_own_saved_builtins(
    tmp_path: Path, language: str
) -> None:
    """The learner's file replaced `set` and `float` (Python), `Set.prototype.add` and put a
    setter for `k` on `Object.prototype` (JavaScript) when it loaded: inputs decode all the
    same, and a malformed tag is the harness's error, not a crash."""
    tagged = [{"$set": [1, 2]}, {"$float": "nan"}, {"$map": [["k", 5]]}]
    if language == "python":
        tagged += [{"$map": [[5, "x"]]}, [[1]]]
    cases = [
        call("t1", *tagged, k={"$set": ["x"]}),
        call("t2", {"$set": 5}),
        call("t3", {"$map": [[1]]}),
        call("t4", {"$float": "zero"}),
        call("t5", [{"$set": {}}]),
    ]
    result = run(language, HOSTILE[language], cases, tmp_path=tmp_path)
    assert result.load is not None and result.load["status"] == "ok", result.stderr
    first = result.cases["t1"]
    assert first["status"] == "ok", first
    assert first["value"] == DECODED[language]
    for case_id in ("t2", "t3", "t4", "t5"):
        error = result.cases[case_id]["error"]
        assert (error["type"], error["message"]) == ("HarnessError", "malformed call test")


# ----------------------------------------------------------------------------- rejections

REJECTED: list[tuple[str, str, str]] = [
    (
        "javascript",
        "{5: banana}",
        "argument 1 of test 't1': a mapping with integer keys cannot be passed to a JavaScript "
        "function (its keys would become strings); quote the keys",
    ),
    (
        "javascript",
        "{1.5: a, true: b, null: c, d: e}",
        "argument 1 of test 't1': a mapping with boolean and float and null keys cannot be "
        "passed to a JavaScript function (its keys would become strings); quote the keys",
    ),
    (
        "javascript",
        "[[1, {2: x}]]",
        "argument 1 of test 't1': a mapping with integer keys cannot be passed to a JavaScript "
        "function (its keys would become strings); quote the keys",
    ),
    (
        "javascript",
        "9007199254740993",
        "argument 1 of test 't1': the integer 9007199254740993 is beyond JavaScript's safe "
        "integers (±9007199254740991); a function would receive another number",
    ),
    (
        "python",
        "2024-01-05",
        "argument 1 of test 't1': a date (2024-01-05) cannot be passed to a Python function; "
        "quote it to pass a string",
    ),
    (
        "javascript",
        "[2024-01-05 10:30:00]",
        "argument 1 of test 't1': a timestamp (2024-01-05 10:30:00) cannot be passed to a "
        "JavaScript function; quote it to pass a string",
    ),
    (
        "python",
        "!!binary aGVsbG8=",
        "argument 1 of test 't1': binary data (!!binary) cannot be passed to a Python function",
    ),
    (
        "python",
        "!!omap [a: 1, b: 2]",
        "argument 1 of test 't1': a list of pairs (!!omap or !!pairs) cannot be passed to a "
        "Python function; write a mapping or a list of lists",
    ),
    (
        "python",
        "{$set: [1, 2]}",
        "argument 1 of test 't1': {$set: …} is how an expected value writes a tagged value, "
        "and an input would receive a mapping with the key '$set'; write a set as !!set {1, 2}",
    ),
    (
        "javascript",
        "[{$float: nan}]",
        "argument 1 of test 't1': {$float: …} is how an expected value writes a tagged value, "
        "and an input would receive a mapping with the key '$float'; write .nan, .inf or -.inf",
    ),
    (
        "python",
        "&loop [1, *loop]",
        "argument 1 of test 't1': it contains itself (a recursive YAML anchor)",
    ),
]


@pytest.mark.parametrize(("language", "value", "message"), REJECTED)
def test_an_input_that_cannot_arrive_as_written_is_reported_at_its_line(
    tmp_path: Path, language: str, value: str, message: str
) -> None:
    tests = f"  - kind: call\n    name: t\n    expected: 0\n    args:\n      - 1\n      - {value}\n"
    content = load_content(write_content(tmp_path, language, body(language, "x", tests)))
    line = body(language, "x", tests).splitlines().index(f"      - {value}") + 1
    expected = message.replace("argument 1", "argument 2")
    assert [str(e) for e in content.errors] == [f"p.yaml:{line}: {expected}"]
    assert "p" in content.failed


@pytest.mark.parametrize(
    ("language", "value", "reason"),
    [
        ("python", "2024-01-05", "a date (2024-01-05), which no function can return; quote it "
         "to expect a string"),
        ("javascript", "[1, 2024-01-05 10:30:00]", "a timestamp (2024-01-05 10:30:00), which "
         "no function can return; quote it to expect a string"),
        ("python", "!!binary aGVsbG8=", "binary data (!!binary), which no function can return"),
        ("javascript", "!!omap [a: 1]", "a list of pairs (!!omap or !!pairs), which no function "
         "can return; write a mapping or a list of lists"),
        ("python", "&loop [1, *loop]", "it contains itself (a recursive YAML anchor)"),
    ],
)  # fmt: skip
def test_an_expected_value_no_function_can_return_is_reported_at_its_line(
    tmp_path: Path, language: str, value: str, reason: str
) -> None:
    tests = (
        f"  - kind: call\n    name: t\n    expected: 1\n    args: [1]\n"
        f"  - kind: code\n    id: c\n    name: c\n    code: 'return 1'\n    expected: {value}\n"
    )
    text = body(language, "x", tests)
    content = load_content(write_content(tmp_path, language, text))
    line = text.splitlines().index(f"    expected: {value}") + 1
    assert [str(e) for e in content.errors] == [
        f"p.yaml:{line}: expected value of test 'c': {reason}"
    ]
    assert "p" in content.failed


def test_expected_values_may_be_tagged_or_have_any_keys(tmp_path: Path) -> None:
    """Results are reported that way: a set, a float, a mapping with integer keys."""
    tests = (
        "  - kind: call\n    name: t\n    args: [1]\n"
        "    expected: [{$set: [1, 2]}, {$float: nan}, {1: a, null: b}, !!set {3}]\n"
    )
    text = body("javascript", "x", tests)
    assert load_content(write_content(tmp_path, "javascript", text)).errors == []


def test_keyword_arguments_are_checked_and_reported_by_name(tmp_path: Path) -> None:
    tests = (
        "  - kind: call\n    id: kw\n    name: t\n    expected: 0\n    kwargs:\n"
        "      fine: 1\n      when: 2024-01-05\n"
    )
    text = body("python", "x", tests)
    content = load_content(write_content(tmp_path, "python", text))
    line = text.splitlines().index("      when: 2024-01-05") + 1
    assert [str(e) for e in content.errors] == [
        f"p.yaml:{line}: keyword argument 'when' of test 'kw': a date (2024-01-05) cannot be "
        "passed to a Python function; quote it to pass a string"
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2024-13-45", "'2024-13-45' cannot be read as !!timestamp: month must be in 1..12"),
        ("1" * 5000, f"'{'1' * 39}…' cannot be read as !!int: Exceeds the limit (4300 digits)"),
        ("!!bool maybe", "'maybe' cannot be read as !!bool"),
        ("!!timestamp x", "'x' cannot be read as !!timestamp"),
    ],
)
def test_a_scalar_python_cannot_build_is_reported_at_its_line(
    tmp_path: Path, value: str, reason: str
) -> None:
    tests = f"  - kind: call\n    name: t\n    expected: 0\n    args:\n      - {value}\n"
    text = body("python", "x", tests)
    content = load_content(write_content(tmp_path, "python", text))
    line = text.splitlines().index(f"      - {value}") + 1
    [error] = content.errors
    assert (error.file, error.line) == ("p.yaml", line)
    assert error.message.startswith(f"invalid value: {reason}")


def test_stdin_must_be_text(tmp_path: Path) -> None:
    tests = "  - kind: stdio\n    name: t\n    stdin: !!set {a}\n    expected_stdout: ''\n"
    text = body("python", "x", tests).replace("kind: function", "kind: script")
    content = load_content(write_content(tmp_path, "python", text))
    line = text.splitlines().index("    stdin: !!set {a}") + 1
    assert [str(e) for e in content.errors] == [
        f"p.yaml:{line}: tests.0.stdin: Input should be a valid string"
    ]


def test_the_checks_bound_the_work_of_aliased_and_deep_values() -> None:
    row: list[Any] = list(range(10))
    for _ in range(6):  # what `&a [*b, *b, ...]` anchors build: ten times more each level
        row = [row] * 10
    assert value_problem(row, "python") == "it holds more than 1000000 values"
    deep: list[Any] = []
    for _ in range(150):
        deep = [deep]
    assert value_problem(deep, "python") == "it is nested deeper than 100 levels"
    assert value_problem({(1, 2): "x"}, "python") is not None  # no YAML key is a tuple


def test_the_job_carries_tags_for_what_json_cannot_say() -> None:
    test = CallTest(
        kind="call",
        name="t",
        id="t1",
        args=[{5: "a"}, {1, 2}, float("inf"), {"$set": [1]}, {"k": float("nan")}],
        kwargs={"s": frozenset({"x"})},
        expected=0,
    )
    case = harness_case(test)
    assert case["args"][:4] == [
        {"$map": [[5, "a"]]},
        {"$set": [1, 2]},
        {"$float": "inf"},
        {"$map": [["$set", [1]]]},
    ]
    assert case["args"][4] == {"k": {"$float": "nan"}}
    assert case["kwargs"] == {"s": {"$set": ["x"]}}
    json.dumps(case, allow_nan=False)  # plain JSON: every harness can read it
    with pytest.raises(UnsupportedInput):
        encode_input(b"bytes")


def test_input_problems_names_each_input() -> None:
    found = list(input_problems([1, {2: "x"}], {"k": {3: "y"}}, "javascript", "t9"))
    assert [(path, message.split(":")[0]) for path, message in found] == [
        (("args", 1), "argument 2 of test 't9'"),
        (("kwargs", "k"), "keyword argument 'k' of test 't9'"),
    ]
    assert list(input_problems([1, {2: "x"}], {"k": {3: "y"}}, "python", "t9")) == []


# ----------------------------------------------------------------------------- generated tests


def test_generated_tests_whose_inputs_cannot_arrive_are_dropped(tmp_path: Path) -> None:
    problem = make_problem(
        language="javascript",
        entry_point="f",
        solution="function f(x) { return x; }",
        tests=[{"kind": "call", "name": "t", "args": [1], "expected": 1}],
    )
    good = CallTest(
        kind="call", name="g", id="g1", visibility="generated", args=[{"a": 1}], expected=1
    )
    save_generated(tmp_path, problem, [good])
    path = generated_path(tmp_path, problem.id)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    bad = {**document["tests"][0], "id": "g2", "args": [{5: "banana"}]}
    document["tests"].append(bad)
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert [t.id for t in load_generated(tmp_path, problem)] == ["g1"]
    path.write_text(path.read_text(encoding="utf-8") + "broken: !!bool maybe\n", "utf-8")
    assert load_generated(tmp_path, problem) == []  # unreadable: ignored, as before


def test_generated_inputs_that_javascript_would_change_are_sent_back(
    local_sandbox: Sandbox, limits: SandboxLimits
) -> None:
    problem = make_problem(
        language="javascript",
        entry_point="twice",
        solution="function twice(n) { return 2 * n; }",
        tests=[{"kind": "call", "name": "t", "args": [{"$set": [1]}], "expected": 2}],
    )
    existing = [
        CallTest(kind="call", name="s", id="s", args=[{1, 2}], expected=0),
        *problem.body.tests,
    ]
    proposals = Proposals(cases=[ProposedCase(args=[2**60]), ProposedCase(args=[21])])

    async def propose(feedback: str | None) -> Proposals:
        return proposals if feedback is None else Proposals()

    async def reference(tests: list[TestCase]) -> list[ReferenceOutcome]:
        return run_reference(problem, tests, local_sandbox, limits)

    generation = asyncio.run(
        generate(existing, propose, reference, language="javascript", wanted=5)
    )
    assert [t.args for t in generation.accepted if isinstance(t, CallTest)] == [[21]]
    assert [getattr(t, "expected", None) for t in generation.accepted] == [42]
    assert generation.rejected == [
        (
            "[[1152921504606846976], {}]",
            "argument 1 of test 'g1': the integer 1152921504606846976 is beyond JavaScript's "
            "safe integers (±9007199254740991); a function would receive another number",
        )
    ]


# ----------------------------------------------------------------------------- the CLI


def test_check_and_validate_of_a_rejected_input_print_its_line_not_a_traceback(
    tmp_path: Path,
) -> None:
    tests = "  - kind: call\n    name: t\n    expected: 0\n    args: [!!set {1}, 2024-01-05]\n"
    text = body("python", "x", tests)
    line = text.splitlines().index("    args: [!!set {1}, 2024-01-05]") + 1
    (tmp_path / "content").mkdir()
    root = write_content(tmp_path / "content", "python", text)
    exercise = tmp_path / "p.py"
    exercise.write_text("# codegym: exercise p\n", encoding="utf-8")
    for command in (["validate", str(root)], ["check", "--content", str(root), str(exercise)]):
        done = subprocess.run(
            [sys.executable, "-m", "codegym.cli", *command, "--backend", "local"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Traceback" not in done.stderr, done.stderr
        shown = done.stdout + done.stderr
        assert f"p.yaml:{line}: argument 2 of test 't1': a date (2024-01-05)" in shown
        assert done.returncode in (1, 2)
