"""Code Gym's sandbox supervisor: the trusted half of the harness (docs/harness-protocol.md).

    python3 -I -S supervisor.py [--cgroup] [--uids FIRST:COUNT] -- WORKER COMMAND...

It reads one job on standard input and writes the run's events on standard output, the same
contract the host has always spoken. With `--uids` (a warm Docker container, started as root
with only CAP_SETUID, CAP_SETGID and CAP_KILL) it serves up to COUNT runs, one JSON job per
line, each under a uid of its own (FIRST, FIRST+1, ...): the worker drops to that uid before it
execs, and after the run every process of the uid is killed and what it wrote is removed, then
checked: the `done` event says `clean` only when no process but this one is left, /tmp and
/dev/mqueue are empty and no SysV IPC object exists (docs/sandbox.md: reuse).

It never runs learner code. It starts the *worker* (the harness of the exercise's language,
`harness.py` or `harness.js`, which loads and calls learner code and is therefore hostile),
hands it the tests **one at a time**, and measures each test itself, from the kernel:

* CPU time, which waiting for a busy machine's CPUs does not inflate: with `--cgroup` (a Docker
  container: every process of the run is in it) the cgroup's CPU counter; otherwise the worker's
  own counters plus those of every descendant alive in /proc, plus those of orphans this process
  reaps (it is their subreaper, or PID 1).
* Wall time, only as a backstop (`WALL_BACKSTOP` times the CPU limit, plus a second), for code
  that waits instead of computing. Time spent runnable but waiting for a CPU (a busy machine)
  does not count: the backstop moves by the worker tree's run-queue wait (schedstat).

Limits and efficiency budgets are judged on the CPU time; a test over its CPU limit is a
timeout whatever the worker reports. Learner code cannot shrink these figures: they are not
measured in its process, it never sees the host's channel (its descriptors are not inherited)
or the nonce, and this process is not dumpable, so a process of the same uid can open neither its
memory nor its descriptors through /proc. A test's input reaches the worker only when the test
starts, so nothing can be computed ahead during an earlier, untimed step.

Standard library only, one file, Python 3.8+ syntax.
"""

import errno
import json
import os
import secrets
import select
import signal
import stat
import sys
import time

WALL_BACKSTOP = 3.0
"""A test (or the load) that has used less than its CPU limit is still stopped after this many
times that limit (plus a second) of wall time: it is waiting, not computing."""
_POLL_S = 0.01
_KILL_GRACE_S = 0.2
"""CPU beyond the limit before the worker is killed: the worker's own CPU timer reports a
timeout (with the test's output) first when it can."""
_FRAME = b"@@codegym "
_DIAGNOSTICS_CAP = 64 * 1024
_EVENT_SLACK = 1 << 20
"""Bytes a worker may write per test beyond twice the output cap before it counts as a flood."""
_PR_SET_DUMPABLE = 4
_PR_SET_CHILD_SUBREAPER = 36
_MEMORY_WORDS = (b"heap out of memory", b"Allocation failed", b"MemoryError")


class _Setup(Exception):
    """The job is unusable (a host bug): no events can be written."""


# ------------------------------------------------------------------------ privacy


_REAPS_ORPHANS = [os.getpid() == 1]
"""Whether every orphan of the run comes back to us (PID 1, or a subreaper) to be reaped, with
the kernel's rusage of it."""


def _make_private():
    """Not dumpable (no /proc/<pid>/mem or /proc/<pid>/fd for processes of our uid) and the
    subreaper of everything the worker starts. Returns what could not be done, for the log."""
    missing = []
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            missing.append("PR_SET_DUMPABLE")
        if os.getpid() != 1:
            if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0:
                _REAPS_ORPHANS[0] = True
            else:
                missing.append("PR_SET_CHILD_SUBREAPER")
    except (ImportError, OSError, AttributeError):
        missing.append("prctl (no ctypes)")
    return missing


# ------------------------------------------------------------------------ CPU time


