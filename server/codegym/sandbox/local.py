"""The local backend: the harness in a subprocess on this machine, for when no Docker engine is
reachable.

What it enforces: its own session and process group (killed as a whole at the wall limit); rlimits
on CPU seconds, processes, file size, open files and core dumps (the Python harness adds address
space, Node gets a data-segment limit for memory outside its heap); a scrubbed environment; when
run as root, the learner's code runs as an unprivileged uid of its own, leased machine-wide so
that two servers on one host never share one (the process limit counts per uid), and any process
of that uid that escaped the process group is killed when the run ends. Where bubblewrap works:
private network, PID, IPC, UTS and user namespaces (no nested ones), the harness as the PID
namespace's init (its end ends every process of the run), and a file system of its own: only the
system directories (/usr, /etc, /lib ...) and the interpreter, read-only, never /home, /root, /var
or the package with the bundled content; a size-limited /tmp as the only writable place.
What it does not: cgroup memory accounting for children, or protection from a kernel exploit. The
operator guide says so; Docker is the backend for untrusted classrooms.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import structlog

try:
    import fcntl
except ImportError:  # not POSIX: no uid leases (and no dropped uids either)
    fcntl = None  # type: ignore[assignment]

from ..config import LocalSettings, SandboxLimits
from .ending import ExitFacts
from .harness_files import SUPERVISOR, harness_path
from .reading import PipeSource, read_run
from .types import (
    Isolation,
    Language,
    QueueListener,
    RunCancelled,
    RunReport,
    RunRequest,
    SandboxError,
)

log = structlog.get_logger(__name__)

RUN_UID_BASE = 62000
RUN_UID_SLOTS = 512
"""As root, each concurrent run gets its own unprivileged uid from this range (no passwd entry
needed): the process limit (RLIMIT_NPROC counts every process and thread of a uid) then applies
per run, and runs cannot signal or read each other. A uid is leased with a lock file, so that
several servers (or `codegym validate` next to a server) on one machine never share one."""
UID_LEASE_DIRS = ("/run/codegym", os.path.join(tempfile.gettempdir(), "codegym-uids"))
"""Where the uid lease files live (the first usable one; root's own directory, mode 0700)."""
_SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
_INSIDE_HARNESS_DIR = "/tmp/.codegym"
_INSIDE_WORK_DIR = "/tmp/work"
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
"""What a bubblewrap sandbox sees of the host, read-only (plus the interpreter's own prefix)."""
_PACKAGE_DIR = Path(__file__).resolve().parents[1]
"""This package, bundled content (hidden expected values) included: hidden inside the sandbox
when it lies under a directory the sandbox sees (an installed package under /usr)."""
_NODE_DATA_SLACK_MB = 192
"""Node's data segment beyond the learner's heap: the runtime itself (~60 MB), the young
generation, code space and the room to report an out-of-memory error."""
_EXIT_GRACE_S = 0.5
"""After its streams close, how long the harness (and bwrap) may take to exit before it is
killed: waiting lets bwrap reap its child instead of leaving a zombie to the host's init."""


@dataclass(frozen=True)
class _LaunchPlan:
    interpreter: str
    drop_to: int | None
    bwrap: tuple[str, ...] | None
    """The bubblewrap command up to the per-run arguments, or None (no isolation)."""
    harness: Path
    python: str
    """The interpreter of the supervisor (the trusted half of the harness, in Python for every
    language): the exercise's interpreter for Python, this server's for JavaScript."""
    supervisor: Path

    @property
    def isolation(self) -> Isolation:
        if self.bwrap is not None:
            return "namespaces"
        return "own_uid" if self.drop_to is not None else "none"


class LocalSandbox:
    name = "local"

    def __init__(self, settings: LocalSettings | None = None) -> None:
        self._settings = settings or LocalSettings()
        self._plans: dict[Language, _LaunchPlan] = {}
        self._plan_lock = threading.Lock()
        self._free_uids = list(range(RUN_UID_BASE + RUN_UID_SLOTS - 1, RUN_UID_BASE - 1, -1))
        self._uid_lock = threading.Lock()
        self._leases: dict[int, int] = {}  # uid -> the locked lease file's descriptor
        self._lease_dir: str | None = None
        self._lease_dir_chosen = False

    def _take_uid(self) -> int:
        """A free run uid, leased machine-wide when a lease directory is usable."""
        with self._uid_lock:
            for index in range(len(self._free_uids) - 1, -1, -1):
                uid = self._free_uids[index]
                lease = self._lease(uid)
                if lease is None:
                    continue  # another process on this machine runs as this uid now
                del self._free_uids[index]
                if lease >= 0:
                    self._leases[uid] = lease
                return uid
            raise SandboxError(f"more than {RUN_UID_SLOTS} local runs at once")

    def _give_back_uid(self, uid: int, sweep: bool) -> None:
        busy = False
        if sweep:
            _kill_all_of(uid)
            # Killed processes count against the uid's process limit until their new parent
            # (the host's init, or nobody when the server is PID 1 of a container) reaps them.
            busy = _has_processes(uid)
            # What the run wrote outside its scratch directory, where its uid could write.
            _remove_files_of(uid)
            _remove_ipc_of(uid)
        with self._uid_lock:
            lease = self._leases.pop(uid, None)
            if lease is not None:
                os.close(lease)  # releases the lock
            if busy:
                self._free_uids.insert(0, uid)  # the last one to be used again
            else:
                self._free_uids.append(uid)

    def _lease(self, uid: int) -> int | None:
        """A locked lease file for `uid` (-1 when no lease directory is usable), or None when
        another process holds it."""
        if fcntl is None:
            return -1
        if not self._lease_dir_chosen:
            self._lease_dir, self._lease_dir_chosen = _lease_directory(), True
        if self._lease_dir is None:
            return -1
        path = os.path.join(self._lease_dir, f"uid-{uid}.lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            log.warning("cannot lease a sandbox uid", file=path, error=str(exc))
            return -1
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        return fd

    # ------------------------------------------------------------------ launch planning

    def _plan(self, language: Language) -> _LaunchPlan:
        with self._plan_lock:
            if language not in self._plans:
                self._plans[language] = self._make_plan(language)
                plan = self._plans[language]
                log.info(
                    "local sandbox ready",
                    language=language,
                    interpreter=plan.interpreter,
                    run_as=plan.drop_to,
                    bwrap=" ".join(plan.bwrap) if plan.bwrap else None,
                )
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
        pythons = self._candidates("python")
        if not pythons:
            raise SandboxError("python3 was not found: the sandbox's supervisor needs it")
        drop = RUN_UID_BASE if os.geteuid() == 0 else None
        bwrap = shutil.which("bwrap") if self._settings.isolate_network else None
        # Prefer full isolation, then degrade one protection at a time, loudly.
        # bwrap levels: True = strict (bubblewrap 0.8+), False = basic, None = no bwrap.
        levels: list[bool | None] = [True, False] if bwrap else []
        options: list[tuple[bool | None, int | None]] = []
        for use in dict.fromkeys([drop, None]):
            options += [(level, use) for level in [*levels, None]]
        for level, use_drop in options:
            for interpreter in candidates:
                python = interpreter if language == "python" else pythons[0]
                prefix = None
                if level is not None and bwrap is not None:
                    prefix = _bwrap_prefix(bwrap, [interpreter, python], strict=level)
                if not _probe(interpreter, use_drop, prefix):
                    continue
                if python != interpreter and not _probe(python, use_drop, prefix):
                    continue
                if use_drop != drop:
                    log.warning(
                        "local sandbox runs learner code as root: no interpreter is usable "
                        "by an unprivileged user, so the process limit does not apply",
                        fix="Install python3 and node where every user can run them "
                        "(apt install python3 nodejs), or use Docker.",
                    )
                if self._settings.isolate_network and prefix is None:
                    log.warning(
                        "local sandbox has no network isolation (bwrap unusable)",
                        fix="To isolate local runs, install bubblewrap (apt install bubblewrap) "
                        "and allow unprivileged user namespaces, or use Docker.",
                    )
                elif level is False:
                    log.warning(
                        "local sandbox: bwrap lacks --size or --disable-userns here, so /tmp "
                        "has no size limit and nested namespaces are allowed",
                        fix="Install bubblewrap 0.8 or newer, or use Docker.",
                    )
                return _LaunchPlan(
                    interpreter,
                    use_drop,
                    prefix,
                    _compiled_harness(harness_path(language), interpreter),
                    python,
                    _compiled_harness(SUPERVISOR, python),
                )
        raise SandboxError(f"no usable interpreter among {', '.join(candidates)}")

    # ------------------------------------------------------------------ running

    def run(
        self,
        request: RunRequest,
        cancel: threading.Event | None = None,
        listener: QueueListener | None = None,
    ) -> RunReport:
        if listener is not None:
            listener(None)  # no queue of its own: `admission.QueuedSandbox` adds one
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
                # Without bwrap's PID namespace, processes that left the group may survive.
                self._give_back_uid(uid, sweep=plan.bwrap is None)

    def _prepare(
        self, plan: _LaunchPlan, request: RunRequest, root: Path, uid: int | None
    ) -> tuple[list[str], Path]:
        harness_dir = root / "harness"
        harness_dir.mkdir()
        source, supervisor = plan.harness, plan.supervisor
        for program in (source, supervisor):
            shutil.copyfile(program, harness_dir / program.name)
            os.chmod(harness_dir / program.name, 0o444)
        os.chmod(harness_dir, 0o755)
        os.chmod(root, 0o755)
        interpreter_args = _interpreter_args(request.language, request.limits)
        if plan.bwrap:
            # The scratch directory lives in the sandbox's own size-limited /tmp: nothing the
            # learner writes reaches the host's disk.
            inside = f"{_INSIDE_HARNESS_DIR}/{source.name}"
            inside_supervisor = f"{_INSIDE_HARNESS_DIR}/{supervisor.name}"
            command = [
                *plan.bwrap,
                *_tmp_size(plan.bwrap, request.limits),
                "--tmpfs", "/tmp",
                "--ro-bind", str(harness_dir), _INSIDE_HARNESS_DIR,
                "--dir", _INSIDE_WORK_DIR,
                "--chdir", _INSIDE_WORK_DIR,
                "--setenv", "HOME", _INSIDE_WORK_DIR,
                "--setenv", "TMPDIR", _INSIDE_WORK_DIR,
                "--remount-ro", "/dev",
                "--remount-ro", "/",
                "--",
                os.path.realpath(plan.python), "-I", "-S", inside_supervisor, "--",
                os.path.realpath(plan.interpreter), *interpreter_args, inside,
            ]  # fmt: skip
            return command, root
        work = root / "work"
        work.mkdir()
        if uid is not None:
            os.chown(work, uid, uid)
        os.chmod(work, 0o700)
        command = [
            plan.python, "-I", "-S", str(harness_dir / supervisor.name), "--",
            plan.interpreter, *interpreter_args, str(harness_dir / source.name),
        ]  # fmt: skip
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
                preexec_fn=_child_setup(limits, uid, request.language),
            )
        except OSError as exc:
            raise SandboxError(f"cannot start {plan.interpreter}: {exc}") from exc

        job = json.dumps(request.job()).encode()
        writer = threading.Thread(target=_feed_stdin, args=(process, job), daemon=True)
        writer.start()
        deadline = started + limits.run_backstop_s
        assert process.stdout is not None and process.stderr is not None
        with PipeSource(process.stdout, process.stderr) as source:
            reading = read_run(source, request, deadline, cancel)
        if reading.stopped is None:  # the harness closed its streams: let it (and bwrap) exit
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.0, min(_EXIT_GRACE_S, deadline - time.perf_counter())))
        exit_code = _end(process, plan.bwrap is not None)
        writer.join(timeout=1)
        process.stdout.close()
        process.stderr.close()
        if reading.stopped == "cancelled":
            raise RunCancelled()
        return reading.report(
            ExitFacts(code=exit_code, signal=-exit_code if exit_code < 0 else None),
            backend=self.name,
            duration_ms=(time.perf_counter() - started) * 1000,
            isolation=plan.isolation,
        )

    def warm(self, language: Language, limits: SandboxLimits) -> None:
        """Nothing to start: every run is a fresh process."""

    def close(self) -> None:
        """Nothing persists between runs."""


