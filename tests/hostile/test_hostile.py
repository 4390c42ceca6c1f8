"""Hostile submissions, each a file under `programs/<language>/`, run on both sandbox backends.

Every program starts with a header of comment lines:

    attack:   what it attacks (continued on indented comment lines)
    expect:   the verdict categories its tests may end in (never `passed`)
    limits:   optional SandboxLimits overrides on top of LIMITS (`processes=32`)
    problem:  optional `script` (stdio tests) instead of the function problem
    local-needs: optional; what the local backend needs to hold this one: `bwrap` (its
              namespaces and file-system view), `root` (a run uid of its own), or `bwrap|root`
              (either). Without it the local backend does not claim to (docs/sandbox.md): the
              test is skipped there, saying why. Docker holds every program.
    concurrent: optional; a companion program (`victim`) run at the same time, which must pass
    shows:    optional; a text the public tests' messages must show (e.g. how a cheat's value is
              displayed)

For each program and backend the test checks that the run
- ends in a non-pass verdict, every test in one of the expected categories, and no public test
  showing `ESCAPED` (programs return that marker when an attack worked),
- ends within the host's wall-clock backstop (`run_backstop_s`, a few times the wall limit:
  CPU limits decide, wall time only stops code that waits),
- leaves nothing behind: no container (Docker: no container of this sandbox instance other
  than idle warm ones, with only the waiting supervisor inside, exists; the run's own may stay
  as one only after its supervisor found nothing left of it), no process of the run's uid
  (local), no file in the sandbox's temporary directory or owned by a sandbox uid in the host's
  temporary directories.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from codegym.checker import check_source
from codegym.config import LocalSettings, SandboxLimits
from codegym.content.models import Problem
from codegym.grading import Failure, Verdict, message
from codegym.sandbox import LocalSandbox, RunReport, RunRequest, Sandbox

from ..conftest import make_problem

PROGRAMS_DIR = Path(__file__).parent / "programs"
SUFFIXES = {".py": "python", ".js": "javascript"}
LIMITS = SandboxLimits(wall_s=2, test_cpu_s=1, cpu_s=3, memory_mb=128)
"""Tight limits: every timeout costs at most 2 s, a balloon fills 128 MB quickly."""
CANARY = "codegym-hostile-canary"
ESCAPED = "ESCAPED"
COMPANIONS = {"victim"}
HOST_TEMP_DIRS = (Path(tempfile.gettempdir()), Path("/var/tmp"), Path("/dev/shm"))
SETTLE_S = 10.0
"""How long clean-up may take after a run (the Docker disposer removes containers in the
background; killed processes are reaped by their parent)."""

CATEGORIES = {
    "wrong_answer", "too_slow", "syntax_error", "runtime_error", "timeout", "memory_limit",
    "output_limit", "no_report", "tampered",
}  # fmt: skip


# ---------------------------------------------------------------------------- programs


@dataclass(frozen=True)
class Program:
    path: Path
    language: str
    attack: str
    expect: frozenset[str]
    limits: SandboxLimits = LIMITS
    problem: str = "function"
    local_needs: tuple[str, ...] = ()
    concurrent: str | None = None
    shows: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.language}/{self.path.stem}"

    @property
    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")


def parse_header(path: Path) -> dict[str, str]:
    """The `key: value` comment lines at the top of a program (indented lines continue)."""
    marker = "#" if path.suffix == ".py" else "//"
    fields: dict[str, str] = {}
    key = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith(marker):
            break
        text = line[len(marker) :]
        match = re.match(r" ([a-z-]+): ?(.*)$", text)
        if match:
            key = match.group(1)
            fields[key] = match.group(2).strip()
        elif key and text.startswith("   "):
            fields[key] += " " + text.strip()
    return fields


def load_program(path: Path) -> Program:
    fields = parse_header(path)
    expect = frozenset(c.strip() for c in fields.get("expect", "").split(",") if c.strip())
    assert fields.get("attack"), f"{path}: the header must say what it attacks"
    assert expect and expect <= CATEGORIES, f"{path}: bad expect {sorted(expect)}"
    overrides: dict[str, Any] = {}
    for item in fields.get("limits", "").split():
        name, _, value = item.partition("=")
        overrides[name] = float(value) if "." in value else int(value)
    return Program(
        path=path,
        language=SUFFIXES[path.suffix],
        attack=fields["attack"],
        expect=expect,
        limits=LIMITS.model_copy(update=overrides) if overrides else LIMITS,
        problem=fields.get("problem", "function"),
        local_needs=tuple(fields.get("local-needs", "").replace(",", " ").split()),
        concurrent=fields.get("concurrent"),
        shows=(fields["shows"],) if fields.get("shows") else (),
    )


def all_programs() -> list[Program]:
    return [
        load_program(path)
        for path in sorted(PROGRAMS_DIR.glob("*/*"))
        if path.suffix in SUFFIXES and path.stem not in COMPANIONS
    ]


PROGRAMS = all_programs()


def problem_for(program: Program) -> Problem:
    if program.problem == "script":
        tests = [
            {"kind": "stdio", "name": "one", "stdin": "1\n", "expected_stdout": "2\n"},
            {"kind": "stdio", "name": "two", "stdin": "2\n", "expected_stdout": "4\n"},
            {"kind": "stdio", "name": "hidden", "visibility": "hidden", "label": "big",
             "stdin": "50\n", "expected_stdout": "100\n"},
        ]  # fmt: skip
        solution = "print(int(input()) * 2)\n"
        return make_problem(
            language=program.language, kind="script", solution=solution, tests=tests
        )
    tests = [
        {"kind": "call", "name": "one", "args": [1], "expected": 2},
        {"kind": "call", "name": "two", "args": [2], "expected": 4},
        {"kind": "call", "name": "hidden", "visibility": "hidden", "label": "big", "args": [50],
         "expected": 100},
    ]  # fmt: skip
    solution = (
        "def double(x):\n    return 2 * x\n"
        if program.language == "python"
        else "function double(x) {\n  return 2 * x;\n}\n"
    )
    return make_problem(
        language=program.language, solution=solution, tests=tests, entry_point="double"
    )


# ---------------------------------------------------------------------------- host state


def boot_ticks() -> int:
    """Now, in the clock ticks since boot that /proc/<pid>/stat gives start times in."""
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return int(uptime * os.sysconf("SC_CLK_TCK"))


def processes_of(uids: set[int], started_by: int | None = None) -> list[tuple[int, int, str]]:
    """(pid, uid, command) of every process on this machine whose real uid is in `uids`
    (zombies included: they are leftovers too), read from /proc; with `started_by`, only those
    started by then (boot ticks): a process started later is another run's, not a leftover."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        match = re.search(r"^Uid:\s+(\d+)", status, re.MULTILINE)
        if not match or int(match.group(1)) not in uids:
            continue
        started = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, after the command
        if started_by is not None and started > started_by:
            continue
        name = re.search(r"^Name:\s+(.*)$", status, re.MULTILINE)
        found.append((int(entry), int(match.group(1)), name.group(1) if name else "?"))
    return found