def _cgroup_counter():
    """A function returning the run's cgroup CPU time in seconds, or None without one."""
    v2 = "/sys/fs/cgroup/cpu.stat"
    v1 = ("/sys/fs/cgroup/cpuacct/cpuacct.usage", "/sys/fs/cgroup/cpu,cpuacct/cpuacct.usage")

    def read(path):
        with open(path, "rb") as handle:
            return handle.read()

    for path in v1:
        try:
            int(read(path))
        except (OSError, ValueError):
            continue
        return lambda: int(read(path)) / 1e9
    try:
        for line in read(v2).split(b"\n"):
            if line.startswith(b"usage_usec "):

                def usage():
                    for row in read(v2).split(b"\n"):
                        if row.startswith(b"usage_usec "):
                            return int(row.split()[1]) / 1e6
                    raise ValueError("no usage_usec")

                return usage
    except (OSError, ValueError):
        pass
    return None


_TICK = 1.0 / (os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100)


def _process_times(pid):
    """utime + stime + cutime + cstime of one process, in seconds (None when it is gone)."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    fields = data[data.rfind(b")") + 2 :].split()
    try:
        return sum(int(value) for value in fields[11:15]) * _TICK
    except (ValueError, IndexError):
        return None


def _children(pid):
    """The live children of `pid` (of every thread of it)."""
    found = []
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return found
    for task in tasks:
        try:
            with open("/proc/%d/task/%s/children" % (pid, task), "rb") as handle:
                found.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            pass
    return found


def _tree(pid):
    """`pid` and every live descendant of it (bounded: a fork bomb is bounded by its limits)."""
    seen = [pid]
    index = 0
    while index < len(seen) and len(seen) < 10000:
        for child in _children(seen[index]):
            if child not in seen:
                seen.append(child)
        index += 1
    return seen


def _run_queue_wait(pid):
    """Seconds the tasks of `pid` and of its live descendants have spent runnable but waiting
    for a CPU (the kernel's schedstat), over their lives: time the machine owed them."""
    total = 0
    for member in _tree(pid):
        try:
            tasks = os.listdir("/proc/%d/task" % member)
        except OSError:
            continue
        for task in tasks:
            try:
                with open("/proc/%d/task/%s/schedstat" % (member, task), "rb") as handle:
                    total += int(handle.read().split()[1])
            except (OSError, ValueError, IndexError):
                continue
    return total / 1e9


def _oom_kills():
    """How many processes the kernel's OOM killer has killed in this cgroup (a Docker
    container), or None where no counter can be read."""
    for path, key in (
        ("/sys/fs/cgroup/memory/memory.oom_control", b"oom_kill "),
        ("/sys/fs/cgroup/memory.events", b"oom_kill "),
    ):
        try:
            with open(path, "rb") as handle:
                for line in handle.read().split(b"\n"):
                    if line.startswith(key):
                        return int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return None


class _CpuMeter:
    """CPU seconds used by everything the run started: monotone, sampled per test."""

    def __init__(self, use_cgroup):
        self.cgroup = _cgroup_counter() if use_cgroup else None
        self.use_cgroup = use_cgroup
        self.reaped = 0.0  # processes this one reaped (orphans, and ended workers): rusage
        self.finished = 0.0  # without a subreaper: ended workers' trees, as last seen

    def sample(self, worker):
        if self.cgroup is not None:
            try:
                return self.cgroup()
            except (OSError, ValueError):
                self.cgroup = None
        # Every live descendant of ours: the worker's tree and orphans that came back to us. A
        # process that ends moves into its parent's cutime/cstime, or, reaped by us, into
        # `reaped`: counted once either way.
        live = 0.0
        for pid in _tree(os.getpid())[1:]:
            times = _process_times(pid)
            if times is not None:
                live += times
        if worker is not None:
            worker.last_tree_cpu = max(worker.last_tree_cpu, live)
        return self.finished + self.reaped + live

    def retire(self, worker):
        """A worker and all of its tree ended. With a subreaper, all of it was reaped here and
        is in `reaped` (exact); without one, orphans went to init: keep the tree as last seen."""
        if self.cgroup is None and not _REAPS_ORPHANS[0]:
            self.finished += max(0.0, worker.last_tree_cpu - worker.rusage_cpu)


# ------------------------------------------------------------------------ the worker


class _Worker:
    """One worker process: a fresh interpreter that loads the learner's file once and then runs
    the tests it is given, one at a time."""

    def __init__(self, command, setup, limits, uid=None):
        control_read, control_write = os.pipe()
        events_read, events_write = os.pipe()
        errors_read, errors_write = os.pipe()
        cpu_s = limits.get("cpu_s")
        pid = os.fork()
        if pid == 0:  # the child: only system calls until exec
            try:
                os.dup2(control_read, 0)
                os.dup2(events_write, 1)
                os.dup2(errors_write, 2)
                os.setpgid(0, 0)
                try:
                    with open("/proc/self/oom_score_adj", "w") as handle:
                        handle.write("1000")  # under memory pressure the worker dies, not we
                except OSError:
                    pass
                try:
                    import resource

                    if type(cpu_s) in (int, float) and cpu_s > 0:
                        hard = int(cpu_s) + 2
                        resource.setrlimit(resource.RLIMIT_CPU, (hard - 1, hard))
                except (ImportError, ValueError, OSError):
                    pass
                if uid is not None:
                    _become(uid)
                    os.execvpe(command[0], command, _scratch(uid))
                os.execvp(command[0], command)
            finally:
                os._exit(127)
        for fd in (control_read, events_write, errors_write):
            os.close(fd)
        self.pid = pid
        self.control = control_write
        self.events = events_read
        self.errors = errors_read
        self.alive = True
        self.status = None
        self.rusage_cpu = 0.0
        self.last_tree_cpu = 0.0
        self.killed = False
        self.buffer = b""
        self.stderr = bytearray()
        self.received = 0
        self.events_open = True
        self.errors_open = True
        self.send(setup)

    def send(self, message):
        data = (json.dumps(message, separators=(",", ":")) + "\n").encode("utf-8")
        view = memoryview(data)
        try:
            while len(view):
                view = view[os.write(self.control, view) :]
        except OSError:  # it died: its events (or their absence) say what happened
            pass

    def read(self, timeout, nonce):
        """Wait up to `timeout` for output; returns the worker's events decoded so far."""
        fds = [self.events] if self.events_open else []
        if self.errors_open:
            fds.append(self.errors)
        if not fds:
            time.sleep(timeout)
            return []
        try:
            readable, _, _ = select.select(fds, [], [], timeout)
        except InterruptedError:
            return []
        events = []
        for fd in readable:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if fd == self.errors:
                if not chunk:
                    self.errors_open = False
                elif len(self.stderr) < _DIAGNOSTICS_CAP:
                    self.stderr += chunk[: _DIAGNOSTICS_CAP - len(self.stderr)]
                continue
            if not chunk:
                self.events_open = False
                continue
            self.received += len(chunk)
            self.buffer += chunk
            *lines, self.buffer = self.buffer.split(b"\n")
            prefix = _FRAME + nonce + b" "
            for line in lines:
                if line.startswith(prefix):
                    events.append(_decode(line[len(prefix) :]))
        return events

    def kill(self):
        """SIGKILL the worker and every process it started, until none is left."""
        self.killed = True
        for _ in range(50):
            tree = _tree(self.pid) if self.alive else []
            for pid in tree:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            if not tree or not self.alive:
                break
            _reap(self)
            time.sleep(0.001)

    def close(self):
        for fd in (self.control, self.events, self.errors):
            try:
                os.close(fd)
            except OSError:
                pass


def _become(uid):
    """Drop to `uid` (and a group of the same number, no supplementary groups) for good, or
    exit: learner code never runs as the supervisor's user."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid or os.getegid() != uid or os.getgroups():
        os._exit(126)


SCRATCH_ROOT = "/tmp"
CLEAN_DIRS = ("/tmp", "/dev/mqueue")
"""The only places a run's uid can write in a sandbox container (the root file system is
read-only, /dev/shm is absent with `ipc: none`): empty after every clean run."""


def _scratch(uid):
    """Make the run's own scratch directory (mode 0700, its uid's) its working directory;
    returns the worker's environment."""
    os.umask(0o077)
    path = "%s/run-%d" % (SCRATCH_ROOT, uid)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass  # a worker restarted within the same run
    os.chdir(path)
    environment = dict(os.environ)
    environment.update(HOME=path, TMPDIR=path)
    return environment


