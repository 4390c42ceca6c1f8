"""Admission to a sandbox engine: at most `slots` runs on it at once, for every Code Gym process
of this machine that shares the queue's directory, first come first served.

A run holds an exclusive `flock` on one of the files `slot-0` … `slot-<slots-1>` while it runs;
the kernel drops it when the process ends, however it ends. A run that finds no slot free (or
finds others already waiting) joins the queue: it creates a file in `waiting/` named by the
time it arrived and holds a lock on it; its place is the number of files before its own whose
owner still holds their lock (the files of a process that died are removed by whoever finds
them). The first `slots` in line may take a slot as soon as one is free. A cancelled run (a
newer save of the same document) leaves the queue at once, so only the latest save of each
document waits: the queue is bounded by the open documents.

Waiting happens before a run starts: no limit's clock runs meanwhile, so a crowded engine shows
as latency, never as a verdict. No LSP, no Docker: `QueuedSandbox` puts any backend behind a queue.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import structlog

from ..config import SandboxLimits
from .types import Language, QueueListener, RunCancelled, RunReport, RunRequest, Sandbox

log = structlog.get_logger(__name__)

_POLL_FRONT_S = 0.01
"""How often a run at or near the front of the line looks for a free slot (the one behind the
front takes its turn as soon as the front has taken a slot and left the line)."""
_POLL_BACK_S = 0.1
"""How often a run further back looks at its place."""
_STALE_CHECK_S = 1.0


class EngineQueue:
    def __init__(self, directory: Path, slots: int) -> None:
        if slots < 1:
            raise ValueError("an engine needs at least one slot")
        self.directory = directory
        self.slots = slots
        self._waiting = directory / "waiting"
        self._waiting.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def admitted(
        self, cancel: threading.Event | None = None, listener: QueueListener | None = None
    ) -> Iterator[None]:
        """Hold a slot of the engine for the duration of the block; wait in line first if
        needed. Raises RunCancelled when `cancel` is set while waiting."""
        slot = None if self._line() else self._take_slot()
        if slot is None:
            slot = self._wait(cancel or threading.Event(), listener)
        if listener is not None:
            listener(None)
        try:
            yield
        finally:
            os.close(slot)

    # ------------------------------------------------------------------ internals

    def _take_slot(self) -> int | None:
        """A descriptor holding one free slot's lock, or None when every slot is taken."""
        for number in range(self.slots):
            fd = _open_lock(self.directory / f"slot-{number}")
            if _try_lock(fd):
                return fd
            os.close(fd)
        return None

    def _line(self) -> list[str]:
        try:
            return sorted(os.listdir(self._waiting))
        except FileNotFoundError:
            return []

    def _wait(self, cancel: threading.Event, listener: QueueListener | None) -> int:
        name = f"{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(4)}"
        ticket = self._waiting / name
        fd = _open_lock(ticket)
        fcntl.flock(fd, fcntl.LOCK_EX)  # a new file: nobody else holds it
        told: int | None = None
        stale_checked = time.monotonic()
        try:
            while True:
                if cancel.is_set():
                    raise RunCancelled("cancelled while queued")
                ahead = [entry for entry in self._line() if entry < name]
                if time.monotonic() - stale_checked > _STALE_CHECK_S:
                    ahead = [entry for entry in ahead if not self._remove_if_stale(entry)]
                    stale_checked = time.monotonic()
                if not ahead:  # first come, first served: only the front takes a free slot
                    slot = self._take_slot()
                    if slot is not None:
                        return slot
                if listener is not None and len(ahead) != told:
                    told = len(ahead)
                    listener(told)
                cancel.wait(_POLL_FRONT_S if len(ahead) < self.slots else _POLL_BACK_S)
        finally:
            with contextlib.suppress(FileNotFoundError):
                ticket.unlink()
            os.close(fd)

    def _remove_if_stale(self, entry: str) -> bool:
        """Remove a ticket whose waiter is gone (its lock is free); True if it was removed."""
        path = self._waiting / entry
        try:
            fd = _open_lock(path, create=False)
        except FileNotFoundError:
            return True
        try:
            if not _try_lock(fd):
                return False
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            log.info("removed the queue ticket of a process that is gone", ticket=entry)
            return True
        finally:
            os.close(fd)


def _open_lock(path: Path, create: bool = True) -> int:
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | (os.O_CREAT if create else 0)
    return os.open(path, flags, 0o644)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return False
        raise
    return True


class QueuedSandbox:
    """A backend whose runs wait their turn in the engine's queue; everything else is the
    backend's own."""

    def __init__(self, inner: Sandbox, queue: EngineQueue) -> None:
        self.inner = inner
        self.queue = queue
        self.name = inner.name

    def run(
        self,
        request: RunRequest,
        cancel: threading.Event | None = None,
        listener: QueueListener | None = None,
    ) -> RunReport:
        with self.queue.admitted(cancel, listener):
            return self.inner.run(request, cancel)

    def warm(self, language: Language, limits: SandboxLimits) -> None:
        self.inner.warm(language, limits)  # starting containers is no run: it does not queue

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
