"""What the benchmarks share: percentiles, the machine line, and rewriting their block of
docs/performance.md in place (between `<!-- bench:NAME:begin -->` and `<!-- bench:NAME:end -->`)."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def machine() -> str:
    return (
        f"measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count() or 0} "
        f"cores, Python {platform.python_version()}"
    )


def write_block(path: Path, name: str, heading: str, table: str) -> None:
    begin, end = f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{begin}\n{table}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text += f"\n## {heading}\n\n{block}\n"
    path.write_text(text, encoding="utf-8")
