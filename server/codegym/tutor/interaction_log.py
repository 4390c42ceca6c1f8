"""`.codegym/logs/tutor.jsonl`: one line per tutor answer (time, feature, exercise, model,
latency, time to first token, token counts, cache hit, guardrail outcome, status)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


class InteractionLog:
    def __init__(self, path: Path | None) -> None:
        self.path = path

    def write(self, **record: Any) -> None:
        if self.path is None:
            return
        line = {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), **record}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(line, ensure_ascii=False) + "\n")