_WORKERS = {}
_METER = None


def _reap(current=None):
    """Reap every child that has ended (the worker, and orphans we inherited as subreaper)."""
    while True:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        except InterruptedError:
            continue
        if pid == 0:
            return
        cpu = usage.ru_utime + usage.ru_stime
        worker = _WORKERS.pop(pid, None)
        if worker is not None:
            worker.alive = False
            worker.status = status
            worker.rusage_cpu = cpu
        if _METER is not None:
            _METER.reaped += cpu


def _end_orphans(deadline):
    """Kill and reap every remaining child of ours (orphans of the run), until none is left."""
    while time.monotonic() < deadline:
        _reap()
        children = _tree(os.getpid())[1:]
        if not children:
            try:
                pid, _status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return  # no child at all, not even a zombie
            if pid and _METER is not None:
                _METER.reaped += usage.ru_utime + usage.ru_stime
            time.sleep(0.001)
            continue
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.001)


def _decode(raw):
    try:
        event = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return event if isinstance(event, dict) else None


# ------------------------------------------------------------------------ the run


class _Supervisor:
    def __init__(self, job, command, channel, use_cgroup, uid=None):
        global _METER
        self.uid = uid
        self.host_nonce = job["nonce"]
        self.channel = channel
        self.command = command
        self.cases = list(job.get("cases") or [])
        limits = job.get("limits") or {}
        self.limits = limits
        self.case_cpu = _positive(limits.get("case_cpu_s"), 3.0)
        self.run_cpu = _positive(limits.get("cpu_s"), 5.0)
        self.backstop = self.case_cpu * WALL_BACKSTOP + 1.0
        output = _positive(limits.get("output_bytes"), 65536)
        self.flood = int(output) * 2 + _EVENT_SLACK
        self.worker_nonce = secrets.token_hex(16)
        setup = dict(job)
        setup["nonce"] = self.worker_nonce
        setup["cases"] = []
        setup["case_kinds"] = sorted({str(case.get("kind")) for case in self.cases})
        setup["limits"] = dict(limits, case_wall_s=self.backstop)
        self.setup = setup
        self.meter = _METER = _CpuMeter(use_cgroup)
        self.used = 0.0
        self.oom_kills = _oom_kills() if use_cgroup else None
        self.loaded = False
        self.worker = None
        self.stopped = None
        self.exit_code = None
        self.tampered = False
        self.diagnostics = b""

    # -------------------------------------------------------------- host channel

    def emit(self, event):
        text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        data = ("\n@@codegym " + self.host_nonce + " " + text + "\n").encode("utf-8", "replace")
        view = memoryview(data)
        try:
            while len(view):
                view = view[os.write(self.channel, view) :]
        except OSError:  # the host is gone
            os._exit(3)

    # -------------------------------------------------------------- workers

    def start_worker(self):
        worker = _Worker(self.command, self.setup, self.limits, self.uid)
        _WORKERS[worker.pid] = worker
        self.worker = worker
        return worker

    def retire(self, worker):
        if worker.alive:
            worker.kill()
        deadline = time.monotonic() + 5
        while worker.alive and time.monotonic() < deadline:
            _reap(worker)
            if worker.alive:
                time.sleep(0.001)
        _end_orphans(deadline)  # what the worker left came back to us: kill and reap it
        self.meter.retire(worker)
        self.exit_code = _exit_code(worker.status)
        diagnostics = bytes(worker.stderr)
        if diagnostics and self.uid is None:
            try:
                os.write(2, diagnostics[-8192:])
            except OSError:
                pass
        elif diagnostics:  # serving: with the run's own events, never into the next run's
            self.diagnostics = (self.diagnostics + diagnostics)[-8192:]
        worker.close()
        if self.worker is worker:
            self.worker = None

    def await_event(self, worker, want, started_cpu):
        """The worker's next `want` event ("load" or "case"), or why there is none:
        ("event", event) | ("cpu", None) | ("wall", None) | ("flood", None) | ("died", None)."""
        nonce = self.worker_nonce.encode()
        began = time.monotonic()
        deadline = self.backstop
        budget_received = worker.received + self.flood
        while True:
            for event in worker.read(_POLL_S, nonce):
                kind = event.get("event") if event is not None else None
                if kind == want:
                    return "event", event
                if kind == "output_limit":
                    # The worker's sink passed the cap while learner code keeps printing: stop
                    # the case now, with the output captured so far (while loading, the load
                    # reports it itself).
                    if want == "case":
                        return "flood", event
                    continue
                self.tampered = True  # a frame we did not ask for: forged or garbled
            _reap(worker)
            if worker.received > budget_received:
                return "flood", None
            if not worker.events_open:
                return "died", None
            cpu = self.meter.sample(worker) - started_cpu
            if cpu > self.case_cpu + _KILL_GRACE_S:
                return "cpu", None
            if time.monotonic() - began > deadline:
                # Waiting for a busy CPU is not waiting: the backstop moves by the time the
                # worker's tree spent runnable on a run queue (read only once it is reached).
                deadline = max(deadline, self.backstop + _run_queue_wait(worker.pid))
                if time.monotonic() - began > deadline:
                    return "wall", None

    def load(self):
        """Start a worker; returns its load event (the first worker's is forwarded)."""
        worker = self.start_worker()
        before = self.meter.sample(worker)
        outcome, event = self.await_event(worker, "load", before)
        self.used += self.meter.sample(worker) - before
        if outcome == "event":
            return event
        if outcome in ("cpu", "wall"):
            message = "loading the file took longer than %gs" % self.case_cpu
            error = {"type": "TimeoutError", "message": message, "line": None, "traceback": ""}
            self.retire(worker)
            return {"event": "load", "status": "error", "error": error}
        self.retire(worker)
        self.stopped = self.stopped or self.death_reason(worker, outcome)
        return None

    def death_reason(self, worker, outcome):
        if outcome == "flood":
            return "output_flood"
        status = worker.status
        if any(word in worker.stderr for word in _MEMORY_WORDS):
            return "memory"
        if status is not None and os.WIFSIGNALED(status):
            signalled = os.WTERMSIG(status)
            if signalled == signal.SIGXCPU or worker.rusage_cpu >= self.run_cpu - 0.05:
                return "wall_timeout"  # the run's CPU seconds (RLIMIT_CPU) are used up
            if signalled == signal.SIGKILL and not worker.killed and self.oom_kills is not None:
                now = _oom_kills()
                if now is not None and now > self.oom_kills:
                    return "memory"  # the kernel's OOM killer, by the cgroup's own count
        return None

    def run(self):
        first = self.load()
        if first is None:
            return
        self.loaded = True
        self.emit(first)
        if first.get("status") != "ok":
            return
        for case in self.cases:
            if self.used >= self.run_cpu:
                self.stopped = "wall_timeout"
                return
            if not self.run_case(case):
                return

    def run_case(self, case):
        """Run one test; False when the run must stop."""
        case_id = str(case.get("id"))
        worker = self.worker
        if worker is None or not worker.alive:
            if worker is not None:
                self.retire(worker)
            loaded = self.load()
            if loaded is None or loaded.get("status") != "ok":
                return False
            worker = self.worker
        began = time.monotonic()
        before = self.meter.sample(worker)
        worker.send(case)
        outcome, event = self.await_event(worker, "case", before)
        wall = time.monotonic() - began
        if outcome == "event" and event.get("id") != case_id:
            self.tampered = True
            outcome, event = "died", None
        cpu = max(0.0, self.meter.sample(worker) - before)
        if outcome != "event":
            self.retire(worker)
            cpu = max(cpu, self.meter.sample(None) - before)
        self.used += cpu
        if outcome == "event":
            event = dict(event)
            if event.get("status") == "ok" and cpu > self.case_cpu:
                event = {
                    "event": "case",
                    "id": case_id,
                    "status": "timeout",
                    "stdout": event.get("stdout", ""),
                    "stderr": event.get("stderr", ""),
                    "truncated": event.get("truncated", False),
                }
        elif outcome in ("cpu", "wall"):
            event = {"event": "case", "id": case_id, "status": "timeout"}
        elif outcome == "flood":
            captured = event or {}
            event = {"event": "case", "id": case_id, "status": "output_limit"}
            for key in ("stdout", "stderr"):
                if isinstance(captured.get(key), str):
                    event[key] = captured[key]
            event["truncated"] = True
        else:
            self.stopped = self.stopped or self.death_reason(worker, outcome)
            if self.stopped == "wall_timeout":  # the run's CPU seconds ran out in this test
                event = {"event": "case", "id": case_id, "status": "timeout"}
                event["duration_ms"] = round(wall * 1000, 3)
                event["cpu_ms"] = round(cpu * 1000, 3)
                self.emit(event)
            return False
        if event.get("status") == "timeout" and self.worker is not None:
            self.retire(self.worker)  # it may still be stuck in learner code: a fresh one next
        event["duration_ms"] = round(wall * 1000, 3)
        event["cpu_ms"] = round(cpu * 1000, 3)
        self.emit(event)
        return True

    def finish(self, after=None):
        """End the run: retire its worker, call `after` (serving: the clean-up between runs,
        whose findings go into the event) and say `done`."""
        if self.worker is not None:
            self.retire(self.worker)
        _reap()
        done = {"event": "done"}
        if after is not None:
            done.update(after())
        if self.diagnostics:
            done["diagnostics"] = self.diagnostics.decode("utf-8", "replace")
        if self.stopped:
            done["stopped"] = self.stopped
        if self.exit_code is not None and self.stopped:
            done["exit_code"] = self.exit_code
        if self.tampered:
            done["tampered"] = True
        self.emit(done)


