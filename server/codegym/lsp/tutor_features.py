"""The tutor in the editor: commands, quick fixes, code actions, lenses and hovers over
`codegym.tutor`. Every answer streams as `codegym/feedback` notifications, is written to
`.codegym/feedback/<exercise>/<feature>.md` and shown with `window/showDocument`, under a
cancellable `$/progress`."""

from __future__ import annotations

import asyncio
import re
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog
from lsprotocol import types
from pygls.uris import from_fs_path

from ..checker import ReferenceOutcome, run_reference, syntax_failure
from ..content import Problem
from ..content.models import Concept, TestCase
from ..generated_tests import load_generated, save_generated
from ..grading import TestVerdict, syntax_result
from ..syntax_check import python_syntax
from ..tutor.tutor import HINT_LEVELS, Answer, AnswerSink, Feature, Situation, Tutor
from ..workspace import STATE_DIR
from .diagnostics import SOURCE_SYNTAX, SOURCE_TESTS
from .features import CODE_ACTION_PROVIDERS, CODE_LENS_PROVIDERS, HOVER_PROVIDERS
from .server import GymServer, server

log = structlog.get_logger(__name__)

FEEDBACK = "codegym/feedback"
TUTOR_COMMANDS = (
    "codegym.hint",
    "codegym.explainFailure",
    "codegym.review",
    "codegym.generateTests",
    "codegym.explainConcept",
)


class FeedbackStream(AnswerSink):
    """An answer as `codegym/feedback` notifications: begin, chunk…, reset, end."""

    def __init__(self, ls: GymServer, feature: Feature, problem: Problem, uri: str) -> None:
        self.ls = ls
        self.id = str(uuid.uuid4())
        self.feature = feature
        self.problem = problem
        self.uri = uri

    def _send(self, kind: str, **fields: Any) -> None:
        self.ls.protocol.notify(FEEDBACK, {"id": self.id, "kind": kind, **fields})

    def begin(self, title: str) -> None:
        self._send(
            "begin", feature=self.feature, exercise=self.problem.id, title=title, uri=self.uri
        )

    def chunk(self, text: str) -> None:
        self._send("chunk", text=text)

    def reset(self) -> None:
        self._send("reset")

    def end(self, answer: Answer | None, file: str | None, status: str | None = None) -> None:
        self._send(
            "end",
            status=status or (answer.status if answer else "error"),
            source=answer.source if answer else None,
            note=answer.note if answer else None,
            text=answer.text if answer else "",
            file=file,
        )


# ---------------------------------------------------------------------- delivering an answer

Produce = Callable[[Tutor, Situation, FeedbackStream], Awaitable[Answer]]


async def deliver(
    ls: GymServer, uri: str, feature: Feature, produce: Produce
) -> dict[str, Any] | None:
    """Ask the tutor under a cancellable progress, stream the answer, write and show it."""
    found = ls.document_problem(uri)
    if found is None:
        ls.notify_user("Code Gym: open an exercise file first.", types.MessageType.Error)
        return None
    source, problem = found
    situation = Situation(problem, source, ls.verdicts.get(uri))
    stream = FeedbackStream(ls, feature, problem, uri)
    tutor = await ls.tutor()
    task = asyncio.get_running_loop().create_task(produce(tutor, situation, stream))
    ls.track(uri, feature, task)
    await ls.with_progress(f"Code Gym tutor: {feature}", task, cancel=task.cancel)
    if task.cancelled():
        stream.end(None, None, status="cancelled")
        return {"id": stream.id, "status": "cancelled", "file": None, "text": ""}
    try:
        answer = task.result()
    except Exception as exc:  # never let a tutor bug reach the editor as a traceback
        log.exception("tutor failed", feature=feature)
        stream.end(None, None, status="error")
        ls.notify_user(f"Code Gym: the tutor failed: {exc}", types.MessageType.Error)
        return {"id": stream.id, "status": "error", "file": None, "text": ""}
    path = await asyncio.to_thread(_write_feedback, ls.root, problem, feature, answer)
    file = from_fs_path(str(path)) or path.as_uri()
    stream.end(answer, file)
    if answer.note:
        ls.notify_user(f"Code Gym: {answer.note}", types.MessageType.Info)
    await _show(ls, answer, file, path)
    return {"id": stream.id, "status": answer.status, "file": file, "text": answer.text}


