"""The tutor's five features, each grounded in the statement, the learner's code and the latest
verdict, each screened for solution leaks, cached, logged, and answered offline from authored or
rule-based content when the model cannot answer.

The reference solution never enters a prompt: the model cannot hand out what it never saw, and a
prompt injection in the learner's code has nothing to extract. The leak screen still checks every
answer against it, because a model can write a correct solution on its own.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from ..config import TutorSettings
from ..content import Problem
from ..content.models import Concept, TestCase
from ..grading import TestVerdict
from ..grading.values import canonical, display, display_args
from ..text import counted
from .answer_cache import AnswerCache
from .interaction_log import InteractionLog
from .leak_screen import LeakCheck, displayable_prefix, screen_answer
from .llm import CallStats, Message, OllamaModel, TutorUnavailable
from .offline_explain import explain_offline
from .offline_review import Finding, Review, offline_review
from .prompts import as_data, prompts_version, render
from .situation import Situation, describe_failure
from .testgen import Generation, Proposals, generate, supports, varied_inputs

Feature = Literal["hint", "explain", "review", "tests", "concept"]
AnswerStatus = Literal["ok", "offline"]
Source = Literal["llm", "cache", "authored", "rules"]
Guardrail = Literal["clean", "regenerated", "fallback", "not_needed"]
HINT_LEVELS = 3


class AnswerSink(Protocol):
    """Where an answer goes while it is written (the editor's feedback panel)."""

    def begin(self, title: str) -> None: ...
    def chunk(self, text: str) -> None: ...
    def reset(self) -> None: ...


@dataclass
class Answer:
    feature: Feature
    title: str
    text: str
    status: AnswerStatus
    source: Source
    note: str | None = None
    guardrail: Guardrail = "clean"
    findings: list[Finding] = field(default_factory=list)
    tests: list[TestCase] = field(default_factory=list)


@dataclass
class _Offline:
    """An answer that needs no model, and what to call it."""

    text: str
    source: Source
    what: str


class Tutor:
    def __init__(self, settings: TutorSettings, state_dir: Path | None) -> None:
        """`state_dir`: the workspace's `.codegym` folder, for the cache and the log."""
        self.settings = settings
        self.model = OllamaModel(settings) if settings.enabled else None
        cache_dir = state_dir / "cache" / "tutor" if state_dir and settings.cache else None
        self.cache = AnswerCache(cache_dir)
        self.log = InteractionLog(state_dir / "logs" / "tutor.jsonl" if state_dir else None)

    async def close(self) -> None:
        if self.model is not None:
            await self.model.close()

    async def preload(self) -> None:
        if self.model is not None and self.settings.preload:
            await self.model.preload()

    # ------------------------------------------------------------------ features

    async def hint(self, situation: Situation, level: int, sink: AnswerSink) -> Answer:
        level = min(max(level, 1), HINT_LEVELS)
        hints = situation.problem.body.hints
        authored = hints[min(level, len(hints)) - 1] if hints else "Re-read the statement."
        prompt = render(
            "hint",
            level=level,
            authored_hint=as_data(authored),
            statement=situation.statement(),
            code=situation.code(),
            results=situation.results(),
        )
        title = f"Hint {level}/{HINT_LEVELS} · {situation.problem.meta.title}"
        offline = _Offline(authored, "authored", f"the course's hint {level}/{HINT_LEVELS}")
        return await self._free_text("hint", situation, title, prompt, offline, sink)

    async def explain(self, situation: Situation, test: TestVerdict, sink: AnswerSink) -> Answer:
        prompt = render(
            "explain",
            failure=as_data(describe_failure(test)),
            statement=situation.statement(),
            code=situation.code(),
        )
        title = f"Why “{test.name}” fails · {situation.problem.meta.title}"
        text = explain_offline(test, situation.problem.language, situation.source)
        offline = _Offline(text, "rules", "an explanation from Code Gym's built-in rules")
        return await self._free_text("explain", situation, title, prompt, offline, sink)

    async def concept(self, situation: Situation, concept: Concept, sink: AnswerSink) -> Answer:
        prompt = render(
            "concept",
            concept_title=as_data(concept.title),
            concept_explanation=as_data(concept.explanation),
            statement=situation.statement(),
            code=situation.code(),
        )
        title = f"Concept: {concept.title}"
        offline = _Offline(concept.explanation, "authored", "the course's explanation")
        return await self._free_text("concept", situation, title, prompt, offline, sink)

    async def review(self, situation: Situation, sink: AnswerSink) -> Answer:
        problem = situation.problem
        title = f"Review · {problem.meta.title}"
        sink.begin(title)
        started = time.perf_counter()
        offline_text = offline_review(situation.source, problem.language, problem.body.kind)
        if self.model is None:
            return self._offline_review(situation, title, offline_text, _disabled(), sink, started)
        prompt = render(
            "review",
            statement=situation.statement(),
            code=situation.code(),
            results=situation.results(),
        )
        messages = self._messages(situation, prompt)
        key = self._key("review", messages)
        if cached := await self._cached(key):
            review = Review.model_validate(cached["review"])
            return self._deliver_review(situation, title, review, "cache", sink, started)
        for attempt in (1, 2):
            try:
                review, stats = await self.model.structured(messages, Review)
            except TutorUnavailable as exc:
                note = f"tutor unavailable: {exc}"
                return self._offline_review(situation, title, offline_text, note, sink, started)
            review = _within_lines(review, situation.source)
            check = self._screen(situation, _review_text(review))
            if not check.leaked:
                await self._remember(key, {"review": review.model_dump()})
                guardrail: Guardrail = "clean" if attempt == 1 else "regenerated"
                answer = self._deliver_review(situation, title, review, "llm", sink, started)
                answer.guardrail = guardrail
                self._log(answer, situation, stats, started, cache_hit=False)
                return answer
            messages = self._stricter(messages)
        note = "The tutor's review was withheld: it gave away too much of the solution."
        return self._offline_review(
            situation, title, offline_text, note, sink, started, guardrail="fallback"
        )

    async def generate_tests(
        self,
        situation: Situation,
        existing: list[TestCase],
        run_reference: Callable[[list[TestCase]], Any],
        sink: AnswerSink,
    ) -> Answer:
        """New test cases whose expected values come from the reference solution only."""
        problem = situation.problem
        title = f"Generated tests · {problem.meta.title}"
        sink.begin(title)
        started = time.perf_counter()
        kind = supports(list(problem.body.tests))
        if kind is None:
            text = (
                "This exercise's tests are code snippets, so new ones cannot be generated from "
                "inputs alone. Try the hints, or write a quick check of your own."
            )
            sink.chunk(text)
            return Answer("tests", title, text, "ok", "rules", guardrail="not_needed")
        note: str | None = None
        if self.model is None:
            note = _disabled()
        model = self.model
        conversation = self._messages(situation, self._tests_prompt(situation, existing, kind))
        stats = CallStats()

        async def propose(feedback: str | None) -> Proposals:
            nonlocal note, conversation
            if note is not None or model is None:
                return varied_inputs(existing) if feedback is None else Proposals()
            if feedback is not None:
                again = render("tests_feedback", rejected=as_data(feedback), count=5)
                conversation = [*conversation, {"role": "user", "content": again}]
            try:
                proposals, call = await model.structured(conversation, Proposals)
            except TutorUnavailable as exc:
                note = f"tutor unavailable: {exc}"
                return varied_inputs(existing) if feedback is None else Proposals()
            stats.prompt_tokens = (stats.prompt_tokens or 0) + (call.prompt_tokens or 0)
            stats.completion_tokens = (stats.completion_tokens or 0) + (call.completion_tokens or 0)
            stats.first_token_ms = stats.first_token_ms or call.first_token_ms
            conversation = [
                *conversation,
                {"role": "assistant", "content": proposals.model_dump_json()},
            ]
            return proposals

        generation = await generate(
            existing,
            propose,
            run_reference,
            first_number=_next_number(existing),
            language=problem.language,
        )
        source: Source = "llm" if note is None else "rules"
        text = _tests_markdown(problem, generation, note)
        sink.chunk(text)
        answer = Answer(
            "tests", title, text, "ok" if note is None else "offline", source, note=note,
            guardrail="not_needed", tests=generation.accepted,
        )  # fmt: skip
        self._log(answer, situation, stats, started, cache_hit=False, rounds=generation.rounds)
        return answer

    # ------------------------------------------------------------------ free text, screened

    async def _free_text(
        self,
        feature: Feature,
        situation: Situation,
        title: str,
        prompt: str,
        offline: _Offline,
        sink: AnswerSink,
    ) -> Answer:
        sink.begin(title)
        started = time.perf_counter()
        if self.model is None:
            return self._offline(feature, situation, title, offline, _disabled(), sink, started)
        messages = self._messages(situation, prompt)
        key = self._key(feature, messages)
        if cached := await self._cached(key):
            sink.chunk(cached["text"])
            answer = Answer(feature, title, cached["text"], "ok", "cache")
            self._log(answer, situation, CallStats(), started, cache_hit=True)
            return answer
        for attempt in (1, 2):
            try:
                text, stats, leak = await self._stream_screened(situation, messages, sink)
            except TutorUnavailable as exc:
                note = f"tutor unavailable: {exc}"
                return self._offline(feature, situation, title, offline, note, sink, started)
            if not leak.leaked:
                await self._remember(key, {"text": text})
                guardrail: Guardrail = "clean" if attempt == 1 else "regenerated"
                answer = Answer(feature, title, text, "ok", "llm", guardrail=guardrail)
                self._log(answer, situation, stats, started, cache_hit=False)
                return answer
            sink.reset()
            messages = self._stricter(messages)
        note = "The tutor's answer was withheld: it gave away too much of the solution."
        return self._offline(
            feature, situation, title, offline, note, sink, started, guardrail="fallback"
        )

    async def _stream_screened(
        self, situation: Situation, messages: list[Message], sink: AnswerSink
    ) -> tuple[str, CallStats, LeakCheck]:
        """Stream the answer to `sink` as it comes, each piece only once the answer up to it
        passed the screen (code is held until its block or line is complete); stop at the
        first leak."""
        assert self.model is not None
        received: list[str] = []
        shown = 0
        leak = LeakCheck(False)

        def on_text(piece: str) -> bool:
            nonlocal shown, leak
            received.append(piece)
            text = "".join(received)
            safe = displayable_prefix(text)
            if safe <= shown:
                return True
            fresh = text[shown:safe]
            if "\n" in fresh or "`" in fresh:  # only then can a piece of code have completed
                leak = self._screen(situation, text[:safe])
                if leak.leaked:
                    return False
            sink.chunk(fresh)
            shown = safe
            return True

        text, stats = await self.model.stream(messages, on_text)
        if not leak.leaked:
            leak = self._screen(situation, text)
            if not leak.leaked and len(text) > shown:
                sink.chunk(text[shown:])
        return text, stats, leak

    def _screen(self, situation: Situation, text: str) -> LeakCheck:
        body = situation.problem.body
        return screen_answer(
            text,
            solution=body.solution,
            language=body.language,
            entry_point=body.entry_point,
            learner_code=situation.source,
            threshold=self.settings.leak_threshold,
        )

    # ------------------------------------------------------------------ offline answers

    def _offline(
        self,
        feature: Feature,
        situation: Situation,
        title: str,
        offline: _Offline,
        note: str,
        sink: AnswerSink,
        started: float,
        guardrail: Guardrail = "clean",
    ) -> Answer:
        """The offline answer, introduced by why the model's was not used. A withheld answer
        (`guardrail` fallback) is not an outage: its status stays `ok`."""
        text = f"> {_sentence(note)} This is {offline.what}.\n\n{offline.text}"
        sink.chunk(text)
        status: AnswerStatus = "ok" if guardrail == "fallback" else "offline"
        answer = Answer(feature, title, text, status, offline.source, note, guardrail)
        self._log(answer, situation, CallStats(), started, cache_hit=False)
        return answer

    def _offline_review(
        self,
        situation: Situation,
        title: str,
        review: Review,
        note: str,
        sink: AnswerSink,
        started: float,
        guardrail: Guardrail = "clean",
    ) -> Answer:
        what = "a review from Code Gym's built-in checks"
        offline = _Offline(_review_markdown(review, situation), "rules", what)
        answer = self._offline("review", situation, title, offline, note, sink, started, guardrail)
        answer.findings = review.findings
        return answer

    def _deliver_review(
        self,
        situation: Situation,
        title: str,
        review: Review,
        source: Source,
        sink: AnswerSink,
        started: float,
    ) -> Answer:
        text = _review_markdown(review, situation)
        sink.chunk(text)
        answer = Answer("review", title, text, "ok", source, findings=review.findings)
        if source == "cache":
            self._log(answer, situation, CallStats(), started, cache_hit=True)
        return answer

    # ------------------------------------------------------------------ plumbing

    def _messages(self, situation: Situation, prompt: str) -> list[Message]:
        system = render("system", language=situation.problem.language.capitalize())
        return [{"role": "system", "content": system}, {"role": "user", "content": prompt}]

    def _stricter(self, messages: list[Message]) -> list[Message]:
        return [
            *messages,
            {"role": "assistant", "content": "[answer withheld: it contained solution code]"},
            {"role": "user", "content": render("stricter")},
        ]

    def _tests_prompt(self, situation: Situation, existing: list[TestCase], kind: str) -> str:
        problem = situation.problem
        if kind == "call":
            shape = (
                f'Each case is {{"args": [...], "why": "..."}}: the positional arguments of '
                f"`{problem.body.entry_point}`, as JSON values."
            )
        else:
            shape = 'Each case is {"stdin": "...", "why": "..."}: the text the program reads.'
        shown = [t for t in existing if t.visibility != "hidden"]
        listing = "\n".join(f"- {_input_text(problem, t)}" for t in shown) or "(none)"
        return render(
            "tests",
            count=5,
            input_shape=shape,
            statement=situation.statement(),
            existing=as_data(listing),
        )

    def _key(self, feature: Feature, messages: list[Message]) -> str:
        assert self.model is not None
        options = self.model.settings.model_dump(include={"num_ctx", "temperature", "seed"})
        return AnswerCache.key(self.model.name, feature, [prompts_version(), messages, options])

    async def _cached(self, key: str) -> dict[str, Any] | None:
        if self.cache.folder is None:
            return None
        return await asyncio.to_thread(self.cache.get, key)

    async def _remember(self, key: str, value: dict[str, Any]) -> None:
        if self.cache.folder is not None:
            try:
                await asyncio.to_thread(self.cache.put, key, value)
            except OSError:
                pass  # a cache that cannot be written only costs time

    def _log(
        self,
        answer: Answer,
        situation: Situation,
        stats: CallStats,
        started: float,
        cache_hit: bool,
        **extra: Any,
    ) -> None:
        record = {
            "feature": answer.feature,
            "exercise": situation.problem.id,
            "model": self.settings.model,
            "prompts": prompts_version(),
            "latency_ms": round((time.perf_counter() - started) * 1000, 2),
            "first_token_ms": _round(stats.first_token_ms),
            "prompt_tokens": stats.prompt_tokens,
            "completion_tokens": stats.completion_tokens,
            "cache_hit": cache_hit,
            "guardrail": answer.guardrail,
            "status": answer.status,
            "source": answer.source,
            **extra,
        }
        try:
            self.log.write(**record)
        except OSError:
            pass


# ---------------------------------------------------------------------- helpers


def _disabled() -> str:
    return "The tutor model is turned off (setting tutor.enabled)."


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[0].upper() + text[1:] if text else text
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def _within_lines(review: Review, source: str) -> Review:
    """Findings at lines that exist (a model may miscount); clamped, not dropped."""
    last = max(len(source.splitlines()), 1)
    findings = [f.model_copy(update={"line": min(max(f.line, 1), last)}) for f in review.findings]
    return review.model_copy(update={"findings": findings})


def _review_text(review: Review) -> str:
    return "\n\n".join([review.summary, *(f.message for f in review.findings)])


def _review_markdown(review: Review, situation: Situation) -> str:
    lines = [_failing_first(situation), review.summary, ""]
    lines += [f"- **line {f.line}** ({f.category}): {f.message}" for f in review.findings]
    return "\n".join(lines).strip()


def _failing_first(situation: Situation) -> str:
    """A review judges how code reads, not whether it is right: failing tests come first."""
    failing = situation.failing()
    if not failing or situation.verdict is None:
        return ""
    names = ", ".join(t.label for t in failing[:3]) + (", …" if len(failing) > 3 else "")
    return (
        f"> **{counted(len(failing), 'test')} of {len(situation.verdict.tests)} fail** "
        f"({names}): start there. A review looks at names, structure and common pitfalls, not "
        "at whether the code is right; **Explain this failure** on a failing line says why it "
        "fails.\n"
    )


def _input_text(problem: Problem, test: TestCase) -> str:
    if test.kind == "call":
        return (
            f"{problem.body.entry_point}({display_args(test.args, test.kwargs, problem.language)})"  # type: ignore[union-attr]
        )
    if test.kind == "stdio":
        return f"stdin {json.dumps(test.stdin)}"  # type: ignore[union-attr]
    return "a code test"


def _next_number(existing: list[TestCase]) -> int:
    numbers = [int(t.id[1:]) for t in existing if t.id and t.id[:1] == "g" and t.id[1:].isdigit()]
    return max(numbers, default=0) + 1


def _tests_markdown(problem: Problem, generation: Generation, note: str | None) -> str:
    lines: list[str] = []
    if note:
        lines += [
            f"> {_sentence(note)} These inputs vary the public tests instead of coming from "
            "the model.",
            "",
        ]
    if generation.accepted:
        lines.append(
            f"{counted(len(generation.accepted), 'new test')}. Every expected value was computed "
            "by the reference solution in the sandbox; they run on your next save."
        )
        lines.append("")
        for test in generation.accepted:
            if test.kind == "call":
                shown = display(canonical(test.expected), problem.language)  # type: ignore[union-attr]
                lines.append(f"- `{_input_text(problem, test)}` → `{shown}`")
            else:
                lines.append(f"- {_input_text(problem, test)}")
    else:
        lines.append("No new test could be made this time.")
    if generation.rejected:
        lines += ["", f"{counted(len(generation.rejected), 'proposed input')} dropped as invalid."]
    return "\n".join(lines)
