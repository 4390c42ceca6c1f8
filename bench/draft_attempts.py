#!/usr/bin/env python3
"""`codegym draft` attempts per success on the scripted failure scripts of `tests/test_draft.py`:
each way an answer can fail, followed by a good answer, plus a model that never answers well.
Every script runs `python -m codegym.cli draft --json` in a fresh process against the scripted
Ollama server, in a fresh content folder, on the local sandbox (or `--backend`).

    PYTHONPATH=server .venv/bin/python bench/draft_attempts.py [--backend local]

Prints a Markdown table (script, attempts, failures in order, written or not) and the figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.scripted_ollama import Reply, ScriptedOllama  # noqa: E402
from tests.test_draft import BROKEN, CATALOG, good_python  # noqa: E402


def scripts() -> dict[str, list[Reply]]:
    good = json.dumps(good_python())
    found = {"good first time": [Reply(good)]}
    for kind in sorted(BROKEN):
        found[f"{kind}, then good"] = [Reply(BROKEN[kind], times=1), Reply(good)]
    found["never good (garbage)"] = [Reply(BROKEN["garbage"])]
    return found


def run(replies: list[Reply], backend: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as scratch, ScriptedOllama(replies) as ollama:
        content = Path(scratch)
        (content / "config.yaml").write_text(CATALOG, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "codegym.cli", "draft", "peaks in a list", "--language",
             "python", "--topic", "py-lists", "--content", str(content), "--backend", backend,
             "--json"],
            capture_output=True, text=True, timeout=300,
            env={**os.environ, "OLLAMA_HOST": ollama.url,
                 "PYTHONPATH": str(ROOT / "server")},
        )  # fmt: skip
        report: dict[str, object] = json.loads(done.stdout)
        return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="local", choices=["local", "docker"])
    options = parser.parse_args()
    print("| script | attempts | failures | written |")
    print("|---|---|---|---|")
    totals = {"attempts": 0, "successes": 0, "failure_attempts": 0, "failure_successes": 0}
    for name, replies in scripts().items():
        report = run(replies, options.backend)
        attempts = report["attempts"]
        assert isinstance(attempts, list)
        failures = [a["failure"] for a in attempts if a["failure"]]
        print(f"| {name} | {len(attempts)} | {', '.join(failures) or '–'} | {report['ok']} |")
        totals["attempts"] += len(attempts)
        totals["successes"] += bool(report["ok"])
        if failures:
            totals["failure_attempts"] += len(attempts)
            totals["failure_successes"] += bool(report["ok"])
    print()
    print(
        f"failure scripts: {totals['failure_attempts']} attempts for "
        f"{totals['failure_successes']} drafts written = "
        f"{totals['failure_attempts'] / max(1, totals['failure_successes']):.2f} attempts per "
        f"success; all scripts: {totals['attempts']} / {totals['successes']} = "
        f"{totals['attempts'] / max(1, totals['successes']):.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