def files_owned_by(uids: range | set[int]) -> list[str]:
    """Entries of the host's temporary directories (two levels) owned by a sandbox uid."""
    found = []
    for top in HOST_TEMP_DIRS:
        try:
            level1 = list(top.iterdir())
        except OSError:
            continue
        for entry in level1:
            entries = [entry]
            if entry.is_dir() and not entry.is_symlink():
                try:
                    entries += list(entry.iterdir())
                except OSError:
                    pass
            for path in entries:
                try:
                    if path.lstat().st_uid in uids:
                        found.append(str(path))
                except OSError:
                    continue
    return found


def wait_until(condition: Callable[[], Any], timeout: float = SETTLE_S) -> Any:
    """Poll `condition` until it returns something falsy; returns its last value."""
    deadline = time.monotonic() + timeout
    value = condition()
    while value and time.monotonic() < deadline:
        time.sleep(0.1)
        value = condition()
    return value


@dataclass
class Watch:
    """Records what a backend creates for a run, so the test can check it is all gone."""

    sandbox: Sandbox
    temp_dir: Path
    uids: set[int] = field(default_factory=set)
    containers: set[str] = field(default_factory=set)
    before: set[str] = field(default_factory=set)
    """Files owned by sandbox uids before the run (another test's, or another engineer's)."""
    ended: int | None = None

    def end(self) -> None:
        self.ended = boot_ticks() + 1

    def leftovers(self) -> list[str]:
        found: list[str] = []
        found += [f"file {p}" for p in self.temp_dir.iterdir()]
        if isinstance(self.sandbox, LocalSandbox):
            from codegym.sandbox.local import RUN_UID_BASE, RUN_UID_SLOTS

            sandbox_uids: range | set[int] = range(RUN_UID_BASE, RUN_UID_BASE + RUN_UID_SLOTS)
            found += [f"process {p}" for p in processes_of(self.uids, self.ended)]
        else:
            from codegym.sandbox.docker_backend import RUN_UIDS

            base = int(self.sandbox._settings.user.split(":")[0])  # type: ignore[attr-defined]
            sandbox_uids = range(base, base + RUN_UIDS)
            found += [f"container {c}" for c in self.docker_leftovers()]
        found += [f"host file {p}" for p in files_owned_by(sandbox_uids) if p not in self.before]
        return found

    def docker_leftovers(self) -> list[str]:
        """Any container of this sandbox instance that is not an idle warm one (running, only
        the waiting supervisor inside): a run's own container may stay only as such, after its
        supervisor found nothing of the run left."""
        import docker.errors

        from codegym.sandbox.docker_backend import LABEL, LABEL_INSTANCE

        api = self.sandbox.client.api  # type: ignore[attr-defined]
        labels = [f"{LABEL}=1", f"{LABEL_INSTANCE}={self.sandbox.instance}"]  # type: ignore[attr-defined]
        found = []
        for container in api.containers(all=True, filters={"label": labels}):
            name = f"{container['Id'][:12]} ({container['State']})"
            if container["Id"] in self.containers:
                name += ", the run's own"  # kept only to serve again: idle, nothing left in it
            if container["State"] != "running":
                found.append(name)
                continue
            try:
                processes = api.top(container["Id"])["Processes"] or []
            except docker.errors.APIError:
                continue  # removed meanwhile
            if len(processes) != 1:
                found.append(f"{name} with {len(processes)} processes")
        return found


