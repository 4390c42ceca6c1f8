"""Red-team round 2 (issue 17), the findings that need a test of their own rather than a
program in `programs/`: hidden inputs carried into a shown failure, integers too long for
Python's int-string limit, a byte-order mark, a child that keeps the worker's pipes open, and
event lines no parser should choke on. Each runs on both backends and in both languages where
the finding applies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codegym.checker import check_source
from codegym.config import SandboxLimits
from codegym.grading import Failure, Verdict, message
from codegym.sandbox import RunRequest, Sandbox
from codegym.sandbox.events import EventStream
from codegym.syntax_check import python_syntax

from ..conftest import make_problem

LIMITS = SandboxLimits(wall_s=5)
HIDDEN_INPUT = 48_271  # digits no message, timing or public value contains


@pytest.fixture(params=["local", "docker"])
def backend(request: pytest.FixtureRequest) -> Sandbox:
    return request.getfixturevalue(f"{request.param}_sandbox")


def shown(verdict: Verdict) -> str:
    """Everything a learner sees of the run: every public test's message, value and output."""
    return "\n".join(
        f"{message(t)} {t.failure.actual} {t.failure.stdout}"
        if isinstance(t.failure, Failure)
        else message(t)
        for t in verdict.tests
        if t.visibility == "public"
    )


def summary(verdict: Verdict) -> str:
    return "; ".join(f"{t.name}: {t.category} ({message(t)[:200]})" for t in verdict.tests)


# ---------------------------------------------------------------- 7: hidden inputs stay hidden

FUNCTION_HIDDEN_FIRST = [
    {"kind": "call", "name": "hidden", "visibility": "hidden", "label": "big",
     "args": [HIDDEN_INPUT], "expected": 2 * HIDDEN_INPUT},
    {"kind": "call", "name": "one", "args": [1], "expected": 2},
    {"kind": "call", "name": "two", "args": [2], "expected": 4},
]  # fmt: skip
SCRIPT_HIDDEN_FIRST = [
    {"kind": "stdio", "name": "hidden", "visibility": "hidden", "label": "big",
     "stdin": f"{HIDDEN_INPUT}\n", "expected_stdout": f"{2 * HIDDEN_INPUT}\n"},
    {"kind": "stdio", "name": "one", "stdin": "1\n", "expected_stdout": "2\n"},
    {"kind": "stdio", "name": "two", "stdin": "2\n", "expected_stdout": "4\n"},
]  # fmt: skip

CARRIERS = {
    # a module global: the worker loads the file once for many tests
    ("python", "global"): "seen = []\ndef double(x):\n    seen.append(x)\n    return seen\n",
    ("javascript", "global"): "const seen = [];\nfunction double(x) {\n  seen.push(x);\n"
    "  return seen;\n}\n",
    # a file in the run's scratch directory, which every test of the run shares
    ("python", "file"): "def double(x):\n    with open('seen', 'a') as f:\n"
    "        f.write(f'{x},')\n    with open('seen') as f:\n        return f.read()\n",
    ("javascript", "file"): "const fs = require('fs');\nfunction double(x) {\n"
    "  fs.appendFileSync('seen', x + ',');\n  return fs.readFileSync('seen', 'utf8');\n}\n",
    # a stdio program: its own process per test, but the same scratch directory
    ("python", "script"): "import sys\nline = sys.stdin.read().strip()\n"
    "with open('seen', 'a') as f:\n    f.write(line + ',')\nprint(open('seen').read())\n",
    ("javascript", "script"): "const fs = require('fs');\n"
    "fs.appendFileSync('seen', fs.readFileSync(0, 'utf8').trim() + ',');\n"
    "console.log(fs.readFileSync('seen', 'utf8'));\n",
}


CARRIER_IDS = [f"{language}-{carrier}" for language, carrier in sorted(CARRIERS)]


@pytest.mark.parametrize(("language", "carrier"), sorted(CARRIERS), ids=CARRIER_IDS)
def test_a_hidden_input_never_reaches_a_shown_failure(
    language: str, carrier: str, backend: Sandbox
) -> None:
    """The hidden test comes first in the problem: its input must still not be carried (in a
    global, a file) into a public test's shown value or output."""
    script = carrier == "script"
    problem = make_problem(
        language=language,
        kind="script" if script else "function",
        solution="print(int(input()) * 2)\n" if script else "",
        tests=SCRIPT_HIDDEN_FIRST if script else FUNCTION_HIDDEN_FIRST,
        entry_point=None if script else "double",
    )
    verdict = check_source(problem, CARRIERS[language, carrier], backend, LIMITS)
    text = shown(verdict)
    assert [t.visibility for t in verdict.tests] == ["hidden", "public", "public"]
    assert all(t.category == "wrong_answer" for t in verdict.tests[1:]), summary(verdict)
    assert "1" in text, text  # the carrier works: public inputs show
    assert str(HIDDEN_INPUT) not in text, text


# ---------------------------------------------------------------- 8: long integers

LONG_INTEGER = {
    "python": "def double(x):\n    return 10 ** 5000 if x == 1 else 2 * x\n",
    "javascript": "function double(x) {\n  return x === 1 ? 10n ** 5000n : 2 * x;\n}\n",
}
PUBLIC_AND_HIDDEN = [
    {"kind": "call", "name": "one", "args": [1], "expected": 2},
    {"kind": "call", "name": "two", "args": [2], "expected": 4},
    {"kind": "call", "name": "hidden", "visibility": "hidden", "label": "big",
     "args": [HIDDEN_INPUT], "expected": 2 * HIDDEN_INPUT},
]  # fmt: skip


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_a_long_integer_is_a_wrong_value_not_a_tampered_run(
    language: str, backend: Sandbox
) -> None:
    problem = make_problem(
        language=language, tests=PUBLIC_AND_HIDDEN, entry_point="double", solution="x"
    )
    verdict = check_source(problem, LONG_INTEGER[language], backend, LIMITS)
    assert [t.category for t in verdict.tests] == ["wrong_answer", "passed", "passed"], summary(
        verdict
    )
    assert "1000000" in shown(verdict)  # shown as the number it is (capped)


