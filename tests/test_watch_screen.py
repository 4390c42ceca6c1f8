"""`codegym watch`'s screen, drawn from recorded verdicts: no terminal, no run."""

from __future__ import annotations

from pathlib import Path

from codegym.grading import Failure, HiddenFailure, HiddenResult, PublicResult, Verdict
from codegym.grading.records import SyntaxFailure
from codegym.watch.screen import LEGEND, ScreenState, TutorView, render

from .conftest import make_problem

PROBLEM = make_problem(
    solution="def f(x):\n    return x + 1\n",
    entry_point="f",
    tests=[{"kind": "call", "id": "t1", "name": "one", "args": [1], "expected": 2}],
)
FILE = Path("/ws/course/01-topic/01-test-problem.py")


def failing_verdict() -> Verdict:
    return Verdict(
        exercise=PROBLEM.id,
        status="fail",
        backend="local",
        duration_ms=52.4,
        isolation="namespaces",
        tests=[
            PublicResult("t1", "adds one", "public", "adds one"),
            PublicResult(
                "t2",
                "adds one to zero",
                "public",
                "adds one to zero",
                failure=Failure(kind="wrong_answer", input="f(0)", expected="1", actual="0"),
            ),
            HiddenResult("h1", "secret name", "big numbers", failure=HiddenFailure("timeout")),
            HiddenResult("h2", "other", "negative numbers"),
        ],
    )


def state(**fields: object) -> ScreenState:
    return ScreenState(Path("/ws"), problem=PROBLEM, file=FILE, **fields)  # type: ignore[arg-type]


def test_failures_show_input_expected_and_actual_and_hidden_tests_by_label() -> None:
    lines = render(state(verdict=failing_verdict()), width=100, height=40)
    assert lines[0] == "Code Gym · watching /ws"
    assert lines[1] == "▶ test-problem · Test problem · easy"
    assert lines[2] == f"  file: {FILE}"
    assert lines[3] == "✗ 1/2 public · 1/2 hidden  [local, 52 ms]"
    assert lines[4:9] == [
        "  ✗ adds one to zero",
        "      input:    f(0)",
        "      expected: 1",
        "      got:      0",
        "  ✗ hidden: big numbers (timed out)",
    ]
    assert "secret name" not in "\n".join(lines)  # a hidden test's name is not its label
    assert lines[-1] == LEGEND


def test_before_the_first_run_the_statement_says_what_to_do() -> None:
    lines = render(state(message="Start with: open it"), width=100, height=40)
    assert "not run yet: edit the file and save it to run its tests" in lines
    assert "  A test problem." in lines
    assert "Start with: open it" in lines


def test_a_run_in_flight_keeps_the_last_result_on_screen() -> None:
    lines = render(state(verdict=failing_verdict(), running=True), width=100, height=40)
    assert lines[3] == "… running the tests (the last result is below)"
    assert "      got:      0" in lines


def test_code_that_does_not_parse_is_one_line() -> None:
    verdict = Verdict(
        PROBLEM.id,
        "fail",
        "local",
        0.0,
        [],
        isolation=None,
        syntax=SyntaxFailure("SyntaxError", "'(' was never closed", line=3),
    )
    lines = render(state(verdict=verdict), width=100, height=40)
    assert lines[3:5] == [
        "✗ the code does not parse: no test ran",
        "  ✗ line 3: SyntaxError: '(' was never closed",
    ]


def test_a_run_the_sandbox_did_not_isolate_says_so() -> None:
    verdict = Verdict(PROBLEM.id, "pass", "local", 9.0, [], isolation="none")
    lines = render(state(verdict=verdict), width=200, height=40)
    assert "  All tests pass. Well done! Press n for the next exercise." in lines
    assert any(line.startswith("! not fully isolated") for line in lines)


def test_offline_tutor_answer_says_why_and_where_it_is_kept() -> None:
    view = TutorView(
        "Hint 1/3 · Test problem",
        text="> The tutor model is turned off. This is the course's hint 1/3.\n\none",
        note="The tutor model is turned off (setting tutor.enabled).",
        saved=Path("/ws/.codegym/feedback/test-problem/hint.md"),
        working=False,
    )
    lines = render(state(tutor=view), width=100, height=40)
    start = lines.index("── Hint 1/3 · Test problem")
    assert lines[start + 1 : start + 4] == [
        "Offline answer: The tutor model is turned off (setting tutor.enabled).",
        "(the whole answer: /ws/.codegym/feedback/test-problem/hint.md)",
        "one",
    ]


def test_lines_fit_the_terminal_and_the_legend_stays_on_screen() -> None:
    view = TutorView("Explanation", text="word " * 400, working=True)
    lines = render(state(verdict=failing_verdict(), tutor=view), width=30, height=12)
    assert len(lines) == 12
    assert all(len(line) <= 30 for line in lines)
    assert lines[-1] == LEGEND[:29] + "…"
    assert "── Explanation …" in lines  # still being written


def test_failures_make_room_for_the_tutors_answer() -> None:
    many = Verdict(
        PROBLEM.id,
        "fail",
        "local",
        9.0,
        [
            PublicResult(
                f"t{n}",
                f"case {n}",
                "public",
                f"case {n}",
                failure=Failure(kind="wrong_answer", input=f"f({n})", expected="1", actual="0"),
            )
            for n in range(10)
        ],
        isolation="container",
    )
    view = TutorView("Hint 1/3 · Test problem", text="\n".join(f"step {n}" for n in range(30)))
    lines = render(state(verdict=many, tutor=view), width=100, height=24)
    assert len(lines) == 24
    assert lines[4:9] == [
        "  ✗ case 0",
        "      input:    f(0)",
        "      expected: 1",
        "      got:      0",
        "  … 36 more lines",
    ]
    assert lines[9:] == [
        "── Hint 1/3 · Test problem …",
        *(f"step {n}" for n in range(12)),  # as much of the answer as fits
        "",
        LEGEND,
    ]