def _positive(value, default):
    return float(value) if type(value) in (int, float) and value > 0 else default


def _exit_code(status):
    if status is None:
        return None
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else None


# ------------------------------------------------------------------------ between runs

_SYSVIPC = ("/proc/sysvipc/shm", "/proc/sysvipc/msg", "/proc/sysvipc/sem")
_SWEEPS = 3


def _remove(path, info):
    """Remove `path` and, for a directory, everything in it (made searchable first)."""
    if stat.S_ISDIR(info.st_mode):
        try:
            os.chmod(path, 0o700)
        except OSError:
            pass
        try:
            children = list(os.scandir(path))
        except OSError:
            children = []
        for child in children:
            try:
                _remove(child.path, child.stat(follow_symlinks=False))
            except (OSError, RecursionError):
                pass
        try:
            os.rmdir(path)
        except OSError:
            pass
        return
    try:
        os.unlink(path)
    except OSError:
        pass


def _sweep_as(uid):
    """In a child of ours running as `uid`: SIGKILL every process of that uid (kill -1 reaches
    exactly the processes a process of the uid may signal), then remove what the uid owns in
    CLEAN_DIRS. Returns when the child has ended; the killed processes are ours to reap."""
    pid = os.fork()
    if pid == 0:
        try:
            _become(uid)
            for _ in range(_SWEEPS):
                try:
                    os.kill(-1, signal.SIGKILL)
                except OSError:
                    break  # ESRCH: no process of the uid is left (zombies excepted)
            for root in CLEAN_DIRS:
                try:
                    entries = list(os.scandir(root))
                except OSError:
                    continue
                for entry in entries:
                    try:
                        info = entry.stat(follow_symlinks=False)
                        if info.st_uid == uid:
                            _remove(entry.path, info)
                    except (OSError, RecursionError):
                        pass
        finally:
            os._exit(0)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        _reap()
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
        except ChildProcessError:
            return  # reaped by `_reap`
        time.sleep(0.001)


