"""Parse the harness's framed event stream (docs/harness-protocol.md): the load, each test's
outcome and the supervisor's `done`.

`reading.read_run` feeds raw stdout bytes in as they arrive; `outcomes` gives every test's outcome
once the run's `Ending` is known (`ending.classify`). The events come from the supervisor, never
from the process that runs learner code, but what they carry (values, output, errors) is the
learner's, so they are parsed defensively: no line is read past the run's cap (`limit`); anything
without the run's frame is ignored; nesting deeper than `MAX_NESTING`, or a garbled, duplicate or
unknown event marks the run tampered, never an exception. Integers too long for Python's
int-string limit arrive as `{"$bigint": "<digits>"}`: the limit is process-wide, so it is not
lifted, and no expected value can be that long (YAML has the same limit).
"""

from __future__ import annotations

import json
from typing import Any

from .ending import Ending, SupervisorReport
from .types import CaseOutcome, ErrorInfo, LoadOutcome, RunRequest, StopReason

_TEXT_CAP = 256 * 1024
MAX_NESTING = 200
"""Containers nested deeper than this in one event mark the run tampered. Harnesses report at
most 100 levels of a value (deeper is `$unserializable`); the host's canonical form refuses more
than 128 (`grading/values.py`)."""
_INT_DIGITS = 4000
"""Longer integer literals are kept as `$bigint` text (below Python's default limit, 4300)."""
_SUPERVISOR_STOPS: tuple[StopReason, ...] = ("wall_timeout", "output_flood", "memory", "crashed")


def _text(value: Any) -> str:
    return value[:_TEXT_CAP] if isinstance(value, str) else ""


class EventStream:
    def __init__(self, request: RunRequest) -> None:
        self._prefix = f"@@codegym {request.nonce} ".encode()
        self._case_ids = [str(c["id"]) for c in request.cases]
        self._buffer = b""
        self._received = 0
        self.limit = request.max_channel_bytes()
        self.load: LoadOutcome | None = None
        self.cases: dict[str, CaseOutcome] = {}
        self.done = False
        self.tampered = False
        self.stopped: StopReason | None = None
        """Why the supervisor ended the run early (its `done` event says)."""
        self.exit_code: int | None = None
        self.clean: bool | None = None
        """Serving supervisors only: nothing of the run was left in its container."""
        self.uid: int | None = None
        self.diagnostics = ""

    @property
    def overflowed(self) -> bool:
        return self._received > self.limit

    def feed(self, chunk: bytes) -> None:
        self._received += len(chunk)
        if self.overflowed:
            return
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            if line.startswith(self._prefix):
                self._event(line[len(self._prefix) :])

    def _event(self, raw: bytes) -> None:
        data = parse_event(raw)  # at most `limit` bytes long: `feed` reads no further
        if data is None:
            self.tampered = True
            return
        kind = data.get("event")
        if kind == "load" and self.load is None and not self.cases:
            ok = data.get("status") == "ok"
            self.load = LoadOutcome(
                status="ok" if ok else "error",
                error=None if ok else ErrorInfo.from_event(data.get("error")),
                stdout=_text(data.get("stdout")),
            )
        elif kind == "case" and self.load is not None and not self.done:
            case_id = data.get("id")
            if case_id not in self._case_ids or case_id in self.cases:
                self.tampered = True
                return
            self.cases[case_id] = _case(case_id, data)
        elif kind == "done" and not self.done:
            self.done = True
            stopped = data.get("stopped")
            if stopped in _SUPERVISOR_STOPS:
                self.stopped = stopped
            exit_code = data.get("exit_code")
            self.exit_code = exit_code if isinstance(exit_code, int) else None
            if data.get("tampered"):
                self.tampered = True
            if isinstance(data.get("clean"), bool):
                self.clean = data["clean"]
            uid = data.get("uid")
            self.uid = uid if isinstance(uid, int) and not isinstance(uid, bool) else None
            self.diagnostics = _text(data.get("diagnostics"))[-8192:]
            left = data.get("left")
            if isinstance(left, list) and left:
                self.diagnostics += "\n[codegym] left by the run: " + ", ".join(
                    _text(item)[:200] for item in left[:8]
                )
        else:
            self.tampered = True

    @property
    def said(self) -> SupervisorReport:
        """What the stream said so far about how the run ended."""
        return SupervisorReport(
            done=self.done, stopped=self.stopped, exit_code=self.exit_code, tampered=self.tampered
        )

    def next_pending(self) -> str | None:
        """The first case with no report yet: the one running when a run was stopped."""
        return next((c for c in self._case_ids if c not in self.cases), None)

    def outcomes(self, ending: Ending) -> dict[str, CaseOutcome]:
        """Every test's outcome, in job order: its report, or what the run's end made of it
        (the running test of a run the host stopped at its deadline or output cap is a
        timeout or an output flood; any other test without a report has none)."""
        running = self.next_pending() if ending.by_host else None
        stopped = ending.stopped
        cases = dict(self.cases)
        for case_id in self._case_ids:
            if case_id in cases:
                continue
            if case_id == running and stopped == "wall_timeout":
                cases[case_id] = CaseOutcome(id=case_id, status="timeout")
            elif case_id == running and stopped == "output_flood":
                cases[case_id] = CaseOutcome(id=case_id, status="output_limit")
            else:
                cases[case_id] = CaseOutcome(id=case_id, status="no_report")
        return {cid: cases[cid] for cid in self._case_ids}


def parse_event(raw: bytes) -> dict[str, Any] | None:
    """One event's JSON object, or None for anything else: not JSON, not an object, nested
    deeper than MAX_NESTING. Never raises."""
    try:
        data = json.loads(raw, parse_int=_integer)
    except (ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return None
    if not isinstance(data, dict) or _deeper_than(data, MAX_NESTING):
        return None
    return data


def _integer(text: str) -> int | dict[str, str]:
    return int(text) if len(text.lstrip("-")) <= _INT_DIGITS else {"$bigint": text}


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether containers nest more than `limit` levels in `value` (without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, dict | list))
    return False


def _case(case_id: str, data: dict[str, Any]) -> CaseOutcome:
    status = data.get("status")
    if status not in ("ok", "error", "timeout", "output_limit"):
        status = "error"
    duration = data.get("duration_ms")
    cpu = data.get("cpu_ms")
    exit_code = data.get("exit_code")
    return CaseOutcome(
        id=case_id,
        status=status,
        value=data.get("value") if status == "ok" else None,
        display=_text(data.get("repr"))[:1024],
        stdout=_text(data.get("stdout")),
        stderr=_text(data.get("stderr")),
        truncated=bool(data.get("truncated")),
        duration_ms=float(duration) if isinstance(duration, int | float) else None,
        cpu_ms=float(cpu) if isinstance(cpu, int | float) and cpu >= 0 else None,
        error=ErrorInfo.from_event(data["error"]) if "error" in data else None,
        exit_code=exit_code if isinstance(exit_code, int) else None,
    )