@pytest.fixture
def watch(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[Sandbox], Watch]]:
    """Instrument a sandbox for one test: the local backend's run uids and temporary directory,
    the Docker backend's run containers."""
    created: list[Path] = []

    def start(sandbox: Sandbox) -> Watch:
        # A directory of its own (pytest's tmp_path is private to root: run uids cannot enter)
        temp_dir = Path(tempfile.mkdtemp(prefix="codegym-hostile-tmp-"))
        os.chmod(temp_dir, 0o755)
        created.append(temp_dir)
        watch = Watch(sandbox, temp_dir)
        if isinstance(sandbox, LocalSandbox):
            from codegym.sandbox.local import RUN_UID_BASE, RUN_UID_SLOTS

            take = sandbox._take_uid

            def take_uid() -> int:
                uid = take()
                watch.uids.add(uid)
                return uid

            monkeypatch.setattr(sandbox, "_take_uid", take_uid)
            monkeypatch.setattr(tempfile, "tempdir", str(temp_dir))
            watch.before = set(files_owned_by(range(RUN_UID_BASE, RUN_UID_BASE + RUN_UID_SLOTS)))
        else:
            from codegym.sandbox.docker_backend import RUN_UIDS

            run_in = sandbox._run_in  # type: ignore[attr-defined]

            def run_in_recorded(warm: Any, *args: Any) -> Any:
                watch.containers.add(warm.container_id)
                return run_in(warm, *args)

            monkeypatch.setattr(sandbox, "_run_in", run_in_recorded)
            base = int(sandbox._settings.user.split(":")[0])  # type: ignore[attr-defined]
            watch.before = set(files_owned_by(range(base, base + RUN_UIDS)))
        return watch

    yield start
    for path in created:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def canaries() -> Iterator[None]:
    """Secrets a hostile program must not find: a world-readable file outside /tmp, a private
    file in the host's /tmp, and the canary in this process's environment."""
    public = Path(tempfile.mkdtemp(prefix="codegym-hostile-", dir="/var/tmp"))
    private = Path(tempfile.mkdtemp(prefix="codegym-hostile-"))
    os.chmod(public, 0o755)
    (public / "canary.txt").write_text(CANARY)
    os.chmod(public / "canary.txt", 0o644)
    (private / "canary.txt").write_text(CANARY)
    os.environ["CODEGYM_HOSTILE_CANARY"] = CANARY
    try:
        yield
    finally:
        os.environ.pop("CODEGYM_HOSTILE_CANARY", None)
        shutil.rmtree(public, ignore_errors=True)
        shutil.rmtree(private, ignore_errors=True)