def _write_feedback(root: Path | None, problem: Problem, feature: Feature, answer: Answer) -> Path:
    base = root if root is not None else Path(tempfile.gettempdir()) / "codegym"
    path = base / STATE_DIR / "feedback" / problem.id / f"{feature}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {answer.title}\n\n{answer.text}\n", encoding="utf-8")
    return path


async def _show(ls: GymServer, answer: Answer, file: str, path: Path) -> None:
    """Open the answer with `window/showDocument` where the client declared it can; otherwise
    (eglot, Neovim 0.7 without a handler) or when it did not, as a message with the file's path.
    The command's result carries the text too."""
    if await ls.client.show_document(file, take_focus=False):
        return
    text = answer.text if len(answer.text) <= 1500 else answer.text[:1500] + " …"
    ls.notify_user(f"{answer.title}\n\n{text}\n\n(saved in {path})", types.MessageType.Info)


# ---------------------------------------------------------------------- commands


@server.command("codegym.hint")
async def hint(ls: GymServer, uri: str) -> dict[str, Any] | None:
    found = ls.document_problem(uri)
    if found is None:
        ls.notify_user("Code Gym: open an exercise file first.", types.MessageType.Error)
        return None
    problem = found[1]
    level = min(await ls.hint_level(problem.id) + 1, HINT_LEVELS)

    async def produce(tutor: Tutor, situation: Situation, sink: FeedbackStream) -> Answer:
        answer = await tutor.hint(situation, level, sink)
        await ls.set_hint_level(problem.id, level)
        return answer

    return await deliver(ls, uri, "hint", produce)


@server.command("codegym.explainFailure")
async def explain_failure(ls: GymServer, uri: str, *rest: Any) -> dict[str, Any] | None:
    """Arguments `[uri]` or `[uri, test id]` (pygls counts a parameter with a default as
    required, so the optional one comes through `*rest`)."""
    test_id = str(rest[0]) if rest and rest[0] is not None else None
    test = await _failure_to_explain(ls, uri, test_id)
    if test is None:
        ls.notify_user("Code Gym: nothing fails right now.", types.MessageType.Info)
        return None

    async def produce(tutor: Tutor, situation: Situation, sink: FeedbackStream) -> Answer:
        answer = await tutor.explain(situation, test, sink)
        ls.explanations[(uri, test.id)] = answer.text
        return answer

    return await deliver(ls, uri, "explain", produce)


@server.command("codegym.review")
async def review(ls: GymServer, uri: str) -> dict[str, Any] | None:
    async def produce(tutor: Tutor, situation: Situation, sink: FeedbackStream) -> Answer:
        answer = await tutor.review(situation, sink)
        ls.show_review(uri, situation.source, answer.findings)
        return answer

    return await deliver(ls, uri, "review", produce)


@server.command("codegym.generateTests")
async def generate_tests(ls: GymServer, uri: str) -> dict[str, Any] | None:
    async def produce(tutor: Tutor, situation: Situation, sink: FeedbackStream) -> Answer:
        problem = situation.problem
        existing = [*problem.body.tests, *await asyncio.to_thread(load_generated, ls.root, problem)]
        answer = await tutor.generate_tests(
            situation, existing, lambda tests: _run_reference(ls, problem, tests), sink
        )
        if answer.tests and ls.root is not None:
            await asyncio.to_thread(save_generated, ls.root, problem, answer.tests)
        return answer

    return await deliver(ls, uri, "tests", produce)


