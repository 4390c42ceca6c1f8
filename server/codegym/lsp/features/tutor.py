"""The tutor in the editor: commands, quick fixes, code actions, lenses and hovers over
`codegym.tutor`. Every answer streams as `codegym/feedback` notifications, is written to
`.codegym/feedback/<exercise>/<feature>.md` and shown with `window/showDocument`, under a
cancellable `$/progress`."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog
from lsprotocol import types
from pygls.uris import from_fs_path

from ...checker import ReferenceOutcome, run_reference
from ...config import Settings
from ...content import Problem
from ...content.models import Concept, TestCase
from ...generated_tests import load_generated, save_generated
from ...grading import TestVerdict, syntax_result
from ...tutor.feedback import write_feedback
from ...tutor.offline_review import Finding
from ...tutor.situation import failure_to_explain
from ...tutor.tutor import HINT_LEVELS, Answer, AnswerSink, Situation, Tutor
from ...tutor.tutor import Feature as TutorFeature
from ...workspace import STATE_DIR
from ..diagnostics import SOURCE_REVIEW, SOURCE_SYNTAX, SOURCE_TESTS, review_diagnostics
from ..feature import Feature, command_action
from ..runs import RunResult
from ..server import GymServer
from ..work_progress import WorkProgress
from .syntax import Syntax
from .testing import Testing

log = structlog.get_logger(__name__)

FEEDBACK = "codegym/feedback"


class FeedbackStream(AnswerSink):
    """An answer as `codegym/feedback` notifications: begin, chunk…, reset, end."""

    def __init__(self, ls: GymServer, feature: TutorFeature, problem: Problem, uri: str) -> None:
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


# ---------------------------------------------------------------------- the feature

Produce = Callable[[Tutor, Situation, FeedbackStream], Awaitable[Answer]]


class Tutoring(Feature):
    """The tutor's state: the tutor itself (made on first use), hint levels, answers in flight
    (one per document and kind), review findings and explanations per document."""

    def __init__(self, server: GymServer) -> None:
        super().__init__(server)
        self._tutor: Tutor | None = None
        self._tutor_lock = asyncio.Lock()
        self._hint_levels: dict[str, int] = {}
        self._tasks: dict[tuple[str, str], asyncio.Task[Any]] = {}
        self.explanations: dict[tuple[str, str], str] = {}
        """The tutor's explanation per (document, test id), for hovers on failing lines."""
        self._notes_told: set[str] = set()
        """The notes (e.g. "tutor unavailable…") already shown as a message."""
        server.diagnostics.register(SOURCE_REVIEW)
        for name, handler in (
            ("codegym.hint", self.hint),
            ("codegym.explainFailure", self.explain_failure),
            ("codegym.review", self.review),
            ("codegym.generateTests", self.generate_tests),
            ("codegym.explainConcept", self.explain_concept),
        ):
            server.add_command(name, handler)

    @property
    def testing(self) -> Testing:
        return self.server.get_feature(Testing)

    # ------------------------------------------------------------------ the server's life

    async def initialized(self) -> None:
        """Load the model in the background, so that the first hint does not wait for it."""

        async def preload() -> None:
            await (await self.tutor()).preload()

        self._tasks[("", "preload")] = asyncio.get_running_loop().create_task(preload())

    async def settings_changed(self, previous: Settings) -> None:
        if self.server.settings.tutor != previous.tutor and self._tutor is not None:
            tutor, self._tutor = self._tutor, None
            await tutor.close()
            await self.initialized()

    def workspace_moved(self) -> None:
        self._hint_levels.clear()
        if self._tutor is not None:  # its cache and log belong to the workspace
            tutor, self._tutor = self._tutor, None
            asyncio.get_running_loop().create_task(tutor.close())

    async def close(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        if self._tutor is not None:
            await self._tutor.close()

    async def tutor(self) -> Tutor:
        """The tutor for the current settings, made in a thread the first time (its HTTP
        client's imports would otherwise hold the event loop for half a second)."""
        async with self._tutor_lock:
            if self._tutor is None:
                root = self.server.root
                state = root / STATE_DIR if root else None
                self._tutor = await asyncio.to_thread(Tutor, self.server.settings.tutor, state)
            return self._tutor

    # ------------------------------------------------------------------ documents

    def changed(self, uri: str) -> None:
        """Review findings point at lines of the code that was reviewed: gone once it changes."""
        if self.server.diagnostics.set(uri, SOURCE_REVIEW, []):
            self.server.diagnostics.sync(uri, self.server.version_of(uri))

    def closed(self, uri: str) -> None:
        for key in [k for k in self.explanations if k[0] == uri]:
            del self.explanations[key]

    def judged(self, result: RunResult) -> None:
        if result.verdict.status == "pass":
            self._hint_levels[result.problem.id] = 0  # the progress store resets it too

    # ------------------------------------------------------------------ hint levels

    async def hint_level(self, exercise: str) -> int:
        """Hints given so far for an exercise (reset when it is solved)."""
        progress = self.server.progress
        if exercise not in self._hint_levels and progress is not None:
            entry = await asyncio.to_thread(progress.get, exercise)
            self._hint_levels[exercise] = entry.hint_level
        return self._hint_levels.get(exercise, 0)

    def next_hint(self, exercise: str) -> int:
        return min(self._hint_levels.get(exercise, 0) + 1, HINT_LEVELS)

    async def set_hint_level(self, exercise: str, level: int) -> None:
        self._hint_levels[exercise] = level
        if self.server.progress is not None:
            try:
                await asyncio.to_thread(self.server.progress.record_hint, exercise, level)
            except OSError as exc:
                log.warning("cannot record the hint level", error=str(exc))
        self.server.client.refresh_code_lenses()

    # ------------------------------------------------------------------ delivering an answer

    def _track(self, uri: str, feature: str, task: asyncio.Task[Any]) -> None:
        """One tutor request per document and feature: a new one cancels the previous."""
        previous = self._tasks.get((uri, feature))
        if previous is not None and not previous.done():
            previous.cancel()
        self._tasks[(uri, feature)] = task
        task.add_done_callback(lambda _: self._tasks.pop((uri, feature), None))

    async def deliver(
        self, uri: str, feature: TutorFeature, produce: Produce
    ) -> dict[str, Any] | None:
        """Ask the tutor under a cancellable progress, stream the answer, write and show it."""
        ls = self.server
        found = ls.document_problem(uri)
        if found is None:
            ls.notify_user("Code Gym: open an exercise file first.", types.MessageType.Error)
            return None
        source, problem = found
        situation = Situation(problem, source, self.testing.verdicts.get(uri))
        stream = FeedbackStream(ls, feature, problem, uri)
        tutor = await self.tutor()
        task = asyncio.get_running_loop().create_task(produce(tutor, situation, stream))
        self._track(uri, feature, task)
        progress = WorkProgress(ls, ls.client, f"Code Gym tutor: {feature}")
        await progress.run(task, cancel=task.cancel)
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
        path = await asyncio.to_thread(write_feedback, ls.root, problem, feature, answer)
        file = from_fs_path(str(path)) or path.as_uri()
        stream.end(answer, file)
        if answer.note and answer.note not in self._notes_told:  # once, not on every answer
            self._notes_told.add(answer.note)
            ls.notify_user(f"Code Gym: {answer.note}", types.MessageType.Info)
        await _show(ls, answer, file, path)
        return {"id": stream.id, "status": answer.status, "file": file, "text": answer.text}

    # ------------------------------------------------------------------ commands

    async def hint(self, uri: str) -> dict[str, Any] | None:
        found = self.server.document_problem(uri)
        if found is None:
            self.server.notify_user(
                "Code Gym: open an exercise file first.", types.MessageType.Error
            )
            return None
        problem = found[1]
        level = min(await self.hint_level(problem.id) + 1, HINT_LEVELS)

        async def produce(tutor: Tutor, situation: Situation, sink: FeedbackStream) -> Answer:
            answer = await tutor.hint(situation, level, sink)
            await self.set_hint_level(problem.id, level)
            return answer

        return await self.deliver(uri, "hint", produce)

    async def explain_failure(self, uri: str, *rest: Any) -> dict[str, Any] | None:
        """Arguments `[uri]` or `[uri, test id]` (pygls counts a parameter with a default as
        required, so the optional one comes through `*rest`)."""
        test_id = str(rest[0]) if rest and rest[0] is not None else None
        test = await self._failure_to_explain(uri, test_id)
        if test is None:
            self.server.notify_user("Code Gym: nothing fails right now.", types.MessageType.Info)
            return None

        async def produce(tutor: Tutor, situation: Situation, sink: FeedbackStream) -> Answer:
            answer = await tutor.explain(situation, test, sink)
            self.explanations[(uri, test.id)] = answer.text
            return answer

        return await self.deliver(uri, "explain", produce)

    async def _failure_to_explain(self, uri: str, test_id: str | None) -> TestVerdict | None:
        """The failing test to explain, else the syntax error, as a typed record (the
        diagnostic's text is the editor's, not data)."""
        if test := failure_to_explain(self.testing.verdicts.get(uri), test_id):
            return test
        failure = await self.server.get_feature(Syntax).document_failure(uri)
        return syntax_result(failure) if failure else None

    async def review(self, uri: str) -> dict[str, Any] | None:
        async def produce(tutor: Tutor, situation: Situation, sink: FeedbackStream) -> Answer:
            answer = await tutor.review(situation, sink)
            self._show_review(uri, situation.source, answer.findings)
            return answer

        return await self.deliver(uri, "review", produce)

    def _show_review(self, uri: str, text: str, findings: list[Finding]) -> None:
        self.server.diagnostics.set(uri, SOURCE_REVIEW, review_diagnostics(findings, text))
        self.server.diagnostics.sync(uri, self.server.version_of(uri))

    async def generate_tests(self, uri: str) -> dict[str, Any] | None:
        root = self.server.root

        async def produce(tutor: Tutor, situation: Situation, sink: FeedbackStream) -> Answer:
            problem = situation.problem
            existing = [
                *problem.body.tests,
                *await asyncio.to_thread(load_generated, root, problem),
            ]
            answer = await tutor.generate_tests(
                situation, existing, lambda tests: self._run_reference(problem, tests), sink
            )
            if answer.tests and root is not None:
                await asyncio.to_thread(save_generated, root, problem, answer.tests)
            return answer

        return await self.deliver(uri, "tests", produce)

    async def explain_concept(self, uri: str, concept_id: str) -> dict[str, Any] | None:
        found = self.server.document_problem(uri)
        concept = _concept(found[1], concept_id) if found else None
        if found is not None and concept is None:
            self.server.notify_user(
                f"Code Gym: no concept {concept_id!r} here.", types.MessageType.Error
            )
            return None

        async def produce(tutor: Tutor, situation: Situation, sink: FeedbackStream) -> Answer:
            assert concept is not None
            return await tutor.concept(situation, concept, sink)

        return await self.deliver(uri, "concept", produce)

    async def _run_reference(
        self, problem: Problem, tests: list[TestCase]
    ) -> list[ReferenceOutcome]:
        """The reference solution on proposed inputs, in the learner's sandbox."""
        sandbox = await self.server.sandbox()
        limits = self.server.settings.sandbox.limits
        return await asyncio.to_thread(run_reference, problem, tests, sandbox, limits)

    # ------------------------------------------------------------------ what the editor shows

    def code_actions(
        self, params: types.CodeActionParams, problem: Problem
    ) -> list[types.CodeAction]:
        uri = params.text_document.uri
        failing = self._in_test_order(
            uri,
            [d for d in params.context.diagnostics if d.source in (SOURCE_TESTS, SOURCE_SYNTAX)],
        )
        actions: list[types.CodeAction] = []
        level = self.next_hint(problem.id)
        for diagnostic in failing[:3]:
            test_id = str(diagnostic.code) if diagnostic.code is not None else None
            actions.append(
                command_action(
                    f"Explain this failure: {_failure_name(diagnostic)}",
                    types.CodeActionKind.QuickFix,
                    "codegym.explainFailure",
                    [uri, test_id],
                    [diagnostic],
                )
            )
        if failing:
            actions.append(
                command_action(
                    f"Hint {level}/{HINT_LEVELS}",
                    types.CodeActionKind.QuickFix,
                    "codegym.hint",
                    [uri],
                    failing,
                )
            )
        actions.append(
            command_action(
                "Review my code", types.CodeActionKind.Source, "codegym.review", [uri], []
            )
        )
        actions.append(
            command_action(
                "Generate more tests",
                types.CodeActionKind.Source,
                "codegym.generateTests",
                [uri],
                [],
            )
        )
        text = self.server.workspace.get_text_document(uri).source
        concepts = _concepts_at(problem, text, params.range.start) or _listed_concepts(problem)
        for concept in concepts[:3]:
            actions.append(
                command_action(
                    f"Explain concept: {concept.title}",
                    types.CodeActionKind.Source,
                    "codegym.explainConcept",
                    [uri, concept.id],
                    [],
                )
            )
        return actions

    def _in_test_order(
        self, uri: str, diagnostics: list[types.Diagnostic]
    ) -> list[types.Diagnostic]:
        """The client's diagnostics in the order the server published them (syntax, then tests
        in their order, hidden last): clients send them in any order (eglot reverses them)."""
        published = [str(d.code) for d in self.testing.diagnostics(uri)]

        def rank(diagnostic: types.Diagnostic) -> int:
            if diagnostic.source == SOURCE_SYNTAX:
                return -1
            code = str(diagnostic.code)
            return published.index(code) if code in published else len(published)

        return sorted(diagnostics, key=rank)

    def code_lenses(self, uri: str, problem: Problem, where: types.Range) -> list[types.CodeLens]:
        level = self.next_hint(problem.id)
        hint = types.Command(
            title=f"💡 Hint {level}/{HINT_LEVELS}", command="codegym.hint", arguments=[uri]
        )
        review = types.Command(title="🔍 Review", command="codegym.review", arguments=[uri])
        return [
            types.CodeLens(range=where, command=hint),
            types.CodeLens(range=where, command=review),
        ]

    def hover(self, params: types.HoverParams, problem: Problem, text: str) -> str | None:
        """On a failing line: the tutor's explanation of that failure, once asked for. On a
        word that names one of the topic's concepts: its short authored explanation."""
        sections = [
            section
            for section in (self._explanation_hover(params), _concept_hover(params, problem, text))
            if section
        ]
        return "\n\n---\n\n".join(sections) or None

    def _explanation_hover(self, params: types.HoverParams) -> str | None:
        uri = params.text_document.uri
        line = params.position.line
        sections = [
            self.explanations[(uri, str(d.code))]
            for d in self.testing.diagnostics(uri)
            if d.range.start.line == line and (uri, str(d.code)) in self.explanations
        ]
        if not sections:
            return None
        return "### Tutor's explanation\n\n" + "\n\n".join(sections)


async def _show(ls: GymServer, answer: Answer, file: str, path: Path) -> None:
    """Open the answer with `window/showDocument` where the client declared it can; otherwise
    (eglot, Neovim 0.7 without a handler) or when it did not, as a message with the file's path.
    The command's result carries the text too."""
    if await ls.client.show_document(file, take_focus=False):
        return
    text = answer.text if len(answer.text) <= 1500 else answer.text[:1500] + " …"
    ls.notify_user(f"{answer.title}\n\n{text}\n\n(saved in {path})", types.MessageType.Info)


def _failure_name(diagnostic: types.Diagnostic) -> str:
    """How an "Explain" action names its failure: the test's name, the hidden tests, or the
    syntax error."""
    if diagnostic.source == SOURCE_SYNTAX:
        return "syntax error"
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    if data.get("visibility") == "hidden":
        return "hidden tests"
    return str(data.get("name") or diagnostic.code or "test")


def _concept_hover(params: types.HoverParams, problem: Problem, text: str) -> str | None:
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