# ---------------------------------------------------------------------------- the test


def shown(verdict: Verdict) -> str:
    """Everything a learner would see of the public tests."""
    return "\n".join(
        f"{message(t)} {t.failure.actual} {t.failure.stdout}"
        for t in verdict.tests
        if t.visibility == "public" and isinstance(t.failure, Failure)
    )


def summary(verdict: Verdict) -> str:
    return "; ".join(f"{t.name}: {t.category} ({message(t)[:160]})" for t in verdict.tests)


NEEDS = {
    "bwrap": "bubblewrap (no network, PID or file-system isolation)",
    "root": "run uid of its own (it runs code as the server's own user)",
}


def local_gaps(sandbox: LocalSandbox, program: Program) -> list[str]:
    """What `program` needs of the local backend that this machine does not give it."""
    plan = sandbox._plan(program.language)  # type: ignore[arg-type]
    have = {"bwrap": plan.bwrap is not None, "root": plan.drop_to is not None}
    missing = []
    for need in program.local_needs:
        options = need.split("|")
        if not any(have[option] for option in options):
            missing.append(" or ".join(NEEDS[option] for option in options))
    return missing


def check_verdict(program: Program, verdict: Verdict, elapsed: float) -> None:
    assert verdict.status != "pass", summary(verdict)
    assert not any(t.passed for t in verdict.tests), summary(verdict)
    unexpected = [t for t in verdict.tests if t.category not in program.expect]
    assert not unexpected, f"expected {sorted(program.expect)}, got {summary(verdict)}"
    assert ESCAPED not in shown(verdict), shown(verdict)
    for text in program.shows:
        assert text in shown(verdict), shown(verdict)
    backstop = program.limits.run_backstop_s
    assert elapsed < backstop + 1, f"took {elapsed:.2f}s: {summary(verdict)}"


def run_companion(
    program: Program, sandbox: Sandbox, results: list[Verdict], ready: threading.Event
) -> None:
    path = program.path.with_name(f"{program.concurrent}{program.path.suffix}")
    ready.set()
    results.append(check_source(problem_for(program), path.read_text(), sandbox, LIMITS))


@pytest.mark.parametrize("backend", ["local", "docker"])
@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_hostile_program(
    program: Program,
    backend: str,
    request: pytest.FixtureRequest,
    watch: Callable[[Sandbox], Watch],
) -> None:
    sandbox: Sandbox = request.getfixturevalue(f"{backend}_sandbox")
    if isinstance(sandbox, LocalSandbox) and (missing := local_gaps(sandbox, program)):
        pytest.skip(f"the local backend here has no {' and no '.join(missing)}")
    watching = watch(sandbox)
    companion: list[Verdict] = []
    thread = None
    if program.concurrent:
        ready = threading.Event()
        thread = threading.Thread(
            target=run_companion, args=(program, sandbox, companion, ready), daemon=True
        )
        thread.start()
        ready.wait()
        time.sleep(0.2)  # the companion is running when the attack starts
    started = time.perf_counter()
    verdict = check_source(problem_for(program), program.source, sandbox, program.limits)
    elapsed = time.perf_counter() - started
    if thread is not None:
        thread.join(timeout=LIMITS.run_backstop_s + 5)
    watching.end()

    check_verdict(program, verdict, elapsed)
    if program.concurrent:
        assert companion and companion[0].status == "pass", (
            f"the concurrent run was disturbed: {companion and summary(companion[0])}"
        )
    leftovers = wait_until(watching.leftovers)
    assert not leftovers, leftovers


NO_BWRAP_PROGRAMS = [
    p for p in PROGRAMS
    if p.name in {"python/zombies_and_orphans", "python/script_orphan", "python/fork_bomb",
                  "javascript/detached_children"}
]  # fmt: skip