def _leftovers():
    """What a run left in this container: any process but this one, any entry in
    CLEAN_DIRS, any SysV IPC object (none exists before the first run)."""
    found = []
    me = os.getpid()
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != me:
            found.append("process %s" % name)
    for root in CLEAN_DIRS:
        try:
            found.extend(os.path.join(root, name) for name in os.listdir(root))
        except FileNotFoundError:
            continue
        except OSError:
            found.append("%s (unreadable)" % root)
    for path in _SYSVIPC:
        try:
            with open(path, "rb") as handle:
                rows = handle.read().split(b"\n")[1:]
        except OSError:
            continue
        if any(row.strip() for row in rows):
            found.append(path)
    return found


def _clean_up(uid):
    """After a run as `uid`: kill and reap its processes, remove its files, check. Returns the
    `done` event's `uid`, `clean` and, when not clean, what was left (for the host's log)."""
    left = []
    for _ in range(_SWEEPS):
        _sweep_as(uid)
        deadline = time.monotonic() + 1
        while True:
            _reap()
            left = _leftovers()
            if not any(item.startswith("process ") for item in left):
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.001)
        if not left:
            break
    outcome = {"uid": uid, "clean": not left}
    if left:
        outcome["left"] = left[:8]
    return outcome


# ------------------------------------------------------------------------ start-up


