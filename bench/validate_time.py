#!/usr/bin/env python3
"""`codegym validate` over all the content, timed end to end (the CLI in a fresh process: start-up,
loading, every reference solution and starter run in the sandbox, the hint-leak check) on each
backend, in the same run.

    .venv/bin/python bench/validate_time.py [--rounds 1] [--write docs/performance.md]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from report import machine, write_block  # noqa: E402

TARGET_S = 20.0
BACKENDS = {"Docker, warm pool": "docker", "local": "local"}


def validate_once(backend: str) -> tuple[float, str]:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "codegym.cli", "validate", "--backend", backend],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"validate failed on {backend}:\n{done.stdout}\n{done.stderr}")
    return took, done.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    rows, summary = [], ""
    for name, backend in BACKENDS.items():
        times = []
        for _ in range(args.rounds):
            took, summary = validate_once(backend)
            times.append(took)
        median = statistics.median(times)
        verdict = "met" if median <= TARGET_S else "**target missed**"
        rows.append(f"| {name} | {median:.1f} s | {verdict} |")
    counts = re.search(r"(\d+) problems, (\d+) tests", summary)
    what = f"{counts[1]} problems, {counts[2]} tests" if counts else "all the content"
    table = "\n".join(
        [
            f"`codegym validate` over {what}, end to end, median of {args.rounds}; {machine()}.",
            "",
            f"| backend | time | target ≤ {TARGET_S:.0f} s |",
            "|---|---|---|",
            *rows,
        ]
    )
    print(table)
    if args.write:
        write_block(args.write, "validate", "`codegym validate`", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
