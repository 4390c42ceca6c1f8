"""Docker-only guarantees: a fresh container per run, orphans reclaimed, nothing left behind."""

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
    DockerSandbox,
)

pytestmark = pytest.mark.docker


def request(source: str) -> RunRequest:
    return RunRequest(
        language="python",
        mode="function",
        source=source,
        entry_point="f",
        cases=({"id": "t1", "kind": "call", "args": [], "kwargs": {}},),
        limits=SandboxLimits(wall_s=5),
    )


def containers_of(sandbox: DockerSandbox, instance: str) -> list[object]:
    return sandbox.client.containers.list(
        all=True, filters={"label": [f"{LABEL}=1", f"{LABEL_INSTANCE}={instance}"]}
    )


def test_each_run_gets_a_fresh_container(docker_sandbox: DockerSandbox) -> None:
    source = "import socket\ndef f():\n    return socket.gethostname()\n"
    hosts = {docker_sandbox.run(request(source)).cases["t1"].value for _ in range(4)}
    assert len(hosts) == 4


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


def test_close_leaves_no_containers() -> None:
    sandbox = DockerSandbox(DockerSettings(pool_size=2))
    try:
        sandbox.image("python")
    except Exception as exc:  # images not built here
        sandbox.close()
        pytest.skip(str(exc))
    sandbox.warm("python")
    report = sandbox.run(request("def f():\n    return 1\n"))
    assert report.cases["t1"].value == 1
    time.sleep(1)  # let the pool fill
    assert containers_of(sandbox, sandbox.instance)
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
