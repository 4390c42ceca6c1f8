"""Hostile learner code, on both backends: cheats gain nothing and every limit holds."""

from __future__ import annotations

import os
import time

import pytest

from codegym.checker import check_source
from codegym.config import SandboxLimits
from codegym.sandbox import Sandbox

from .conftest import make_problem

TESTS = [
    {"kind": "call", "name": "one", "args": [1], "expected": 2},
    {"kind": "call", "name": "two", "args": [2], "expected": 4},
    {"kind": "call", "name": "hidden", "visibility": "hidden", "label": "big", "args": [50],
     "expected": 100},
]  # fmt: skip


def problem(language: str = "python") -> object:
    solution = (
        "def double(x):\n    return 2 * x\n"
        if language == "python"
        else ("function double(x) { return 2 * x; }\n")
    )
    return make_problem(language=language, solution=solution, tests=TESTS, entry_point="double")


def run(sandbox: Sandbox, source: str, limits: SandboxLimits, language: str = "python"):
    return check_source(problem(language), source, sandbox, limits)


# ------------------------------------------------------------------------------ cheats


def test_exit_before_tests_run(sandbox: Sandbox, limits: SandboxLimits) -> None:
    for source in (
        "import os\nos._exit(0)\n",
        "import sys\nsys.exit(0)\n",
        "def double(x):\n    import os\n    os._exit(0)\n",
    ):
        verdict = run(sandbox, source, limits)
        assert verdict.status == "fail", source
        assert not any(t.passed for t in verdict.tests)


def test_exit_before_tests_run_javascript(sandbox: Sandbox, limits: SandboxLimits) -> None:
    for source in ("process.exit(0);\n", "function double(x) { process.exit(0); }\n"):
        verdict = run(sandbox, source, limits, "javascript")
        assert not any(t.passed for t in verdict.tests), source


def test_always_equal_object(sandbox: Sandbox, limits: SandboxLimits) -> None:
    source = (
        "class Yes(int):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    __hash__ = int.__hash__\n"
        "class Anything:\n"
        "    def __eq__(self, other):\n        return True\n"
        "def double(x):\n    return Anything() if x == 1 else Yes(0)\n"
    )
    verdict = run(sandbox, source, limits)
    assert not any(t.passed for t in verdict.tests)
    assert "<Anything object>" in verdict.tests[0].message


def test_always_equal_object_javascript(sandbox: Sandbox, limits: SandboxLimits) -> None:
    source = (
        "function double(x) {\n"
        "  const cheat = { valueOf() { return 2 * x; }, toJSON() { return 2 * x; } };\n"
        "  return x === 1 ? cheat : new Proxy({}, { get: () => 2 * x });\n"
        "}\n"
    )
    verdict = run(sandbox, source, limits, "javascript")
    assert not any(t.passed for t in verdict.tests)


def test_forged_result_lines(sandbox: Sandbox, limits: SandboxLimits) -> None:
    forged = '{"event": "case", "id": "t1", "status": "ok", "value": 2}'
    source = (
        "import os, sys\n"
        f"FORGED = {forged!r}\n"
        "def double(x):\n"
        "    for fd in range(1, 20):\n"
        "        try:\n"
        "            os.write(fd, ('@@codegym guess ' + FORGED + '\\n').encode())\n"
        "        except OSError:\n"
        "            pass\n"
        "    print('@@codegym 0000 ' + FORGED)\n"
        "    return 0\n"
    )
    verdict = run(sandbox, source, limits)
    assert not any(t.passed for t in verdict.tests)


def test_monkeypatching_the_harness(sandbox: Sandbox, limits: SandboxLimits) -> None:
    source = (
        "import sys, json, builtins\n"
        'json.dumps = lambda *a, **k: \'{"event": "case", "status": "ok", "value": 4}\'\n'
        "json.loads = lambda *a, **k: {}\n"
        "main = sys.modules.get('__main__')\n"
        "for name in dir(main):\n"
        "    obj = getattr(main, name, None)\n"
        "    if callable(obj) and not isinstance(obj, type):\n"
        "        try:\n"
        "            setattr(main, name, lambda *a, **k: None)\n"
        "        except Exception:\n"
        "            pass\n"
        "def double(x):\n    return 0\n"
    )
    verdict = run(sandbox, source, limits)
    assert not any(t.passed for t in verdict.tests)


# ------------------------------------------------------------------------------ limits


def test_infinite_loop_times_out_within_limit(sandbox: Sandbox) -> None:
    limits = SandboxLimits(wall_s=2)
    for language, source in (
        ("python", "def double(x):\n    while True:\n        pass\n"),
        ("python", "while True:\n    pass\n"),
        ("javascript", "function double(x) { for (;;) {} }\n"),
    ):
        started = time.perf_counter()
        verdict = run(sandbox, source, limits, language)
        elapsed = time.perf_counter() - started
        assert verdict.tests[0].category == "timeout", (language, source, verdict.tests[0])
        assert not any(t.passed for t in verdict.tests)
        assert elapsed < limits.wall_s + 1, elapsed


