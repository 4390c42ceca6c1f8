"""The local backend: the harness in a subprocess on this machine, for when no Docker engine is
reachable.

What it enforces: its own session and process group (killed as a whole at the wall limit); rlimits
on CPU seconds, processes, file size, open files and core dumps (the Python harness adds address
space); a scrubbed environment; a fresh temporary directory as the only writable place it is told
about; when run as root, the learner's code runs as an unprivileged user so that the process limit
applies; where bubblewrap works, a private network, PID namespace, read-only root and private /tmp.
What it does not: cgroup memory accounting for children, or protection from a kernel exploit. The
operator guide says so; Docker is the backend for untrusted classrooms.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import structlog

from ..config import LocalSettings, SandboxLimits
from .events import EventStream
from .harness_files import harness_path
from .types import Language, RunCancelled, RunReport, RunRequest, SandboxError, StopReason

log = structlog.get_logger(__name__)

RUN_UID_BASE = 62000
RUN_UID_SLOTS = 512
"""As root, each concurrent run gets its own unprivileged uid from this range (no passwd entry
needed): the process limit (RLIMIT_NPROC counts every process and thread of a uid) then applies
per run, and runs cannot signal or read each other."""
_SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
_STDERR_CAP = 64 * 1024
_INSIDE_HARNESS_DIR = "/tmp/.codegym"
_INSIDE_WORK_DIR = "/tmp/work"


@dataclass(frozen=True)
class _LaunchPlan:
    interpreter: str
    drop_to: int | None
    bwrap: str | None
    harness: Path


class LocalSandbox:
    name = "local"

    def __init__(self, settings: LocalSettings | None = None) -> None:
        self._settings = settings or LocalSettings()
        self._plans: dict[Language, _LaunchPlan] = {}
        self._plan_lock = threading.Lock()
        self._free_uids = list(range(RUN_UID_BASE + RUN_UID_SLOTS - 1, RUN_UID_BASE - 1, -1))
        self._uid_lock = threading.Lock()

    def _take_uid(self) -> int:
        with self._uid_lock:
            if not self._free_uids:
                raise SandboxError(f"more than {RUN_UID_SLOTS} local runs at once")
            return self._free_uids.pop()

    def _give_back_uid(self, uid: int) -> None:
        with self._uid_lock:
            self._free_uids.append(uid)

    # ------------------------------------------------------------------ launch planning

    def _plan(self, language: Language) -> _LaunchPlan:
        with self._plan_lock:
            if language not in self._plans:
                self._plans[language] = self._make_plan(language)
                log.info("local sandbox ready", language=language, **vars(self._plans[language]))
            return self._plans[language]

    def _candidates(self, language: Language) -> list[str]:
        if language == "python":
            configured = self._settings.python
            found = [configured] if configured else [sys.executable, "/usr/bin/python3"]
            found.append(shutil.which("python3") or "")
        else:
            configured = self._settings.node
            found = [configured] if configured else []
            found += [shutil.which("node") or "", shutil.which("nodejs") or ""]
        unique: list[str] = []
        for path in found:
            if path and path not in unique and os.access(path, os.X_OK):
                unique.append(path)
        return unique

    def _make_plan(self, language: Language) -> _LaunchPlan:
        candidates = self._candidates(language)
        if not candidates:
            what = "python3" if language == "python" else "node (Node.js)"
            raise SandboxError(f"{what} was not found: install it or set the interpreter path")
        drop = RUN_UID_BASE if os.geteuid() == 0 else None
        bwrap = shutil.which("bwrap") if self._settings.isolate_network else None
        # Prefer full isolation, then degrade one protection at a time, loudly.
        options = list(dict.fromkeys([(bwrap, drop), (None, drop), (bwrap, None), (None, None)]))
        for use_bwrap, use_drop in options:
            for interpreter in candidates:
                if not _probe(interpreter, use_drop, use_bwrap):
                    continue
                if use_drop != drop:
                    log.warning(
                        "local sandbox runs learner code as root: no interpreter is usable "
                        "by an unprivileged user, so the process limit does not apply"
                    )
                if self._settings.isolate_network and use_bwrap is None:
                    log.warning("local sandbox has no network isolation (bwrap unusable)")
                return _LaunchPlan(
                    interpreter, use_drop, use_bwrap, _compiled_harness(language, interpreter)
                )
        raise SandboxError(f"no usable interpreter among {', '.join(candidates)}")

    # ------------------------------------------------------------------ running

    def run(self, request: RunRequest, cancel: threading.Event | None = None) -> RunReport:
        plan = self._plan(request.language)
        started = time.perf_counter()
        uid = self._take_uid() if plan.drop_to is not None else None
        root = Path(tempfile.mkdtemp(prefix="codegym-run-"))
        try:
            command, cwd = self._prepare(plan, request, root, uid)
            return self._execute(plan, request, command, cwd, started, cancel, uid)
        finally:
            shutil.rmtree(root, ignore_errors=True)
            if uid is not None:
                self._give_back_uid(uid)

    def _prepare(
        self, plan: _LaunchPlan, request: RunRequest, root: Path, uid: int | None
    ) -> tuple[list[str], Path]:
        harness_dir = root / "harness"
        work = root / "work"
        harness_dir.mkdir()
        work.mkdir()
        source = plan.harness
        shutil.copyfile(source, harness_dir / source.name)
        os.chmod(harness_dir, 0o755)
        os.chmod(harness_dir / source.name, 0o444)
        os.chmod(root, 0o755)
        if uid is not None:
            os.chown(work, uid, uid)
        os.chmod(work, 0o700)
        interpreter_args = _interpreter_args(request.language, request.limits)
        if plan.bwrap:
            inside = f"{_INSIDE_HARNESS_DIR}/{source.name}"
            command = [
                *_bwrap_prefix(plan.bwrap),
                "--ro-bind", str(harness_dir), _INSIDE_HARNESS_DIR,
                "--bind", str(work), _INSIDE_WORK_DIR,
                "--chdir", _INSIDE_WORK_DIR,
                "--setenv", "HOME", _INSIDE_WORK_DIR,
                "--setenv", "TMPDIR", _INSIDE_WORK_DIR,
                "--",
                plan.interpreter, *interpreter_args, inside,
            ]  # fmt: skip
        else:
            command = [plan.interpreter, *interpreter_args, str(harness_dir / source.name)]
        return command, work

    def _execute(
        self,
        plan: _LaunchPlan,
        request: RunRequest,
        command: list[str],
        cwd: Path,
        started: float,
        cancel: threading.Event | None,
        uid: int | None,
    ) -> RunReport:
        limits = request.limits
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=cwd,
                env=_scrubbed_env(cwd),
                start_new_session=True,
                preexec_fn=_child_setup(limits, uid),
            )
        except OSError as exc:
            raise SandboxError(f"cannot start {plan.interpreter}: {exc}") from exc

        job = json.dumps(request.job()).encode()
        writer = threading.Thread(target=_feed_stdin, args=(process, job), daemon=True)
        writer.start()
        stream = EventStream(request)
        stderr = bytearray()
        stopped: StopReason | None = None
        deadline = started + limits.wall_s
        assert process.stdout is not None and process.stderr is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            selector.register(process.stderr, selectors.EVENT_READ)
            open_streams = 2
            while open_streams:
                if cancel is not None and cancel.is_set():
                    _kill_group(process)
                    process.wait()
                    raise RunCancelled()
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    stopped = "wall_timeout"
                    break
                for key, _ in selector.select(timeout=min(remaining, 0.05)):
                    chunk = os.read(key.fd, 65536)
                    if not chunk:
                        selector.unregister(key.fileobj)
                        open_streams -= 1
                    elif key.fileobj is process.stdout:
                        stream.feed(chunk)
                    elif len(stderr) < _STDERR_CAP:
                        stderr += chunk
                if stream.overflowed:
                    stopped = "output_flood"
                    break
        _kill_group(process)
        exit_code = process.wait()
        writer.join(timeout=1)
        process.stdout.close()
        process.stderr.close()
        diagnostics = stderr.decode("utf-8", "replace")
        if stopped is None and not stream.done:
            stopped = _stop_reason(exit_code, diagnostics)
        return stream.finish(
            backend=self.name,
            duration_ms=(time.perf_counter() - started) * 1000,
            exit_code=exit_code,
            stopped=stopped,
            diagnostics=diagnostics,
        )

    def close(self) -> None:
        """Nothing persists between runs."""


# ---------------------------------------------------------------------- helpers


def _interpreter_args(language: Language, limits: SandboxLimits) -> list[str]:
    if language == "python":
        return ["-I", "-S"]
    return [f"--max-old-space-size={limits.memory_mb}", "--stack-size=984"]


def _bwrap_prefix(bwrap: str) -> list[str]:
    return [
        bwrap,
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", "/tmp",
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--die-with-parent",
        "--new-session",
    ]  # fmt: skip


def _scrubbed_env(cwd: Path) -> dict[str, str]:
    return {
        "PATH": _SAFE_PATH,
        "LANG": "C.UTF-8",
        "HOME": str(cwd),
        "TMPDIR": str(cwd),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
    }


def _child_setup(limits: SandboxLimits, drop_to: int | None):
    """Runs in the child between fork and exec: only async-signal-safe-ish system calls."""
    file_bytes = limits.file_mb * 1024 * 1024
    rlimits = [
        (resource.RLIMIT_CPU, limits.cpu_s + 1),
        (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_FSIZE, file_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ]

    def setup() -> None:
        for which, value in rlimits:
            try:
                resource.setrlimit(which, (value, value))
            except (ValueError, OSError):
                pass
        if drop_to is not None:
            os.setgroups([])
            os.setgid(drop_to)
            os.setuid(drop_to)

    return setup


def _feed_stdin(process: subprocess.Popen[bytes], job: bytes) -> None:
    assert process.stdin is not None
    try:
        process.stdin.write(job)
        process.stdin.close()
    except (BrokenPipeError, OSError):
        pass


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _compiled_harness(language: Language, interpreter: str) -> Path:
    """The Python harness compiled once per interpreter and harness version (Python does not
    cache bytecode for a script it runs, and compiling it costs ~15 ms a run); the source when
    compiling fails or for Node."""
    source = harness_path(language)
    if language != "python":
        return source
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "codegym"
    key = hashlib.sha256(source.read_bytes() + os.path.realpath(interpreter).encode())
    target = cache / f"harness-{key.hexdigest()[:16]}.pyc"
    if target.is_file():
        return target
    try:
        cache.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        subprocess.run(
            [interpreter, "-I", "-S", "-c",
             "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], "
             "doraise=True)", str(source), str(partial)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        os.replace(partial, target)
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("running the harness from source", reason=str(exc))
        return source
    return target


def _stop_reason(exit_code: int, stderr: str) -> StopReason | None:
    """Why a harness that did not finish died: V8's heap limit, or the CPU limit's signals."""
    if "heap out of memory" in stderr or "Allocation failed" in stderr:
        return "memory"
    if exit_code in (-signal.SIGXCPU, -signal.SIGKILL):
        return "wall_timeout"  # CPU seconds exhausted: to a learner, the code took too long
    return None


def _probe(interpreter: str, drop_to: int | None, bwrap: str | None) -> bool:
    """Can this interpreter start with this isolation? (Run once per language.)"""
    command = (
        [interpreter, "-e", "0"]
        if "node" in Path(interpreter).name
        else [interpreter, "-I", "-S", "-c", "pass"]
    )
    if bwrap:
        command = [*_bwrap_prefix(bwrap), "--", *command]
    try:
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=10,
            env=_scrubbed_env(Path("/")),
            cwd="/",
            start_new_session=True,
            preexec_fn=_child_setup(SandboxLimits(), drop_to),
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0