@server.command("codegym.explainConcept")
async def explain_concept(ls: GymServer, uri: str, concept_id: str) -> dict[str, Any] | None:
    found = ls.document_problem(uri)
    concept = _concept(found[1], concept_id) if found else None
    if found is not None and concept is None:
        ls.notify_user(f"Code Gym: no concept {concept_id!r} here.", types.MessageType.Error)
        return None

    async def produce(tutor: Tutor, situation: Situation, sink: FeedbackStream) -> Answer:
        assert concept is not None
        return await tutor.concept(situation, concept, sink)

    return await deliver(ls, uri, "concept", produce)


async def _failure_to_explain(ls: GymServer, uri: str, test_id: str | None) -> TestVerdict | None:
    """The failing test to explain, else the syntax error on screen, as the syntax check's typed
    record of it (the diagnostic's text is the editor's, not data)."""
    verdict = ls.verdicts.get(uri)
    failing = [t for t in verdict.tests if not t.passed] if verdict else []
    if test_id == "hidden":
        failing = [t for t in failing if t.visibility == "hidden"]
    elif test_id:
        failing = [t for t in failing if t.id == test_id] or failing
    if failing:
        return failing[0]
    if verdict is not None and verdict.syntax is not None:
        return syntax_result(verdict.syntax)
    found = ls.document_problem(uri)
    if not ls.syntax_diagnostics(uri) or found is None:
        return None
    text, problem = found
    if problem.language == "python":
        issue = python_syntax(text)
    else:
        issue = await ls.js_syntax.check(text)
    return syntax_result(syntax_failure(issue)) if issue else None


async def _run_reference(
    ls: GymServer, problem: Problem, tests: list[TestCase]
) -> list[ReferenceOutcome]:
    """The reference solution on proposed inputs, in the learner's sandbox."""
    sandbox = await ls.sandbox()
    limits = ls.settings.sandbox.limits
    return await asyncio.to_thread(run_reference, problem, tests, sandbox, limits)


# ---------------------------------------------------------------------- code actions and lenses


def _command_action(
    title: str, kind: str, command: str, arguments: list[Any], diagnostics: list[types.Diagnostic]
) -> types.CodeAction:
    return types.CodeAction(
        title=title,
        kind=kind,
        diagnostics=diagnostics or None,
        command=types.Command(title=title, command=command, arguments=arguments),
    )


def tutor_code_actions(
    ls: GymServer, params: types.CodeActionParams, problem: Problem
) -> list[types.CodeAction]:
    uri = params.text_document.uri
    failing = _in_test_order(
        ls,
        uri,
        [d for d in params.context.diagnostics if d.source in (SOURCE_TESTS, SOURCE_SYNTAX)],
    )
    actions: list[types.CodeAction] = []
    level = min(ls.cached_hint_level(problem.id) + 1, HINT_LEVELS)
    for diagnostic in failing[:3]:
        test_id = str(diagnostic.code) if diagnostic.code is not None else None
        actions.append(
            _command_action(
                f"Explain this failure: {_failure_name(diagnostic)}",
                types.CodeActionKind.QuickFix,
                "codegym.explainFailure",
                [uri, test_id],
                [diagnostic],
            )
        )
    if failing:
        actions.append(
            _command_action(
                f"Hint {level}/{HINT_LEVELS}",
                types.CodeActionKind.QuickFix,
                "codegym.hint",
                [uri],
                failing,
            )
        )
    actions.append(
        _command_action("Review my code", types.CodeActionKind.Source, "codegym.review", [uri], [])
    )
    actions.append(
        _command_action(
            "Generate more tests", types.CodeActionKind.Source, "codegym.generateTests", [uri], []
        )
    )
    text = ls.workspace.get_text_document(uri).source
    concepts = _concepts_at(problem, text, params.range.start) or _listed_concepts(problem)
    for concept in concepts[:3]:
        actions.append(
            _command_action(
                f"Explain concept: {concept.title}",
                types.CodeActionKind.Source,
                "codegym.explainConcept",
                [uri, concept.id],
                [],
            )
        )
    return actions


