"""Docker-only guarantees: warm containers serve runs each as a uid of its own and are replaced
after any anomaly, a fresh container per run when configured so, orphans reclaimed, nothing left
behind. (What a run cannot pass to a later one: tests/hostile/test_cross_run.py.)"""

from __future__ import annotations

import os
import time

import pytest

from codegym.config import DockerSettings, SandboxLimits
from codegym.sandbox import RunRequest
from codegym.sandbox.docker_backend import (
    LABEL,
    LABEL_HOST,
    LABEL_INSTANCE,
    LABEL_PID,
    LABEL_UID,
    LABEL_UIDS,
    DockerSandbox,
    may_serve_again,
)
from codegym.sandbox.types import CaseOutcome, ErrorInfo, LoadOutcome, RunReport

pytestmark = pytest.mark.docker


def request(source: str, limits: SandboxLimits | None = None) -> RunRequest:
    return RunRequest(
        language="python",
        mode="function",
        source=source,
        entry_point="f",
        cases=({"id": "t1", "kind": "call", "args": [], "kwargs": {}},),
        limits=limits or SandboxLimits(wall_s=5),
    )


IDENTITY = """import os, socket
def f():
    status = open('/proc/self/status').read()
    caps = {line.split()[0]: line.split()[1] for line in status.splitlines()
            if line.startswith('Cap') and not line.startswith('CapBnd')}
    return [socket.gethostname(), os.getuid(), os.getgid(), os.getgroups(), os.getcwd(),
            os.environ.get('HOME'), sorted(os.listdir('/tmp')), caps]
"""


@pytest.fixture
def own_sandbox(docker_sandbox: DockerSandbox):  # type: ignore[no-untyped-def]
    """A Docker sandbox with the given settings, closed after the test."""
    made: list[DockerSandbox] = []

    def make(**settings: int) -> DockerSandbox:
        sandbox = DockerSandbox(DockerSettings(**settings))
        made.append(sandbox)
        return sandbox

    yield make
    for sandbox in made:
        sandbox.close()


def containers_of(sandbox: DockerSandbox, instance: str) -> list[object]:
    return sandbox.client.containers.list(
        all=True, filters={"label": [f"{LABEL}=1", f"{LABEL_INSTANCE}={instance}"]}
    )


def test_a_warm_container_serves_its_runs_each_as_a_uid_of_its_own(own_sandbox) -> None:  # type: ignore[no-untyped-def]
    sandbox = own_sandbox(pool_size=1, runs_per_container=3)
    seen = [sandbox.run(request(IDENTITY)).cases["t1"].value for _ in range(4)]
    hosts = [host for host, *_ in seen]
    assert hosts[0] == hosts[1] == hosts[2] != hosts[3], "3 runs per container, then a new one"
    uids = [uid for _, uid, *_ in seen]
    assert len(set(uids)) == 4 and 0 not in uids
    for _host, uid, gid, groups, cwd, home, tmp, caps in seen:
        assert (gid, groups) == (uid, [])
        assert cwd == home == f"/tmp/run-{uid}"
        assert tmp == [f"run-{uid}"], "the earlier runs' scratch directories are gone"
        assert set(caps.values()) == {"0000000000000000"}, f"learner code has capabilities: {caps}"


def test_a_fresh_container_per_run_when_configured(own_sandbox) -> None:  # type: ignore[no-untyped-def]
    sandbox = own_sandbox(pool_size=1, runs_per_container=1)
    seen = [sandbox.run(request(IDENTITY)).cases["t1"].value for _ in range(3)]
    assert len({host for host, *_ in seen}) == 3
    for _host, uid, _gid, _groups, cwd, _home, _tmp, caps in seen:
        assert uid != 0 and cwd == "/tmp" and set(caps.values()) == {"0000000000000000"}


def test_a_timeout_replaces_the_container(own_sandbox) -> None:  # type: ignore[no-untyped-def]
    sandbox = own_sandbox(pool_size=1, runs_per_container=8)
    host = "import socket\ndef f():\n    return socket.gethostname()\n"
    first = sandbox.run(request(host)).cases["t1"].value
    assert sandbox.run(request(host)).cases["t1"].value == first
    loop = request(host.replace("    return", "    while True: pass\n    return"),
                   SandboxLimits(wall_s=2, test_cpu_s=0.3))  # fmt: skip
    assert sandbox.run(loop).cases["t1"].status == "timeout"
    assert sandbox.run(request(host)).cases["t1"].value != first