class _Lines:
    """Jobs, one JSON object per line, from a descriptor."""

    def __init__(self, fd):
        self.fd = fd
        self.buffer = b""

    def next(self):
        """The next line, or None at the end of input (a partial last line is dropped)."""
        while b"\n" not in self.buffer:
            try:
                chunk = os.read(self.fd, 1 << 20)
            except InterruptedError:
                continue
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line


def _read_all(fd):
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 1 << 20)
        except InterruptedError:
            continue
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _parse_job(raw):
    job = json.loads(raw.decode("utf-8"))
    if type(job) is not dict or type(job.get("nonce")) is not str or not job["nonce"]:
        raise _Setup("the job must be an object with a nonce")
    if type(job.get("cases", [])) is not list:
        raise _Setup("cases must be a list")
    return job


def _uid_block(options):
    """(first, count) from `--uids FIRST:COUNT`, None without it; ValueError when invalid."""
    if "--uids" not in options:
        return None
    at = options.index("--uids")
    first, count = (int(part) for part in options[at + 1].split(":"))
    if first < 1000 or count < 1 or first + count > 1 << 31:
        raise ValueError("the uid block must lie above 999")
    return first, count


def _complain(text):
    os.write(2, ("codegym supervisor: %s\n" % text).encode("utf-8", "replace"))