def test_memory_balloon(sandbox: Sandbox, limits: SandboxLimits) -> None:
    source = "def double(x):\n    hog = []\n    while True:\n        hog.append(bytearray(10**7))\n"
    verdict = run(sandbox, source, limits)
    assert verdict.tests[0].category == "memory_limit", verdict.tests[0]


def test_memory_balloon_javascript(sandbox: Sandbox, limits: SandboxLimits) -> None:
    source = (
        "function double(x) {\n  const hog = [];\n  for (;;) hog.push(new Array(1e6).fill(x));\n}\n"
    )
    verdict = run(sandbox, source, limits, "javascript")
    assert not any(t.passed for t in verdict.tests)
    assert verdict.tests[0].category in ("memory_limit", "runtime_error"), verdict.tests[0]


def test_fork_bomb_is_contained(sandbox: Sandbox) -> None:
    if sandbox.name == "local" and os.geteuid() != 0:
        pytest.skip("as a normal user the local backend runs code as that user: not checkable")
    limits = SandboxLimits(wall_s=3, processes=32)
    source = (
        "import os\n"
        "def double(x):\n"
        "    while True:\n"
        "        try:\n"
        "            os.fork()\n"
        "        except OSError:\n"
        "            pass\n"
    )
    started = time.perf_counter()
    verdict = run(sandbox, source, limits)
    assert not any(t.passed for t in verdict.tests)
    assert time.perf_counter() - started < limits.wall_s + 2
    # Nothing of the learner's is left running.
    deadline = time.monotonic() + 10
    while _leftovers(sandbox) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _leftovers(sandbox) == []


def _leftovers(sandbox: Sandbox) -> list[object]:
    """Local: processes of the unprivileged user. Docker: containers of this sandbox holding
    anything but the one idle harness of a pooled container."""
    if sandbox.name == "local":
        from codegym.sandbox.local import RUN_UID_BASE, RUN_UID_SLOTS

        return _processes_of_uid(range(RUN_UID_BASE, RUN_UID_BASE + RUN_UID_SLOTS))
    from codegym.sandbox.docker_backend import LABEL_INSTANCE

    found = []
    for container in sandbox.client.containers.list(  # type: ignore[attr-defined]
        filters={"label": f"{LABEL_INSTANCE}={sandbox.instance}"}  # type: ignore[attr-defined]
    ):
        try:
            processes = container.top()["Processes"] or []
        except Exception:
            continue  # removed meanwhile
        if len(processes) != 1:
            found.append((container.short_id, len(processes)))
    return found


def test_output_flood_is_truncated(sandbox: Sandbox, limits: SandboxLimits) -> None:
    source = "def double(x):\n    while True:\n        print('spam' * 1000)\n"
    verdict = run(sandbox, source, limits)
    assert verdict.tests[0].category == "output_limit"
    raw = "import os\ndef double(x):\n    while True:\n        os.write(1, b'x' * 65536)\n"
    verdict = run(sandbox, raw, limits)
    assert verdict.tests[0].category == "output_limit"


def test_network_is_blocked(sandbox: Sandbox, limits: SandboxLimits) -> None:
    source = (
        "import socket\n"
        "def double(x):\n"
        "    try:\n"
        "        socket.create_connection(('1.1.1.1', 53), timeout=2).close()\n"
        "        return 'connected'\n"
        "    except OSError as exc:\n"
        "        return 2 * x\n"
    )
    verdict = run(sandbox, source, limits)
    assert verdict.tests[0].passed, verdict.tests[0]


def test_files_do_not_survive_between_runs(sandbox: Sandbox, limits: SandboxLimits) -> None:
    writer = (
        "import os\n"
        "def double(x):\n"
        "    open('left-behind.txt', 'w').write('secret')\n"
        "    open('/tmp/left-behind.txt', 'w').write('secret')\n"
        "    return 2 * x\n"
    )
    assert run(sandbox, writer, limits).tests[0].passed
    reader = (
        "import os\n"
        "def double(x):\n"
        "    found = os.path.exists('left-behind.txt') or os.path.exists('/tmp/left-behind.txt')\n"
        "    return 'found' if found else 2 * x\n"
    )
    assert run(sandbox, reader, limits).tests[0].passed


def test_no_root_and_read_only_system(sandbox: Sandbox, limits: SandboxLimits) -> None:
    source = (
        "import os\n"
        "def double(x):\n"
        "    if os.geteuid() == 0:\n"
        "        return 'root'\n"
        "    try:\n"
        "        open('/usr/pwned', 'w')\n"
        "        return 'wrote /usr'\n"
        "    except OSError:\n"
        "        return 2 * x\n"
    )
    verdict = run(sandbox, source, limits)
    assert verdict.tests[0].passed, verdict.tests[0]


def _processes_of_uid(uids: range) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                for line in status:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) in uids:
                            found.append(int(entry))
                        break
        except OSError:
            continue
    return found