def _in_test_order(
    ls: GymServer, uri: str, diagnostics: list[types.Diagnostic]
) -> list[types.Diagnostic]:
    """The client's diagnostics in the order the server published them (syntax, then tests in
    their order, hidden last): clients send them in any order (eglot reverses them)."""
    published = [str(d.code) for d in ls.test_diagnostics(uri)]

    def rank(diagnostic: types.Diagnostic) -> int:
        if diagnostic.source == SOURCE_SYNTAX:
            return -1
        code = str(diagnostic.code)
        return published.index(code) if code in published else len(published)

    return sorted(diagnostics, key=rank)


def _failure_name(diagnostic: types.Diagnostic) -> str:
    """How an "Explain" action names its failure: the test's name, the hidden tests, or the
    syntax error."""
    if diagnostic.source == SOURCE_SYNTAX:
        return "syntax error"
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    if data.get("visibility") == "hidden":
        return "hidden tests"
    return str(data.get("name") or diagnostic.code or "test")


def tutor_lenses(
    ls: GymServer, uri: str, problem: Problem, where: types.Range
) -> list[types.CodeLens]:
    level = min(ls.cached_hint_level(problem.id) + 1, HINT_LEVELS)
    return [
        types.CodeLens(
            range=where,
            command=types.Command(
                title=f"💡 Hint {level}/{HINT_LEVELS}", command="codegym.hint", arguments=[uri]
            ),
        ),
        types.CodeLens(
            range=where,
            command=types.Command(title="🔍 Review", command="codegym.review", arguments=[uri]),
        ),
    ]


# ---------------------------------------------------------------------- hovers


def explanation_hover(
    ls: GymServer, params: types.HoverParams, problem: Problem, text: str
) -> str | None:
    """On a failing line: the tutor's explanation of that failure, once asked for."""
    uri = params.text_document.uri
    line = params.position.line
    sections = [
        ls.explanations[(uri, str(d.code))]
        for d in ls.test_diagnostics(uri)
        if d.range.start.line == line and (uri, str(d.code)) in ls.explanations
    ]
    if not sections:
        return None
    return "### Tutor's explanation\n\n" + "\n\n".join(sections)


def concept_hover(
    ls: GymServer, params: types.HoverParams, problem: Problem, text: str
) -> str | None:
    """On a word that names one of the topic's concepts: its short authored explanation."""
    concepts = _concepts_at(problem, text, params.position)
    if not concepts:
        return None
    concept = concepts[0]
    return f"**{concept.title}**\n\n{concept.explanation.strip()}"


def _listed_concepts(problem: Problem) -> list[Concept]:
    return [c for c in problem.topic.concepts if c.id in problem.meta.concepts]


def _concept(problem: Problem, concept_id: str) -> Concept | None:
    return next((c for c in problem.topic.concepts if c.id == concept_id), None)


def _concepts_at(problem: Problem, text: str, position: types.Position) -> list[Concept]:
    lines = text.splitlines()
    if position.line >= len(lines):
        return []
    line, column = lines[position.line], position.character
    listed = set(problem.meta.concepts)
    found: list[Concept] = []
    for concept in sorted(problem.topic.concepts, key=lambda c: c.id not in listed):
        for keyword in concept.keywords:
            word = re.escape(keyword)
            pattern = rf"(?<![\w$]){word}(?![\w$])" if re.fullmatch(r"[\w$.]+", keyword) else word
            if any(m.start() <= column <= m.end() for m in re.finditer(pattern, line)):
                found.append(concept)
                break
    return found


CODE_ACTION_PROVIDERS.append(tutor_code_actions)
CODE_LENS_PROVIDERS.append(tutor_lenses)
HOVER_PROVIDERS.extend([explanation_hover, concept_hover])
