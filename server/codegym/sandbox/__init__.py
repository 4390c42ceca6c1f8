"""Run learner code in a sandbox and report what it did. Knows nothing of LSP or of grading."""

from .factory import open_sandbox
from .local import LocalSandbox
from .types import (
    CaseOutcome,
    ErrorInfo,
    LoadOutcome,
    RunCancelled,
    RunReport,
    RunRequest,
    Sandbox,
    SandboxError,
)

__all__ = [
    "CaseOutcome",
    "ErrorInfo",
    "LoadOutcome",
    "LocalSandbox",
    "RunCancelled",
    "RunReport",
    "RunRequest",
    "Sandbox",
    "SandboxError",
    "open_sandbox",
]
