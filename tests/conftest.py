"""Shared fixtures: both sandbox backends and a way to build problems in code."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codegym.config import DockerSettings, LocalSettings, SandboxLimits
from codegym.content.models import Catalog, Problem, ProblemBody, ProblemMeta
from codegym.logging_setup import configure_logging
from codegym.sandbox import LocalSandbox, Sandbox, SandboxError

ROOT = Path(__file__).resolve().parents[1]
REQUIRE_DOCKER = os.environ.get("CODEGYM_REQUIRE_DOCKER") == "1"

configure_logging("WARNING")


TESTS = Path(__file__).resolve().parent
SLOW_PATHS = (
    "hostile/",  # every hostile program, on every backend
    "test_lsp_fuzz.py",  # fuzzing the language server
    "test_crash_safety.py",  # servers and writers killed mid-write
    "test_neovim.py",  # a real Neovim
    "test_eglot.py",  # a real Emacs
    "emacs/",
    "test_lsp_features.py",  # a language server per test (test_lsp.py stays: the essentials)
    "test_lsp_tutor.py",
)
"""Test files (under tests/) marked `slow` whole: `make.py test --quick` leaves them out."""
SLOW_PARAMS = {"sandbox": "docker", "backend": "docker", "client": "neovim@v0.7"}
"""Parameters that make a test `slow`, as the `docker` marker does: the Docker backend
(containers to start; the local backend runs the same test) and the second LSP client profile
(each LSP test runs once, as VS Code)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "docker_sandbox" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.docker)
        if is_slow(item):
            item.add_marker(pytest.mark.slow)


def is_slow(item: pytest.Item) -> bool:
    """Whether `make.py test --quick` (`-m "not slow"`) leaves the test out; tests are also
    marked `@pytest.mark.slow` one by one."""
    if item.path.resolve().relative_to(TESTS).as_posix().startswith(SLOW_PATHS):
        return True
    if item.get_closest_marker("docker"):
        return True
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec else {}
    return any(params.get(name) == value for name, value in SLOW_PARAMS.items())


@pytest.fixture(scope="session")
def local_sandbox() -> Iterator[LocalSandbox]:
    sandbox = LocalSandbox(LocalSettings())
    yield sandbox
    sandbox.close()


@pytest.fixture(scope="session")
def docker_sandbox() -> Iterator[Sandbox]:
    """The Docker backend with a small warm pool. Skips where no engine or images are
    available, unless CODEGYM_REQUIRE_DOCKER=1 (CI), where that is a failure."""
    sandbox = open_docker_sandbox(DockerSettings(pool_size=2))
    yield sandbox
    sandbox.close()


def open_docker_sandbox(settings: DockerSettings) -> Sandbox:
    """A Docker sandbox with both images built, or a skip with the reason (a failure under
    CODEGYM_REQUIRE_DOCKER=1)."""
    try:
        from codegym.sandbox.docker_backend import DockerSandbox

        sandbox = DockerSandbox(settings)
        for language in ("python", "javascript"):
            sandbox.image(language)
    except SandboxError as exc:
        if REQUIRE_DOCKER:
            pytest.fail(f"CODEGYM_REQUIRE_DOCKER=1 but Docker is unusable: {exc}")
        pytest.skip(f"Docker sandbox unavailable: {exc}")
    return sandbox


@pytest.fixture(params=["local", "docker"])
def sandbox(request: pytest.FixtureRequest) -> Sandbox:
    """Each test that takes `sandbox` runs on both backends."""
    name = "docker_sandbox" if request.param == "docker" else "local_sandbox"
    return request.getfixturevalue(name)


@pytest.fixture
def limits() -> SandboxLimits:
    return SandboxLimits(wall_s=5)


def make_problem(
    *,
    language: str = "python",
    solution: str = "",
    tests: list[dict[str, Any]],
    entry_point: str | None = None,
    kind: str = "function",
    starter: str = "",
    problem_id: str = "test-problem",
) -> Problem:
    """A Problem built in code, for tests that should not depend on the bundled content."""
    body = ProblemBody.model_validate(
        {
            "statement": "A test problem.",
            "language": language,
            "kind": kind,
            "entry_point": entry_point,
            "starter": starter or solution,
            "solution": solution or "pass",
            "tests": tests,
            "hints": ["one", "two", "three"],
        }
    )
    catalog = Catalog.model_validate(
        {
            "courses": [
                {
                    "id": "course",
                    "title": "Course",
                    "language": language,
                    "topics": [
                        {
                            "id": "topic",
                            "title": "Topic",
                            "problems": [
                                {
                                    "id": problem_id,
                                    "title": "Test problem",
                                    "difficulty": "easy",
                                    "order": 1,
                                    "file": "p.yaml",
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    )
    course = catalog.courses[0]
    topic = course.topics[0]
    meta: ProblemMeta = topic.problems[0]
    return Problem(
        meta=meta, body=body, course=course, topic=topic, topic_index=0, source_file="p.yaml"
    )


from .lsp_support import client  # noqa: E402, F401 (the pytest-lsp client fixture)
