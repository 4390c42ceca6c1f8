"""How a run ended, on the host: one pure function for both backends, from the facts each
backend gathers.

The supervisor classifies what happens inside the sandbox (a test over its CPU limit, a worker
killed for its memory or its output, a forged event) and says so in its `done` event; that is
kept, never judged again here. The host adds only what the supervisor cannot report: the host's
own stops (the wall backstop, the output cap, a cancel, a broken channel) and a supervisor that
died without its `done` event (killed for the container's memory, at its own CPU limit, or with
an out-of-memory message on its standard error).
"""

from __future__ import annotations

import signal
from dataclasses import dataclass

from .types import StopReason

MEMORY_WORDS = ("heap out of memory", "Allocation failed", "MemoryError")
"""Out-of-memory messages on a dead supervisor's standard error: V8's ("JavaScript heap out of
memory"), the allocator's under Node ("Allocation failed - ..."), Python's."""


@dataclass(frozen=True)
class ExitFacts:
    """How the sandbox's main process (the supervisor) ended, as its backend learned it."""

    code: int | None = None
    """Its exit status as the backend reports it (a process's return code locally, the
    container's exit code on Docker); None when the backend did not ask."""
    signal: int | None = None
    """The signal that killed it, if one did."""
    oom_killed: bool = False
    """The engine says its out-of-memory killer ended it (Docker's `OOMKilled`)."""


@dataclass(frozen=True)
class SupervisorReport:
    """What the run's event stream said: the supervisor's `done` event, and whether any event
    was forged, duplicated or unknown."""

    done: bool = False
    stopped: StopReason | None = None
    """Why the supervisor ended the run early (its own classification)."""
    exit_code: int | None = None
    """The worker's exit code, when the supervisor stopped the run."""
    tampered: bool = False


@dataclass(frozen=True)
class Ending:
    """How a run ended, as its report says."""

    stopped: StopReason | None
    """Why the run ended early; None when it ran to its end."""
    by_host: bool
    """The reason is the host's (it stopped the run, or the supervisor died): the first test
    without a report was the one running. The supervisor reports the test it stops itself, so
    its own reason only labels the tests that did not run."""
    exit_code: int | None
    tampered: bool


def classify(
    host_stop: StopReason | None,
    supervisor: SupervisorReport,
    exit_facts: ExitFacts,
    stderr: str,
) -> Ending:
    """How a run ended. `host_stop` is why the host stopped reading, if it did (the deadline,
    the output cap, a cancel, a broken channel); `stderr` is what the supervisor wrote there."""
    stopped = host_stop
    if stopped is None and not supervisor.done:
        stopped = _death_reason(exit_facts, stderr)
    return Ending(
        stopped=stopped or supervisor.stopped,
        by_host=stopped is not None,
        exit_code=exit_facts.code if exit_facts.code is not None else supervisor.exit_code,
        tampered=supervisor.tampered,
    )


def _death_reason(exit_facts: ExitFacts, stderr: str) -> StopReason | None:
    """Why a supervisor died without a word. It reports its worker's CPU and memory deaths
    itself, so this is its own death: of memory, or at its own CPU limit (SIGXCPU: to a
    learner, the code took too long). Killed otherwise (a SIGKILL from learner code), the run
    has no reason: its tests have no report, which is no timeout."""
    if exit_facts.oom_killed or any(word in stderr for word in MEMORY_WORDS):
        return "memory"
    if exit_facts.signal == signal.SIGXCPU:
        return "wall_timeout"
    return None
