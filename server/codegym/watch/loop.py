"""The practice loop's logic: file changes and keys in, runs and tutor answers out, each step a
new screen state handed to `show`. It runs on an asyncio loop; runs happen in worker threads, so
keys are read while the tests run. A change while a run is in flight cancels it (the newest
content wins), and a burst of changes (an editor's temporary file, then its rename) is one run.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import structlog

from ..catalog import next_exercise
from ..checker import check_source
from ..config import Settings
from ..content import Content, Problem
from ..content.variants import GeneratedParamsMissing
from ..generated_tests import load_generated
from ..grading import Verdict
from ..progress import ProgressStore
from ..sandbox import Sandbox, SandboxError
from ..tutor.feedback import write_feedback
from ..tutor.situation import Situation, failure_to_explain
from ..tutor.tutor import HINT_LEVELS, Answer, Tutor
from ..variants import judged_problem, prepare_generated
from ..workspace import (
    STATE_DIR,
    backup_file,
    exercise_file,
    exercise_id_of,
    learner_problem,
    render_exercise,
)
from .screen import ScreenState, TutorView

log = structlog.get_logger(__name__)

DEBOUNCE_S = 0.15
"""Changes closer together than this are one save (editors write, rename, touch)."""


class _ScreenSink:
    """The tutor's answer streamed onto the screen as it comes."""

    def __init__(self, watch: Watch, view: TutorView) -> None:
        self.watch = watch
        self.view = view

    def begin(self, title: str) -> None:
        self.view.title = title
        self.watch.show_state()

    def chunk(self, text: str) -> None:
        self.view.text += text
        self.watch.show_state()

    def reset(self) -> None:
        self.view.text = ""
        self.watch.show_state()


_Ask = Callable[[Tutor, Situation, _ScreenSink], Awaitable[Answer]]
"""Asks the tutor one question, its answer streamed to the sink."""


