"""Run learner code in a sandbox and report what it did. Knows nothing of LSP or of grading."""

from .factory import open_sandbox
from .local import LocalSandbox
from .types import (
    CaseOutcome,
    ErrorInfo,
    Isolation,
    LoadOutcome,
    QueueListener,
    RunCancelled,
    RunReport,
    RunRequest,
    Sandbox,
    SandboxError,
)

__all__ = [
    "CaseOutcome",
    "ErrorInfo",
    "Isolation",
    "LoadOutcome",
    "LocalSandbox",
    "QueueListener",
    "RunCancelled",
    "RunReport",
    "RunRequest",
    "Sandbox",
    "SandboxError",
    "open_sandbox",
]
