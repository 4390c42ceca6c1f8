"""The Docker backend: locked-down containers from a warm pool, each serving many runs.

Each pooled container runs the supervisor as its main process, already started and blocked on
its standard input, with the host attached to it. A run writes the job (learner source and test
inputs) to that stdin and reads events from its stdout: no `docker exec` (~50 ms each), no
container start on the hot path, no bind mounts, no `put_archive`. A remote `DOCKER_HOST` works
the same as a local engine, and the host never reads a path inside the container.

A container serves up to `runs_per_container` runs (docs/sandbox.md: reuse), one job per line,
each run as a uid of its own from the container's block, in a fresh worker process and an empty
scratch directory; between runs the supervisor kills every process of the run's uid, removes its
files and checks that nothing is left. The host puts a container back in the pool only when the
run ended normally and the supervisor said `clean`; after any anomaly (a timeout, an output
flood, a memory kill, tampering, a leftover, a cancel) or its last run, it is removed. With
`runs_per_container: 1` every run gets a fresh container started as a non-root uid, as before.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import select
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import docker
import docker.errors
import structlog
from docker.types import LogConfig, Ulimit

from ..config import DockerSettings, SandboxLimits
from .ending import ExitFacts
from .images import ImageSpec, image_present, image_spec
from .pool import Disposer, WarmPool
from .reading import Chunk, read_run
from .types import (
    Language,
    QueueListener,
    RunCancelled,
    RunReport,
    RunRequest,
    SandboxError,
)

log = structlog.get_logger(__name__)

LABEL = "org.codegym.sandbox"
LABEL_HOST = "org.codegym.host"
LABEL_PID = "org.codegym.pid"
LABEL_INSTANCE = "org.codegym.instance"
LABEL_UID = "org.codegym.uid"
_ENVIRONMENT = {"HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
RUN_UIDS = 32000
"""Size of the uid range sandbox containers use, from `DockerSettings.user`'s uid on: a
container gets one uid (one run each) or a block of `runs_per_container` (serving)."""
LABEL_UIDS = "org.codegym.uids"
SERVING_CAPABILITIES = ["SETUID", "SETGID", "KILL"]
"""All a serving supervisor keeps (it starts as root): to drop each worker to its run's uid,
and to kill what the run started. Learner code runs with none."""
_LIVE_INSTANCES: set[str] = set()  # sandboxes open in this process: their containers are no orphans


@dataclass(frozen=True)
class ContainerSpec:
    """Everything fixed when a container is created: the pool key."""

    image: str
    language: Language
    memory_mb: int
    processes: int
    cpu_s: int
    file_mb: int
    open_files: int
    tmp_mb: int
    cpus: float
    user: str
    runs: int
    """Runs one container serves (1: a fresh container per run, started as `user`)."""

    @property
    def serving(self) -> bool:
        return self.runs > 1


SUPERVISOR_COMMAND = ["python3", "-I", "-S", "/opt/codegym/supervisor.pyc", "--cgroup", "--"]
"""The main process of every sandbox container: the supervisor, which measures each test's CPU
time from the container's cgroup (every process of the run is in it)."""


def harness_command(spec: ContainerSpec, first_uid: int | None = None) -> list[str]:
    """The main process of a sandbox container: the supervisor (serving the uid block from
    `first_uid` when the spec serves many runs), then its worker's command."""
    if spec.language == "python":
        worker = ["python3", "-I", "-S", "/opt/codegym/harness.pyc"]
    else:
        worker = ["node", f"--max-old-space-size={spec.memory_mb}", "/opt/codegym/harness.js"]
    supervisor = SUPERVISOR_COMMAND
    if first_uid is not None:
        supervisor = [*SUPERVISOR_COMMAND[:-1], "--uids", f"{first_uid}:{spec.runs}", "--"]
    return [*supervisor, *worker]


