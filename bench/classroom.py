#!/usr/bin/env python3
"""A classroom on one machine: N simulated learners, each with its own workspace and its own
`codegym serve` process over stdio, saving every P seconds for D seconds against one Docker
engine.

    .venv/bin/python bench/classroom.py [--learners 12,30,60] [--period 2] [--duration 60]
                                        [--backend docker] [--before CHECKOUT]
                                        [--write docs/performance.md]

Learners work on different exercises (Python and JavaScript, round robin) and alternate between
the starter (its run must fail) and the reference solution (its run must pass), so every save
changes the file and every result can be checked. Each save's latency runs from the save
notification to the end of the run's `$/progress` (the server ends it once the diagnostics are
published). A failure is: a run that ends in an error, a wrong verdict (the solution not passing,
e.g. a test timing out under load, or the starter passing), an error pop-up, or a save whose
run never ends. A save superseded by the next one before its run ended (cancelled or stale) is
counted apart: the learner never waits for it.

The baselines, in the same run: one learner alone, on the same backend; and on Docker, every
classroom size twice, "before" and "after" (the defaults). "Before" is the servers of another
checkout of Code Gym (`--before`, e.g. `git worktree add /tmp/old <commit>`, with its images
built), or, without one, this code with a fresh container for every run
(`runs_per_container: 1`) and no admission queue.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from codegym.content import Content, Problem, load_content  # noqa: E402
from codegym.workspace import default_path, init_workspace, render_exercise  # noqa: E402
from lsp_session import Session  # noqa: E402
from report import machine, percentile, write_block  # noqa: E402

SETTLE_S = 5.0  # after the servers start: warm pools fill
DRAIN_S = 30.0  # after the last save: runs still in flight may end


@dataclass
class Learner:
    number: int
    problem: Problem
    session: Session
    uri: str
    texts: tuple[str, str]  # (starter, solution)
    expected: list[str] = field(default_factory=list)  # per save: "fail" or "pass"


def exercises(content: Content) -> list[Problem]:
    """Python and JavaScript function exercises, interleaved."""
    by_language: dict[str, list[Problem]] = {"python": [], "javascript": []}
    for problem in content.ordered():
        if problem.body.kind == "function" and problem.language in by_language:
            by_language[problem.language].append(problem)
    mixed = [p for pair in zip(*by_language.values(), strict=False) for p in pair]
    if not mixed:
        raise SystemExit("no function exercises in the content")
    return mixed


async def join(number: int, problem: Problem, content: Content, root: Path, mode: Mode) -> Learner:
    workspace = root / f"learner-{number:02d}"
    init_workspace(workspace, content, course=problem.course.id)
    path = workspace / default_path(problem)
    starter = render_exercise(problem)
    header = starter.split("\n\n", 1)[0]
    solution = f"{header}\n\n{problem.body.solution.rstrip()}\n"
    session = Session(workspace, mode.options, mode.env)
    await session.start()
    uri = session.open(path, problem.language)
    return Learner(number, problem, session, uri, (starter, solution))


async def practise(learner: Learner, saves: int, period: float, offset: float) -> None:
    comment = "#" if learner.problem.language == "python" else "//"
    began = time.perf_counter() + offset
    for save in range(saves):
        await asyncio.sleep(max(0.0, began + save * period - time.perf_counter()))
        solved = save % 2 == 1
        text = f"{learner.texts[solved]}{comment} save {save}\n"
        learner.expected.append("pass" if solved else "fail")
        learner.session.save(learner.uri, save + 2, text)


@dataclass
class Result:
    learners: int
    saves: int
    latencies: list[float]
    failures: dict[str, int]
    superseded: int
    wall_s: float

    @property
    def failed(self) -> int:
        return sum(self.failures.values())


@dataclass(frozen=True)
class Mode:
    """How the learners' servers run: their settings, and the environment (another checkout's
    code on PYTHONPATH)."""

    options: dict
    env: dict[str, str] | None = None


async def classroom(
    content: Content, learners: int, period: float, duration: float, mode: Mode
) -> Result:
    problems = exercises(content)
    saves = max(1, int(duration / period))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        starting = asyncio.Semaphore(4)  # 30 interpreters importing at once only thrash

        async def start(number: int) -> Learner:
            async with starting:
                problem = problems[number % len(problems)]
                return await join(number, problem, content, root, mode)

        room = await asyncio.gather(*(start(n) for n in range(learners)))
        await asyncio.sleep(SETTLE_S)
        began = time.perf_counter()
        await asyncio.gather(
            *(practise(ln, saves, period, period * ln.number / learners) for ln in room)
        )
        deadline = time.perf_counter() + DRAIN_S
        while time.perf_counter() < deadline:
            if all(len(ln.session.outcomes) >= saves for ln in room):
                break
            await asyncio.sleep(0.1)
        wall = time.perf_counter() - began
        failures = {"run error": 0, "wrong verdict": 0, "error pop-up": 0, "no result": 0}
        latencies: list[float] = []
        superseded = 0
        for learner in room:
            outcomes = learner.session.outcomes
            failures["error pop-up"] += len(learner.session.errors)
            failures["no result"] += max(0, saves - len(outcomes))
            for outcome, expected in zip(outcomes, learner.expected, strict=False):
                if outcome.ended in ("cancelled", "stale"):
                    superseded += 1
                    continue
                latencies.append(outcome.took_ms)
                if outcome.ended == "error":
                    failures["run error"] += 1
                elif outcome.ended != expected:
                    failures["wrong verdict"] += 1
        await asyncio.gather(*(ln.session.stop() for ln in room), return_exceptions=True)
    return Result(learners, saves * learners, latencies, failures, superseded, wall)


def row(name: str, result: Result, baseline_p50: float) -> str:
    p50 = statistics.median(result.latencies) if result.latencies else float("nan")
    p95 = percentile(result.latencies, 0.95) if result.latencies else float("nan")
    kinds = ", ".join(f"{n} {k}" for k, n in result.failures.items() if n) or "none"
    return (
        f"| {name} | {result.saves} | {result.failed} ({kinds}) | {result.superseded} | "
        f"{p50:.0f} | {p95:.0f} | {p50 / baseline_p50:.1f}× |"
    )


BEFORE = {"docker": {"runs_per_container": 1}, "queue": {"slots": 256}}
"""Without another checkout: the old behaviour by settings (a container per run, no queue)."""


async def main_async(args: argparse.Namespace) -> tuple[str, dict[tuple[str, int], Result]]:
    content = load_content(ROOT / "content")
    options = {"sandbox": {"backend": args.backend}}
    after = Mode(options, {**os.environ, "PYTHONPATH": str(ROOT / "server")})
    modes = {"after": after}
    if args.before is not None:
        env = {**os.environ, "PYTHONPATH": str(args.before.resolve() / "server")}
        modes = {"before": Mode(options, env), **modes}
    elif args.backend == "docker":
        modes = {"before": Mode({"sandbox": {**options["sandbox"], **BEFORE}}, after.env), **modes}
    alone = await classroom(content, 1, args.period, min(args.duration, 20.0), after)
    baseline = statistics.median(alone.latencies)
    rows = [row("one learner alone (baseline)", alone, baseline)]
    results: dict[tuple[str, int], Result] = {}
    before = (
        f"the code of {args.before_label or args.before.name}"
        if args.before is not None
        else "a container per run, no queue"
    )
    for learners in args.learners:
        for mode, how in modes.items():
            result = await classroom(content, learners, args.period, args.duration, how)
            results[mode, learners] = result
            label = {"before": f" before ({before})", "after": " after"}[mode]
            rows.append(row(f"classroom of {learners}{label}", result, baseline))
    verdicts = [target(learners, result) for (mode, learners), result in results.items()
                if mode == "after" and target(learners, result)]  # fmt: skip
    table = "\n".join(
        [
            f"Learners each with their own `codegym serve`, saving every {args.period:g} s for "
            f"{args.duration:g} s on the {args.backend} backend"
            f"{' (one engine)' if args.backend == 'docker' else ''}; {machine()}.",
            "",
            "| run | saves | failures | superseded | p50 ms | p95 ms | p50 vs alone |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            *verdicts,
        ]
    )
    return table, results


def target(learners: int, result: Result) -> str:
    """The issue's target for this classroom size, and whether it is met ("" for none)."""
    p95 = percentile(result.latencies, 0.95) if result.latencies else float("inf")
    if learners == 30:
        met = result.failed == 0 and p95 <= 1000 and result.superseded <= 0.1 * result.saves
        goal = "0 failures, p95 ≤ 1 s, ≤ 10% superseded"
    elif learners == 60:
        met = result.failures["wrong verdict"] == 0
        goal = "0 wrong verdicts"
    else:
        return ""
    return f"Target for {learners} learners: {goal}: **{'met' if met else 'missed'}**."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--learners",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[12, 30, 60],
        help="classroom sizes, comma-separated",
    )
    parser.add_argument("--period", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--backend", choices=["docker", "local", "auto"], default="docker")
    parser.add_argument("--before", type=Path, help="a checkout of the old code, for 'before'")
    parser.add_argument("--before-label", help="how the table names --before (a commit)")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    table, _ = asyncio.run(main_async(args))
    print(table)
    if args.write:
        write_block(args.write, "classroom", "A classroom", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