# ---------------------------------------------------------------- 9: byte-order mark, CRLF

RIGHT = {
    "python": "# a right solution\ndef double(x):\n    return 2 * x\n",
    "javascript": "// a right solution\nfunction double(x) {\n  return 2 * x;\n}\n",
}


def with_bom_and_crlf(source: str) -> str:
    return "\ufeff" + source.replace("\n", "\r\n")


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_a_bom_and_crlf_never_change_a_verdict(language: str, backend: Sandbox) -> None:
    problem = make_problem(
        language=language, tests=PUBLIC_AND_HIDDEN, entry_point="double", solution="x"
    )
    verdict = check_source(problem, with_bom_and_crlf(RIGHT[language]), backend, LIMITS)
    assert verdict.status == "pass", summary(verdict)


def test_the_editor_syntax_check_reads_past_a_bom() -> None:
    """The language server's Syntax feature parses the editor's buffer, where a BOM is U+FEFF."""
    assert python_syntax(with_bom_and_crlf(RIGHT["python"])) is None
    issue = python_syntax("\ufeffdef double(x):\n    return (\n")
    assert issue is not None and issue.line == 2


def test_codegym_check_reads_a_file_saved_with_a_bom(tmp_path: Path) -> None:
    bundled = "# codegym: exercise py-sum-evens\ndef sum_evens(numbers):\n"
    bundled += "    return sum(n for n in numbers if n % 2 == 0)\n"
    path = tmp_path / "sum_evens.py"
    path.write_bytes(with_bom_and_crlf(bundled).encode("utf-8"))
    result = subprocess.run(
        [sys.executable, "-m", "codegym.cli", "check", str(path), "--json", "--backend", "local"],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert "Traceback" not in result.stderr, result.stderr
    document = json.loads(result.stdout)
    assert document["status"] == "pass", result.stdout


# ---------------------------------------------------------------- 10: lingering children

LINGERING = {
    "python": "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
    "        time.sleep(60)\n    os._exit(0)\ndef double(x):\n    return 2 * x\n",
    "javascript": "const { spawn } = require('child_process');\n"
    "spawn('sleep', ['60'], { detached: true, stdio: 'inherit' }).unref();\n"
    "function double(x) {\n  return 2 * x;\n}\n",
}


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_a_child_that_keeps_the_pipes_open_does_not_hold_the_verdict(
    language: str, backend: Sandbox
) -> None:
    """The run ends when the supervisor says `done`, not at the host's wall backstop."""
    request = RunRequest(
        language=language,  # type: ignore[arg-type]
        mode="function",
        source=LINGERING[language],
        entry_point="double",
        cases=({"id": "t1", "kind": "call", "args": [2], "kwargs": {}},),
        limits=LIMITS,
    )
    report = backend.run(request)
    assert report.stopped is None, (report.stopped, report.diagnostics)
    assert report.cases["t1"].status == "ok" and report.cases["t1"].value == 4


# ---------------------------------------------------------------- 5, 8: the host's parser


def stream(*lines: bytes, cases: int = 1) -> EventStream:
    request = RunRequest(
        language="python",
        mode="function",
        source="",
        cases=tuple({"id": f"t{n}", "kind": "call", "args": []} for n in range(1, cases + 1)),
        nonce="n0nce",
    )
    events = EventStream(request)
    for line in lines:
        events.feed(b"@@codegym n0nce " + line + b"\n")
    return events


LOAD = b'{"event": "load", "status": "ok"}'


def case_line(value: str) -> bytes:
    return b'{"event": "case", "id": "t1", "status": "ok", "value": ' + value.encode() + b"}"


@pytest.mark.parametrize(
    "line",
    [
        b"[" * 200_000,
        case_line("[" * 5_000 + "]" * 5_000),
        case_line("[" * 300 + "]" * 300),
        b'{"event": "case", "id": "t1", "value": ' + b'{"a": ' * 50_000,
        b"\xff\xfe{}",
        b'{"event": "case", "id": "t1", "status": "ok", "value": 1e999999}',
    ],
    ids=["brackets", "nested-5000", "nested-300", "objects", "bytes", "huge-float"],
)
def test_any_unreadable_event_marks_the_run_tampered_never_raises(line: bytes) -> None:
    events = stream(LOAD, line)
    if line.endswith(b"1e999999}"):  # JSON's infinity is a float, not a parse failure
        assert not events.tampered and events.cases["t1"].value == float("inf")
    else:
        assert events.tampered


def test_a_long_integer_arrives_as_its_digits() -> None:
    digits = "9" * 5_000
    events = stream(LOAD, case_line(digits), case_line("-" + digits).replace(b"t1", b"t2"), cases=2)
    assert not events.tampered
    assert events.cases["t1"].value == {"$bigint": digits}
    assert events.cases["t2"].value == {"$bigint": "-" + digits}
    assert stream(LOAD, case_line("123")).cases["t1"].value == 123


def test_an_endless_line_stops_at_the_run_cap() -> None:
    events = stream(LOAD)
    events.feed(b"@@codegym n0nce " + b"[" * (events.limit + 10))
    assert events.overflowed and not events.cases
