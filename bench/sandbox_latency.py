#!/usr/bin/env python3
"""Sandbox-run latency of one Python exercise: warm containers vs `docker run` per request vs local.

    .venv/bin/python bench/sandbox_latency.py [--runs 40] [--write docs/performance.md]

All three use the same image, harness, limits, job and judging. The baseline does what the
original system did for every request: create and start a container with the harness as its
command, attach, send the job, wait, remove (`docker run -i --rm`). The pooled backends take a
container whose supervisor is already started and attached and send the job; with
`runs_per_container: 1` the container is removed in the background after the run, with the
default it serves the next runs too (each as a uid of its own). Runs alternate between backends
so that machine noise falls on all of them alike.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from codegym.checker import build_request  # noqa: E402
from codegym.config import DockerSettings, SandboxLimits  # noqa: E402
from codegym.content import load_content  # noqa: E402
from codegym.grading import grade  # noqa: E402
from codegym.logging_setup import configure_logging  # noqa: E402
from codegym.sandbox import LocalSandbox, RunReport, RunRequest  # noqa: E402
from codegym.sandbox.docker_backend import AttachSource, DockerSandbox, harness_command  # noqa: E402
from codegym.sandbox.ending import ExitFacts  # noqa: E402
from codegym.sandbox.reading import read_run  # noqa: E402
from report import machine, percentile, write_block  # noqa: E402

EXERCISE = "py-sum-evens"


class DockerRunPerRequest:
    """The baseline: a new container per request, created, run and removed on the hot path."""

    name = "docker run"

    def __init__(self, pooled: DockerSandbox) -> None:
        self._pooled = pooled
        self._api = pooled.client.api

    def run(self, request: RunRequest, cancel: threading.Event | None = None) -> RunReport:
        started = time.perf_counter()
        spec = dataclasses.replace(
            self._pooled._container_spec(request.language, request.limits), runs=1
        )
        config = self._pooled._run_options(spec)
        container = self._api.create_container(
            spec.image,
            harness_command(spec),
            stdin_open=True,
            user=spec.user,
            working_dir="/tmp",
            network_disabled=True,
            host_config=self._api.create_host_config(**config),
        )["Id"]
        try:
            attached = self._api.attach_socket(
                container, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            )
            raw = getattr(attached, "_sock", attached)
            self._api.start(container)
            raw.sendall(json.dumps(request.job()).encode())
            raw.shutdown(socket.SHUT_WR)
            reading = read_run(AttachSource(raw), request, started + request.limits.wall_s, cancel)
            raw.close()
            exit_code = self._api.wait(container)["StatusCode"]
        finally:
            self._api.remove_container(container, force=True)
        return reading.report(
            ExitFacts(code=exit_code), "docker run", (time.perf_counter() - started) * 1000
        )

    def close(self) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="runs per backend")
    parser.add_argument("--pause", type=float, default=0.15, help="seconds between rounds")
    parser.add_argument("--write", type=Path, help="update this Markdown file's table")
    args = parser.parse_args()
    configure_logging("WARNING")

    problem = load_content(ROOT / "content").get(EXERCISE)
    limits = SandboxLimits()
    pooled = DockerSandbox(DockerSettings(pool_size=2))
    fresh = DockerSandbox(DockerSettings(pool_size=2, runs_per_container=1))
    pooled.warm("python", limits)
    fresh.warm("python", limits)
    backends = {
        "Docker, warm container serving many runs": pooled,
        "Docker, warm pool of fresh containers (`runs_per_container: 1`)": fresh,
        "docker run per request": DockerRunPerRequest(pooled),
        "local": LocalSandbox(),
    }
    samples: dict[str, list[float]] = {name: [] for name in backends}
    time.sleep(2)  # let the pool fill
    try:
        for round_number in range(args.runs + 3):
            for name, backend in backends.items():
                request = build_request(problem, problem.body.solution, limits)
                began = time.perf_counter()
                report = backend.run(request)
                verdict = grade(problem, report)
                elapsed = (time.perf_counter() - began) * 1000
                if verdict.status != "pass":
                    raise SystemExit(f"{name}: the reference solution did not pass: {verdict}")
                if round_number >= 3:  # warm-up rounds are not counted
                    samples[name].append(elapsed)
            time.sleep(args.pause)  # a learner does not save continuously; the pool refills
    finally:
        pooled.close()
        fresh.close()

    baseline = statistics.median(samples["docker run per request"])
    rows = []
    for name, values in samples.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        rows.append(f"| {name} | {p50:.0f} | {p95:.0f} | {baseline / p50:.1f}× |")
    table = "\n".join(
        [
            f"Sandbox run of `{EXERCISE}` (reference solution, {len(problem.body.tests)} tests), "
            f"{args.runs} runs per backend, interleaved; {machine()}.",
            "",
            "| backend | p50 ms | p95 ms | speed-up vs `docker run` (p50) |",
            "|---|---|---|---|",
            *rows,
        ]
    )
    print(table)
    if args.write:
        write_block(args.write, "sandbox_latency", "Sandbox run latency", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
