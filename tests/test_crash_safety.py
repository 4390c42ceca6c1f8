"""Progress survives kill -9: `.codegym/progress.json` is never corrupt and never loses a solve
that a writer reported as recorded, and concurrent writers never lose each other's updates.

Real processes throughout. Writers are forked from a "zygote" that has imported codegym once
(a fresh interpreter costs ~0.5 s of imports, and the point is to kill them mid-write, not
mid-import): each records solved verdicts in a loop and, after each `record` returns, appends
the record to a side log with fsync. After SIGKILL at a random moment, the progress file must
parse and hold every logged solve, with attempt counts that match the log (at most one more per
killed writer: a record can complete just before its log line). The real `codegym serve` is
killed too, around the progress write that a save of a correct solution causes.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codegym.content import load_content
from codegym.workspace import default_path, header_lines, init_workspace

from .test_lsp_fuzz import RawServer

ROOT = Path(__file__).resolve().parents[1]
SEED = int(os.environ.get("CODEGYM_CRASH_SEED", "20261122"))
KILLS = 60
SERVER_KILLS = 6
EXERCISES = 40

ZYGOTE = r"""
import os, signal, sys
from pathlib import Path
from codegym.progress import ProgressStore
from codegym.grading import PublicResult, Verdict

signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel

def solved(exercise):
    test = PublicResult(id="t1", name="one", visibility="public", label="one")
    return Verdict(exercise=exercise, status="pass", backend="local", duration_ms=1.0,
                   tests=[test])

def write(workspace, log, start, count, prefix):
    store = ProgressStore(Path(workspace))
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    index = start
    while count < 0 or index < start + count:
        exercise = "%s%02d" % (prefix, index % 40)
        store.record(exercise, solved(exercise))
        os.write(fd, ("%d %s\n" % (index, exercise)).encode())
        os.fsync(fd)
        index += 1

print("ready", flush=True)
for line in sys.stdin:
    workspace, log, start, count, prefix = line.split()
    pid = os.fork()
    if pid == 0:
        try:
            write(workspace, log, int(start), int(count), prefix)
        finally:
            os._exit(0)
    print(pid, flush=True)
"""


class Zygote:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"

    def writer(self, workspace: Path, log: Path, start: int, count: int, prefix: str) -> int:
        """Fork a writer; returns its pid (a child of the zygote, reaped by the kernel)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{workspace} {log} {start} {count} {prefix}\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture
def zygote() -> Iterator[Zygote]:
    process = Zygote()
    yield process
    process.close()


def gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


def wait_gone(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not gone(pid):
        assert time.monotonic() < deadline, f"writer {pid} still running"
        time.sleep(0.005)


def logged(log: Path) -> Counter[str]:
    """Records per exercise that writers reported complete (whole lines only)."""
    if not log.exists():
        return Counter()
    lines = log.read_bytes().split(b"\n")[:-1]
    return Counter(line.split()[1].decode() for line in lines)


def progress_of(workspace: Path) -> dict[str, Any]:
    """The progress file, which must parse whenever it exists; {} before the first write."""
    path = workspace / ".codegym" / "progress.json"
    if not path.exists():
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))  # a corrupt file fails here
    assert isinstance(document.get("exercises"), dict), document
    return document["exercises"]


def stray_files(workspace: Path) -> list[str]:
    directory = workspace / ".codegym"
    if not directory.exists():
        return []
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".progress-"))


def assert_consistent(workspace: Path, log: Path, killed: int) -> dict[str, Any]:
    exercises = progress_of(workspace)
    assert not list((workspace / ".codegym").glob("progress.corrupt-*")), "moved aside as corrupt"
    for exercise, count in logged(log).items():
        entry = exercises.get(exercise)
        assert entry is not None, f"{exercise}: a logged solve is missing"
        assert entry["solved_at"], f"{exercise}: logged as solved, not solved in the file"
        # Each writer may have completed one record it did not live to log.
        assert count <= entry["attempts"] <= count + killed, (exercise, count, entry["attempts"])
    return exercises


