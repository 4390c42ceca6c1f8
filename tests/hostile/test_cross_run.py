"""Nothing of one run reaches a later one, on every backend (docs/sandbox.md: reuse).

Each `cross_run/plant_*` program tries to leave state behind: files in /tmp, /var/tmp, /dev/shm
and /dev/mqueue, a daemon with a socket, System V IPC objects, environment variables, inherited
descriptors, a poisoned module or package. Then `cross_run/look.*`, another exercise of the same
language, runs on the same sandbox and reports every trace it finds: it must find none.

On Docker a warm container serves many runs; the plant's header says whether its container
must serve the look (`reuse: yes`: the supervisor removed everything, and the look ran in the
same container as another uid) or be replaced (`reuse: no`: the supervisor found what was left
and said the container is not clean). Both halves are checked, so the test proves reuse
happens, not only that the look saw nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from codegym.config import DockerSettings, SandboxLimits
from codegym.sandbox import RunReport, RunRequest, Sandbox

from ..conftest import open_docker_sandbox

CROSS_RUN_DIR = Path(__file__).parent / "cross_run"
PLANTS = sorted(CROSS_RUN_DIR.glob("plant_*"))
LIMITS = SandboxLimits(wall_s=5, test_cpu_s=5, cpu_s=10, memory_mb=256)
LANGUAGES = {".py": "python", ".js": "javascript"}


def run_file(sandbox: Sandbox, path: Path) -> RunReport:
    request = RunRequest(
        language=LANGUAGES[path.suffix],  # type: ignore[arg-type]
        mode="function",
        source=path.read_text(),
        entry_point="f",
        cases=({"id": "t1", "kind": "call", "args": [], "kwargs": {}},),
        limits=LIMITS,
    )
    return sandbox.run(request)


def must_reuse(plant: Path) -> bool:
    match = re.search(r"reuse: (yes|no)", plant.read_text())
    assert match, f"{plant.name} has no reuse: header"
    return match.group(1) == "yes"


@pytest.fixture(scope="module")
def serving_docker() -> Iterator[Sandbox]:
    """A Docker sandbox of its own, so that no other test's runs share its containers."""
    sandbox = open_docker_sandbox(DockerSettings(pool_size=1, runs_per_container=64))
    yield sandbox
    sandbox.close()


@pytest.mark.parametrize("backend", ["docker", "local", "local_without_bwrap"])
@pytest.mark.parametrize("plant", PLANTS, ids=lambda p: p.name)
def test_no_state_reaches_a_later_run(
    plant: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    name = {
        "docker": "serving_docker",
        "local": "local_sandbox",
        "local_without_bwrap": "local_sandbox_without_bwrap",
    }[backend]
    sandbox: Sandbox = request.getfixturevalue(name)
    planted = run_file(sandbox, plant)
    assert planted.load.status == "ok", planted
    look = run_file(sandbox, CROSS_RUN_DIR / f"look{plant.suffix}")
    case = look.cases["t1"]
    assert case.status == "ok", look
    assert case.value == [], f"a later run found what {plant.name} left: {case.value}"
    if backend != "docker":
        return
    assert planted.run_uid is not None and look.run_uid is not None
    assert look.run_uid != planted.run_uid, "each run has a uid of its own"
    if must_reuse(plant):
        assert planted.clean is True, planted.diagnostics
        assert look.sandbox_id == planted.sandbox_id, "the clean container served the next run"
    else:
        assert planted.clean is False, "the supervisor must find what the run left"
        assert look.sandbox_id != planted.sandbox_id, "an unclean container is replaced"