# ---------------------------------------------------------------------- helpers


def _interpreter_args(language: Language, limits: SandboxLimits) -> list[str]:
    if language == "python":
        return ["-I", "-S"]
    return [f"--max-old-space-size={limits.memory_mb}", "--stack-size=984"]


def _bwrap_prefix(bwrap: str, interpreters: list[str], strict: bool) -> tuple[str, ...]:
    """bwrap and its isolation flags, up to the per-run arguments (/tmp and the harness).

    The sandbox sees the system directories and the interpreter's own files, read-only, never
    the whole host (homes, /root, /var, /work, the content). The harness is the PID namespace's
    init (`--as-pid-1`): when it ends, every process of the run ends, and bwrap reaps it (a
    separate init would be left as a zombie to the host's init). `strict` adds what older
    bubblewrap lacks: no nested user namespaces (they would allow mounting an unlimited tmpfs)
    and a size for /tmp (see `_tmp_size`)."""
    args = [bwrap]
    if strict:
        args += ["--unshare-user", "--disable-userns"]
    bound: list[str] = []
    for path in _SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
            bound.append(path)
    for interpreter in dict.fromkeys(interpreters):
        real = os.path.realpath(interpreter)
        if _under(real, bound):
            continue
        # The interpreter's prefix (`<prefix>/bin/python3`): its binary and its lib directories,
        # never the directory above (which may be a home).
        prefix = os.path.dirname(os.path.dirname(real))
        args += ["--ro-bind", real, real]
        bound.append(real)
        for lib in ("lib", "lib64"):
            path = os.path.join(prefix, lib)
            if os.path.isdir(path) and not _under(path, bound):
                args += ["--ro-bind", path, path]
                bound.append(path)
    if _under(str(_PACKAGE_DIR), bound):
        args += ["--tmpfs", str(_PACKAGE_DIR), "--remount-ro", str(_PACKAGE_DIR)]
    args += [
        "--dev", "/dev",
        "--proc", "/proc",
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--die-with-parent",
        "--new-session",
        "--as-pid-1",
    ]  # fmt: skip
    return tuple(args)


