"""The CLI contract: init, check (exit codes, --json), validate, preview, errors as one line."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegym.catalog import next_exercise
from codegym.checker import build_request
from codegym.config import LocalSettings, SandboxLimits
from codegym.content import ContentError, load_content
from codegym.sandbox import LocalSandbox
from codegym.workspace import default_path, init_workspace

from .conftest import REQUIRE_DOCKER, ROOT

CONTENT = load_content(ROOT / "content")


def codegym(*args: str | Path, backend: str = "local") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CODEGYM_BACKEND": backend}
    return subprocess.run(
        [sys.executable, "-m", "codegym.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def backends() -> list[str]:
    return ["local", "docker"]


@pytest.fixture(params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "docker":
        request.getfixturevalue("docker_sandbox")  # skips (or fails in CI) without Docker
    return request.param


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gym")
    result = codegym("init", root)
    assert result.returncode == 0, result.stderr
    assert f"{len(CONTENT.problems)} exercise files created" in result.stdout
    return root


def test_init_twice_creates_nothing_new(workspace: Path) -> None:
    again = codegym("init", workspace)
    assert again.returncode == 0
    assert "0 exercise files created" in again.stdout


# Every exercise's starter and solution are checked by `validate` on both backends (below); the
# CLI round trip is shown on one exercise of each kind of test and language.
SAMPLE = ["py-sum-evens", "py-running-total", "py-word-counter", "js-fix-average", "js-group-by",
          "js-leaderboard"]  # fmt: skip


@pytest.mark.parametrize("exercise", SAMPLE)
def test_check_starter_fails_and_solution_passes(
    exercise: str, workspace: Path, backend: str, tmp_path: Path
) -> None:
    problem = CONTENT.get(exercise)
    starter_file = workspace / default_path(problem)
    failing = codegym("check", starter_file, "--json", backend=backend)
    assert failing.returncode == 1, failing.stderr
    document = json.loads(failing.stdout)
    assert document["exercise"] == exercise
    assert document["status"] == "fail"
    assert document["backend"] == backend
    assert any(t["status"] != "pass" for t in document["tests"])
    for test in document["tests"]:
        assert {"name", "visibility", "status", "category", "message", "line"} <= test.keys()
        if test["visibility"] == "hidden":
            assert not {"input", "expected", "actual", "stdout"} & test.keys()

    solved = tmp_path / starter_file.name
    header = starter_file.read_text().split("\n\n", 1)[0]
    solved.write_text(header + "\n\n" + problem.body.solution)
    passing = codegym("check", solved, backend=backend)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "All tests pass" in passing.stdout


def test_check_says_how_the_run_was_isolated(workspace: Path, backend: str) -> None:
    starter_file = workspace / default_path(CONTENT.get("py-sum-evens"))
    document = json.loads(codegym("check", starter_file, "--json", backend=backend).stdout)
    isolation = document["isolation"]
    if backend == "docker":
        assert isolation == "container"
    else:
        # Without bubblewrap, only root can give a run a uid of its own.
        allowed = {"namespaces", "own_uid" if os.geteuid() == 0 else "none"}
        assert isolation in allowed
    text = codegym("check", starter_file, backend=backend).stdout
    assert ("! Not isolated" in text) == (isolation == "none")
    assert ("! Partly isolated" in text) == (isolation == "own_uid")


def test_local_backend_without_bubblewrap_is_not_namespaced() -> None:
    sandbox = LocalSandbox(LocalSettings(isolate_network=False))
    problem = CONTENT.get("py-sum-evens")
    report = sandbox.run(build_request(problem, problem.body.solution, SandboxLimits()))
    assert report.isolation == ("own_uid" if os.geteuid() == 0 else "none")


def test_check_human_output_lists_failures(workspace: Path) -> None:
    """One line per test under scores that count them: public tests in full, hidden ones by
    label only, each with its mark."""
    problem = CONTENT.get("py-sum-evens")
    result = codegym("check", workspace / default_path(problem))
    assert result.returncode == 1
    header, levels, *lines = result.stdout.splitlines()
    lines = [line for line in lines if not line.startswith("! ")]  # how isolated the run was
    assert header.startswith("✗ py-sum-evens · Sum of evens: 1/4 public · 1/5 hidden  [")
    assert levels.startswith("  levels: syntax ✓ · runs ✓ · tests 1/4 public, 1/5 hidden · ")
    public = [t for t in problem.body.tests if t.visibility == "public"]
    hidden = [t for t in problem.body.tests if t.visibility == "hidden"]
    assert len(lines) == len(public) + len(hidden)
    assert lines[0] == "  ✗ mixed numbers: sum_evens([1, 2, 3, 4]) returned 0, expected 6"
    assert lines[len(public) :] == [
        f"  ✓ hidden: {t.label}"
        if t.label == "empty list"
        else f"  ✗ hidden: {t.label} (wrong answer)"
        for t in hidden
    ]


def test_check_of_code_that_does_not_parse_is_one_line(tmp_path: Path) -> None:
    problem = CONTENT.get("py-sum-evens")
    path = tmp_path / "typo.py"
    header = (ROOT / "content").exists() and problem.body.starter
    path.write_text(
        "# codegym: exercise py-sum-evens\n\ndef sum_evens(numbers):\n    return sum((1)\n"
    )
    assert header
    result = codegym("check", path, "--json")
    document = json.loads(result.stdout)
    assert result.returncode == 1 and document["isolation"] is None
    assert document["syntax"] == {
        "error_type": "SyntaxError", "message": "'(' was never closed", "line": 4, "column": 14
    }  # fmt: skip
    assert {t["category"] for t in document["tests"]} == {"syntax_error"}
    text = codegym("check", path).stdout.splitlines()
    assert text[1:] == [f"  ✗ {path}:4: SyntaxError: '(' was never closed (no test ran)"]
    assert text[0].endswith("0/4 public · 0/5 hidden  [not run]")


def test_check_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    plain = tmp_path / "plain.py"
    plain.write_text("print('no header')\n")
    for args in (
        ("check", plain),
        ("check", tmp_path / "missing.py"),
        ("preview", "no-such-exercise"),
        ("init", tmp_path / "x", "--course", "cobol"),
    ):
        result = codegym(*args)
        assert result.returncode == 2, args
        assert result.stderr.startswith("codegym: ")
        assert "Traceback" not in result.stderr
        assert result.stdout == ""
    assert not (tmp_path / "x").exists()  # an unknown course: nothing made


def test_check_with_docker_required_but_unreachable(workspace: Path) -> None:
    problem = CONTENT.get("py-sum-evens")
    env = {**os.environ, "DOCKER_HOST": "tcp://127.0.0.1:9"}
    result = subprocess.run(
        [sys.executable, "-m", "codegym.cli", "check", "--backend", "docker",
         str(workspace / default_path(problem))],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("codegym: sandbox: no Docker engine reachable")


def test_auto_falls_back_to_local_with_a_warning(workspace: Path) -> None:
    problem = CONTENT.get("py-sum-evens")
    env = {**os.environ, "DOCKER_HOST": "tcp://127.0.0.1:9", "CODEGYM_BACKEND": "auto"}
    result = subprocess.run(
        [sys.executable, "-m", "codegym.cli", "check", "--json",
         str(workspace / default_path(problem))],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert json.loads(result.stdout)["backend"] == "local"
    assert "using the local sandbox" in result.stderr


def test_preview_shows_learner_file_and_solution() -> None:
    shown = codegym("preview", "py-sum-evens")
    assert shown.returncode == 0
    assert "# codegym: exercise py-sum-evens" in shown.stdout
    solution = codegym("preview", "py-sum-evens", "--solution")
    assert solution.stdout == CONTENT.get("py-sum-evens").body.solution


BROKEN = "py-sum-evens"


@pytest.fixture(scope="module")
def broken_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled content in which one problem's YAML does not parse."""
    root = tmp_path_factory.mktemp("content")
    shutil.copytree(ROOT / "content", root, dirs_exist_ok=True)
    path = root / CONTENT.get(BROKEN).source_file
    path.write_text(path.read_text().replace("language: python", "language: [python"))
    return root


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z \[")
"""A structured log line (structlog's console format, on stderr beside the CLI's messages): a
machine without bubblewrap logs a warning when `init` opens the sandbox for the generators."""


def messages(stderr: str) -> list[str]:
    """The CLI's own lines on stderr, without the log's."""
    return [line for line in stderr.splitlines() if not LOG_LINE.match(line)]


def located(root: Path, error: ContentError) -> str:
    """How the CLI prints a content error: `file:line: message`, the file under `root`."""
    return f"{root / error.file}:{error.line}: {error.message}"


def test_init_writes_what_loads_reports_the_rest_and_exits_1(
    broken_content: Path, tmp_path: Path
) -> None:
    [error] = load_content(broken_content).errors
    result = codegym("init", tmp_path / "gym", "--content", broken_content)
    assert result.returncode == 1
    assert f"{len(CONTENT.problems) - 1} exercise files created" in result.stdout
    assert not (tmp_path / "gym" / default_path(CONTENT.get(BROKEN))).exists()
    assert messages(result.stderr) == [
        located(broken_content, error),
        f"codegym: 1 exercise not written, their content failed to load: {BROKEN}",
    ]
    other_course = codegym("init", tmp_path / "js", "--course", "javascript", "--content",
                           broken_content)  # fmt: skip
    assert other_course.returncode == 0
    assert messages(other_course.stderr) == [located(broken_content, error)]


def test_preview_of_a_problem_that_failed_to_load_says_why(broken_content: Path) -> None:
    [error] = load_content(broken_content).errors
    result = codegym("preview", BROKEN, "--content", broken_content)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        located(broken_content, error),
        f"codegym: exercise {BROKEN!r} failed to load: see "
        f"{broken_content / error.file}:{error.line} above",
    ]
    other = codegym("preview", "py-running-total", "--content", broken_content)
    assert other.returncode == 0
    assert other.stderr.splitlines() == [located(broken_content, error)]


