"""A screen state of `codegym watch` as lines of text (no terminal needed: tests read them), and
the ANSI sequence that redraws the terminal with them."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from ..content import Problem
from ..grading import CATEGORY_WORDS, Failure, HiddenResult, TestVerdict, Verdict
from ..grading.wording import scores, what_happened

LEGEND = "h hint · e explain · n next exercise · r reset · q quit"
STATEMENT_LINES = 4
"""How much of the statement shows before the first run: enough to know what to do."""
NOT_ISOLATED = (
    "not fully isolated: the local sandbox let this code reach your files or network "
    "(install bubblewrap or Docker)"
)
FAILURE_LINES_KEPT = 5
"""Lines of failures kept when the tutor's answer needs the room (the first failure in full)."""
CLEAR = "\x1b[H\x1b[2J"


@dataclass
class TutorView:
    """The tutor's answer as it streams in."""

    title: str
    text: str = ""
    note: str | None = None
    """Why the answer is offline (the model is off or unreachable), if it is."""
    saved: Path | None = None
    """Where the whole answer was written, once it is complete."""
    working: bool = True


@dataclass
class ScreenState:
    root: Path
    problem: Problem | None = None
    file: Path | None = None
    verdict: Verdict | None = None
    running: bool = False
    message: str | None = None
    """One line on what the last key or event did."""
    tutor: TutorView | None = None


def render(state: ScreenState, width: int = 80, height: int = 24) -> list[str]:
    """The screen's lines, each at most `width` wide, at most `height` of them: the title, the
    exercise and its status, its failures, the last message, the tutor's answer, the legend.
    When they do not all fit, the failures give up lines to the tutor's answer (the learner just
    asked for it), down to the first failure."""
    head = [f"Code Gym · watching {state.root}"]
    details: list[str] = []
    problem = state.problem
    if problem is None:
        head.append("Every exercise is solved. Well done!")
    else:
        head.append(f"▶ {problem.id} · {problem.meta.title} · {problem.meta.difficulty}")
        head.append(f"  file: {state.file}")
        head.append(status_line(state))
        if state.verdict is None and not state.running:
            details = [f"  {line}" for line in first_paragraph(problem)[:STATEMENT_LINES]]
        if state.verdict is not None:
            details = failure_lines(state.verdict)
            if state.verdict.isolation in ("none", "own_uid"):
                head.append(f"! {NOT_ISOLATED}")
    message = [state.message] if state.message else []
    tutor = tutor_lines(state.tutor, width) if state.tutor is not None else []
    legend = ["", LEGEND]
    room = height - len(head) - len(message) - len(legend)
    if len(details) + len(tutor) > room:
        keep = max(room - len(tutor), min(len(details), FAILURE_LINES_KEPT))
        if keep < len(details):
            details = [*details[: max(keep - 1, 0)], f"  … {len(details) - keep + 1} more lines"]
    lines = [*head, *details, *message, *tutor][: max(height - len(legend), 0)]
    return [_fit(line, width) for line in [*lines, *legend]]


def first_paragraph(problem: Problem) -> list[str]:
    """The statement's first paragraph of prose (not its title): what the exercise asks."""
    for paragraph in problem.body.statement.strip().split("\n\n"):
        if paragraph.strip() and not paragraph.lstrip().startswith("#"):
            return paragraph.strip().splitlines()
    return []


def status_line(state: ScreenState) -> str:
    """`✗ 1/3 public · 0/2 hidden  [local, 52 ms]`, or what is happening instead."""
    verdict = state.verdict
    if state.running:
        return "… running the tests" + (" (the last result is below)" if verdict else "")
    if verdict is None:
        return "not run yet: edit the file and save it to run its tests"
    if verdict.syntax is not None:
        return "✗ the code does not parse: no test ran"
    mark = "✓" if verdict.status == "pass" else "✗"
    return f"{mark} {scores(verdict)}  [{verdict.backend}, {verdict.duration_ms:.0f} ms]"


def failure_lines(verdict: Verdict) -> list[str]:
    """The failures: public ones with their input, expected and actual values, hidden ones by
    label and kind of failure only."""
    if verdict.syntax is not None:
        syntax = verdict.syntax
        where = f"line {syntax.line}: " if syntax.line else ""
        return [f"  ✗ {where}{syntax.error_type}: {syntax.message}"]
    if verdict.status == "pass":
        return ["  All tests pass. Well done! Press n for the next exercise."]
    lines: list[str] = []
    for test in verdict.tests:
        if test.passed:
            continue
        lines += _failure(test)
    return lines


def _failure(test: TestVerdict) -> list[str]:
    failure = test.failure
    if isinstance(test, HiddenResult) or not isinstance(failure, Failure):
        kind = CATEGORY_WORDS[failure.kind] if failure else "failed"
        return [f"  ✗ hidden: {test.label} ({kind})"]
    where = f" (line {failure.line})" if failure.line else ""
    if failure.kind == "wrong_answer" and failure.difference is None and failure.input:
        return [
            f"  ✗ {test.name}{where}",
            f"      input:    {failure.input}",
            f"      expected: {failure.expected}",
            f"      got:      {failure.actual}",
        ]
    lines = [f"  ✗ {test.name}{where}: {what_happened(failure)}"]
    if failure.stdout:
        lines += [f"      │ {line}" for line in failure.stdout.rstrip().splitlines()[:3]]
    return lines


def tutor_lines(view: TutorView, width: int) -> list[str]:
    """A rule with the answer's title, whether it is offline, where the whole answer is kept,
    then the answer wrapped to `width` (the screen shows as much of it as fits)."""
    lines = [f"── {view.title}" + (" …" if view.working else "")]
    if view.note:
        lines.append(f"Offline answer: {view.note}")
    if view.saved is not None:
        lines.append(f"(the whole answer: {view.saved})")
    text = view.text.strip()
    if view.note and text.startswith("> "):  # the tutor's own offline preamble: said above
        text = text.partition("\n\n")[2]
    for paragraph in text.splitlines():
        lines += textwrap.wrap(paragraph, width=max(width - 2, 20)) or [""]
    return lines


def _fit(line: str, width: int) -> str:
    return line if len(line) <= width else line[: max(width - 1, 0)] + "…"


def redraw(lines: list[str]) -> str:
    """What to write to the terminal to show `lines` from its top-left corner."""
    return CLEAR + "\n".join(lines) + "\n"