def _tmp_size(prefix: tuple[str, ...], limits: SandboxLimits) -> list[str]:
    """`--size` for the next tmpfs (bubblewrap 0.8+, the strict prefix only)."""
    if "--disable-userns" not in prefix:
        return []
    return ["--size", str(limits.tmp_mb * 1024 * 1024)]


def _under(path: str, directories: list[str]) -> bool:
    return any(path == d or path.startswith(d.rstrip("/") + "/") for d in directories)


def _lease_directory() -> str | None:
    """The first usable directory for uid lease files: owned by this (root) user, not a
    symlink, not writable by anyone else. None (with a warning) when there is none."""
    for directory in UID_LEASE_DIRS:
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            info = os.lstat(directory)
        except OSError:
            continue
        if (
            stat.S_ISDIR(info.st_mode)
            and info.st_uid == os.geteuid()
            and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        ):
            return directory
    log.warning(
        "no directory for sandbox uid leases: two servers on this machine may share run uids",
        tried=list(UID_LEASE_DIRS),
        fix="Create /run/codegym, owned by root, mode 0700.",
    )
    return None


def _kill_all_of(uid: int) -> None:
    """Kill every process of `uid` (a run's leftovers that left its process group): a helper
    running as that uid sends SIGKILL to -1, which reaches exactly the processes of its uid."""
    kill = shutil.which("kill", path=_SAFE_PATH)
    if kill is None:
        return
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            [kill, "-9", "-1"],  # the form every kill(1) accepts (procps, util-linux, busybox)
            user=uid,
            group=uid,
            extra_groups=[],
            env={"PATH": _SAFE_PATH},
            cwd="/",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=10,
        )


