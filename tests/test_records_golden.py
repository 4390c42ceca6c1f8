"""Golden files for the pure parts of judging and presenting: `grade()` on recorded sandbox
reports (built here, one per way a run can end), and what every presenter makes of the typed
records: the `check --json` document, the CLI's text, the editor's diagnostics, the tutor's
failure lines and its offline explanations.

Each scenario's outputs are compared with `tests/golden/records/<scenario>.json`, which were
reviewed by hand: a changed output fails the test. After an intended change, regenerate them
with `CODEGYM_UPDATE_GOLDEN=1 python -m pytest tests/test_records_golden.py`, review the diff and
commit it.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from codegym.cli import verdict_lines
from codegym.content import Problem
from codegym.grading import (
    Failure,
    HiddenFailure,
    HiddenResult,
    PublicResult,
    grade,
    message,
    verdict_document,
)
from codegym.lsp.diagnostics import verdict_diagnostics
from codegym.sandbox.types import CaseOutcome, ErrorInfo, LoadOutcome, RunReport, StopReason
from codegym.tutor.offline_explain import explain_offline
from codegym.tutor.situation import describe_failure

from .conftest import make_problem

GOLDEN = Path(__file__).parent / "golden" / "records"
UPDATE = os.environ.get("CODEGYM_UPDATE_GOLDEN") == "1"

# ---------------------------------------------------------------------- problems

SUM_SOURCE = (
    "def f(xs):\n    total = 0\n    for x in xs:\n        total += x / len(xs)\n    return total\n"
)
CALLS = make_problem(
    entry_point="f",
    solution=SUM_SOURCE,
    tests=[
        {"kind": "call", "id": "t1", "name": "mixed", "args": [[1, 2, 3, 4]], "expected": 6},
        {"kind": "call", "id": "t2", "name": "pairs", "args": [[3, 1, 2]], "expected": [1, 2],
         "compare": "unordered"},
        {"kind": "code", "id": "t3", "name": "twice",
         "code": "first = f([1])\nreturn first + f([2])", "expected": 3},
        {"kind": "code", "id": "t4", "name": "empty", "code": "return f([])", "expected": 0},
        {"kind": "call", "id": "t5", "name": "speed", "args": [[1] * 5], "expected": 5,
         "time_factor": 2},
        {"kind": "call", "id": "h1", "name": "secret one", "visibility": "hidden",
         "label": "negatives", "args": [[-7, -11]], "expected": -18},
        {"kind": "call", "id": "h2", "name": "secret two", "visibility": "hidden",
         "label": "a long list", "args": [[2] * 8], "expected": 16, "time_factor": 2},
        {"kind": "call", "id": "h3", "name": "secret three", "visibility": "hidden",
         "label": "one item", "args": [[9]], "expected": 9},
    ],
)  # fmt: skip
PROGRAM_SOURCE = "a = int(input())\nb = int(input())\nprint(a + b + 1)\n"
PROGRAM = make_problem(
    kind="script",
    solution=PROGRAM_SOURCE,
    tests=[
        {"kind": "stdio", "id": "s1", "name": "two numbers", "stdin": "2\n3\n",
         "expected_stdout": "5\n"},
        {"kind": "stdio", "id": "s2", "name": "two lines", "stdin": "1\n1\n",
         "expected_stdout": "1\n2\n"},
        {"kind": "stdio", "id": "s3", "name": "three lines", "stdin": "1\n2\n",
         "expected_stdout": "1\n2\n3\n"},
        {"kind": "stdio", "id": "s4", "name": "one line", "stdin": "0\n1\n",
         "expected_stdout": "1\n"},
        {"kind": "stdio", "id": "s5", "name": "exit status", "stdin": "", "expected_stdout": "2\n"},
        {"kind": "stdio", "id": "s6", "name": "not a number", "stdin": "x\n",
         "expected_stdout": "0\n"},
        {"kind": "stdio", "id": "h1", "name": "secret", "visibility": "hidden",
         "label": "large numbers", "stdin": "1000000\n1\n", "expected_stdout": "1000001\n"},
    ],
)  # fmt: skip
JS_SOURCE = (
    "function f(xs) {\n"
    "  let t;\n"
    "  for (const x of xs) t += x;\n"
    "  return xs.length ? String(t) : undefined;\n"
    "}\n"
)
JAVASCRIPT = make_problem(
    language="javascript",
    entry_point="f",
    solution=JS_SOURCE,
    tests=[
        {"kind": "call", "id": "t1", "name": "nothing", "args": [[]], "expected": 0},
        {"kind": "call", "id": "t2", "name": "sum", "args": [[1, 2, 3]], "expected": 6},
        {"kind": "call", "id": "t3", "name": "text", "args": [[6]], "expected": 6},
        {"kind": "call", "id": "t4", "name": "nested", "args": [[[1]]], "expected": 1},
    ],
)  # fmt: skip
BAD_TEST = make_problem(
    entry_point="f",
    solution=SUM_SOURCE,
    tests=[{"kind": "call", "id": "t1", "name": "complex", "args": [[1]], "expected": 1j}],
)

# ---------------------------------------------------------------------- recorded runs


def ok(id: str, value: Any, cpu_ms: float = 2.0, **more: Any) -> CaseOutcome:
    return CaseOutcome(id=id, status="ok", value=value, duration_ms=cpu_ms + 1, cpu_ms=cpu_ms,
                       **more)  # fmt: skip


def raised(id: str, type: str, text: str, line: int | None, **more: Any) -> CaseOutcome:
    trace = f'Traceback (most recent call last):\n  File "exercise.py", line {line}, in f\n'
    error = ErrorInfo(type=type, message=text, line=line, traceback=f"{trace}{type}: {text}")
    return CaseOutcome(id=id, status="error", error=error, duration_ms=3.0, cpu_ms=2.0, **more)


def run(
    cases: list[CaseOutcome],
    *,
    load: LoadOutcome | None = None,
    stopped: StopReason | None = None,
    tampered: bool = False,
) -> RunReport:
    return RunReport(
        backend="local",
        load=load or LoadOutcome("ok"),
        cases={c.id: c for c in cases},
        duration_ms=123.4,
        stopped=stopped,
        tampered=tampered,
        isolation="namespaces",
    )


@dataclass(frozen=True)
class Scenario:
    problem: Problem
    report: RunReport
    source: str
    reference_ms: dict[str, float] = field(default_factory=dict)
    reveal_hidden: bool = False


def _calls_answered() -> RunReport:
    return run([
        ok("t1", 10, stdout="adding 1\nadding 2\n"),
        ok("t2", [1, 3]),
        ok("t3", 4),
        raised("t4", "ZeroDivisionError", "division by zero", 4),
        ok("t5", 5, cpu_ms=450.0),
        ok("h1", 0),
        ok("h2", 16, cpu_ms=900.0),
        raised("h3", "KeyError", "'neg'", 4),
    ])  # fmt: skip


SCENARIOS: dict[str, Scenario] = {
    "calls-every-answer": Scenario(
        CALLS, _calls_answered(), SUM_SOURCE, reference_ms={"t5": 100.0, "h2": 100.0}
    ),
    "calls-revealed-to-an-author": Scenario(
        CALLS, _calls_answered(), SUM_SOURCE, reveal_hidden=True
    ),
    "calls-limits": Scenario(
        CALLS,
        run(
            [
                raised("t1", "TypeError", "unsupported operand type(s) for +=: 'int' and 'str'", 4),
                raised("t2", "MemoryError", "", 3),
                CaseOutcome(id="t3", status="timeout", duration_ms=2000.0, cpu_ms=1000.0),
                CaseOutcome(id="t4", status="output_limit", stdout="0\n" * 10, truncated=True),
                ok("t5", 5),
                raised("h1", "MemoryError", "", 3),
                CaseOutcome(id="h2", status="timeout"),
                CaseOutcome(id="h3", status="output_limit"),
            ]
        ),
        SUM_SOURCE.replace("x / len(xs)", "x\n        print(total)"),
    ),
    "load-raises": Scenario(
        CALLS,
        run(
            [],
            load=LoadOutcome(
                "error",
                ErrorInfo(
                    "NameError",
                    "name 'totl' is not defined",
                    2,
                    "NameError: name 'totl' is not defined",
                ),
            ),
        ),
        "import math\ntotl + 1\n",
    ),
    "load-syntax-error": Scenario(
        CALLS,
        run([], load=LoadOutcome("error", ErrorInfo("SyntaxError", "'(' was never closed", 2))),
        "def f(xs):\n    return sum(xs\n",
    ),
    "stopped-after-a-timeout": Scenario(
        CALLS,
        run([ok("t1", 6), CaseOutcome(id="t2", status="timeout")], stopped="wall_timeout"),
        "def f(xs):\n    while xs:\n        pass\n    return 6\n",
    ),
    "never-finished-loading": Scenario(
        CALLS,
        run([], load=LoadOutcome("missing"), stopped="wall_timeout"),
        "while True:\n    pass\n",
    ),
    "stopped-by-a-flood": Scenario(
        CALLS,
        run(
            [CaseOutcome(id="t1", status="output_limit", stdout="x\n" * 5)], stopped="output_flood"
        ),
        "def f(xs):\n    while True:\n        print(xs)\n",
    ),
    "stopped-for-memory": Scenario(
        CALLS,
        run([ok("t1", 6)], stopped="memory"),
        "def f(xs):\n    grow = []\n    while True:\n        grow.append([0] * 100000)\n",
    ),
    "exited-early": Scenario(
        CALLS, run([ok("t1", 6)]), "import sys\ndef f(xs):\n    sys.exit(0)\n"
    ),
    "tampered": Scenario(CALLS, run([ok("t1", 6)], tampered=True), SUM_SOURCE),
    "bad-test": Scenario(BAD_TEST, run([ok("t1", 1)]), SUM_SOURCE),
    "program-output": Scenario(
        PROGRAM,
        run(
            [
                ok("s1", None, stdout="6\n"),
                ok("s2", None, stdout=""),
                ok("s3", None, stdout="1\n"),
                ok("s4", None, stdout="1\n2\n"),
                ok("s5", None, stdout="2\n", exit_code=3),
                raised("s6", "ValueError", "invalid literal for int() with base 10: 'x'", 1),
                ok("h1", None, stdout="1000002\n"),
            ]
        ),
        PROGRAM_SOURCE,
    ),
    "javascript-values": Scenario(
        JAVASCRIPT,
        run(
            [
                ok("t1", {"$undefined": True}),
                ok("t2", {"$float": "nan"}),
                ok("t3", "6", display='"6"'),
                raised("t4", "TypeError", "Cannot read properties of undefined (reading '0')", 3),
            ]
        ),
        JS_SOURCE,
    ),
}

# ---------------------------------------------------------------------- the presenters


def present(scenario: Scenario) -> dict[str, Any]:
    """Everything the presenters make of one judged run, as JSON."""
    problem = scenario.problem
    verdict = grade(
        problem,
        scenario.report,
        reveal_hidden=scenario.reveal_hidden,
        reference_ms=scenario.reference_ms,
    )
    failing = [t for t in verdict.tests if not t.passed]
    diagnostics = [
        {
            "line": d.range.start.line,
            "severity": d.severity.name if d.severity else None,
            "code": d.code,
            "message": d.message,
            "data": d.data,
        }
        for d in verdict_diagnostics(problem, verdict, scenario.source)
    ]
    return {
        "document": verdict_document(verdict),
        "text": verdict_lines(verdict, problem, Path("exercise.py")),
        "diagnostics": diagnostics,
        "tutor_failures": [describe_failure(t) for t in failing],
        "explanations": {
            t.id: explain_offline(t, problem.language, scenario.source).splitlines()
            for t in failing
        },
    }


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_presented_records_match_their_golden_file(name: str) -> None:
    got = json.loads(json.dumps(present(SCENARIOS[name]), ensure_ascii=False))
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with CODEGYM_UPDATE_GOLDEN=1 and review it"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert got.keys() == expected.keys()
    for presenter, output in expected.items():
        assert got[presenter] == output, f"{presenter} changed (see the module's docstring)"


def test_every_golden_file_has_its_scenario() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(SCENARIOS)


def test_the_scenarios_cover_every_kind_and_reason() -> None:
    """Each cause grading can name appears in some golden file."""
    seen = set()
    for scenario in SCENARIOS.values():
        verdict = grade(scenario.problem, scenario.report, reference_ms=scenario.reference_ms)
        seen |= {
            (t.failure.kind, t.failure.reason)
            for t in verdict.tests
            if isinstance(t.failure, Failure)
        }
    assert seen == {
        ("wrong_answer", "in_test"),
        ("too_slow", "in_test"),
        ("syntax_error", "while_loading"),
        ("runtime_error", "in_test"),
        ("runtime_error", "while_loading"),
        ("runtime_error", "exit_status"),
        ("timeout", "in_test"),
        ("timeout", "while_loading"),
        ("timeout", "after_timeout"),
        ("memory_limit", "in_test"),
        ("output_limit", "in_test"),
        ("output_limit", "after_flood"),
        ("no_report", "exited_early"),
        ("no_report", "bad_test"),
        ("tampered", "in_test"),
    }


# ---------------------------------------------------------------------- hidden tests, by type


def test_a_hidden_result_has_no_place_for_data() -> None:
    """Whatever goes wrong in a hidden test, its record can hold only its kind and error type."""
    assert {f.name for f in dataclasses.fields(HiddenFailure)} == {"kind", "error_type"}
    assert {f.name for f in dataclasses.fields(HiddenResult)} == {
        "id", "name", "label", "failure", "duration_ms", "cpu_ms",
    }  # fmt: skip
    verdict = grade(CALLS, _calls_answered(), reference_ms={"h2": 100.0})
    hidden = {t.id: t for t in verdict.tests if t.visibility == "hidden"}
    assert all(isinstance(t, HiddenResult) for t in hidden.values())
    assert hidden["h3"].failure == HiddenFailure("runtime_error", "KeyError")
    assert message(hidden["h1"]) == "hidden test failed: negatives (wrong answer)"
    assert message(hidden["h2"]) == "hidden test failed: a long list (too slow)"


def test_revealed_to_an_author_a_hidden_test_is_judged_in_full() -> None:
    verdict = grade(CALLS, _calls_answered(), reveal_hidden=True)
    h1 = next(t for t in verdict.tests if t.id == "h1")
    assert isinstance(h1, PublicResult) and h1.visibility == "hidden"
    assert message(h1) == "secret one: f([-7, -11]) returned 0, expected -18"
