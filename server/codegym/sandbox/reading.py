"""Read one run's output from its sandbox, the same way for both backends: the event stream (its
frame and nonce checked, up to the host's cap) and the supervisor's standard error (up to
STDERR_CAP), until the output ends, the host's wall backstop passes or the caller cancels.

Each backend supplies only its byte source: the local backend the supervisor's two pipes
(`PipeSource`), the Docker backend its container's attach socket. What was read becomes the
run's report with `Reading.report`, given what the backend learned about how its process ended
(`ending.classify` says how the run ended).
"""

from __future__ import annotations

import os
import selectors
import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Literal, Protocol

from .ending import ExitFacts, classify
from .events import EventStream
from .types import Isolation, LoadOutcome, RunReport, RunRequest, StopReason

STDERR_CAP = 64 * 1024
"""The most of the supervisor's standard error the host keeps (for the log, and to recognise an
out-of-memory death)."""
_POLL_S = 0.05
"""How long one wait for output lasts at most: a cancel is noticed within it."""

Channel = Literal["stdout", "stderr"]
Chunk = tuple[Channel, bytes]


class Source(Protocol):
    """A sandbox's output as it arrives."""

    def read(self, timeout: float) -> list[Chunk] | None:
        """What arrived within `timeout` seconds (an empty list: nothing yet), or None once
        the sandbox has closed its output. Raises OSError when the channel breaks."""
        ...


@dataclass(frozen=True)
class Reading:
    """What the host read of one run."""

    events: EventStream
    stderr: str
    stopped: StopReason | None
    """Why the host stopped reading early: `cancelled`, `wall_timeout` (the backstop),
    `output_flood` (past the cap), `crashed` (the channel broke); None when the output ended
    (or, when reading until `done`, the supervisor said it)."""

    @property
    def unexplained(self) -> bool:
        """The output ended without the supervisor's `done` event: only how its process ended
        (`ExitFacts`) can say why."""
        return self.stopped is None and not self.events.done

    def report(
        self,
        exit_facts: ExitFacts,
        backend: str,
        duration_ms: float,
        sandbox_id: str = "",
        isolation: Isolation = "container",
    ) -> RunReport:
        """The run's report, given how the sandbox's main process ended."""
        events = self.events
        ending = classify(self.stopped, events.said, exit_facts, self.stderr)
        return RunReport(
            backend=backend,
            load=events.load or LoadOutcome(status="missing"),
            cases=events.outcomes(ending),
            duration_ms=duration_ms,
            stopped=ending.stopped,
            tampered=ending.tampered,
            exit_code=ending.exit_code,
            diagnostics=(events.diagnostics + self.stderr)[-4000:],
            sandbox_id=sandbox_id,
            run_uid=events.uid,
            clean=events.clean,
            isolation=isolation,
        )


def read_run(
    source: Source,
    request: RunRequest,
    deadline: float,
    cancel: threading.Event | None = None,
    until_done: bool = False,
) -> Reading:
    """Read `request`'s run from `source` until its output ends (or, with `until_done`, until
    the supervisor's `done` event: a serving supervisor then waits for its next job), `deadline`
    (`time.perf_counter`) passes, `cancel` is set or the events pass the request's cap."""
    events = EventStream(request)
    stderr = bytearray()
    try:
        stopped = _pump(source, events, stderr, deadline, cancel, until_done)
    except OSError as exc:
        stopped = "crashed"
        stderr += f"\n[codegym] the sandbox's output channel failed: {exc}".encode()
    return Reading(events, stderr.decode("utf-8", "replace"), stopped)


def _pump(
    source: Source,
    events: EventStream,
    stderr: bytearray,
    deadline: float,
    cancel: threading.Event | None,
    until_done: bool,
) -> StopReason | None:
    while True:
        if cancel is not None and cancel.is_set():
            return "cancelled"
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return "wall_timeout"
        chunks = source.read(min(remaining, _POLL_S))
        if chunks is None:
            return None
        for channel, data in chunks:
            if channel == "stdout":
                events.feed(data)
            else:
                stderr += data[: max(0, STDERR_CAP - len(stderr))]
        if events.overflowed:
            return "output_flood"
        if until_done and events.done:
            return None


class PipeSource:
    """A process's standard output and standard error, two pipes (the local backend)."""

    def __init__(self, stdout: IO[bytes], stderr: IO[bytes]) -> None:
        self._selector = selectors.DefaultSelector()
        self._selector.register(stdout, selectors.EVENT_READ, "stdout")
        self._selector.register(stderr, selectors.EVENT_READ, "stderr")
        self._open = 2

    def read(self, timeout: float) -> list[Chunk] | None:
        if not self._open:
            return None
        chunks: list[Chunk] = []
        for key, _ in self._selector.select(timeout=timeout):
            data = os.read(key.fd, 65536)
            if data:
                chunks.append((key.data, data))
            else:
                self._selector.unregister(key.fileobj)
                self._open -= 1
        return chunks

    def close(self) -> None:
        self._selector.close()

    def __enter__(self) -> PipeSource:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
