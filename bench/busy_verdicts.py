#!/usr/bin/env python3
"""Verdicts on a busy machine: every reference solution (`codegym validate`, which also runs every
starter) and every naive solution in `tests/naive/` (`codegym check`), first on a quiet machine,
then while CPU-burning processes run beside them, on each backend, for this code and, with
`--before`, for another checkout, in the same run.

    .venv/bin/python bench/busy_verdicts.py [--burners 2] [--backends docker,local]
                                            [--before CHECKOUT --before-label COMMIT]
                                            [--write docs/performance.md]

A wrong verdict is a finding of `validate` (a reference failing, a starter passing) or a naive
solution judged anything but right-and-over-budget: it passes, or a test other than an
efficiency test fails. Every command runs in a fresh process (`python -m codegym.cli`) with
the checkout's `server/` on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from codegym.content import Problem, load_content  # noqa: E402
from codegym.workspace import default_path, render_exercise  # noqa: E402
from report import machine, write_block  # noqa: E402

NAIVE = ROOT / "tests" / "naive"
VALIDATE_TARGET_S = 10.0
BURN = "while True: pass"


@dataclass
class Outcome:
    validate_s: float
    findings: int
    naive_wrong: list[str]
    naive_checked: int

    @property
    def wrong(self) -> int:
        return self.findings + len(self.naive_wrong)


@contextmanager
def burners(count: int) -> Iterator[None]:
    """`count` processes that keep a CPU busy each, for the duration of the block."""
    processes = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(count)]
    try:
        yield
    finally:
        for process in processes:
            process.kill()
            process.wait()


def codegym(checkout: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(checkout / "server")}
    return subprocess.run(
        [sys.executable, "-m", "codegym.cli", *args],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def validate(checkout: Path, backend: str) -> tuple[float, int]:
    began = time.perf_counter()
    done = codegym(checkout, "validate", "--backend", backend)
    took = time.perf_counter() - began
    findings = [line for line in done.stdout.splitlines() if ": " in line and "✓" not in line]
    if done.returncode != 0 and not findings:
        raise SystemExit(f"validate could not run on {backend}:\n{done.stdout}\n{done.stderr}")
    return took, len(findings) if done.returncode != 0 else 0


def naive_is_judged_right(checkout: Path, backend: str, problem: Problem, folder: Path) -> bool:
    """Right but over budget: no pass, and every failing test is an efficiency test."""
    header = render_exercise(problem).split("\n\n", 1)[0]
    naive = (NAIVE / f"{problem.id}{problem.extension}").read_text(encoding="utf-8")
    path = folder / default_path(problem).name
    path.write_text(f"{header}\n\n{naive}", encoding="utf-8")
    done = codegym(checkout, "check", str(path), "--json", "--backend", backend)
    try:
        document = json.loads(done.stdout)
    except json.JSONDecodeError:
        return False
    if document.get("status") != "fail":
        return False
    efficiency = {str(test.id) for test in problem.body.tests if test.time_factor}
    failing = [t for t in document["tests"] if t["status"] != "pass"]
    return bool(failing) and all(
        t["id"] in efficiency and t["category"] in ("too_slow", "timeout") for t in failing
    )


def measure(checkout: Path, backend: str, problems: list[Problem]) -> Outcome:
    took, findings = validate(checkout, backend)
    wrong = []
    with tempfile.TemporaryDirectory() as folder:
        for problem in problems:
            if not naive_is_judged_right(checkout, backend, problem, Path(folder)):
                wrong.append(problem.id)
    return Outcome(took, findings, wrong, len(problems))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burners", type=int, default=2)
    parser.add_argument("--backends", default="docker,local")
    parser.add_argument("--before", type=Path, help="a checkout of the old code")
    parser.add_argument("--before-label", help="how the table names --before (a commit)")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    content = load_content(ROOT / "content")
    problems = [p for p in content.ordered() if (NAIVE / f"{p.id}{p.extension}").is_file()]
    checkouts = {"after": ROOT}
    if args.before is not None:
        label = args.before_label or args.before.name
        checkouts = {f"before ({label})": args.before.resolve(), **checkouts}
    rows = []
    verdicts = []
    for backend in args.backends.split(","):
        for name, checkout in checkouts.items():
            quiet = measure(checkout, backend, problems)
            with burners(args.burners):
                busy = measure(checkout, backend, problems)
            for load, outcome in (("quiet", quiet), (f"{args.burners} CPUs burning", busy)):
                naive = ", ".join(outcome.naive_wrong) or "none"
                rows.append(
                    f"| {backend} | {name} | {load} | {outcome.validate_s:.1f} s | "
                    f"{outcome.findings} | {len(outcome.naive_wrong)}/{outcome.naive_checked} "
                    f"({naive}) |"
                )
            if name == "after":
                met = quiet.wrong == busy.wrong == 0
                verdicts.append(f"0 wrong verdicts on {backend}, quiet and busy: "
                                f"**{'met' if met else 'missed'}**.")  # fmt: skip
                if backend == "docker":
                    fast = quiet.validate_s <= VALIDATE_TARGET_S
                    verdicts.append(
                        f"`codegym validate` on Docker ≤ {VALIDATE_TARGET_S:g} s (quiet): "
                        f"**{'met' if fast else 'missed'}** ({quiet.validate_s:.1f} s)."
                    )
    table = "\n".join(
        [
            f"Every reference and starter (`codegym validate`, {len(content.problems)} problems) "
            f"and the {len(problems)} naive solutions of `tests/naive/` (`codegym check`), on a "
            f"quiet machine and beside {args.burners} CPU-burning processes; {machine()}.",
            "",
            "| backend | code | machine | validate | validate findings | naive solutions "
            "judged wrong |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            *verdicts,
        ]
    )
    print(table)
    if args.write:
        write_block(args.write, "busy_verdicts", "Verdicts on a busy machine", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
