"""A learner's progress: `.codegym/progress.json` in the workspace: per exercise its attempts,
best scores, solve and hint levels, and the history of its last attempts (`learning.attempts`),
which `codegym stats` and the choice of the next exercise read back.

Every update is a read-modify-write under an exclusive file lock (so two servers on one workspace
never lose each other's updates), written to a temporary file, fsync'ed, and renamed over the old
one (so a crash never leaves a half-written file). A file that cannot be parsed is moved aside with
a warning, never silently dropped.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import structlog

from .content import Problem
from .grading import Verdict
from .learning.attempts import Attempt, attempt_of
from .workspace import STATE_DIR, find_workspace

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; atomic renames still protect the file
    fcntl = None  # type: ignore[assignment]

log = structlog.get_logger(__name__)

ProgressStatus = Literal["new", "attempted", "solved"]
FORMAT_VERSION = 2
"""1: exercises only. 2: `history` (the last attempts) and, per exercise, `max_hint_level` and
`solved_after`; a version-1 file is read as it is, with an empty history."""
HISTORY_LIMIT = 200
"""Attempts kept in the history, all exercises together; the oldest go first."""


@dataclass
class ExerciseProgress:
    attempts: int = 0
    first_attempt: str | None = None
    last_attempt: str | None = None
    best_public: list[int] = field(default_factory=lambda: [0, 0])
    best_hidden: list[int] = field(default_factory=lambda: [0, 0])
    solved_at: str | None = None
    hint_level: int = 0
    """The hint level reached (0–3); back to 0 when the exercise is solved."""
    max_hint_level: int = 0
    """The highest hint level ever reached (never reset)."""
    solved_after: int | None = None
    """The attempts it took to solve it (None: not solved, or solved before version 2)."""

    @property
    def status(self) -> ProgressStatus:
        if self.solved_at:
            return "solved"
        return "attempted" if self.attempts else "new"

    @classmethod
    def from_json(cls, data: Any) -> ExerciseProgress:
        if not isinstance(data, dict):
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        try:
            entry = cls(**known)
        except TypeError:
            return cls()
        entry.max_hint_level = max(entry.max_hint_level, entry.hint_level)  # version 1
        return entry

    @property
    def attempts_to_solve(self) -> int | None:
        """The attempts it took to solve it; for one solved before version 2, every attempt."""
        if not self.solved_at:
            return None
        return self.solved_after or self.attempts


@dataclass
class Progress:
    """The whole record: every exercise's entry, and the last attempts, oldest first."""

    exercises: dict[str, ExerciseProgress] = field(default_factory=dict)
    history: list[Attempt] = field(default_factory=list)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def seconds_between(start: str, end: str) -> int:
    """Whole seconds from one stored time to another (0 if either cannot be read)."""
    try:
        return int((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds())
    except (TypeError, ValueError):
        return 0


def _document_text(progress: Progress) -> str:
    """The file's text: the exercises indented, and the history one run a line (indenting
    every field of 200 runs would make the file long and its writing slow)."""
    exercises = {k: asdict(v) for k, v in sorted(progress.exercises.items())}
    head = json.dumps({"version": FORMAT_VERSION, "exercises": exercises}, indent=2)
    runs = [json.dumps(a.to_json(), ensure_ascii=False) for a in progress.history[-HISTORY_LIMIT:]]
    history = "[\n    " + ",\n    ".join(runs) + "\n  ]" if runs else "[]"
    return head.removesuffix("\n}") + f',\n  "history": {history}\n}}\n'


class ProgressStore:
    def __init__(self, workspace: Path) -> None:
        self.directory = workspace / STATE_DIR
        self.path = self.directory / "progress.json"
        self._lock_path = self.directory / "progress.lock"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a+") as lock:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _read(self) -> Progress:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Progress()
        try:
            data = json.loads(raw)
            exercises = data["exercises"]
            if not isinstance(exercises, dict):
                raise ValueError("'exercises' is not an object")
        except (ValueError, KeyError, TypeError) as exc:
            aside = self.path.with_name(f"progress.corrupt-{int(time.time())}.json")
            os.replace(self.path, aside)
            log.warning("progress file was corrupt; moved aside", file=str(aside), error=str(exc))
            return Progress()
        stored = data.get("history")
        history = [Attempt.from_json(item) for item in stored] if isinstance(stored, list) else []
        return Progress(
            exercises={str(k): ExerciseProgress.from_json(v) for k, v in exercises.items()},
            history=[attempt for attempt in history if attempt is not None],
        )

    def _write(self, progress: Progress) -> None:
        text = _document_text(progress)
        self._remove_stale_temporaries()
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".progress-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable
            directory = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)

    def _remove_stale_temporaries(self) -> None:
        """Temporary files of writers that died before their rename (kill -9, power loss).
        Called under the lock, which every writer holds while its temporary file exists, so
        any such file belongs to a writer that is gone."""
        if fcntl is None:  # no lock: another writer may be using its temporary file right now
            return
        for stale in self.directory.glob(".progress-*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def snapshot(self) -> Progress:
        """The whole record, history included."""
        with self._locked():
            return self._read()

    def load(self) -> dict[str, ExerciseProgress]:
        return self.snapshot().exercises

    def get(self, exercise: str) -> ExerciseProgress:
        return self.load().get(exercise, ExerciseProgress())

    def record(
        self, exercise: str, verdict: Verdict, problem: Problem | None = None
    ) -> tuple[ProgressStatus, ProgressStatus]:
        """Count an attempt and add it to the history; returns the status before and after.
        `problem` (when known) lets the history tell failures on empty inputs."""
        with self._locked():
            progress = self._read()
            entry = progress.exercises.setdefault(exercise, ExerciseProgress())
            before = entry.status
            now = _now()
            progress.history.append(
                attempt_of(
                    exercise,
                    verdict,
                    problem,
                    time=now,
                    hint_level=entry.hint_level,
                    since_first_s=seconds_between(entry.first_attempt or now, now),
                )
            )
            entry.attempts += 1
            entry.first_attempt = entry.first_attempt or now
            entry.last_attempt = now
            for key, level in (("best_public", "public"), ("best_hidden", "hidden")):
                score = verdict.score(level)  # type: ignore[arg-type]
                best_passed, best_total = getattr(entry, key)
                if score.total != best_total:  # the exercise's tests changed: start over
                    best_passed = 0
                setattr(entry, key, [max(best_passed, score.passed), score.total])
            if verdict.status == "pass":
                if not entry.solved_at:
                    entry.solved_at, entry.solved_after = now, entry.attempts
                entry.hint_level = 0  # solved: hints start again from the first
            self._write(progress)
            return before, entry.status

    def record_hint(self, exercise: str, level: int) -> None:
        """The hint level reached (1–3); `record` resets it when the exercise is solved."""
        with self._locked():
            progress = self._read()
            entry = progress.exercises.setdefault(exercise, ExerciseProgress())
            entry.hint_level = level
            entry.max_hint_level = max(entry.max_hint_level, level)
            self._write(progress)


def record_attempt(file: Path, problem: Problem, verdict: Verdict) -> None:
    """A run of `file` outside the editor (`codegym check`), recorded in the workspace the file
    belongs to, if it belongs to one; a progress file that cannot be written is logged, never
    fails the run."""
    root = find_workspace(file.resolve().parent)
    if root is None:
        return
    try:
        ProgressStore(root).record(problem.id, verdict, problem)
    except OSError as exc:
        log.warning("cannot record progress", error=str(exc))