def _run(supervisor, after=None):
    try:
        supervisor.run()
    except OSError as exc:
        if exc.errno not in (errno.EPIPE,):
            _complain(repr(exc))
        supervisor.stopped = supervisor.stopped or "crashed"
    supervisor.finish(after)


def main(argv):
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        os.write(2, b"usage: supervisor.py [--cgroup] [--uids FIRST:COUNT] -- WORKER COMMAND...\n")
        return 2
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1 :]
    try:
        block = _uid_block(options)
    except (ValueError, IndexError) as exc:
        _complain("bad --uids: %s" % exc)
        return 2
    use_cgroup = "--cgroup" in options
    if hasattr(sys, "set_int_max_str_digits"):
        # A worker's event may hold an integer of any length (the learner's value): read it
        # whole and pass it on; the host keeps a long one as text (events.py).
        sys.set_int_max_str_digits(0)
    jobs = _Lines(os.dup(0))  # dup: not inheritable, like the channel
    channel = os.dup(1)  # not inheritable: no worker ever holds the host's channel
    if block is None:
        try:
            job = _parse_job(_read_all(jobs.fd))
        except (ValueError, UnicodeDecodeError, _Setup, RecursionError) as exc:
            _complain("bad job: %r" % (exc,))
            return 2
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    missing = _make_private()
    if missing:
        _complain("without %s" % ", ".join(missing))
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    if block is None:
        _run(_Supervisor(job, command, channel, use_cgroup))
        return 0
    first, count = block
    for uid in range(first, first + count):
        line = jobs.next()
        if line is None:
            return 0  # the host let this container go
        try:
            job = _parse_job(line)
        except (ValueError, UnicodeDecodeError, _Setup, RecursionError) as exc:
            _complain("bad job: %r" % (exc,))
            return 2
        _run(_Supervisor(job, command, channel, use_cgroup, uid), lambda uid=uid: _clean_up(uid))
    return 0


if __name__ == "__main__":
    os._exit(main(sys.argv[1:]))