class Watch:
    def __init__(
        self,
        content: Content,
        root: Path,
        settings: Settings,
        sandbox: Sandbox,
        show: Callable[[ScreenState], None],
    ) -> None:
        self.content = content
        self.root = root
        self.settings = settings
        self.sandbox = sandbox
        self._show = show
        self.state = ScreenState(root)
        self.progress = ProgressStore(root)
        self._verdicts: dict[str, Verdict] = {}
        self._last_run: dict[Path, str] = {}
        """The text of each file's last completed run: an unchanged file is not run again."""
        self._pending: dict[Path, asyncio.TimerHandle] = {}
        self._run: tuple[asyncio.Task[None], threading.Event] | None = None
        self._tutor: Tutor | None = None
        self._message_for_run: Path | None = None
        """A file whose next run keeps the message on screen (the reset that caused it)."""
        self._tutor_task: asyncio.Task[None] | None = None
        self._preload: asyncio.Task[None] | None = None

    def show_state(self) -> None:
        self._show(self.state)

    # ------------------------------------------------------------------ start and stop

    async def start(self) -> None:
        """Load the tutor's model in the background (so the first `h` does not wait for it),
        run the variant generators the workspace still needs, then show the exercise to work
        on: the next one (`next_exercise`), with its file."""
        if self.settings.tutor.enabled:
            self._preload = asyncio.get_running_loop().create_task(self._preload_model())
        problems, limits = self.content.ordered(), self.settings.sandbox.limits
        errors: list[Exception]
        try:
            errors = await asyncio.to_thread(
                prepare_generated, problems, self.root, self.sandbox, limits
            )
        except SandboxError as exc:
            errors = [exc]
        await self._go_next(after=None, intro="Start with")
        if errors:
            self.state.message = f"{str(errors[0])[:300]} (that exercise is unavailable)"
            self.show_state()

    async def close(self) -> None:
        for handle in self._pending.values():
            handle.cancel()
        if self._run is not None:
            self._run[1].set()  # the sandbox stops the run's process
        for task in (self._run[0] if self._run else None, self._tutor_task, self._preload):
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        if self._tutor is not None:
            await self._tutor.close()

    # ------------------------------------------------------------------ file changes

    def file_changed(self, path: Path) -> None:
        """A file of the workspace changed: run it once the burst of changes is over."""
        loop = asyncio.get_running_loop()
        if (pending := self._pending.pop(path, None)) is not None:
            pending.cancel()
        self._pending[path] = loop.call_later(DEBOUNCE_S, self._settled, path)

    @property
    def quiet(self) -> bool:
        """No change is waiting for its burst to end."""
        return not self._pending

    def _settled(self, path: Path) -> None:
        self._pending.pop(path, None)
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return  # gone again (a temporary file) or not text
        exercise = exercise_id_of(source)
        problem = self.content.problems.get(exercise) if exercise else None
        if problem is not None:
            try:
                problem = learner_problem(problem, self.root)
            except GeneratedParamsMissing:  # its generator failed: said at the start
                return
        if problem is None or self._last_run.get(path) == source:
            return
        self.run(problem, path, source)

    def run(self, problem: Problem, path: Path, source: str) -> None:
        """Run `source` as the current exercise, cancelling a run in flight."""
        if self._run is not None:
            task, cancel = self._run
            cancel.set()
            task.cancel()
        if problem != self.state.problem:
            self.state.tutor = None
        self.state.problem, self.state.file = problem, path
        self.state.verdict = self._verdicts.get(problem.id)
        self.state.running = True
        if self._message_for_run != path:
            self.state.message = None
        self._message_for_run = None
        cancel = threading.Event()
        task = asyncio.get_running_loop().create_task(self._judge(problem, path, source, cancel))
        self._run = (task, cancel)
        self.show_state()

    async def _judge(
        self, problem: Problem, path: Path, source: str, cancel: threading.Event
    ) -> None:
        root, limits = self.root, self.settings.sandbox.limits

        def judge() -> Verdict:
            judged = judged_problem(problem, self.sandbox, limits, root)  # a variant's expected
            tests = [*judged.body.tests, *load_generated(root, judged)]
            return check_source(judged, source, self.sandbox, limits, tests, cancel)

        try:
            verdict = await asyncio.to_thread(judge)
        except Exception as exc:  # the sandbox's errors, and any bug: say so, keep going
            if cancel.is_set():
                return
            if not isinstance(exc, SandboxError):
                log.exception("run failed", exercise=problem.id)
            self._run = None
            self.state.running = False
            self.state.message = f"cannot run the tests: {exc}"
            self.show_state()
            return
        if cancel.is_set():
            return  # superseded: a newer run shows its own result
        self._run = None
        self._last_run[path] = source
        self._verdicts[problem.id] = verdict
        if problem == self.state.problem:
            self.state.verdict, self.state.running = verdict, False
            self.show_state()
        try:
            before, after = await asyncio.to_thread(
                self.progress.record, problem.id, verdict, problem
            )
        except OSError as exc:
            log.warning("cannot record progress", error=str(exc))
        else:
            if before != after and after == "solved" and problem == self.state.problem:
                self.state.message = f"✓ {problem.meta.title} solved. Press n for the next one."
                self.show_state()

    # ------------------------------------------------------------------ keys

    async def key(self, key: str) -> bool:
        """Act on one key; False when the learner quits."""
        key = key.lower()
        if key == "q":
            return False
        actions = {"n": self._next, "r": self._reset, "h": self._hint, "e": self._explain}
        if key in actions:
            await actions[key]()
        return True

    async def _next(self) -> None:
        current = self.state.problem
        await self._go_next(after=current.id if current else None, intro="Next")

    async def _go_next(self, after: str | None, intro: str) -> None:
        choice = await asyncio.to_thread(next_exercise, self.content, self.root, after)
        if choice is not None and after is not None and choice.problem.id == after:
            self.state.message = "This is the last unsolved exercise: no other to go to."
            self.show_state()
            return
        if choice is None:
            self.state.problem = self.state.file = self.state.verdict = None
            self.state.message = None  # the screen says it
            self.show_state()
            return
        try:
            problem = learner_problem(choice.problem, self.root)
        except GeneratedParamsMissing:
            self.state.message = (
                f"{choice.problem.id} is unavailable: its variant generator failed."
            )
            self.show_state()
            return
        path = await asyncio.to_thread(exercise_file, self.root, problem)
        self.state.problem, self.state.file = problem, path
        self.state.verdict = self._verdicts.get(problem.id)
        self.state.running, self.state.tutor = False, None
        self.state.message = f"{intro}: open {path} in your editor ({choice.reason})."
        self.show_state()

    async def _reset(self) -> None:
        problem, path = self.state.problem, self.state.file
        if problem is None or path is None:
            return
        starter = render_exercise(problem)
        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        except FileNotFoundError:
            text = ""
        except (OSError, UnicodeDecodeError) as exc:
            self.state.message = f"cannot read {path}: {exc}"
            self.show_state()
            return
        if text == starter:
            self.state.message = f"{path} is already the starter code."
            self.show_state()
            return
        backup = await asyncio.to_thread(backup_file, self.root, problem, text) if text else None
        await asyncio.to_thread(path.write_text, starter, encoding="utf-8")
        kept = f"; your version is in {backup}" if backup else ""
        self.state.message = f"Reset {path} to the starter code{kept}."
        self._message_for_run = path
        self.show_state()

    # ------------------------------------------------------------------ the tutor

    async def _hint(self) -> None:
        problem = self.state.problem
        if problem is None:
            return
        entry = await asyncio.to_thread(self.progress.get, problem.id)
        level = min(entry.hint_level + 1, HINT_LEVELS)

        async def ask(tutor: Tutor, situation: Situation, sink: _ScreenSink) -> Answer:
            answer = await tutor.hint(situation, level, sink)
            await asyncio.to_thread(self.progress.record_hint, problem.id, level)
            return answer

        await self._ask(problem, "hint", f"Hint {level}/{HINT_LEVELS}", ask)

    async def _explain(self) -> None:
        problem = self.state.problem
        if problem is None:
            return
        test = failure_to_explain(self._verdicts.get(problem.id))
        if test is None:
            ran = problem.id in self._verdicts
            self.state.message = (
                "Nothing fails right now." if ran else "Save the file first: nothing ran yet."
            )
            self.show_state()
            return

        async def ask(tutor: Tutor, situation: Situation, sink: _ScreenSink) -> Answer:
            return await tutor.explain(situation, test, sink)

        await self._ask(problem, "explain", "Explanation", ask)

    async def _ask(self, problem: Problem, feature: str, title: str, ask: _Ask) -> None:
        """Start the tutor on the current code (one question at a time: a new one replaces the
        one in flight); its answer streams onto the screen."""
        path = self.state.file
        try:
            source = await asyncio.to_thread(path.read_text, encoding="utf-8") if path else ""
        except (OSError, UnicodeDecodeError):
            source = ""
        if self._tutor_task is not None:
            self._tutor_task.cancel()
        view = TutorView(title)
        self.state.tutor, self.state.message = view, None
        situation = Situation(problem, source, self._verdicts.get(problem.id))
        self._tutor_task = asyncio.get_running_loop().create_task(
            self._answer(situation, feature, view, ask)
        )
        self.show_state()

    async def _answer(self, situation: Situation, feature: str, view: TutorView, ask: _Ask) -> None:
        try:
            tutor = await self._tutor_for_workspace()
            answer = await ask(tutor, situation, _ScreenSink(self, view))
            view.note = answer.note if answer.status == "offline" else None
            view.text = answer.text
            view.saved = await asyncio.to_thread(
                write_feedback, self.root, situation.problem, answer.feature, answer
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a tutor bug must not end the learner's session
            log.exception("tutor failed", feature=feature)
            view.text = f"The tutor failed: {exc}"
        view.working = False
        if self.state.tutor is view:
            self.show_state()

    async def _preload_model(self) -> None:
        try:
            await (await self._tutor_for_workspace()).preload()
        except Exception as exc:  # offline, or a model that failed to load: the first `h` says
            log.info("the model was not preloaded", error=str(exc)[:200])

    async def _tutor_for_workspace(self) -> Tutor:
        """The tutor, made in a thread the first time (its HTTP client's imports are slow)."""
        if self._tutor is None:
            self._tutor = await asyncio.to_thread(Tutor, self.settings.tutor, self.root / STATE_DIR)
        return self._tutor
