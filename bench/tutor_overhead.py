#!/usr/bin/env python3
"""The tutor's own cost on top of the model: prompt building, cache lookup, leak screening and
streaming, against the scripted Ollama server (tests/scripted_ollama.py) on 127.0.0.1.

    .venv/bin/python bench/tutor_overhead.py [--rounds 40] [--write docs/performance.md]

Measured in the same run, interleaved:
- raw: the `ollama` AsyncClient alone streams the same answer; time to its first token;
- tutor: `Tutor.hint` (cache miss: a new question each round); time until the first piece reaches
  the sink. The difference is the tutor's overhead on the time to first token;
- cached: `Tutor.hint` answered from the disk cache, end to end.
The scripted answer streams 60 words with 2 ms between chunks, like a fast local model.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))
sys.path.insert(0, str(ROOT))

from ollama import AsyncClient  # noqa: E402
from tests.scripted_ollama import Reply, ScriptedOllama  # noqa: E402

from codegym.config import TutorSettings  # noqa: E402
from codegym.content import load_content  # noqa: E402
from codegym.tutor.tutor import Situation, Tutor  # noqa: E402
from report import machine, percentile, write_block  # noqa: E402

ANSWER = " ".join(["Consider which numbers should count toward the total."] * 6) + "\n\nThen retry."
EXERCISE = "py-sum-evens"


class FirstPiece:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.first_ms: float | None = None

    def begin(self, title: str) -> None:
        pass

    def chunk(self, text: str) -> None:
        if self.first_ms is None:
            self.first_ms = (time.perf_counter() - self.started) * 1000

    def reset(self) -> None:
        pass


async def raw_first_token(client: AsyncClient, model: str, round_: int) -> float:
    started = time.perf_counter()
    first = None
    stream = await client.chat(
        model=model,
        messages=[{"role": "user", "content": f"Feature: hint raw {round_}"}],
        stream=True,
        options={"num_ctx": 8192},
    )
    async for part in stream:
        if first is None and part.message.content:
            first = (time.perf_counter() - started) * 1000
    assert first is not None
    return first


async def measure(rounds: int) -> dict[str, list[float]]:
    problem = load_content(ROOT / "content").problems[EXERCISE]
    figures: dict[str, list[float]] = {"raw": [], "tutor": [], "cached": []}
    with (
        ScriptedOllama([Reply(content=ANSWER, chunk_delay_s=0.002)]) as ollama,
        tempfile.TemporaryDirectory() as tmp,
    ):
        settings = TutorSettings(host=ollama.url)
        tutor = Tutor(settings, Path(tmp) / ".codegym")
        client = AsyncClient(host=ollama.url, timeout=30)
        for warm in range(3):  # connections, imports and the prompt files
            await raw_first_token(client, settings.model, -warm)
            await tutor.hint(Situation(problem, f"# warm {warm}\n"), 1, FirstPiece())
        for round_ in range(rounds):
            figures["raw"].append(await raw_first_token(client, settings.model, round_))
            situation = Situation(problem, problem.body.starter + f"\n# attempt {round_}\n")
            sink = FirstPiece()
            answer = await tutor.hint(situation, 1, sink)
            assert answer.source == "llm" and sink.first_ms is not None
            figures["tutor"].append(sink.first_ms)
            started = time.perf_counter()
            again = await tutor.hint(situation, 1, FirstPiece())
            figures["cached"].append((time.perf_counter() - started) * 1000)
            assert again.source == "cache"
        await client.close()
        await tutor.close()
    return figures


def table(figures: dict[str, list[float]]) -> str:
    raw, tutor, cached = figures["raw"], figures["tutor"], figures["cached"]
    overhead = statistics.median(tutor) - statistics.median(raw)
    rows = [
        "| figure | p50 | p95 | target |",
        "|---|---|---|---|",
        f"| time to first token, `ollama` client alone | {percentile(raw, 0.5):.1f} ms | "
        f"{percentile(raw, 0.95):.1f} ms | baseline |",
        f"| time to first token shown, through the tutor | {percentile(tutor, 0.5):.1f} ms | "
        f"{percentile(tutor, 0.95):.1f} ms | |",
        f"| **tutor overhead on the first token** (p50 difference) | **{overhead:.1f} ms** | | "
        f"≤ 20 ms |",
        f"| **answer from the cache**, end to end | **{percentile(cached, 0.5):.2f} ms** | "
        f"{percentile(cached, 0.95):.2f} ms | ≤ 5 ms |",
    ]
    return "\n".join(rows) + f"\n\n{len(raw)} rounds, interleaved; {machine()}."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--write", type=Path, help="update this Markdown file's block")
    options = parser.parse_args()
    result = table(asyncio.run(measure(options.rounds)))
    print(result)
    if options.write:
        write_block(options.write, "tutor_overhead", "Tutor overhead", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
