"""A learner's progress: `.codegym/progress.json` in the workspace.

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

from .grading import Verdict
from .workspace import STATE_DIR

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; atomic renames still protect the file
    fcntl = None  # type: ignore[assignment]

log = structlog.get_logger(__name__)

ProgressStatus = Literal["new", "attempted", "solved"]
FORMAT_VERSION = 1


@dataclass
class ExerciseProgress:
    attempts: int = 0
    first_attempt: str | None = None
    last_attempt: str | None = None
    best_public: list[int] = field(default_factory=lambda: [0, 0])
    best_hidden: list[int] = field(default_factory=lambda: [0, 0])
    solved_at: str | None = None
    hint_level: int = 0

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
            return cls(**known)
        except TypeError:
            return cls()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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

    def _read(self) -> dict[str, ExerciseProgress]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(raw)
            exercises = data["exercises"]
            if not isinstance(exercises, dict):
                raise ValueError("'exercises' is not an object")
        except (ValueError, KeyError, TypeError) as exc:
            aside = self.path.with_name(f"progress.corrupt-{int(time.time())}.json")
            os.replace(self.path, aside)
            log.warning("progress file was corrupt; moved aside", file=str(aside), error=str(exc))
            return {}
        return {str(k): ExerciseProgress.from_json(v) for k, v in exercises.items()}

    def _write(self, exercises: dict[str, ExerciseProgress]) -> None:
        document = {
            "version": FORMAT_VERSION,
            "exercises": {k: asdict(v) for k, v in sorted(exercises.items())},
        }
        self._remove_stale_temporaries()
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".progress-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(document, out, indent=2)
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

    def load(self) -> dict[str, ExerciseProgress]:
        with self._locked():
            return self._read()

    def get(self, exercise: str) -> ExerciseProgress:
        return self.load().get(exercise, ExerciseProgress())

    def record(self, exercise: str, verdict: Verdict) -> tuple[ProgressStatus, ProgressStatus]:
        """Count an attempt; returns the status before and after."""
        with self._locked():
            exercises = self._read()
            entry = exercises.setdefault(exercise, ExerciseProgress())
            before = entry.status
            now = _now()
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
                entry.solved_at = entry.solved_at or now
                entry.hint_level = 0  # solved: hints start again from the first
            self._write(exercises)
            return before, entry.status

    def record_hint(self, exercise: str, level: int) -> None:
        """The hint level reached (1–3); `record` resets it when the exercise is solved."""
        with self._locked():
            exercises = self._read()
            entry = exercises.setdefault(exercise, ExerciseProgress())
            entry.hint_level = level
            self._write(exercises)