class AttachSource:
    """A container's standard output and standard error through the host's attach socket
    (a `reading.Source`), in Docker's stream framing: each frame an 8-byte header (the stream,
    1 for stdout and 2 for stderr, three zero bytes, the payload's size as a big-endian 32-bit
    number), then the payload. A partial frame waits for the rest: with a serving container,
    into the next run."""

    def __init__(self, raw: socket.socket) -> None:
        self.socket = raw
        self.pending = b""
        """Bytes of a frame not complete yet."""

    def read(self, timeout: float) -> list[Chunk] | None:
        readable, _, _ = select.select([self.socket], [], [], timeout)
        if not readable:
            return []
        data = self.socket.recv(65536)
        if not data:
            return None
        buffer = self.pending + data
        chunks: list[Chunk] = []
        while len(buffer) >= 8:
            kind, size = buffer[0], struct.unpack(">I", buffer[4:8])[0]
            if len(buffer) < 8 + size:
                break
            payload, buffer = buffer[8 : 8 + size], buffer[8 + size :]
            chunks.append(("stdout" if kind == 1 else "stderr", payload))
        self.pending = buffer
        return chunks


@dataclass
class _Warm:
    """A started container whose harness waits for its job, and the host's attached socket."""

    container_id: str
    socket: socket.socket
    attachment: Any  # docker-py's wrapper; kept so the socket is not closed under us
    serving: bool = False
    """Its supervisor reads one job per line and serves `runs_left` more runs."""
    runs_left: int = 1
    output: AttachSource = field(init=False)
    """Its output, read run after run."""

    def __post_init__(self) -> None:
        self.output = AttachSource(self.socket)


