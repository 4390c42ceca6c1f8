"""Admission to an engine: at most `slots` runs at once across processes, first come first
served, cancelled runs leave the line, a dead process's place is freed. Every wait here is on
an event with a generous timeout: nothing is judged by how long it took."""

from __future__ import annotations

import fcntl
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from codegym.config import SandboxSettings
from codegym.sandbox import RunCancelled, open_sandbox
from codegym.sandbox.admission import EngineQueue

PATIENCE_S = 60.0


class Waiter:
    """A thread that waits in `line` for a slot, records what it hears, and holds the slot
    until told to let go."""

    def __init__(self, line: EngineQueue, name: str, admitted: queue.Queue[str]) -> None:
        self.heard: queue.Queue[int | None] = queue.Queue()
        self.cancel = threading.Event()
        self.release = threading.Event()
        self.outcome: str | None = None

        def wait() -> None:
            try:
                with line.admitted(self.cancel, self.heard.put):
                    admitted.put(name)
                    self.release.wait(PATIENCE_S)
                self.outcome = "ran"
            except RunCancelled:
                self.outcome = "cancelled"

        self.thread = threading.Thread(target=wait, daemon=True)
        self.thread.start()

    def place(self) -> int | None:
        """The next thing it heard: its place in line, or None once admitted."""
        return self.heard.get(timeout=PATIENCE_S)

    def finish(self) -> str | None:
        self.release.set()
        self.thread.join(PATIENCE_S)
        return self.outcome


def test_runs_beyond_the_slots_wait_their_turn_in_order(tmp_path: Path) -> None:
    line = EngineQueue(tmp_path, slots=2)
    admitted: queue.Queue[str] = queue.Queue()
    first, second = Waiter(line, "first", admitted), Waiter(line, "second", admitted)
    assert {admitted.get(timeout=PATIENCE_S), admitted.get(timeout=PATIENCE_S)} == {
        "first",
        "second",
    }
    assert first.place() is None and second.place() is None  # no wait: free slots
    third = Waiter(line, "third", admitted)
    assert third.place() == 0  # first in line, both slots taken
    fourth = Waiter(line, "fourth", admitted)
    assert fourth.place() == 1
    assert first.finish() == "ran"
    assert admitted.get(timeout=PATIENCE_S) == "third"
    assert third.place() is None
    assert fourth.place() == 0
    assert second.finish() == "ran"
    assert admitted.get(timeout=PATIENCE_S) == "fourth"
    assert third.finish() == fourth.finish() == "ran"
    assert os.listdir(tmp_path / "waiting") == []


def test_a_cancelled_run_leaves_the_line(tmp_path: Path) -> None:
    line = EngineQueue(tmp_path, slots=1)
    admitted: queue.Queue[str] = queue.Queue()
    holder = Waiter(line, "holder", admitted)
    assert admitted.get(timeout=PATIENCE_S) == "holder"
    superseded = Waiter(line, "superseded", admitted)
    assert superseded.place() == 0
    latest = Waiter(line, "latest", admitted)
    assert latest.place() == 1
    superseded.cancel.set()
    superseded.thread.join(PATIENCE_S)
    assert superseded.outcome == "cancelled"
    assert holder.place() is None  # (what the holder heard when it was admitted)
    assert latest.place() == 0  # moved up
    assert holder.finish() == "ran"
    assert admitted.get(timeout=PATIENCE_S) == "latest"
    assert latest.finish() == "ran"


def test_another_process_holds_the_slot_until_it_dies(tmp_path: Path) -> None:
    """The queue is machine-wide: a slot held by another process (here one that takes it the
    same way, with flock) keeps runs waiting, and its death, however abrupt, frees it."""
    line = EngineQueue(tmp_path, slots=1)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDONLY | os.O_CREAT, 0o644); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.read()",
            str(tmp_path / "slot-0"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        admitted: queue.Queue[str] = queue.Queue()
        waiter = Waiter(line, "waiter", admitted)
        assert waiter.place() == 0
        holder.kill()
        holder.wait(PATIENCE_S)
        assert admitted.get(timeout=PATIENCE_S) == "waiter"
        assert waiter.finish() == "ran"
    finally:
        holder.kill()


def test_the_place_of_a_process_that_died_in_line_is_freed(tmp_path: Path) -> None:
    line = EngineQueue(tmp_path, slots=1)
    fd = os.open(tmp_path / "slot-0", os.O_RDONLY | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)  # the engine is busy
    (tmp_path / "waiting" / f"{0:020d}-1-dead").touch()  # a ticket nobody holds
    admitted: queue.Queue[str] = queue.Queue()
    waiter = Waiter(line, "waiter", admitted)
    try:
        assert waiter.place() == 1  # behind the dead ticket, at first
        assert waiter.place() == 0  # which is removed
        os.close(fd)
        assert admitted.get(timeout=PATIENCE_S) == "waiter"
    finally:
        assert waiter.finish() == "ran"
    assert os.listdir(tmp_path / "waiting") == []


def test_the_factory_puts_every_backend_behind_its_engine_s_queue(tmp_path: Path) -> None:
    settings = SandboxSettings.model_validate(
        {"backend": "local", "queue": {"slots": 3, "directory": str(tmp_path)}}
    )
    sandbox = open_sandbox(settings)
    try:
        assert sandbox.name == "local"
        line = sandbox.queue  # type: ignore[attr-defined]
        assert line.slots == 3 and line.directory.parent == tmp_path
        assert line.directory.name.startswith("local-")
    finally:
        sandbox.close()


def test_no_slots_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        EngineQueue(tmp_path, slots=0)