def test_progress_survives_writers_killed_mid_write(tmp_path: Path, zygote: Zygote) -> None:
    rng = random.Random(SEED)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    log = tmp_path / "records.log"
    start = 0
    productive_runs = 0
    mid_write = 0
    for iteration in range(KILLS):
        pid = zygote.writer(workspace, log, start, -1, "ex-")
        time.sleep(rng.uniform(0.0, 0.06))
        os.kill(pid, signal.SIGKILL)
        wait_gone(pid)
        before = sum(logged(log).values())
        exercises = assert_consistent(workspace, log, killed=iteration + 1)
        productive_runs += bool(exercises) and before > start
        start = before + 1  # new indices, so every log line stays unique
        # A temporary file remains when the kill came between its creation and the rename:
        # never more than one (the next write, under the lock, removes it).
        strays = stray_files(workspace)
        assert len(strays) <= 1, strays
        mid_write += len(strays)
    total = sum(logged(log).values())
    assert total > KILLS, f"only {total} records in {KILLS} runs: the kills came too early"
    assert productive_runs > KILLS // 2
    assert mid_write > 0, "no kill came during a write: the test proved nothing"
    print(f"\n{KILLS} writers killed ({mid_write} inside a write); {total} records logged, "
          "all in the file")  # fmt: skip


def test_concurrent_writers_lose_no_update(tmp_path: Path, zygote: Zygote) -> None:
    """Two writers on the same exercises at once: every attempt of both is counted."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    pids = [zygote.writer(workspace, log, 0, 120, "shared-") for log in logs]
    for pid in pids:
        wait_gone(pid, timeout=120)
    exercises = progress_of(workspace)
    both = logged(logs[0]) + logged(logs[1])
    assert sum(both.values()) == 240
    assert {k: v["attempts"] for k, v in exercises.items()} == dict(both)
    assert stray_files(workspace) == []


def test_concurrent_writers_one_killed(tmp_path: Path, zygote: Zygote) -> None:
    """Two writers at once and one killed mid-way: the survivor's updates and the victim's
    logged ones are all there."""
    rng = random.Random(SEED + 1)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    for round_ in range(5):
        survivor = zygote.writer(workspace, logs[0], round_ * 1000, 60, "shared-")
        victim = zygote.writer(workspace, logs[1], round_ * 1000, -1, "shared-")
        time.sleep(rng.uniform(0.01, 0.2))
        os.kill(victim, signal.SIGKILL)
        wait_gone(victim)
        wait_gone(survivor, timeout=120)
        combined = tmp_path / "combined.log"
        combined.write_bytes(logs[0].read_bytes() + logs[1].read_bytes())
        assert_consistent(workspace, combined, killed=round_ + 1)


# ---------------------------------------------------------------------------- the real server


def test_progress_survives_the_server_killed_around_a_save(tmp_path: Path) -> None:
    """`codegym serve` killed -9 while a save of a correct solution runs the tests and records
    the solve: the file parses, and holds every solve the server reported (progressChanged)
    and every solve it held before."""
    rng = random.Random(SEED + 2)
    content = load_content(ROOT / "content")
    workspace = tmp_path / "workspace"
    init_workspace(workspace, content)
    python = [p for p in content.ordered() if p.language == "python" and not p.body.limits][:10]
    reported: set[str] = set()
    solved_before: set[str] = set()
    for iteration in range(SERVER_KILLS):
        problem = python[iteration]
        path = workspace / default_path(problem)
        text = "\n".join(header_lines(problem)) + "\n\n" + problem.body.solution
        path.write_text(text)
        server = RawServer(
            workspace, tmp_path / f"server-{iteration}.stderr", keep=frozenset({PROGRESS})
        )
        try:
            server.initialize(workspace)
            server.open(path.as_uri(), text)
            server.send(
                {"jsonrpc": "2.0", "method": "textDocument/didSave",
                 "params": {"textDocument": {"uri": path.as_uri()}}}
            )  # fmt: skip
            if iteration == SERVER_KILLS - 1:  # once right after the solve is reported
                wait_for_progress(server, problem.id, timeout=30)
            else:
                time.sleep(rng.uniform(0.0, 0.5))
        finally:
            server.process.kill()
            server.process.wait()
            server.stderr.close()
        reported |= {m["params"]["exercise"] for m in server.kept}
        exercises = progress_of(workspace)
        solved = {k for k, v in exercises.items() if v.get("solved_at")}
        assert reported <= solved, f"reported solved, missing: {reported - solved}"
        assert solved_before <= solved, f"lost: {solved_before - solved}"
        assert not list((workspace / ".codegym").glob("progress.corrupt-*"))
        solved_before = solved
    assert problem.id in reported, "the last save was not recorded at all"
    print(f"\n{SERVER_KILLS} servers killed; solves reported {sorted(reported)}, "
          f"in the file {sorted(solved_before)}")  # fmt: skip


PROGRESS = "codegym/progressChanged"


def wait_for_progress(server: RawServer, exercise: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not any(m["params"]["exercise"] == exercise for m in server.kept):
        assert time.monotonic() < deadline, "no progressChanged"
        assert server.process.poll() is None, "the server exited"
        time.sleep(0.01)