@pytest.mark.parametrize("program", NO_BWRAP_PROGRAMS, ids=lambda p: p.name)
def test_leftovers_die_without_bubblewrap(
    program: Program,
    local_sandbox_without_bwrap: LocalSandbox,
    watch: Callable[[Sandbox], Watch],
) -> None:
    """Without bwrap's PID namespace, processes that left the run's process group (setsid,
    double forks, detached children) are still killed: by the run's uid."""
    watching = watch(local_sandbox_without_bwrap)
    started = time.perf_counter()
    verdict = check_source(
        problem_for(program), program.source, local_sandbox_without_bwrap, program.limits
    )
    elapsed = time.perf_counter() - started
    watching.end()
    check_verdict(program, verdict, elapsed)
    assert wait_until(watching.leftovers) == []


def uid_reporter() -> RunRequest:
    return RunRequest(
        language="python",
        mode="function",
        source="import os, time\ndef f():\n    time.sleep(0.5)\n    return os.getuid()\n",
        entry_point="f",
        cases=({"id": "t1", "kind": "call", "args": [], "kwargs": {}},),
        limits=LIMITS,
    )


def concurrent_uids(sandboxes: list[Sandbox]) -> list[object]:
    """The uid each sandbox's run had, all runs at the same time."""
    reports: list[RunReport] = []
    threads = [
        threading.Thread(target=lambda s=s: reports.append(s.run(uid_reporter())))
        for s in sandboxes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [r.cases["t1"].value for r in reports]


def test_two_local_sandboxes_never_share_a_run_uid(local_sandbox: LocalSandbox) -> None:
    """Two servers on one machine (here: two sandboxes) lease their run uids: concurrent runs
    never share one, so one run's processes cannot starve or signal the other's."""
    if os.geteuid() != 0:
        pytest.skip("as a normal user runs use the server's own uid")
    other = LocalSandbox(LocalSettings())
    uids = concurrent_uids([local_sandbox, other, local_sandbox, other])
    assert len(uids) == 4 and all(isinstance(u, int) and u >= 62000 for u in uids), uids
    assert len(set(uids)) == 4, uids


def test_two_docker_sandboxes_never_share_a_run_uid(docker_sandbox: Sandbox) -> None:
    """Two servers on one engine (a shared Docker host): RLIMIT_NPROC counts per uid across
    all containers, so their containers must not share uids either."""
    from codegym.config import DockerSettings
    from codegym.sandbox.docker_backend import DockerSandbox

    others = [DockerSandbox(DockerSettings(pool_size=0)) for _ in range(2)]
    try:
        uids = concurrent_uids([*others, *others])
    finally:
        for other in others:
            other.close()
    assert len(uids) == 4 and all(isinstance(u, int) and u >= 10001 for u in uids), uids
    assert len(set(uids)) == 4, uids


@pytest.mark.parametrize("backend", ["local", "docker"])
def test_files_do_not_survive_between_runs(backend: str, request: pytest.FixtureRequest) -> None:
    sandbox: Sandbox = request.getfixturevalue(f"{backend}_sandbox")
    program = Program(PROGRAMS_DIR / "python" / "inline.py", "python", "-", frozenset())
    problem = problem_for(program)
    writer = (
        "import os\n"
        "def double(x):\n"
        "    for path in ('left-behind.txt', '/tmp/left-behind.txt'):\n"
        "        try:\n"
        "            open(path, 'w').write('secret')\n"
        "        except OSError:\n"
        "            pass\n"
        "    return 2 * x\n"
    )
    assert check_source(problem, writer, sandbox, LIMITS).status == "pass"
    reader = (
        "import os\n"
        "def double(x):\n"
        "    found = os.path.exists('left-behind.txt') or os.path.exists('/tmp/left-behind.txt')\n"
        "    return 'found' if found else 2 * x\n"
    )
    verdict = check_source(problem, reader, sandbox, LIMITS)
    assert verdict.status == "pass", summary(verdict)


def test_the_suite_is_big_enough() -> None:
    by_language = {lang: [p for p in PROGRAMS if p.language == lang] for lang in SUFFIXES.values()}
    assert len(PROGRAMS) >= 30
    assert all(len(programs) >= 10 for programs in by_language.values()), by_language


def test_header_parsing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("# attack: nothing\n# expect: passed\nx = 1\n")
    with pytest.raises(AssertionError):
        load_program(bad)
    good = tmp_path / "good.js"
    good.write_text("// attack: a\n//   b\n// expect: timeout\n// limits: processes=32\n")
    program = load_program(good)
    assert program.attack == "a b" and program.limits.processes == 32
    assert program.language == "javascript" and program.expect == {"timeout"}
