"""The in-sandbox programs (the supervisor, with the worker harness.py or harness.js) run directly
as subprocesses: the protocol of docs/harness-protocol.md, canonical values, limits, CPU time, and
learner code that tries to cheat or to break the harness. No sandbox is involved, and no host
code but its canonical form of values, in the one test that proves sets and maps need no order."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from codegym.grading.values import canonical, values_match

HARNESS_DIR = Path(__file__).parents[1] / "server/codegym/sandbox/harness"
NODE = shutil.which("node")
# The harness must run on the sandbox images' Pythons (3.11, 3.12) and stays 3.8-compatible:
# CODEGYM_HARNESS_PYTHON runs these tests against another interpreter.
PYTHON = os.environ.get("CODEGYM_HARNESS_PYTHON") or sys.executable
NONCE = "5e1f0c3a9b7d4e21"
MB = 1024 * 1024

needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")
LANGUAGES = ["python", pytest.param("javascript", marks=needs_node)]
FILENAMES = {"python": "exercise.py", "javascript": "exercise.js"}


@dataclass
class Run:
    events: list[dict[str, Any]]
    stdout: bytes
    stderr: bytes
    returncode: int

    @property
    def load(self) -> dict[str, Any] | None:
        return next((e for e in self.events if e.get("event") == "load"), None)

    @property
    def cases(self) -> dict[str, dict[str, Any]]:
        return {e["id"]: e for e in self.events if e.get("event") == "case"}

    @property
    def done(self) -> bool:
        return any(e.get("event") == "done" for e in self.events)


def run(
    language: str,
    source: str,
    cases: list[dict[str, Any]],
    *,
    tmp_path: Path,
    mode: str = "function",
    entry_point: str | None = "f",
    worker_prefix: tuple[str, ...] = (),
    **limits: Any,
) -> Run:
    job_limits = {
        "case_cpu_s": 5,
        "output_bytes": 65536,
        "memory_bytes": 256 * MB,
        "cpu_s": 20,
        "processes": 256,
        "file_bytes": 8 * MB,
        "open_files": 64,
    }
    job_limits.update(limits)
    job = {
        "nonce": NONCE,
        "mode": mode,
        "filename": FILENAMES[language],
        "source": source,
        "entry_point": entry_point,
        "cases": cases,
        "limits": job_limits,
    }
    supervisor = [PYTHON, "-I", "-S", str(HARNESS_DIR / "supervisor.py"), "--"]
    supervisor += worker_prefix  # e.g. `nice`: how the worker (and what it starts) is run
    if language == "python":
        command = [*supervisor, PYTHON, "-I", "-S", str(HARNESS_DIR / "harness.py")]
    else:
        assert NODE is not None
        command = [*supervisor, NODE, str(HARNESS_DIR / "harness.js")]
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    result = subprocess.run(
        command,
        input=json.dumps(job).encode(),
        capture_output=True,
        cwd=scratch,
        timeout=120,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
    )
    prefix = f"@@codegym {NONCE} ".encode()
    events = [
        json.loads(line[len(prefix) :])
        for line in result.stdout.split(b"\n")
        if line.startswith(prefix)
    ]
    return Run(events, result.stdout, result.stderr, result.returncode)


def call(case_id: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    return {"id": case_id, "kind": "call", "args": list(args), "kwargs": kwargs}


def code(case_id: str, text: str) -> dict[str, Any]:
    return {"id": case_id, "kind": "code", "code": text}


def stdio(case_id: str, stdin: str) -> dict[str, Any]:
    return {"id": case_id, "kind": "stdio", "stdin": stdin}


def assert_well_formed(result: Run) -> None:
    """One load, one event per case at most, done last; nothing else on the channel."""
    kinds = [e["event"] for e in result.events]
    assert kinds.count("load") == 1, result.events
    ids = [e["id"] for e in result.events if e["event"] == "case"]
    assert len(ids) == len(set(ids)), ids
    assert kinds[-1] == "done" and kinds.count("done") == 1, result.events


SUM_EVENS = {
    "python": "# codegym: exercise\n\ndef f(xs):\n    return sum(x for x in xs if x % 2 == 0)\n",
    "javascript": (
        "// codegym: exercise\n\n"
        "function f(xs) {\n  return xs.filter((x) => x % 2 === 0).reduce((a, b) => a + b, 0);\n}\n"
    ),
}


# ------------------------------------------------------------------------------ the protocol


@pytest.mark.parametrize("language", LANGUAGES)
def test_call_reports_the_value(language: str, tmp_path: Path) -> None:
    result = run(language, SUM_EVENS[language], [call("t1", [1, 2, 3, 4])], tmp_path=tmp_path)
    assert_well_formed(result)
    assert result.load == {"event": "load", "status": "ok", "stdout": "", "stderr": "",
                           "truncated": False}  # fmt: skip
    case = result.cases["t1"]
    assert case["status"] == "ok"
    assert case["value"] == 6 and case["repr"] == "6"
    assert case["stdout"] == "" and case["stderr"] == "" and case["truncated"] is False
    assert isinstance(case["duration_ms"], float | int) and case["duration_ms"] >= 0
    assert isinstance(case["cpu_ms"], float | int) and case["cpu_ms"] >= 0
    assert result.returncode == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_wrong_value_is_reported_not_judged(language: str, tmp_path: Path) -> None:
    source = {
        "python": "def f(xs):\n    return sum(xs)\n",
        "javascript": "function f(xs) { return xs.reduce((a, b) => a + b, 0); }\n",
    }[language]
    result = run(language, source, [call("t1", [1, 2, 3, 4]), call("t2", [])], tmp_path=tmp_path)
    assert_well_formed(result)
    assert result.cases["t1"]["status"] == "ok" and result.cases["t1"]["value"] == 10
    assert result.cases["t2"]["value"] == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_exception_reports_the_learner_line(language: str, tmp_path: Path) -> None:
    source = {
        "python": "# header\n\ndef f(xs):\n    total = 0\n    return total / len(xs)\n",
        "javascript": (
            "// header\n\nfunction f(xs) {\n  const total = 0;\n"
            "  if (!xs.length) throw new RangeError('empty list');\n  return total;\n}\n"
        ),
    }[language]
    result = run(language, source, [call("t1", []), call("t2", [1])], tmp_path=tmp_path)
    assert_well_formed(result)
    error = result.cases["t1"]["error"]
    assert result.cases["t1"]["status"] == "error" and "value" not in result.cases["t1"]
    if language == "python":
        assert (error["type"], error["message"], error["line"]) == (
            "ZeroDivisionError", "division by zero", 5,
        )  # fmt: skip
        assert 'File "exercise.py", line 5, in f' in error["traceback"]
        assert "harness" not in error["traceback"]
    else:
        assert (error["type"], error["message"], error["line"]) == ("RangeError", "empty list", 5)
        assert "exercise.js:5" in error["traceback"] and "harness" not in error["traceback"]
    assert result.cases["t2"]["status"] == "ok"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_syntax_error_is_a_load_error_at_its_line(language: str, tmp_path: Path) -> None:
    source = {
        "python": "# header\ndef f(xs)\n    return 0\n",
        "javascript": "// header\nfunction f(xs) {\n  return xs +;\n}\n",
    }[language]
    result = run(language, source, [call("t1", [1])], tmp_path=tmp_path)
    assert_well_formed(result)
    load = result.load
    assert load is not None and load["status"] == "error"
    assert load["error"]["type"] == "SyntaxError"
    assert load["error"]["line"] == (2 if language == "python" else 3)
    assert result.cases == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_code_cases_return_values_and_fail_assertions(language: str, tmp_path: Path) -> None:
    if language == "python":
        source = "class Counter:\n    def __init__(self):\n        self.total = 0\n" \
                 "    def add(self, n):\n        self.total += n\n"  # fmt: skip
        snippets = [
            "c = Counter()\nc.add(2)\nc.add(3)\nreturn c.total",
            "c = Counter()\nassert c.total == 1, 'starts at zero'\nreturn c.total",
        ]
    else:
        source = "class Counter {\n  constructor() { this.total = 0; }\n" \
                 "  add(n) { this.total += n; }\n}\n"  # fmt: skip
        snippets = [
            "const c = new Counter();\nc.add(2);\nc.add(3);\nreturn c.total;",
            "const c = new Counter();\nif (c.total !== 1) throw new Error('starts at zero');\n"
            "return c.total;",
        ]
    cases = [code("ok", snippets[0]), code("fails", snippets[1])]
    result = run(language, source, cases, tmp_path=tmp_path, entry_point=None)
    assert_well_formed(result)
    assert result.cases["ok"]["status"] == "ok" and result.cases["ok"]["value"] == 5
    failed = result.cases["fails"]
    assert failed["status"] == "error"
    assert failed["error"]["type"] == ("AssertionError" if language == "python" else "Error")
    assert failed["error"]["message"] == "starts at zero"
    assert failed["error"]["line"] is None  # not in the learner's file
    assert ("<test>" + ('", line 2' if language == "python" else ":2")) in failed["error"][
        "traceback"
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_syntax_error_in_a_test_fails_only_that_test(language: str, tmp_path: Path) -> None:
    cases = [code("bad", "return (1 +"), call("good", [2])]
    result = run(language, SUM_EVENS[language], cases, tmp_path=tmp_path)
    assert_well_formed(result)
    assert result.cases["bad"]["status"] == "error"
    assert result.cases["bad"]["error"]["type"] == "SyntaxError"
    assert result.cases["bad"]["error"]["line"] is None
    assert result.cases["good"]["value"] == 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_stdio_script_reads_input_and_prints(language: str, tmp_path: Path) -> None:
    source = {
        "python": "n = int(input())\nxs = list(map(int, input().split()))\nprint(sum(xs[:n]))\n",
        "javascript": (
            "const lines = require('fs').readFileSync(0, 'utf8').split('\\n');\n"
            "const n = Number(lines[0]);\n"
            "console.log(lines[1].split(' ').map(Number).slice(0, n).reduce((a, b) => a + b));\n"
        ),
    }[language]
    cases = [stdio("t1", "3\n1 2 3\n"), stdio("t2", "2\n10 20 30\n")]
    result = run(language, source, cases, tmp_path=tmp_path, mode="script", entry_point=None)
    assert_well_formed(result)
    assert result.load == {"event": "load", "status": "ok"}
    for case_id, printed in (("t1", "6\n"), ("t2", "30\n")):
        case = result.cases[case_id]
        assert case["status"] == "ok" and case["value"] is None
        assert case["stdout"] == printed and case["exit_code"] == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_script_with_an_uncaught_exception(language: str, tmp_path: Path) -> None:
    source = {
        "python": (
            "import sys\nline = input()\nprint('read', line)\nraise ValueError('bad: ' + line)\n"
        ),
        "javascript": (
            "const text = require('fs').readFileSync(0, 'utf8');\n"
            "console.log('read', text.trim());\n"
            "null.x;\n"
        ),
    }[language]
    result = run(
        language, source, [stdio("t1", "x\n")], tmp_path=tmp_path, mode="script", entry_point=None
    )
    assert_well_formed(result)
    case = result.cases["t1"]
    assert case["status"] == "error"
    assert case["stdout"] == "read x\n"
    assert case["exit_code"] == 1
    error = case["error"]
    if language == "python":
        assert (error["type"], error["message"], error["line"]) == ("ValueError", "bad: x", 4)
        assert 'File "exercise.py", line 4' in error["traceback"]
    else:
        assert (error["type"], error["line"]) == ("TypeError", 3)
        assert "Cannot read properties of null" in error["message"]
    assert error["type"] in case["stderr"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_script_exit_code_without_exception_is_ok(language: str, tmp_path: Path) -> None:
    source = {
        "python": "import sys\nprint('partial')\nsys.exit(3)\n",
        "javascript": "console.log('partial');\nprocess.exit(3);\n",
    }[language]
    result = run(
        language, source, [stdio("t1", "")], tmp_path=tmp_path, mode="script", entry_point=None
    )
    case = result.cases["t1"]
    assert (case["status"], case["exit_code"], case["stdout"]) == ("ok", 3, "partial\n")


@pytest.mark.parametrize("language", LANGUAGES)
def test_script_syntax_error_is_a_load_error(language: str, tmp_path: Path) -> None:
    source = {"python": "print('a')\nprint(\n", "javascript": "console.log('a');\nlet x = ;\n"}
    result = run(
        language, source[language], [stdio("t1", "")], tmp_path=tmp_path, mode="script",
        entry_point=None,
    )  # fmt: skip
    assert_well_formed(result)
    assert result.load is not None and result.load["status"] == "error"
    assert result.load["error"]["type"] == "SyntaxError"
    assert result.load["error"]["line"] == 2
    assert result.cases == {}


@pytest.mark.slow  # waits for a timeout
@pytest.mark.parametrize("language", LANGUAGES)
def test_script_timeout_kills_the_program(language: str, tmp_path: Path) -> None:
    source = {"python": "while True:\n    pass\n", "javascript": "for (;;) {}\n"}[language]
    cases = [stdio("t1", ""), stdio("t2", "")]
    result = run(
        language, source, cases, tmp_path=tmp_path, mode="script", entry_point=None,
        case_cpu_s=1,
    )  # fmt: skip
    assert_well_formed(result)
    assert [result.cases[c]["status"] for c in ("t1", "t2")] == ["timeout", "timeout"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_script_output_flood_is_cut(language: str, tmp_path: Path) -> None:
    source = {
        "python": "while True:\n    print('spam' * 1000)\n",
        "javascript": "for (;;) console.log('spam'.repeat(1000));\n",
    }[language]
    result = run(
        language, source, [stdio("t1", "")], tmp_path=tmp_path, mode="script", entry_point=None,
        output_bytes=4096,
    )  # fmt: skip
    case = result.cases["t1"]
    assert case["status"] == "output_limit" and case["truncated"] is True
    assert case["stdout"].endswith("…[output truncated]")
    assert len(result.stdout) < 3 * 4096 + 2048


# ------------------------------------------------------------------------------ values


@pytest.mark.parametrize("language", LANGUAGES)
def test_canonical_values(language: str, tmp_path: Path) -> None:
    if language == "python":
        source = (
            "from collections import Counter, OrderedDict, defaultdict, deque\n"
            "def f(kind):\n"
            "    return {\n"
            "        'set': {3, 1, 2},\n"
            "        'counter': Counter('abca'),\n"
            "        'stdlib': [deque([1]), OrderedDict(b=1, a=2), defaultdict(int, {3: 1})],\n"
            "        'frozen': frozenset(['b', 'a']),\n"
            "        'int_keys': {2: 'b', 1: 'a'},\n"
            "        'nan': float('nan'), 'inf': float('inf'), 'ninf': -float('inf'),\n"
            "        'tuple': (1, (2, 3)),\n"
            "        'nested': [{'z': None, 'a': [True, 1.5]}],\n"
            "        'float': 0.1,\n"
            "        'mixed_set': {'b', 10, 2, 'a', (1,), None, 'é'},\n"
            "    }[kind]\n"
        )
        expected = {
            "set": ({"$set": [1, 2, 3]}, "{1, 2, 3}"),
            # The standard library's dict and list types are read through the base methods.
            "counter": ({"a": 2, "b": 1, "c": 1}, "{'a': 2, 'b': 1, 'c': 1}"),
            "stdlib": (
                [[1], {"b": 1, "a": 2}, {"$map": [[3, 1]]}],
                "[[1], {'b': 1, 'a': 2}, {3: 1}]",
            ),
            "int_keys": ({"$map": [[2, "b"], [1, "a"]]}, "{2: 'b', 1: 'a'}"),
            "nan": ({"$float": "nan"}, "nan"),
            "inf": ({"$float": "inf"}, "inf"),
            "ninf": ({"$float": "-inf"}, "-inf"),
            "tuple": ([1, [2, 3]], "[1, [2, 3]]"),
            "nested": ([{"z": None, "a": [True, 1.5]}], "[{'z': None, 'a': [True, 1.5]}]"),
            "float": (0.1, "0.1"),
        }
        # Sets of strings iterate in an order of the hash seed: only their members are known.
        sets = {"mixed_set": ["b", 10, 2, "a", [1], None, "é"], "frozen": ["a", "b"]}
    else:
        source = (
            "function f(kind) {\n"
            "  return {\n"
            "    set: new Set([3, 1, 2]),\n"
            "    int_keys: new Map([[2, 'b'], [1, 'a']]),\n"
            "    str_map: new Map([['b', 2], ['a', 1]]),\n"
            "    nan: NaN, inf: Infinity, ninf: -Infinity,\n"
            "    nested: [{ z: null, a: [true, 1.5] }],\n"
            "    undef: undefined, big: 12345678901234567890n, hole: [1, , 3],\n"
            "    float: 0.1,\n"
            "    mixed_set: new Set(['b', 10, 2, 'a', [1], null, 'é']),\n"
            "  }[kind];\n"
            "}\n"
        )
        expected = {
            "set": ({"$set": [3, 1, 2]}, "new Set([3, 1, 2])"),
            "int_keys": ({"$map": [[2, "b"], [1, "a"]]}, 'new Map([[2, "b"], [1, "a"]])'),
            "str_map": ({"b": 2, "a": 1}, "{b: 2, a: 1}"),
            "nan": ({"$float": "nan"}, "NaN"),
            "inf": ({"$float": "inf"}, "Infinity"),
            "ninf": ({"$float": "-inf"}, "-Infinity"),
            "nested": ([{"z": None, "a": [True, 1.5]}], "[{z: null, a: [true, 1.5]}]"),
            "undef": ({"$undefined": True}, "undefined"),
            "big": ({"$bigint": "12345678901234567890"}, "12345678901234567890n"),
            "hole": ([1, {"$undefined": True}, 3], "[1, undefined, 3]"),
            "float": (0.1, "0.1"),
        }
        sets = {"mixed_set": ["b", 10, 2, "a", [1], None, "é"]}  # in insertion order
    cases = [call(kind, kind) for kind in [*expected, *sets]]
    result = run(language, source, cases, tmp_path=tmp_path)
    assert_well_formed(result)
    # Members and entries come in the order the value iterates them (the host sorts them).
    for kind, (value, shown) in expected.items():
        case = result.cases[kind]
        assert case["status"] == "ok", case
        assert json.dumps(case["value"]) == json.dumps(value), kind  # NaN-proof, order-exact
        assert case["repr"] == shown, kind
    for kind, members in sets.items():
        items = result.cases[kind]["value"]["$set"]
        if language == "javascript":
            assert items == members
        else:
            assert sorted(map(json.dumps, items)) == sorted(map(json.dumps, members)), kind


ORDERED_BY = {
    # Members added in the order given. 1, 9 and 17 want the same slot of a Python set of four
    # (eight slots), so it iterates them in the order they were added; a Set and a Map always
    # iterate in insertion order, and so does a dict.
    "python": (
        "def f(members):\n"
        "    members = [tuple(m) if type(m) is list else m for m in members]\n"
        "    found, seen = set(), {}\n"
        "    for member in members:\n"
        "        found.add(member)\n"
        "        seen[member] = True\n"
        "    return [found, seen, {'all': frozenset(found)}]\n"
    ),
    "javascript": (
        "function f(members) {\n"
        "  const found = new Set(), seen = new Map();\n"
        "  for (const member of members) { found.add(member); seen.set(member, true); }\n"
        "  return [found, seen, { all: new Set(found) }];\n"
        "}\n"
    ),
}


@needs_node
def test_sets_and_maps_are_equal_whatever_order_they_iterate_in(tmp_path: Path) -> None:
    """End to end with the host's canonical form: a Python set and dict, a JavaScript Set and
    Map, filled in two orders, are each judged equal to one expected value."""
    members: list[Any] = [1, 9, 17, [2, 3]]
    expected = canonical(
        [
            {1, 9, 17, (2, 3)},
            {1: True, 9: True, 17: True, (2, 3): True},
            {"all": {"$set": [17, 9, 1, [2, 3]]}},
        ]
    )
    reported = []
    for language in ("python", "javascript"):
        cases = [call("forward", members), call("backward", members[::-1])]
        result = run(language, ORDERED_BY[language], cases, tmp_path=tmp_path)
        forward, backward = result.cases["forward"]["value"], result.cases["backward"]["value"]
        # The harness reports them as they iterate: sets, maps and nested sets all differ.
        assert all(f != b for f, b in zip(forward, backward, strict=True)), language
        reported += [forward, backward]
    for value in reported:
        assert canonical(value) == expected
        assert values_match(expected, canonical(value))


@needs_node
def test_javascript_numbers_reach_python_as_the_same_numbers(tmp_path: Path) -> None:
    # JavaScript writes 1.2345678901234568e20 as 123456789012345680000, which Python would read
    # as a different (exact) integer: past 2**53 a number must arrive as a float.
    floats = [0.1, 1e21, 1e-7, 1.5e-5, 123456789.125, 5e-324, 2.0**60, 1e16, 1e15 + 0.5, -2.5e-5]
    floats += [1.2345678901234568e20, 2.0**53, -(2.0**60)]
    floats += [math.ldexp(i * 7919 + 1, -30 + i) for i in range(40)]
    integers = [0, 5, -7, 2**53 - 1]
    source = f"function f() {{ return [{json.dumps(floats)}, {json.dumps(integers)}]; }}\n"
    result = run("javascript", source, [call("t1")], tmp_path=tmp_path)
    reported_floats, reported_integers = result.cases["t1"]["value"]
    for number, reported in zip(floats, reported_floats, strict=True):
        assert reported == number, number
        assert type(reported) is (int if number.is_integer() and abs(number) < 2**53 else float)
    assert reported_integers == integers and all(type(n) is int for n in reported_integers)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_always_equal_object_is_unserializable(language: str, tmp_path: Path) -> None:
    if language == "python":
        source = (
            "class Anything:\n"
            "    def __eq__(self, other):\n        return True\n"
            "    def __hash__(self):\n        return 0\n"
            "    def __repr__(self):\n        return '6'\n"
            "def f(x):\n    return Anything()\n"
        )
        name = "Anything"
    else:
        source = (
            "function f(x) {\n"
            "  return { valueOf() { return 6; }, toString() { return '6'; },\n"
            "           toJSON() { return 6; } };\n"
            "}\n"
            "function g(x) { return new Proxy({}, { get: () => 6 }); }\n"
        )
        name = None
    result = run(language, source, [call("t1", 1)], tmp_path=tmp_path)
    value = result.cases["t1"]["value"]
    assert value != 6
    if language == "python":
        assert value == {"$unserializable": name}
        assert result.cases["t1"]["repr"] == "<Anything object>"
    else:
        assert value == {
            "toJSON": {"$unserializable": "Function"},
            "toString": {"$unserializable": "Function"},
            "valueOf": {"$unserializable": "Function"},
        }
        proxy = run(language, source, [call("t1", 1)], tmp_path=tmp_path, entry_point="g")
        assert proxy.cases["t1"]["value"] == {"$unserializable": "Proxy"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_subclasses_of_plain_types_are_unserializable(language: str, tmp_path: Path) -> None:
    if language == "python":
        source = (
            "class Yes(int):\n"
            "    def __eq__(self, other):\n        return True\n"
            "    __hash__ = int.__hash__\n"
            "class Text(str):\n    pass\n"
            "class Meta(type):\n"
            "    def __eq__(cls, other):\n        return True\n"
            "    __hash__ = type.__hash__\n"
            "class Sneaky(list, metaclass=Meta):\n    pass\n"
            "def f(kind):\n"
            "    return {'int': Yes(6), 'str': Text('6'), 'list': Sneaky([6]),\n"
            "            'nested': [1, Yes(2)]}[kind]\n"
        )
        expected = {
            "int": {"$unserializable": "Yes"},
            "str": {"$unserializable": "Text"},
            "list": {"$unserializable": "Sneaky"},
            "nested": [1, {"$unserializable": "Yes"}],
        }
    else:
        source = (
            "class Six extends Array {}\n"
            "function f(kind) {\n"
            "  return { boxed: new Number(6), sub: Six.from([6]), date: new Date(0),\n"
            "           nested: [1, new String('2')] }[kind];\n"
            "}\n"
        )
        expected = {
            "boxed": {"$unserializable": "Number"},
            "sub": {"$unserializable": "Six"},
            "date": {"$unserializable": "Date"},
            "nested": [1, {"$unserializable": "String"}],
        }
    result = run(language, source, [call(k, k) for k in expected], tmp_path=tmp_path)
    for kind, value in expected.items():
        assert result.cases[kind]["value"] == value, kind


@pytest.mark.parametrize("language", LANGUAGES)
def test_cycles_and_deep_nesting_are_unserializable(language: str, tmp_path: Path) -> None:
    source = {
        "python": (
            "def f(kind):\n"
            "    if kind == 'cycle':\n        x = [1]\n        x.append(x)\n        return x\n"
            "    deep = []\n    for _ in range(150):\n        deep = [deep]\n    return deep\n"
        ),
        "javascript": (
            "function f(kind) {\n"
            "  if (kind === 'cycle') { const x = [1]; x.push(x); return x; }\n"
            "  let deep = [];\n  for (let i = 0; i < 150; i++) deep = [deep];\n  return deep;\n"
            "}\n"
        ),
    }[language]
    result = run(language, source, [call("cycle", "cycle"), call("deep", "deep")],
                 tmp_path=tmp_path)  # fmt: skip
    assert result.cases["cycle"]["value"] == [1, {"$unserializable": "list" if language ==
                                                  "python" else "Array"}]  # fmt: skip
    value = result.cases["deep"]["value"]
    depth = 0
    while isinstance(value, list):
        value, depth = value[0], depth + 1
    assert depth == 100 and "$unserializable" in value


@needs_node
def test_javascript_getters_are_never_invoked(tmp_path: Path) -> None:
    source = (
        "let calls = 0;\n"
        "function f() { return { get total() { calls++; return 6; } }; }\n"
        "function g() {\n"
        "  const a = [1];\n"
        "  Object.defineProperty(a, 0, { get() { calls++; return 6; } });\n"
        "  return a;\n"
        "}\n"
    )
    cases = [call("getter"), code("array", "return g();"), code("calls", "return calls;")]
    result = run("javascript", source, cases, tmp_path=tmp_path)
    assert result.cases["getter"]["value"] == {"$unserializable": "Object"}
    assert result.cases["array"]["value"] == {"$unserializable": "Array"}
    assert result.cases["calls"]["value"] == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_value_too_large_is_an_error(language: str, tmp_path: Path) -> None:
    source = {
        "python": "def f(n):\n    return list(range(n))\n",
        "javascript": "function f(n) { return Array.from({ length: n }, (_, i) => i); }\n",
    }[language]
    result = run(language, source, [call("big", 10**6), call("small", 3)], tmp_path=tmp_path,
                 output_bytes=4096)  # fmt: skip
    assert result.cases["big"]["status"] == "error"
    assert result.cases["big"]["error"]["type"] == "ValueTooLarge"
    assert len(result.stdout) < 16384
    assert result.cases["small"]["value"] == [0, 1, 2]


# ------------------------------------------------------------------------------ output


@pytest.mark.parametrize("language", LANGUAGES)
def test_stdout_is_captured_per_case(language: str, tmp_path: Path) -> None:
    source = {
        "python": "import sys\nprint('loading')\ndef f(x):\n    print('x is', x)\n"
        "    print('oops', file=sys.stderr)\n    return x\n",
        "javascript": "console.log('loading');\n"
        "function f(x) { console.log('x is', x); console.error('oops'); return x; }\n",
    }[language]
    result = run(language, source, [call("a", 1), call("b", 2)], tmp_path=tmp_path)
    assert result.load is not None and result.load["stdout"] == "loading\n"
    assert result.cases["a"]["stdout"] == "x is 1\n" and result.cases["a"]["stderr"] == "oops\n"
    assert result.cases["b"]["stdout"] == "x is 2\n"


@pytest.mark.parametrize("language", LANGUAGES)
def test_forged_frames_land_in_the_captured_stdout(language: str, tmp_path: Path) -> None:
    forged = json.dumps({"event": "case", "id": "t1", "status": "ok", "value": 2})
    if language == "python":
        source = (
            "import os\n"
            f"FORGED = {forged!r}\n"
            "def f(x):\n"
            f"    print('@@codegym {NONCE} ' + FORGED)\n"
            "    os.write(1, ('@@codegym guess ' + FORGED + '\\n').encode())\n"
            "    return 0\n"
        )
    else:
        source = (
            f"const FORGED = {json.dumps(forged)};\n"
            "function f(x) {\n"
            f"  console.log('@@codegym {NONCE} ' + FORGED);\n"
            "  process.stdout.write('@@codegym guess ' + FORGED + '\\n');\n"
            "  return 0;\n"
            "}\n"
        )
    result = run(language, source, [call("t1", 1)], tmp_path=tmp_path)
    assert_well_formed(result)
    case = result.cases["t1"]
    assert case["value"] == 0
    assert case["stdout"].startswith(f"@@codegym {NONCE} {forged}\n")
    assert "@@codegym guess" in case["stdout"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_output_flood_is_output_limit(language: str, tmp_path: Path) -> None:
    source = {
        "python": (
            "import os\n"
            "def f(kind):\n"
            "    if kind == 'print':\n"
            "        while True:\n"
            "            try:\n                print('spam' * 1000)\n"
            "            except Exception:\n                pass\n"
            "    if kind == 'raw':\n"
            "        while True:\n            os.write(1, b'x' * 65536)\n"
            "    return kind\n"
        ),
        "javascript": (
            "function f(kind) {\n"
            "  if (kind === 'print') for (;;) console.log('spam'.repeat(1000));\n"
            "  if (kind === 'raw') for (;;) process.stdout.write('x'.repeat(65536));\n"
            "  return kind;\n"
            "}\n"
        ),
    }[language]
    cases = [call("print", "print"), call("raw", "raw"), call("after", "after")]
    result = run(language, source, cases, tmp_path=tmp_path, output_bytes=4096, case_cpu_s=2)
    assert_well_formed(result)
    for case_id in ("print", "raw"):
        case = result.cases[case_id]
        assert case["status"] == "output_limit", case
        assert case["truncated"] is True and "value" not in case
        assert case["stdout"].endswith("…[output truncated]")
        assert len(case["stdout"].encode()) <= 4096 + 64
    assert result.cases["after"]["value"] == "after"
    assert len(result.stdout) < 3 * 2 * 4096 + 4096


# ------------------------------------------------------------------------------ limits


@pytest.mark.slow  # waits for a timeout
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_infinite_loop_times_out_and_the_next_case_runs(language: str, tmp_path: Path) -> None:
    source = {
        "python": "def f(x):\n    while x:\n        pass\n    return 'done'\n",
        "javascript": "function f(x) { while (x) {} return 'done'; }\n",
    }[language]
    result = run(language, source, [call("loop", 1), call("next", 0)], tmp_path=tmp_path,
                 case_cpu_s=1)  # fmt: skip
    assert_well_formed(result)
    loop = result.cases["loop"]
    assert loop["status"] == "timeout" and "value" not in loop
    assert 950 <= loop["cpu_ms"] < 2000  # CPU time: the same on an idle or a busy machine
    assert result.cases["next"]["value"] == "done"


@pytest.fixture
def starved_cpu():
    """CPU 0 kept busy by two processes at normal priority: a worker pinned there at nice 19
    gets about 1% of it, so each of its CPU milliseconds takes about 100 of wall time."""
    if not shutil.which("taskset") or not hasattr(os, "sched_getaffinity"):
        pytest.skip("needs taskset (util-linux) to pin processes to one CPU")
    hogs = [
        subprocess.Popen(["taskset", "-c", "0", sys.executable, "-c", "while True: pass"])
        for _ in range(2)
    ]
    yield ("taskset", "-c", "0", "nice", "-n", "19")
    for hog in hogs:
        hog.kill()
        hog.wait()


STARVED = {
    "python": "def f(n):\n    return sum(range(n))\n",
    "javascript": "function f(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }\n",
}


@pytest.mark.slow  # a starved worker takes seconds of wall time for milliseconds of CPU
@pytest.mark.parametrize("language", sorted(STARVED))
def test_a_right_solution_starved_of_cpu_is_not_stopped_by_the_wall_backstop(
    language: str, tmp_path: Path, starved_cpu: tuple[str, ...]
) -> None:
    """Waiting for a busy CPU is not waiting: the backstop (here 3 × 0.3 + 1 = 1.9 s of wall
    time) forgives the time the worker spent on a run queue, so a test that needs little CPU
    passes however long the machine makes it wait. (A program of a stdio test runs in a session
    of its own, so the kernel's autogroups keep it from being starved this way; the harnesses
    extend its deadline the same way.)"""
    if language == "javascript" and NODE is None:
        pytest.skip("node is not installed")
    n = 5_000_000 if language == "python" else 50_000_000  # about 50 ms of CPU: seconds here
    result = run(language, STARVED[language], [call("t1", n)], tmp_path=tmp_path,
                 worker_prefix=starved_cpu, case_cpu_s=0.3)  # fmt: skip
    assert_well_formed(result)
    outcome = result.cases["t1"]
    assert outcome["status"] == "ok", (outcome, result.stderr[-2000:])
    assert outcome["duration_ms"] > 1900  # it was starved: past the plain backstop
    assert outcome["value"] == sum(range(n))


@pytest.mark.slow  # waits for a timeout
def test_python_timeout_cannot_be_swallowed(tmp_path: Path) -> None:
    source = (
        "def f(x):\n"
        "    while x:\n"
        "        try:\n            while True:\n                pass\n"
        "        except BaseException:\n            pass\n"
        "    return 'done'\n"
    )
    result = run("python", source, [call("loop", 1), call("next", 0)], tmp_path=tmp_path,
                 case_cpu_s=1)  # fmt: skip
    assert result.cases["loop"]["status"] == "timeout"
    assert result.cases["loop"]["cpu_ms"] < 3500  # the worker's timer, else the supervisor's kill
    # Whether the timer landed outside the learner's try or the worker gave up, the next test
    # runs (in a fresh worker when the old one was stopped).
    assert result.cases["next"]["value"] == "done"
    assert result.done


@needs_node
@pytest.mark.slow  # waits for a timeout
def test_javascript_async_functions_are_awaited_with_the_timeout(tmp_path: Path) -> None:
    source = (
        "async function f(x) { await null; return x * 2; }\n"
        "function never() { return new Promise(() => {}); }\n"
        "async function fails() { await null; throw new TypeError('late'); }\n"
    )
    cases = [call("t1", 3), code("never", "return never();"), code("fails", "return fails();"),
             code("await", "const v = await f(4);\nreturn v + 1;")]  # fmt: skip
    result = run("javascript", source, cases, tmp_path=tmp_path, case_cpu_s=1)
    assert_well_formed(result)
    assert result.cases["t1"]["value"] == 6
    assert result.cases["never"]["status"] == "timeout"
    assert result.cases["fails"]["error"]["type"] == "TypeError"
    assert result.cases["fails"]["error"]["line"] == 3
    assert result.cases["await"]["value"] == 9


def test_python_memory_balloon_is_a_memory_error(tmp_path: Path) -> None:
    source = (
        "def f(kind):\n"
        "    if kind == 'huge':\n        return len(bytearray(10**10))\n"
        "    hog = []\n"
        "    while True:\n        hog.append(bytearray(10**7))\n"
    )
    cases = [call("huge", "huge"), call("grow", "grow"), call("again", "huge")]
    result = run("python", source, cases, tmp_path=tmp_path, memory_bytes=256 * MB)
    assert_well_formed(result)
    for case_id, line in (("huge", 3), ("grow", 6), ("again", 3)):
        error = result.cases[case_id]["error"]
        assert (error["type"], error["line"]) == ("MemoryError", line), case_id


@pytest.mark.parametrize("language", LANGUAGES)
def test_deep_recursion(language: str, tmp_path: Path) -> None:
    source = {
        "python": "def f(n):\n    return n if n == 0 else 1 + f(n + 1)\n",
        "javascript": "function f(n) {\n  return n === 0 ? n : 1 + f(n + 1);\n}\n",
    }[language]
    result = run(language, source, [call("deep", 1), call("after", 0)], tmp_path=tmp_path)
    assert_well_formed(result)
    error = result.cases["deep"]["error"]
    assert error["type"] == ("RecursionError" if language == "python" else "RangeError")
    assert error["line"] == 2
    assert len(error["traceback"]) <= 4096
    assert result.cases["after"]["value"] == 0


def test_python_limits_are_applied_soft_equals_hard(tmp_path: Path) -> None:
    source = (
        "import resource\n"
        "def f(name):\n"
        "    return list(resource.getrlimit(getattr(resource, name)))\n"
    )
    names = ["RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_NPROC"]
    limits = {"memory_bytes": 256 * MB, "cpu_s": 7, "file_bytes": MB, "open_files": 48,
              "processes": 99}  # fmt: skip
    result = run("python", source, [call(n, n) for n in names], tmp_path=tmp_path, **limits)
    applied = {name: result.cases[name]["value"] for name in names}
    assert all(soft == hard for soft, hard in applied.values()), applied
    assert 256 * MB < applied["RLIMIT_AS"][0] < 512 * MB
    assert applied["RLIMIT_CPU"][0] == 7
    assert applied["RLIMIT_FSIZE"][0] == MB
    assert applied["RLIMIT_NOFILE"][0] == 48
    assert applied["RLIMIT_NPROC"][0] == 99


# ------------------------------------------------------------------------------ exits and tampering


def test_python_sys_exit_in_a_case_is_an_error(tmp_path: Path) -> None:
    source = "import sys\ndef f(x):\n    if x:\n        sys.exit(x)\n    return 'still here'\n"
    result = run("python", source, [call("exit", 3), call("next", 0)], tmp_path=tmp_path)
    assert_well_formed(result)
    error = result.cases["exit"]["error"]
    assert (error["type"], error["message"], error["line"]) == ("SystemExit", "3", 4)
    assert result.cases["next"]["value"] == "still here"


def test_python_sys_exit_at_import_is_a_load_error(tmp_path: Path) -> None:
    result = run("python", "import sys\nsys.exit(0)\n", [call("t1", 1)], tmp_path=tmp_path)
    assert_well_formed(result)
    assert result.load is not None and result.load["error"]["type"] == "SystemExit"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_hard_exit_at_import_reports_nothing(language: str, tmp_path: Path) -> None:
    source = {"python": "import os\nos._exit(0)\n", "javascript": "process.exit(0);\n"}[language]
    result = run(language, source, [call("t1", 1)], tmp_path=tmp_path)
    assert result.events == [{"event": "done"}]  # the supervisor's: no load, no case


@pytest.mark.parametrize("language", LANGUAGES)
def test_events_are_flushed_before_the_next_case(language: str, tmp_path: Path) -> None:
    source = {
        "python": (
            "import os\ndef f(x):\n    if x:\n        os.kill(os.getpid(), 9)\n    return x\n"
        ),
        "javascript": "function f(x) { if (x) process.kill(process.pid, 'SIGKILL'); return x; }\n",
    }[language]
    result = run(language, source, [call("first", 0), call("killed", 1), call("never", 0)],
                 tmp_path=tmp_path)  # fmt: skip
    assert result.load is not None and list(result.cases) == ["first"]
    assert result.events[-1] == {"event": "done"}  # the worker died on its own: the run ends


def test_python_main_block_does_not_run(tmp_path: Path) -> None:
    source = "def f():\n    return __name__\nif __name__ == '__main__':\n    print('main ran')\n"
    result = run("python", source, [call("t1")], tmp_path=tmp_path)
    assert result.load is not None and result.load["stdout"] == ""
    assert result.cases["t1"]["value"] == "__codegym_exercise__"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_missing_entry_point_is_a_load_error(language: str, tmp_path: Path) -> None:
    source = {"python": "def g(x):\n    return x\nf = 5\n", "javascript": "function g(x) {}\n"}
    result = run(language, source[language], [call("t1", 1)], tmp_path=tmp_path, entry_point="h")
    error = result.load["error"] if result.load else None
    assert error is not None and error["type"] == (
        "NameError" if language == "python" else "ReferenceError"
    )
    assert error["message"] == f"{FILENAMES[language]} does not define a function named 'h'"
    not_callable = run(language, source[language], [call("t1", 1)], tmp_path=tmp_path,
                       entry_point="f" if language == "python" else "g")  # fmt: skip
    if language == "python":
        assert not_callable.load is not None
        assert not_callable.load["error"]["type"] == "TypeError"


@needs_node
def test_javascript_module_exports_entry_point(tmp_path: Path) -> None:
    source = "const double = (x) => 2 * x;\nmodule.exports = { f: double };\n"
    result = run("javascript", source, [call("t1", 4)], tmp_path=tmp_path)
    assert result.cases["t1"]["value"] == 8


def test_python_monkeypatching_does_not_break_the_harness(tmp_path: Path) -> None:
    source = (
        "import builtins, json, os, sys\n"
        'json.dumps = lambda *a, **k: \'{"event": "case", "status": "ok", "value": 4}\'\n'
        "json.loads = lambda *a, **k: {}\n"
        "os.write = lambda *a: 0\n"
        "main = sys.modules.get('__main__')\n"
        "for name in dir(main):\n"
        "    try:\n        setattr(main, name, lambda *a, **k: None)\n"
        "    except Exception:\n        pass\n"
        "def f(x):\n"
        "    if x == 1:\n"
        "        sys.modules['json'] = None\n"
        "        for name in ('len', 'isinstance', 'repr', 'str', 'type', 'sorted'):\n"
        "            delattr(builtins, name)\n"
        "    if x == 2:\n"
        "        sys.stdout = None\n"
        "        sys.setrecursionlimit(30)\n"
        "        sys.set_int_max_str_digits(640)\n"
        "    return {'x': x, 'big': 10**1000}\n"
    )
    cases = [call("a", 0), call("b", 1), call("c", 2), call("d", 3)]
    result = run("python", source, cases, tmp_path=tmp_path)
    assert_well_formed(result)
    for case_id, x in (("a", 0), ("b", 1), ("c", 2), ("d", 3)):
        assert result.cases[case_id]["value"] == {"x": x, "big": 10**1000}, case_id


@needs_node
def test_javascript_monkeypatching_does_not_break_the_harness(tmp_path: Path) -> None:
    source = (
        'JSON.stringify = () => \'{"event":"case","status":"ok","value":4}\';\n'
        "JSON.parse = () => ({});\n"
        "Object.prototype.toJSON = function () { return 4; };\n"
        "Object.defineProperty(Object.prototype, 'value', { set(v) {}, configurable: true });\n"
        "Array.prototype.push = function () { throw new Error('no push'); };\n"
        "Array.prototype.join = () => 'joined';\n"
        "String.prototype.slice = () => '';\n"
        "Object.keys = () => [];\n"
        "function f(x) { return { x, list: [x, 'a'] }; }\n"
    )
    cases = [call("a", 0), call("b", 1), code("c", "Object.getPrototypeOf = null; return f(2);")]
    result = run("javascript", source, cases, tmp_path=tmp_path)
    assert_well_formed(result)
    for case_id, x in (("a", 0), ("b", 1), ("c", 2)):
        assert result.cases[case_id]["value"] == {"list": [x, "a"], "x": x}, case_id


def test_python_hostile_exceptions_do_not_break_the_harness(tmp_path: Path) -> None:
    source = (
        "class Meta(type):\n"
        "    @property\n    def __name__(cls):\n        raise RuntimeError('no name')\n"
        "class Weird(Exception, metaclass=Meta):\n"
        "    def __str__(self):\n        raise RuntimeError('no str')\n"
        "    @property\n    def __traceback__(self):\n        raise RuntimeError('no tb')\n"
        "def f(x):\n"
        "    if x:\n        raise Weird('boom')\n"
        "    return 'fine'\n"
    )
    result = run("python", source, [call("weird", 1), call("next", 0)], tmp_path=tmp_path)
    assert_well_formed(result)
    error = result.cases["weird"]["error"]
    assert error["type"] == "Weird" and error["line"] == 13
    assert error["message"] == "<unprintable message>"
    assert result.cases["next"]["value"] == "fine"


def test_python_fork_returning_into_the_harness_stays_silent(tmp_path: Path) -> None:
    source = "import os\ndef f(x):\n    os.fork()\n    return x\n"
    result = run("python", source, [call("a", 1), call("b", 2)], tmp_path=tmp_path)
    assert_well_formed(result)
    assert [e.get("id") for e in result.events if e["event"] == "case"] == ["a", "b"]