def test_check_reports_content_errors_and_still_checks(
    broken_content: Path, workspace: Path
) -> None:
    [error] = load_content(broken_content).errors
    exercise = workspace / default_path(CONTENT.get("py-running-total"))
    result = codegym("check", exercise, "--content", broken_content)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("✗ py-running-total")
    assert located(broken_content, error) in result.stderr.splitlines()


def test_validate_takes_content_as_option_or_argument_not_two(tmp_path: Path) -> None:
    result = codegym("validate", ROOT / "content", "--content", tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("codegym: two content folders given")


@pytest.mark.slow
def test_validate_bundled_content(backend: str) -> None:
    result = codegym("validate", ROOT / "content", backend=backend)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every solution passes" in result.stdout


def test_validate_reports_broken_problems_with_file_and_line(tmp_path: Path) -> None:
    from .test_content_loader import GOOD_BODY, catalog, write_tree

    wrong_expected = GOOD_BODY.replace("    expected: 3\n", "    expected: 4\n")
    starter_passes = GOOD_BODY.replace("      return 0\n", "      return a + b\n")
    leaky_hint = GOOD_BODY.replace(
        "hints: [think, plan, do]", "hints: [think, plan, 'start with def add(a, b): and go']"
    )
    write_tree(
        tmp_path,
        {
            "config.yaml": catalog(
                ("wrong", "wrong.yaml"), ("easy", "easy.yaml"), ("leaky", "leaky.yaml")
            ),
            "wrong.yaml": wrong_expected,
            "easy.yaml": starter_passes,
            "leaky.yaml": leaky_hint,
        },
    )
    result = codegym("validate", "--content", tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert (
        "wrong.yaml:15: wrong: the reference solution fails test 't1': small: add(1, 2) "
        "returned 3, expected 4" in lines
    )
    assert "easy.yaml:8: easy: the starter passes every test (it must fail at least one)" in lines
    assert "leaky.yaml:25: leaky: hint 3 contains the solution's code: 'def add(a, b):'" in lines


def test_docker_is_required_in_ci() -> None:
    if not REQUIRE_DOCKER:
        pytest.skip("only meaningful where CODEGYM_REQUIRE_DOCKER=1")
    from codegym.sandbox.docker_backend import DockerSandbox

    DockerSandbox().close()


def test_a_pass_in_a_workspace_names_the_next_exercise(tmp_path: Path) -> None:
    init_workspace(tmp_path, CONTENT)
    problem = CONTENT.get("py-sum-evens")
    file = tmp_path / default_path(problem)
    header = file.read_text().split("\n\n", 1)[0]
    file.write_text(header + "\n\n" + problem.body.solution)
    passing = codegym("check", file, backend="local")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    after = next_exercise(CONTENT, tmp_path, after=problem.id)
    assert after is not None
    next_file = tmp_path / default_path(after.problem)
    last = passing.stdout.splitlines()[-1]
    assert last.startswith(f"Next: {after.problem.meta.title} (")
    assert last.endswith(f"): {next_file}")