def test_uid_blocks_of_two_servers_never_overlap(own_sandbox) -> None:  # type: ignore[no-untyped-def]
    one, two = own_sandbox(pool_size=0), own_sandbox(pool_size=0)
    for sandbox in (one, two, one, two):
        assert sandbox.run(request("def f():\n    return 1\n")).cases["t1"].value == 1
    spec = one._container_spec("python", SandboxLimits())
    held = [one._start(spec), two._start(spec), one._start(spec)]
    try:
        ranges = []
        for warm in held:
            labels = one.client.api.inspect_container(warm.container_id)["Config"]["Labels"]
            first = int(labels[LABEL_UID])
            ranges.append(range(first, first + int(labels[LABEL_UIDS])))
        for index, block in enumerate(ranges):
            for other in ranges[index + 1 :]:
                assert not set(block) & set(other), (block, other)
    finally:
        for warm in held:
            one._dispose(warm)


def report(*cases: CaseOutcome, **fields: object) -> RunReport:
    values: dict[str, object] = {"clean": True, "run_uid": 10001} | fields
    return RunReport(
        backend="docker",
        load=LoadOutcome(status="ok"),
        cases={case.id: case for case in cases},
        duration_ms=1.0,
        **values,  # type: ignore[arg-type]
    )


def test_only_a_normal_clean_run_lets_its_container_serve_again() -> None:
    ok = CaseOutcome(id="a", status="ok")
    failed = CaseOutcome(id="b", status="error", error=ErrorInfo("ValueError", "x"))
    assert may_serve_again(report(ok, failed))
    assert not may_serve_again(report(ok, clean=False))
    assert not may_serve_again(report(ok, clean=None))
    assert not may_serve_again(report(ok, tampered=True))
    for stopped in ("wall_timeout", "output_flood", "memory", "crashed"):
        assert not may_serve_again(report(ok, stopped=stopped))
    for status in ("timeout", "output_limit", "no_report"):
        assert not may_serve_again(report(ok, CaseOutcome(id="c", status=status)))  # type: ignore[arg-type]
    memory = CaseOutcome(id="m", status="error", error=ErrorInfo("MemoryError", ""))
    assert not may_serve_again(report(memory))


def test_orphans_of_dead_servers_are_reclaimed(docker_sandbox: DockerSandbox) -> None:
    client = docker_sandbox.client
    image = docker_sandbox.image("python").reference
    orphan = client.containers.run(
        image, ["sleep", "infinity"], detach=True, network_mode="none",
        labels={LABEL: "1", LABEL_HOST: os.uname().nodename, LABEL_PID: "999999999"},
    )  # fmt: skip
    fresh = DockerSandbox(DockerSettings(pool_size=0))
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            if not client.containers.list(all=True, filters={"id": orphan.id}):
                break
            time.sleep(0.2)
        assert not client.containers.list(all=True, filters={"id": orphan.id})
    finally:
        fresh.close()


def test_close_leaves_no_containers(docker_sandbox: DockerSandbox) -> None:
    """(`docker_sandbox`: skips without an engine and images, fails so in CI.)"""
    sandbox = DockerSandbox(DockerSettings(pool_size=2))
    sandbox.warm("python")
    report = sandbox.run(request("def f():\n    return 1\n"))
    assert report.cases["t1"].value == 1
    assert containers_of(sandbox, sandbox.instance)  # the warm one that served the run, at least
    sandbox.close()
    client = DockerSandbox(DockerSettings(pool_size=0))
    try:
        assert containers_of(client, sandbox.instance) == []
    finally:
        client.close()


def test_cancel_kills_the_run(docker_sandbox: DockerSandbox) -> None:
    import threading

    from codegym.sandbox import RunCancelled

    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.perf_counter()
    with pytest.raises(RunCancelled):
        docker_sandbox.run(request("def f():\n    while True:\n        pass\n"), cancel)
    assert time.perf_counter() - started < 2
