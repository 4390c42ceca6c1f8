"""The host's side of a run without any sandbox: the event reader fed recorded byte streams
(through real pipes, as the local backend reads, and a real socket in Docker's stream framing)
and the one classifier of how a run ended, on a table of cases."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from codegym.config import SandboxLimits
from codegym.sandbox.docker_backend import AttachSource
from codegym.sandbox.ending import Ending, ExitFacts, SupervisorReport, classify
from codegym.sandbox.reading import STDERR_CAP, PipeSource, Reading, read_run
from codegym.sandbox.types import RunRequest, StopReason

NONCE = "0123456789abcdef"
FAR = 60.0
"""Seconds to a deadline no test reaches (a reader that missed its end fails by it instead)."""


def request(cases: int = 3) -> RunRequest:
    return RunRequest(
        language="python",
        mode="function",
        source="def f():\n    return 1\n",
        cases=tuple(
            {"id": f"t{n}", "kind": "call", "args": [], "kwargs": {}} for n in range(1, cases + 1)
        ),
        entry_point="f",
        limits=SandboxLimits(output_kb=1),
        nonce=NONCE,
    )


def frame(event: dict[str, Any], nonce: str = NONCE) -> bytes:
    return f"@@codegym {nonce} {json.dumps(event)}\n".encode()


LOAD = frame({"event": "load", "status": "ok"})


def case(case_id: str, value: Any = 1) -> bytes:
    return frame({"event": "case", "id": case_id, "status": "ok", "value": value, "cpu_ms": 1.5})


DONE = frame({"event": "done"})
COMPLETE = LOAD + case("t1") + case("t2", [2]) + case("t3", "three") + DONE


# ---------------------------------------------------------------- reading through pipes


def _write_all(fd: int, data: bytes, close: bool) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BrokenPipeError:  # the reader stopped (a cap, a deadline): as a sandbox sees it
        pass
    finally:
        if close:
            os.close(fd)


@contextmanager
def pipes(stdout: bytes, stderr: bytes = b"", close: bool = True) -> Iterator[PipeSource]:
    """A process's two output pipes carrying recorded bytes (closed after them, as a process
    that ends, unless `close` is False)."""
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    writers = [
        threading.Thread(target=_write_all, args=(out_write, stdout, close)),
        threading.Thread(target=_write_all, args=(err_write, stderr, close)),
    ]
    for writer in writers:
        writer.start()
    if not close:  # a little output, all of it in the pipes before the reader starts
        for writer in writers:
            writer.join()
    with (
        open(out_read, "rb", buffering=0) as out,
        open(err_read, "rb", buffering=0) as err,
        PipeSource(out, err) as source,
    ):
        yield source
    for writer in writers:
        writer.join()
    if not close:  # after the reader: what it read came before any end of output
        os.close(out_write)
        os.close(err_write)


def read(
    stdout: bytes,
    stderr: bytes = b"",
    cases: int = 3,
    deadline_s: float = FAR,
    cancel: threading.Event | None = None,
) -> Reading:
    with pipes(stdout, stderr) as source:
        return read_run(source, request(cases), time.perf_counter() + deadline_s, cancel)


def statuses(reading: Reading, exit_facts: ExitFacts | None = None) -> dict[str, str]:
    report = reading.report(exit_facts or ExitFacts(code=0), "test", 1.0)
    return {case_id: outcome.status for case_id, outcome in report.cases.items()}


def test_a_complete_stream_is_read_to_its_end() -> None:
    reading = read(b"noise before the frame\n" + COMPLETE, b"a warning\n")
    report = reading.report(ExitFacts(code=0), "test", 12.5)
    assert reading.stopped is None and not reading.unexplained
    assert report.load.status == "ok"
    assert [(c.id, c.status, c.value, c.cpu_ms) for c in report.cases.values()] == [
        ("t1", "ok", 1, 1.5),
        ("t2", "ok", [2], 1.5),
        ("t3", "ok", "three", 1.5),
    ]
    assert (report.stopped, report.tampered, report.exit_code) == (None, False, 0)
    assert report.diagnostics == "a warning\n"
    assert (report.backend, report.duration_ms) == ("test", 12.5)


def test_a_truncated_stream_leaves_the_rest_unreported() -> None:
    # The supervisor died in the middle of writing t2's event: no `done`.
    partial = LOAD + case("t1") + case("t2")[:25]
    reading = read(partial)
    assert reading.stopped is None and reading.unexplained
    assert statuses(reading, ExitFacts(code=-9, signal=signal.SIGKILL)) == {
        "t1": "ok",
        "t2": "no_report",
        "t3": "no_report",
    }


def test_no_load_event_is_a_missing_load() -> None:
    report = read(b"").report(ExitFacts(code=2), "test", 1.0)
    assert report.load.status == "missing"
    assert report.exit_code == 2
    assert {c.status for c in report.cases.values()} == {"no_report"}


def test_output_over_the_cap_stops_the_run_as_a_flood() -> None:
    limit = request().max_channel_bytes()
    flood = LOAD + case("t1") + b"x" * (limit + 1)
    reading = read(flood)
    assert reading.stopped == "output_flood"
    assert reading.events.overflowed
    # The host stopped the run in t2: that test flooded, the next did not run.
    assert statuses(reading) == {"t1": "ok", "t2": "output_limit", "t3": "no_report"}


def test_output_up_to_the_cap_is_read() -> None:
    stream = LOAD + case("t1") + case("t2") + case("t3") + DONE
    padding = request().max_channel_bytes() - len(stream)
    reading = read(LOAD + b"y" * (padding - 1) + b"\n" + stream[len(LOAD) :])
    assert reading.stopped is None
    assert statuses(reading) == {"t1": "ok", "t2": "ok", "t3": "ok"}


def test_events_with_another_nonce_are_ignored() -> None:
    # Learner output that guesses the frame but not the nonce reports nothing.
    forged = frame({"event": "case", "id": "t2", "status": "ok", "value": 99}, nonce="f" * 16)
    reading = read(LOAD + case("t1") + forged + DONE)
    report = reading.report(ExitFacts(code=0), "test", 1.0)
    assert not report.tampered
    assert report.cases["t2"].status == "no_report" and report.cases["t2"].value is None


@pytest.mark.parametrize(
    "garbage",
    [
        f"@@codegym {NONCE} not json\n".encode(),
        f"@@codegym {NONCE} [1, 2]\n".encode(),
        f"@@codegym {NONCE} \xff\xfe\n".encode("latin-1"),
        frame({"event": "case", "id": "t1", "status": "ok", "value": 2}),  # a second t1
        frame({"event": "case", "id": "t9", "status": "ok"}),  # not a test of the job
        frame({"event": "load", "status": "ok"}),  # a second load
        frame({"event": "surprise"}),
    ],
)
def test_a_garbled_forged_or_duplicate_event_marks_the_run_tampered(garbage: bytes) -> None:
    reading = read(LOAD + case("t1") + garbage + case("t2") + case("t3") + DONE)
    report = reading.report(ExitFacts(code=0), "test", 1.0)
    assert report.tampered
    assert report.cases["t1"].value == 1  # the first report of t1 stands


def test_unframed_garbage_is_ignored() -> None:
    garbage = b"\x00\xff binary\n@@codegym\n@@codegym \n" + NONCE.encode() + b" {}\n"
    reading = read(garbage + LOAD + garbage + case("t1") + case("t2") + case("t3") + DONE)
    report = reading.report(ExitFacts(code=0), "test", 1.0)
    assert not report.tampered
    assert statuses(reading) == {"t1": "ok", "t2": "ok", "t3": "ok"}


def test_stderr_is_kept_up_to_its_cap() -> None:
    noise = b"e" * (STDERR_CAP + 10_000)
    reading = read(COMPLETE, noise)
    assert reading.stderr == "e" * STDERR_CAP
    assert statuses(reading) == {"t1": "ok", "t2": "ok", "t3": "ok"}


def test_a_passed_deadline_is_a_wall_timeout_of_the_running_test() -> None:
    with pipes(LOAD + case("t1"), close=False) as source:
        reading = read_run(source, request(), time.perf_counter() - 1)
    assert reading.stopped == "wall_timeout"
    report = reading.report(ExitFacts(code=-9, signal=signal.SIGKILL), "test", 1.0)
    assert report.stopped == "wall_timeout"
    # Nothing was read before the deadline: the first test was the one running.
    assert {c: o.status for c, o in report.cases.items()} == {
        "t1": "timeout",
        "t2": "no_report",
        "t3": "no_report",
    }


def test_the_deadline_ends_a_run_whose_output_never_ends() -> None:
    with pipes(LOAD + case("t1"), close=False) as source:
        reading = read_run(source, request(), time.perf_counter() + 1.0)
    assert reading.stopped == "wall_timeout"
    assert statuses(reading) == {"t1": "ok", "t2": "timeout", "t3": "no_report"}


def test_a_cancel_stops_reading() -> None:
    cancel = threading.Event()
    cancel.set()
    assert read(COMPLETE, cancel=cancel).stopped == "cancelled"


def test_reading_until_done_stops_at_done_without_the_end_of_output() -> None:
    with pipes(COMPLETE, close=False) as source:
        reading = read_run(source, request(), time.perf_counter() + FAR, until_done=True)
    assert reading.stopped is None and reading.events.done
    assert statuses(reading) == {"t1": "ok", "t2": "ok", "t3": "ok"}


def test_the_supervisor_stopping_a_run_labels_only_the_tests_not_run() -> None:
    stopped = frame({"event": "done", "stopped": "wall_timeout", "exit_code": -24})
    reading = read(LOAD + case("t1") + stopped)
    report = reading.report(ExitFacts(code=0), "test", 1.0)
    assert report.stopped == "wall_timeout"
    assert {c: o.status for c, o in report.cases.items()} == {
        "t1": "ok",
        "t2": "no_report",
        "t3": "no_report",
    }


# ---------------------------------------------------------------- Docker's stream framing


def docker_frames(*chunks: tuple[int, bytes]) -> bytes:
    return b"".join(struct.pack(">BxxxI", kind, len(data)) + data for kind, data in chunks)


def test_docker_frames_are_split_into_stdout_events_and_stderr() -> None:
    stream = docker_frames((1, LOAD), (2, b"warn "), (1, case("t1") + case("t2")[:10]))
    stream += docker_frames((1, case("t2")[10:] + case("t3")), (2, b"again"), (1, DONE))
    host, container = socket.socketpair()
    with host, container:
        for index in range(0, len(stream), 7):  # frames cut anywhere, headers too
            container.sendall(stream[index : index + 7])
        container.shutdown(socket.SHUT_WR)
        reading = read_run(AttachSource(host), request(), time.perf_counter() + FAR)
    assert reading.stopped is None and reading.stderr == "warn again"
    assert statuses(reading) == {"t1": "ok", "t2": "ok", "t3": "ok"}


def test_events_split_at_every_byte_are_joined() -> None:
    # One byte per frame: the event reader gets every line in pieces, however reads fall.
    stream = docker_frames(*((1, COMPLETE[index : index + 1]) for index in range(len(COMPLETE))))
    host, container = socket.socketpair()
    with host, container:
        container.sendall(stream)
        container.shutdown(socket.SHUT_WR)
        reading = read_run(AttachSource(host), request(), time.perf_counter() + FAR)
    assert reading.events.done
    assert statuses(reading) == {"t1": "ok", "t2": "ok", "t3": "ok"}


def test_a_serving_container_keeps_what_follows_done_for_the_next_run() -> None:
    second = LOAD + case("t1", "second") + DONE
    host, container = socket.socketpair()
    with host, container:
        output = AttachSource(host)
        container.sendall(docker_frames((1, LOAD + case("t1", "first") + DONE)) + b"\x01\0")
        first = read_run(output, request(1), time.perf_counter() + FAR, until_done=True)
        container.sendall(docker_frames((1, second))[2:])
        then = read_run(output, request(1), time.perf_counter() + FAR, until_done=True)
    assert first.events.cases["t1"].value == "first"
    assert then.events.done and then.events.cases["t1"].value == "second"


def test_a_broken_channel_is_a_crash() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        container = socket.create_connection(server.getsockname())
        host, _ = server.accept()
        with host:
            container.sendall(docker_frames((1, LOAD)))
            # Close with a reset: the host's next read fails instead of seeing the end.
            container.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            container.close()
            reading = read_run(AttachSource(host), request(), time.perf_counter() + FAR)
    assert reading.stopped == "crashed"
    assert "output channel failed" in reading.stderr
    report = reading.report(ExitFacts(), "test", 1.0)
    assert report.stopped == "crashed"
    assert {c.status for c in report.cases.values()} == {"no_report"}


# ---------------------------------------------------------------- how a run ended

SAID_NOTHING = SupervisorReport()
DONE_OK = SupervisorReport(done=True)
KILLED = ExitFacts(code=-signal.SIGKILL, signal=signal.SIGKILL)
CLASSIFIED: list[tuple[str, StopReason | None, SupervisorReport, ExitFacts, str, Ending]] = [
    # (what happened, host stop, the supervisor's report, exit facts, stderr, the ending)
    ("normal exit", None, DONE_OK, ExitFacts(code=0), "", Ending(None, False, 0, False)),
    (
        "done trumps a memory word in the log",
        None,
        DONE_OK,
        ExitFacts(code=0),
        "MemoryError in test 2",
        Ending(None, False, 0, False),
    ),
    (
        "the supervisor's own classification is kept",
        None,
        SupervisorReport(done=True, stopped="memory", exit_code=-9),
        ExitFacts(),
        "",
        Ending("memory", False, -9, False),
    ),
    (
        "the backend's exit code wins over the worker's",
        None,
        SupervisorReport(done=True, stopped="output_flood", exit_code=-9),
        ExitFacts(code=0),
        "",
        Ending("output_flood", False, 0, False),
    ),
    (
        "tampering reported by the stream",
        None,
        SupervisorReport(done=True, tampered=True),
        ExitFacts(code=0),
        "",
        Ending(None, False, 0, True),
    ),
    (
        "the host's deadline",
        "wall_timeout",
        SAID_NOTHING,
        KILLED,
        "heap out of memory",
        Ending("wall_timeout", True, -9, False),
    ),
    (
        "the host's output cap",
        "output_flood",
        SAID_NOTHING,
        ExitFacts(),
        "",
        Ending("output_flood", True, None, False),
    ),
    (
        "a broken channel",
        "crashed",
        SAID_NOTHING,
        ExitFacts(),
        "",
        Ending("crashed", True, None, False),
    ),
    (
        "a host stop after done wins",
        "wall_timeout",
        SupervisorReport(done=True, stopped="memory"),
        ExitFacts(),
        "",
        Ending("wall_timeout", True, None, False),
    ),
    (
        "Docker's OOM flag",
        None,
        SAID_NOTHING,
        ExitFacts(code=137, signal=signal.SIGKILL, oom_killed=True),
        "",
        Ending("memory", True, 137, False),
    ),
    (
        "V8's heap limit",
        None,
        SAID_NOTHING,
        ExitFacts(code=1),
        "FATAL ERROR: Reached heap limit JavaScript heap out of memory",
        Ending("memory", True, 1, False),
    ),
    (
        "the allocator under Node",
        None,
        SAID_NOTHING,
        ExitFacts(code=1),
        "FATAL ERROR: Allocation failed - process out of memory",
        Ending("memory", True, 1, False),
    ),
    (
        "Python's MemoryError",
        None,
        SAID_NOTHING,
        ExitFacts(code=1),
        "Traceback (most recent call last):\nMemoryError",
        Ending("memory", True, 1, False),
    ),
    (
        "the supervisor's own CPU limit (locally)",
        None,
        SAID_NOTHING,
        ExitFacts(code=-signal.SIGXCPU, signal=signal.SIGXCPU),
        "",
        Ending("wall_timeout", True, -signal.SIGXCPU, False),
    ),
    (
        "the supervisor's own CPU limit (Docker)",
        None,
        SAID_NOTHING,
        ExitFacts(code=128 + signal.SIGXCPU, signal=signal.SIGXCPU),
        "",
        Ending("wall_timeout", True, 128 + signal.SIGXCPU, False),
    ),
    (
        "killed by the run: no reason, no timeout",
        None,
        SAID_NOTHING,
        KILLED,
        "",
        Ending(None, False, -9, False),
    ),
    (
        "ended without done: a crash with no known reason",
        None,
        SAID_NOTHING,
        ExitFacts(code=2),
        "codegym supervisor: bad job",
        Ending(None, False, 2, False),
    ),
    (
        "the exit code of a supervisor that says done and a stop",
        None,
        SupervisorReport(done=True, stopped="crashed", exit_code=3),
        ExitFacts(),
        "",
        Ending("crashed", False, 3, False),
    ),
]


@pytest.mark.parametrize(
    ("host_stop", "supervisor", "exit_facts", "stderr", "ending"),
    [pytest.param(*row[1:], id=row[0]) for row in CLASSIFIED],
)
def test_how_a_run_ended(
    host_stop: StopReason | None,
    supervisor: SupervisorReport,
    exit_facts: ExitFacts,
    stderr: str,
    ending: Ending,
) -> None:
    assert classify(host_stop, supervisor, exit_facts, stderr) == ending