SHARED_WRITABLE_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue")
"""The world-writable places of a standard system: without bubblewrap's file-system view, the
only places outside its scratch directory where a run's uid (no groups, no home) can write."""
_SWEEP_ENTRIES = 20000


def _remove_files_of(uid: int) -> list[str]:
    """Remove every entry owned by `uid` in SHARED_WRITABLE_DIRS (and the temporary directory),
    descending into world-writable directories; returns what was removed. Runs as root after
    every process of the uid is dead; never follows a symbolic link."""
    removed: list[str] = []
    roots = dict.fromkeys([*SHARED_WRITABLE_DIRS, tempfile.gettempdir()])
    pending = [(root, 0) for root in roots]
    budget = _SWEEP_ENTRIES
    while pending and budget > 0:
        directory, depth = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            budget -= 1
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if info.st_uid == uid:
                if stat.S_ISDIR(info.st_mode):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                removed.append(entry.path)
            elif stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_IWOTH and depth < 6:
                pending.append((entry.path, depth + 1))
    if removed:
        log.info("removed what a run left outside its scratch", uid=uid, files=removed[:10])
    return removed


_SYSVIPC = {"shm": ("shmid", "shmctl"), "msg": ("msqid", "msgctl"), "sem": ("semid", "semctl")}
"""Per kind: the id column of /proc/sysvipc/<kind> and the call that removes one (IPC_RMID)."""


