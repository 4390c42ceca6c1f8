"""What goes into a sandbox run and what comes out. No LSP, no content models, no judging."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ..config import SandboxLimits

Language = Literal["python", "javascript"]
Mode = Literal["function", "script"]
CaseStatus = Literal["ok", "error", "timeout", "output_limit", "no_report"]
StopReason = Literal["wall_timeout", "output_flood", "memory", "cancelled", "crashed"]
Isolation = Literal["container", "namespaces", "own_uid", "none"]
"""How a run was kept from the host and from other runs: a Docker container; bubblewrap's
namespaces (local); only a uid of its own (local, as root without bubblewrap: files it leaves
are removed after the run, but it sees the host's files and network); or not at all (local, as
a normal user without bubblewrap: it ran as that very user)."""

FILENAMES: dict[str, str] = {"python": "exercise.py", "javascript": "exercise.js"}


QueueListener = Callable[[int | None], None]
"""Told a run's place while it waits for the engine (how many runs are ahead of it) and None
once it is admitted."""


class SandboxError(Exception):
    """The sandbox could not run at all (engine down, image missing, interpreter missing)."""


class RunCancelled(Exception):
    """The caller cancelled the run; the process or container was killed."""


@dataclass(frozen=True)
class RunRequest:
    """One submission: the learner's whole file and the inputs of every test, never the
    expected values. `cases` are harness case objects (see docs/harness-protocol.md)."""

    language: Language
    mode: Mode
    source: str
    cases: tuple[dict[str, Any], ...]
    entry_point: str | None = None
    limits: SandboxLimits = field(default_factory=SandboxLimits)
    nonce: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def filename(self) -> str:
        return FILENAMES[self.language]

    def job(self) -> dict[str, Any]:
        limits = self.limits
        return {
            "nonce": self.nonce,
            "mode": self.mode,
            "filename": self.filename,
            "source": self.source,
            "entry_point": self.entry_point,
            "cases": list(self.cases),
            "limits": {
                "case_cpu_s": limits.test_cpu_s,
                "output_bytes": limits.output_kb * 1024,
                "memory_bytes": limits.memory_mb * 1024 * 1024,
                "cpu_s": limits.cpu_s,
                "processes": limits.processes,
                "file_bytes": limits.file_mb * 1024 * 1024,
                "open_files": limits.open_files,
            },
        }

    def max_channel_bytes(self) -> int:
        """The most harness output the host will read before it kills the run."""
        return len(self.cases) * 2 * self.limits.output_kb * 1024 + 1024 * 1024


@dataclass(frozen=True)
class ErrorInfo:
    type: str
    message: str
    line: int | None = None
    traceback: str = ""

    @classmethod
    def from_event(cls, data: Any) -> ErrorInfo:
        if not isinstance(data, dict):
            return cls(type="Error", message="malformed error report")
        line = data.get("line")
        return cls(
            type=str(data.get("type") or "Error")[:100],
            message=str(data.get("message") or "")[:2000],
            line=line if isinstance(line, int) and line > 0 else None,
            traceback=str(data.get("traceback") or "")[:8000],
        )


@dataclass(frozen=True)
class CaseOutcome:
    """What one test did inside the sandbox (not whether it passed)."""

    id: str
    status: CaseStatus
    value: Any = None
    display: str = ""
    stdout: str = ""
    stderr: str = ""
    truncated: bool = False
    duration_ms: float | None = None
    """Wall time of the test, as the supervisor saw it (for information: load inflates it)."""
    cpu_ms: float | None = None
    """CPU time of the test (every process of it), measured by the supervisor from the kernel:
    what limits and efficiency budgets judge."""
    error: ErrorInfo | None = None
    exit_code: int | None = None


@dataclass(frozen=True)
class LoadOutcome:
    status: Literal["ok", "error", "missing"]
    error: ErrorInfo | None = None
    stdout: str = ""


@dataclass(frozen=True)
class RunReport:
    backend: str
    load: LoadOutcome
    cases: dict[str, CaseOutcome]
    duration_ms: float
    stopped: StopReason | None = None
    tampered: bool = False
    exit_code: int | None = None
    diagnostics: str = ""
    """Harness stderr and engine notes, for logs; never shown to learners verbatim."""
    sandbox_id: str = ""
    """Which container ran it (Docker), for logs and for telling reuse apart."""
    run_uid: int | None = None
    """The uid the learner's code ran as, where a serving supervisor chose it."""
    clean: bool | None = None
    """A serving supervisor checked after the run: no process, file or IPC object of it was
    left (None: not checked, the container or process is not reused)."""
    isolation: Isolation = "container"


class Sandbox(Protocol):
    """The one interface every backend implements. Thread-safe; `run` blocks."""

    name: str

    def run(
        self,
        request: RunRequest,
        cancel: threading.Event | None = None,
        listener: QueueListener | None = None,
    ) -> RunReport:
        """Run `request`; `listener` hears the run's place while it waits to be admitted to
        the engine (`codegym.sandbox.admission`), and None when it starts."""
        ...

    def warm(self, language: Language, limits: SandboxLimits) -> None:
        """Get ready for runs of `language` under `limits` (Docker: start their warm pool),
        so that the first run does not wait for a container. Returns at once."""
        ...

    def close(self) -> None: ...