class DockerSandbox:
    name = "docker"

    def __init__(self, settings: DockerSettings | None = None) -> None:
        self._settings = settings or DockerSettings()
        try:
            if self._settings.host:
                self._client = docker.DockerClient(base_url=self._settings.host, timeout=30)
            else:
                self._client = docker.from_env(timeout=30)
            self._client.ping()
        except Exception as exc:
            raise SandboxError(f"no Docker engine reachable: {_short(exc)}") from exc
        self._images: dict[Language, ImageSpec] = {}
        self._pools: dict[ContainerSpec, WarmPool[_Warm]] = {}
        self._lock = threading.Lock()
        self._disposer = Disposer()
        self._closed = False
        self.instance = uuid.uuid4().hex[:12]
        # Each sandbox starts at a random place in the uid range, so that servers sharing an
        # engine rarely even try the same uids (and `_run_user` skips the ones in use).
        self._uid_blocks = itertools.count(secrets.randbelow(RUN_UIDS))
        _LIVE_INSTANCES.add(self.instance)
        self.reclaim_orphans()

    @property
    def client(self) -> docker.DockerClient:
        return self._client

    # ------------------------------------------------------------------ images and pools

    def image(self, language: Language) -> ImageSpec:
        with self._lock:
            if language not in self._images:
                spec = image_spec(language, self._settings)
                if not image_present(self._client, spec):
                    raise SandboxError(
                        f"sandbox image {spec.reference} is not built: run `codegym images build`"
                    )
                self._images[language] = spec
            return self._images[language]

    def engine_cpus(self) -> int:
        """The CPUs of the engine's machine (1 when the engine does not say)."""
        try:
            return max(1, int(self._client.info().get("NCPU") or 1))
        except (docker.errors.APIError, ValueError, TypeError) as exc:
            log.warning("the engine did not say how many CPUs it has", error=_short(exc))
            return 1

    def images_ready(self) -> bool:
        try:
            for language in ("python", "javascript"):
                self.image(language)
        except SandboxError:
            return False
        return True

    def warm(self, language: Language, limits: SandboxLimits | None = None) -> None:
        """Start the pool for a language and limits now (its containers start in the
        background), so that the first run is warm."""
        self._pool(self._container_spec(language, limits or SandboxLimits()))

    def _container_spec(self, language: Language, limits: SandboxLimits) -> ContainerSpec:
        return ContainerSpec(
            image=self.image(language).reference,
            language=language,
            memory_mb=limits.memory_mb,
            processes=limits.processes,
            cpu_s=limits.cpu_s,
            file_mb=limits.file_mb,
            open_files=limits.open_files,
            tmp_mb=limits.tmp_mb,
            cpus=self._settings.cpus,
            user=self._settings.user,
            runs=self._settings.runs_per_container,
        )

    def _pool(self, spec: ContainerSpec) -> WarmPool[_Warm]:
        with self._lock:
            if self._closed:
                raise SandboxError("the sandbox is closed")
            pool = self._pools.get(spec)
            if pool is None:
                name = f"{spec.language}-{len(self._pools)}"
                pool = WarmPool(
                    name,
                    self._settings.pool_size,
                    lambda: self._start(spec),
                    self._dispose,
                    self._disposer,
                    count_busy=spec.serving,
                )
                self._pools[spec] = pool
            return pool

    @staticmethod
    def _run_options(spec: ContainerSpec) -> dict[str, Any]:
        """The locked-down host configuration of every sandbox container."""
        memory = f"{spec.memory_mb}m"
        file_bytes = spec.file_mb * 1024 * 1024
        ulimits = [
            Ulimit(name="nofile", soft=spec.open_files, hard=spec.open_files),
            Ulimit(name="nproc", soft=spec.processes, hard=spec.processes),
            Ulimit(name="fsize", soft=file_bytes, hard=file_bytes),
            Ulimit(name="core", soft=0, hard=0),
        ]
        if not spec.serving:  # serving, each worker sets its run's CPU limit itself
            ulimits.append(Ulimit(name="cpu", soft=spec.cpu_s, hard=spec.cpu_s + 1))
        return {
            "network_mode": "none",
            "mem_limit": memory,
            "memswap_limit": memory,
            "pids_limit": spec.processes,
            "nano_cpus": int(spec.cpus * 1e9),
            "read_only": True,
            "tmpfs": {"/tmp": f"rw,nosuid,nodev,noexec,size={spec.tmp_mb}m,mode=1777"},
            "cap_drop": ["ALL"],
            "cap_add": SERVING_CAPABILITIES if spec.serving else [],
            "security_opt": ["no-new-privileges"],
            "ulimits": ulimits,
            "ipc_mode": "none",
            # Output reaches us over the attach socket only; an engine-side log of a
            # 100 MB flood would be disk written for nobody.
            "log_config": LogConfig(type=LogConfig.types.NONE),
        }

    def _run_uids(self, spec: ContainerSpec) -> tuple[int, int]:
        """The uids of a new container, (first, count): one uid (a fresh container per run)
        or a block of `spec.runs` (serving), rotating through `RUN_UIDS` from the configured
        uid, and none that a sandbox container of any server on this engine has now:
        RLIMIT_NPROC counts all processes and threads of a uid on the host, across
        containers, so a shared uid would let one run's processes starve another's."""
        base = int(spec.user.partition(":")[0])
        count = spec.runs
        blocks = max(1, RUN_UIDS // count)
        busy = self._uids_in_use()
        first = base
        for _ in range(blocks):
            first = base + (next(self._uid_blocks) % blocks) * count
            if not any(start < first + count and first < end for start, end in busy):
                break
        return first, count

    def _uids_in_use(self) -> list[tuple[int, int]]:
        """The uid ranges [start, end) of every sandbox container on the engine."""
        try:
            found = self._client.api.containers(filters={"label": LABEL_UID})
        except docker.errors.APIError as exc:
            log.warning("could not list the uids in use", error=_short(exc))
            return []
        ranges = []
        for container in found:
            labels = container.get("Labels") or {}
            first, count = labels.get(LABEL_UID, ""), labels.get(LABEL_UIDS, "1")
            if first.isdigit() and count.isdigit():
                ranges.append((int(first), int(first) + int(count)))
        return ranges

    def _start(self, spec: ContainerSpec) -> _Warm:
        """Create a container running the harness, attach to its stdio, start it."""
        api = self._client.api
        first, count = self._run_uids(spec)
        # Serving, the supervisor starts as root (with SERVING_CAPABILITIES only) and drops
        # each worker to its run's uid; otherwise the whole container runs as the one uid.
        user = "0:0" if spec.serving else f"{first}:{spec.user.partition(':')[2] or first}"
        try:
            container_id = api.create_container(
                spec.image,
                harness_command(spec, first if spec.serving else None),
                stdin_open=True,  # with stdin_once: closing our end is the harness's EOF
                user=user,
                working_dir="/tmp",
                environment=_ENVIRONMENT,
                network_disabled=True,
                labels={
                    LABEL: "1",
                    LABEL_HOST: socket.gethostname(),
                    LABEL_PID: str(os.getpid()),
                    LABEL_INSTANCE: self.instance,
                    LABEL_UID: str(first),
                    LABEL_UIDS: str(count),
                },
                stop_signal="SIGKILL",
                host_config=api.create_host_config(**self._run_options(spec)),
            )["Id"]
        except docker.errors.APIError as exc:
            raise SandboxError(f"cannot create a sandbox container: {_short(exc)}") from exc
        try:
            attachment = api.attach_socket(
                container_id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            )
            api.start(container_id)
        except docker.errors.APIError as exc:
            self._remove(container_id)
            raise SandboxError(f"cannot start a sandbox container: {_short(exc)}") from exc
        return _Warm(
            container_id,
            getattr(attachment, "_sock", attachment),
            attachment,
            serving=spec.serving,
            runs_left=count,
        )

    def _dispose(self, warm: _Warm) -> None:
        try:
            warm.socket.close()
        except OSError:
            pass
        self._remove(warm.container_id)

    def _remove(self, container_id: str) -> None:
        try:
            self._client.api.remove_container(container_id, force=True, v=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            if exc.status_code != 409 or "already in progress" not in str(exc):
                raise  # else another thread or server is removing it (a reclaimed orphan)

    def reclaim_orphans(self) -> int:
        """Remove sandbox containers left by a server on this host that is no longer running."""
        host = socket.gethostname()
        removed = 0
        try:
            # One list call (the engine's summaries, labels included): docker-py's
            # `containers.list` inspects each one, and fails as a whole when any of them is
            # removed meanwhile (as the containers of other servers are, all the time).
            found = self._client.api.containers(
                all=True, filters={"label": [f"{LABEL}=1", f"{LABEL_HOST}={host}"]}
            )
        except docker.errors.APIError as exc:
            log.warning("could not list sandbox containers", error=_short(exc))
            return 0
        for container in found:
            labels = container.get("Labels") or {}
            pid = labels.get(LABEL_PID, "")
            if pid == str(os.getpid()):
                if labels.get(LABEL_INSTANCE) in _LIVE_INSTANCES:
                    continue  # another sandbox of this very process
            elif pid.isdigit() and _alive(int(pid)):
                continue  # another server on this host, still running
            self._disposer.submit(lambda cid=container["Id"]: self._remove(cid))
            removed += 1
        if removed:
            log.info("reclaiming orphaned sandbox containers", count=removed)
        return removed

    # ------------------------------------------------------------------ running

    def run(
        self,
        request: RunRequest,
        cancel: threading.Event | None = None,
        listener: QueueListener | None = None,
    ) -> RunReport:
        if listener is not None:
            listener(None)  # no queue of its own: `admission.QueuedSandbox` adds one
        spec = self._container_spec(request.language, request.limits)
        pool = self._pool(spec)
        for attempt in (1, 2):
            warm = pool.acquire()
            reuse = False
            try:
                # The run starts when its container is ready: a cold start is latency, and
                # never counts against the run's time.
                report = self._run_in(warm, request, cancel, time.perf_counter())
                warm.runs_left -= 1
                reuse = spec.serving and warm.runs_left > 0 and may_serve_again(report)
                return report
            except _ContainerGone as exc:
                if attempt == 2:
                    raise SandboxError(f"sandbox container failed: {exc}") from exc
                log.warning("pooled container unusable, retrying", error=str(exc))
            finally:
                if reuse:
                    pool.release(warm)
                else:
                    pool.discard(warm)
        raise AssertionError("unreachable")

    def _run_in(
        self,
        warm: _Warm,
        request: RunRequest,
        cancel: threading.Event | None,
        started: float,
    ) -> RunReport:
        raw = warm.socket
        serving = warm.serving
        try:
            job = json.dumps(request.job()).encode()
            if serving:
                raw.sendall(job + b"\n")  # one job per line; the supervisor stays for the next
            else:
                raw.sendall(job)
                raw.shutdown(socket.SHUT_WR)
        except OSError as exc:
            raise _ContainerGone(f"cannot send the job: {exc}") from exc
        deadline = started + request.limits.run_backstop_s
        # Serving, the run ends with its `done` event: the supervisor then waits for its next job.
        reading = read_run(warm.output, request, deadline, cancel, until_done=serving)
        if reading.stopped is not None:
            # Hang up first: a container still writing to an attach socket nobody reads
            # blocks dockerd's stream copier, and with it the exit that `kill` waits for.
            _hang_up(raw)
            self._kill(warm.container_id)  # now, not when the disposer gets to it
        if reading.stopped == "cancelled":
            raise RunCancelled()
        # How the container ended is asked (a slow call) only when the events do not say.
        exit_facts = self._exit_facts(warm.container_id) if reading.unexplained else ExitFacts()
        return reading.report(
            exit_facts,
            backend=self.name,
            duration_ms=(time.perf_counter() - started) * 1000,
            sandbox_id=warm.container_id[:12],
        )

    def _exit_facts(self, container_id: str) -> ExitFacts:
        """How a container whose supervisor ended without finishing ended (slow path): its exit
        code (128 + N when signal N killed it) and the engine's OOM flag."""
        api = self._client.api
        try:
            api.wait(container_id, timeout=5)
            state = api.inspect_container(container_id).get("State", {})
        except Exception as exc:
            log.warning("cannot read the sandbox's exit state", error=_short(exc))
            return ExitFacts()
        code = state.get("ExitCode")
        killed_by = code - 128 if isinstance(code, int) and code > 128 else None
        return ExitFacts(code=code, signal=killed_by, oom_killed=bool(state.get("OOMKilled")))

    def _kill(self, container_id: str) -> None:
        try:
            self._client.api.kill(container_id)
        except docker.errors.APIError:
            pass
        except Exception as exc:  # an engine too slow to answer: the disposer forces removal
            log.warning("cannot kill a sandbox container", error=_short(exc))

    # ------------------------------------------------------------------ shutdown

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            pools = list(self._pools.values())
            _LIVE_INSTANCES.discard(self.instance)
        for pool in pools:
            pool.close()
        self._disposer.close()
        self._client.close()


class _ContainerGone(Exception):
    pass


_RECYCLED_CASES = frozenset({"timeout", "output_limit", "no_report"})


def may_serve_again(report: RunReport) -> bool:
    """Whether the container that produced `report` may serve another run: only after a run
    that ended normally, untampered, and that its supervisor checked left nothing behind. A
    timeout, an output flood or a memory kill recycles the container even when the
    supervisor recovered from it: nothing unusual is ever carried into the next run."""
    if report.stopped is not None or report.tampered or report.clean is not True:
        return False
    if report.load.status == "missing":
        return False
    for case in report.cases.values():
        if case.status in _RECYCLED_CASES:
            return False
        if case.error is not None and case.error.type in ("MemoryError", "RangeError"):
            return False
    return True


def _hang_up(raw: socket.socket) -> None:
    try:
        raw.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    raw.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _short(exc: BaseException) -> str:
    text = getattr(exc, "explanation", None) or str(exc)
    return str(text).splitlines()[0][:300] if text else type(exc).__name__