def _remove_ipc_of(uid: int) -> None:
    """Remove the System V IPC objects a run's uid owns or created (the host's IPC namespace
    is shared without bubblewrap)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
    except (ImportError, OSError):
        return
    for kind, (column, remover) in _SYSVIPC.items():
        try:
            rows = Path(f"/proc/sysvipc/{kind}").read_text().split("\n")
        except OSError:
            continue
        header = rows[0].split()
        if not {column, "uid", "cuid"} <= set(header):
            continue
        ident = header.index(column)
        owner, creator = header.index("uid"), header.index("cuid")
        for row in rows[1:]:
            fields = row.split()
            if len(fields) < len(header) or uid not in (int(fields[owner]), int(fields[creator])):
                continue
            if kind == "sem":
                getattr(libc, remover)(int(fields[ident]), 0, 0)  # IPC_RMID = 0
            else:
                getattr(libc, remover)(int(fields[ident]), 0, None)


def _scrubbed_env(cwd: Path) -> dict[str, str]:
    return {
        "PATH": _SAFE_PATH,
        "LANG": "C.UTF-8",
        "HOME": str(cwd),
        "TMPDIR": str(cwd),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
    }


def _child_setup(limits: SandboxLimits, drop_to: int | None, language: Language = "python"):
    """Runs in the child between fork and exec: only async-signal-safe-ish system calls."""
    file_bytes = limits.file_mb * 1024 * 1024
    rlimits = [
        (resource.RLIMIT_CPU, limits.cpu_s + 1),
        (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_FSIZE, file_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ]
    if language == "javascript":
        # V8's heap is limited by --max-old-space-size; Buffers and typed arrays live outside
        # it. RLIMIT_DATA counts what is really committed (V8's reservations are not), so it
        # bounds both without breaking the runtime's large address-space reservations.
        data_mb = limits.memory_mb + _NODE_DATA_SLACK_MB
        rlimits.append((resource.RLIMIT_DATA, data_mb * 1024 * 1024))

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


def _end(process: subprocess.Popen[bytes], bwrap: bool) -> int:
    """Kill what is left of a run and reap it; returns the exit code. Under bwrap the harness
    (the PID namespace's init, in a session of its own) dies first, which ends the namespace,
    and bwrap reaps it before it is killed in turn: killing bwrap first would orphan a zombie."""
    if bwrap and process.poll() is None:
        for child in _children(process.pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(child, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=1.0)
    _kill_group(process)
    return process.wait()


def _has_processes(uid: int) -> bool:
    """Is any process (zombies included) of `uid` left? (/proc/<pid> belongs to its uid.)"""
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if entry.stat().st_uid == uid:
                        return True
    return False


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return [int(child) for child in listing.read().split()]
    except (OSError, ValueError):
        return []


def _compiled_harness(source: Path, interpreter: str) -> Path:
    """A Python program of the sandbox compiled once per interpreter and version (Python does
    not cache bytecode for a script it runs, and compiling the harness costs ~15 ms a run); the
    source when compiling fails or for Node."""
    if source.suffix != ".py":
        return source
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "codegym"
    key = hashlib.sha256(source.read_bytes() + os.path.realpath(interpreter).encode())
    target = cache / f"{source.stem}-{key.hexdigest()[:16]}.pyc"
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


def _probe(interpreter: str, drop_to: int | None, bwrap: tuple[str, ...] | None) -> bool:
    """Can this interpreter start with this isolation? (Run once per language.)"""
    command = (
        [interpreter, "-e", "0"]
        if "node" in Path(interpreter).name
        else [interpreter, "-I", "-S", "-c", "pass"]
    )
    if bwrap:
        tmp = [*_tmp_size(bwrap, SandboxLimits()), "--tmpfs", "/tmp", "--remount-ro", "/"]
        command = [*bwrap, *tmp, "--", os.path.realpath(interpreter), *command[1:]]
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
