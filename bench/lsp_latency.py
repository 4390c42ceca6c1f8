#!/usr/bin/env python3
"""Through the real language server over stdio: save → diagnostics latency per backend, hover
latency while 4 runs are in flight, start → initialized, and resident memory.

    .venv/bin/python bench/lsp_latency.py [--saves 30] [--write docs/performance.md]
                                          [--before CHECKOUT --before-label COMMIT]

Backends, one fresh server each, measured in the same run: Docker with its warm pool; Docker with
no pool (a container created and started for every save, what a `docker run` per save costs);
the local sandbox; with `--before`, Docker with its warm pool as another checkout's server (its
`server/` first on PYTHONPATH, its images built). Each save changes the file (so it is never
"unchanged") and the clock stops when diagnostics for that document version arrive.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from codegym.content import load_content  # noqa: E402
from codegym.workspace import default_path, init_workspace  # noqa: E402
from lsp_session import Session  # noqa: E402
from report import machine, percentile, write_block  # noqa: E402

EXERCISE = "py-sum-evens"


def variant(header: str, number: int) -> str:
    """A wrong answer that differs on every save."""
    return f"{header}\n\ndef sum_evens(numbers):\n    return {number}\n"


async def save_latency(
    options: dict[str, object], saves: int, warmup: int = 3, env: dict[str, str] | None = None
) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder)
        content = load_content(ROOT / "content")
        init_workspace(workspace, content, course="python")
        path = workspace / default_path(content.get(EXERCISE))
        header = path.read_text().split("\n\n", 1)[0]
        session = Session(workspace, options, env)
        await session.start()
        uri = session.open(path)
        samples = []
        for number in range(warmup + saves):
            took = await session.save_and_wait(uri, number + 2, variant(header, number))
            if number >= warmup:
                samples.append(took)
            await asyncio.sleep(0.25)  # a learner does not save continuously
        await session.stop()
        return samples


async def hover_and_start(runs_in_flight: int, hovers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder)
        content = load_content(ROOT / "content")
        init_workspace(workspace, content, course="python")
        session = Session(workspace, {"sandbox": {"backend": "auto"}})
        started_ms = await session.start()
        problems = [p for p in content.ordered() if p.language == "python"][:runs_in_flight]
        uris = [session.open(workspace / default_path(p)) for p in problems]
        await asyncio.sleep(1.0)
        rss_idle = session.rss_mb()
        target = uris[0]
        latencies = []
        for round_number in range(hovers // 20):
            for index, uri in enumerate(uris):  # keep runs in flight: a save per document
                path = workspace / default_path(problems[index])
                header = path.read_text().split("\n\n", 1)[0]
                text = f"{header}\n\nimport time\ntime.sleep(0.5)\n# {round_number}\n"
                session.client.text_document_did_change(
                    types.DidChangeTextDocumentParams(
                        text_document=types.VersionedTextDocumentIdentifier(
                            uri=uri, version=round_number + 2
                        ),
                        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
                    )
                )
                session.client.text_document_did_save(
                    types.DidSaveTextDocumentParams(
                        text_document=types.TextDocumentIdentifier(uri=uri)
                    )
                )
            for _ in range(20):
                began = time.perf_counter()
                await session.client.text_document_hover_async(
                    types.HoverParams(
                        text_document=types.TextDocumentIdentifier(uri=target),
                        position=types.Position(line=1, character=2),
                    )
                )
                latencies.append((time.perf_counter() - began) * 1000)
                await asyncio.sleep(0.01)
        rss_busy = session.rss_mb()
        await session.stop()
    return {
        "start": started_ms,
        "hover_p50": statistics.median(latencies),
        "hover_p99": percentile(latencies, 0.99),
        "hovers": len(latencies),
        "rss_idle": rss_idle,
        "rss_busy": rss_busy,
    }


async def main_async(args: argparse.Namespace) -> str:
    backends = {
        "Docker, warm pool": {"sandbox": {"backend": "docker", "docker": {"pool_size": 2}}},
        "Docker, container started per save (no pool)": {  # as `docker run` per save
            "sandbox": {"backend": "docker", "docker": {"pool_size": 0, "runs_per_container": 1}}
        },
        "local": {"sandbox": {"backend": "local"}},
    }
    results = {name: await save_latency(options, args.saves) for name, options in backends.items()}
    if args.before is not None:
        env = {**os.environ, "PYTHONPATH": str(args.before.resolve() / "server")}
        label = f"Docker, warm pool, before (the code of {args.before_label or args.before.name})"
        results[label] = await save_latency(backends["Docker, warm pool"], args.saves, env=env)
    baseline = statistics.median(results["Docker, container started per save (no pool)"])
    rows = []
    for name, values in results.items():
        p50 = statistics.median(values)
        rows.append(
            f"| {name} | {p50:.0f} | {percentile(values, 0.95):.0f} | {baseline / p50:.1f}× |"
        )
    other = await hover_and_start(runs_in_flight=4, hovers=args.hovers)
    return "\n".join(
        [
            f"Through `codegym serve` over stdio, `{EXERCISE}` (9 tests), {args.saves} saves per "
            f"backend; {machine()}.",
            "",
            "| save → diagnostics | p50 ms | p95 ms | speed-up vs no pool (p50) |",
            "|---|---|---|---|",
            *rows,
            "",
            "| figure | measured | target |",
            "|---|---|---|",
            f"| hover p50 / p99 with 4 runs in flight ({other['hovers']} hovers) | "
            f"{other['hover_p50']:.1f} / {other['hover_p99']:.1f} ms | p99 ≤ 20 ms |",
            f"| server start → initialized | {other['start']:.0f} ms | ≤ 400 ms |",
            f"| resident memory, idle / with 4 runs | {other['rss_idle']:.0f} / "
            f"{other['rss_busy']:.0f} MB | ≤ 80 MB |",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=30)
    parser.add_argument("--hovers", type=int, default=200)
    parser.add_argument("--write", type=Path)
    parser.add_argument("--before", type=Path, help="a checkout of the old code")
    parser.add_argument("--before-label", help="how the table names --before (a commit)")
    args = parser.parse_args()
    table = asyncio.run(main_async(args))
    print(table)
    if args.write:
        write_block(args.write, "lsp_latency", "Language server", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
