#!/usr/bin/env python3
"""Set-up and entry points that need nothing but Python 3.10+ and git.

    python3 make.py practice [DIR]   # install Code Gym in .venv, write exercises to DIR, check one
    python3 make.py test [ARGS...]   # install the test tools in .venv and run the test suite
    python3 make.py test --quick     # only the fast tests (pytest -m "not slow")
    python3 make.py install          # just the .venv (used by .ci/run)
    python3 make.py bench            # run every benchmark, rewriting docs/performance.md

Each command creates `.venv` next to this file when it is missing and reinstalls only when
pyproject.toml changed. `practice` prints how to put `codegym` on your PATH when it is not (it
changes no file of yours). `test` passes ARGS to pytest: the whole suite takes about 12 minutes
on a 2-core machine with Docker; `--quick` (about 430 tests, 1½ minutes) leaves out the
tests marked `slow` in tests/conftest.py: Docker runs, hostile programs, fuzzing, crash tests,
real editors, timeouts.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def _run(*command: str | Path, check: bool = True) -> int:
    return subprocess.run([str(c) for c in command], cwd=ROOT, check=check).returncode


def ensure_venv(extras: str = "test") -> None:
    if sys.version_info < (3, 10):  # noqa: UP036 (make.py may run on an old Python)
        sys.exit(f"Code Gym needs Python 3.10 or newer (this is {sys.version.split()[0]}).")
    if not PYTHON.exists():
        print(f"creating {VENV.relative_to(ROOT)} …", flush=True)
        try:
            venv.create(VENV, with_pip=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            sys.exit(
                f"could not create a virtual environment ({exc}). On Debian/Ubuntu: "
                "sudo apt install python3-venv"
            )
    stamp = VENV / ".codegym-installed"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("installing Code Gym and its dependencies …", flush=True)
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-e", f".[{extras}]")
    stamp.write_text(digest)


def practice(args: list[str]) -> int:
    ensure_venv()
    workspace = Path(args[0] if args else "gym").resolve()
    codegym = BIN / "codegym"
    _run(codegym, "init", workspace)
    first = sorted(workspace.glob("python/*/*.py"))
    if first:
        print(f"\n$ codegym check {first[0]}\n", flush=True)
        _run(codegym, "check", first[0], check=False)
    advice = path_advice(codegym)
    command = str(codegym) if advice else "codegym"
    print(
        f"\nYour exercises are in {workspace}. Edit a file, then run:\n"
        f"  {command} check <file>\n"
        "Docker is used when an engine is running and the images are built "
        f"({command} images build); otherwise a local sandbox runs the tests."
    )
    if advice:
        print(f"\n{advice}")
    return 0


def path_advice(codegym: Path) -> str | None:
    """How to run `codegym` by its name, as the exercise files say; None when that already runs
    this checkout's. Nothing is changed: the learner runs the line printed."""
    found = shutil.which("codegym")
    if found and Path(found).resolve() == codegym.resolve():
        return None
    why = "`codegym` is not on your PATH. To run it by its name, as the exercise files say,"
    local_bin = Path.home() / ".local" / "bin"
    if local_bin.is_dir() and str(local_bin) in os.environ.get("PATH", "").split(os.pathsep):
        link = shlex.join(["ln", "-sf", str(codegym), str(local_bin / "codegym")])
        return f"{why} link it into {local_bin}, which is:\n  {link}"
    return (
        f"{why} run this line, and add it to your shell's start-up file (~/.bashrc, ~/.zshrc)"
        f' to keep it:\n  export PATH="{codegym.parent}:$PATH"'
    )


QUICK = ["-m", "not slow"]
"""`make.py test --quick`: the tests not marked `slow` (tests/conftest.py marks them)."""


def pytest_arguments(args: list[str]) -> list[str]:
    """pytest's arguments: `--quick` becomes `-m "not slow"`, everything else passes through."""
    if "--quick" not in args:
        return args
    return [*QUICK, *(arg for arg in args if arg != "--quick")]


def test(args: list[str]) -> int:
    ensure_venv()
    return _run(PYTHON, "-m", "pytest", *pytest_arguments(args), check=False)


BENCHMARKS = [  # each rewrites its own block of docs/performance.md
    ("sandbox_latency.py", "--runs", "40"),
    ("lsp_latency.py", "--saves", "30"),
    ("validate_time.py",),
    ("busy_verdicts.py", "--burners", "2"),
    ("classroom.py", "--learners", "12,30,60", "--period", "2", "--duration", "60"),
    ("tutor_overhead.py", "--rounds", "40"),
]


def bench(args: list[str]) -> int:
    """All the benchmarks (a Docker engine and the images are needed: `codegym images build`)."""
    ensure_venv()
    report = ROOT / "docs" / "performance.md"
    only = set(args)
    for script, *options in BENCHMARKS:
        if only and Path(script).stem not in only:
            continue
        print(f"\n$ bench/{script} {' '.join(options)}", flush=True)
        code = _run(PYTHON, ROOT / "bench" / script, *options, "--write", report, check=False)
        if code:
            return code
    print(f"\nwrote {report.relative_to(ROOT)}")
    return 0


def main() -> int:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "practice":
        return practice(rest)
    if command == "test":
        return test(rest)
    if command == "bench":
        return bench(rest)
    if command == "install":
        ensure_venv()
        return 0
    print(__doc__)
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main())
