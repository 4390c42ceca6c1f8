"""Every limit and setting in one typed object.

The CLI builds a `Settings` from its flags and the environment; the language server (later) from
initialization options and `workspace/configuration`. Nothing else in the package reads environment
variables or hard-codes a limit.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

BackendName = Literal["auto", "docker", "local"]

WALL_BACKSTOP = 3.0
"""Limits are judged on CPU time, which a busy machine does not inflate; wall-clock limits are
only backstops, at this many times their figure (the supervisor in the sandbox uses the same)."""


class SandboxLimits(BaseModel):
    """Resource limits for one sandbox run (all tests of one submission)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    wall_s: float = Field(
        10.0,
        gt=0,
        le=300,
        description="Wall-clock backstop for the whole run, in units of WALL_BACKSTOP: the run "
        "is stopped after WALL_BACKSTOP times this (waiting for a busy CPU never counts "
        "against a test; CPU time does).",
    )
    test_cpu_s: float = Field(
        3.0,
        gt=0,
        le=300,
        description="CPU seconds per test, measured by the supervisor from the kernel (a loop "
        "in one test does not cost the others their result); a test that waits instead of "
        "computing is stopped after WALL_BACKSTOP times this plus a second of wall time.",
    )
    cpu_s: int = Field(5, gt=0, le=300, description="CPU seconds for the whole run.")
    memory_mb: int = Field(256, ge=32, le=8192, description="Memory (RAM = RAM+swap).")
    processes: int = Field(64, ge=4, le=4096, description="Processes and threads.")
    output_kb: int = Field(64, ge=1, le=4096, description="Captured stdout/stderr per test.")
    file_mb: int = Field(8, ge=1, le=1024, description="Largest file the program may write.")
    open_files: int = Field(64, ge=16, le=4096, description="Open file descriptors.")
    tmp_mb: int = Field(64, ge=1, le=4096, description="Size of the writable /tmp (Docker).")

    @property
    def run_backstop_s(self) -> float:
        """Wall time after which the host stops a run whatever it is doing (from the moment
        the job reaches the sandbox: time spent queued or starting a container never counts)."""
        return WALL_BACKSTOP * self.wall_s + 5.0

    def merged(self, override: ExerciseLimits | None) -> SandboxLimits:
        """These limits with an exercise's own overrides applied (an exercise may only tighten
        or loosen within the validated bounds above)."""
        if override is None:
            return self
        changes = override.model_dump(exclude_none=True)
        return self.model_copy(update=changes) if changes else self


class ExerciseLimits(BaseModel):
    """Per-exercise overrides, as written in content YAML."""

    model_config = ConfigDict(extra="forbid")

    wall_s: float | None = Field(None, gt=0, le=60)
    test_cpu_s: float | None = Field(None, gt=0, le=60)
    cpu_s: int | None = Field(None, gt=0, le=60)
    memory_mb: int | None = Field(None, ge=32, le=1024)
    processes: int | None = Field(None, ge=4, le=256)
    output_kb: int | None = Field(None, ge=1, le=1024)


class DockerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_size: int = Field(2, ge=0, le=64, description="Pre-started containers per language.")
    python_image: str = Field(
        "codegym-python", description="Image repository (tag = harness hash)."
    )
    node_image: str = Field("codegym-node", description="Image repository (tag = harness hash).")
    user: str = Field(
        "10001:10001",
        description="Non-root uid:gid of the first sandbox; each run gets a uid from here up.",
    )
    cpus: float = Field(1.0, gt=0, le=16, description="CPU quota per container.")
    runs_per_container: int = Field(
        32,
        ge=1,
        le=1000,
        description=(
            "Runs one warm container serves, each as a uid of its own, before it is replaced "
            "(sooner after any anomaly). 1: a fresh container for every run."
        ),
    )
    host: str | None = Field(None, description="Docker engine URL; default: DOCKER_HOST or local.")


class LocalSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    python: str | None = Field(None, description="Interpreter for Python exercises.")
    node: str | None = Field(None, description="Node.js binary for JavaScript exercises.")
    isolate_network: bool = Field(True, description="Use bwrap/unshare to cut the network.")


class QueueSettings(BaseModel):
    """Admission: how many runs one engine takes at once, for every Code Gym process of the
    machine that shares the directory (docs/operators.md: admission)."""

    model_config = ConfigDict(extra="forbid")

    slots: int | None = Field(
        None, ge=1, le=256, description="Runs at once per engine; default: the engine's CPUs."
    )
    directory: Path | None = Field(
        None,
        description="Where the queue's lock files live; processes that share it share the "
        "queue. Default: /run/codegym/queue as root, else $XDG_RUNTIME_DIR/codegym/queue, else "
        "/tmp/codegym-<uid>/queue.",
    )

    def resolved_directory(self) -> Path:
        if self.directory is not None:
            return self.directory
        if os.geteuid() == 0:
            return Path("/run/codegym/queue")
        if runtime := os.environ.get("XDG_RUNTIME_DIR"):
            return Path(runtime) / "codegym" / "queue"
        return Path(f"/tmp/codegym-{os.geteuid()}") / "queue"


class SandboxSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: BackendName = "auto"
    limits: SandboxLimits = SandboxLimits()
    docker: DockerSettings = DockerSettings()
    local: LocalSettings = LocalSettings()
    queue: QueueSettings = QueueSettings()


DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"


class TutorSettings(BaseModel):
    """The tutor's model and its Ollama host. Every call has a timeout; nothing waits forever."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Ask the model; when false, offline answers only.")
    host: str | None = Field(None, description="Ollama URL; default: OLLAMA_HOST or local.")
    model: str = Field("qwen2.5-coder:7b", min_length=1, description="Any Ollama model name.")
    timeout_s: float = Field(60.0, gt=0, le=600, description="Per call, including streaming.")
    connect_timeout_s: float = Field(3.0, gt=0, le=60, description="To reach the host at all.")
    num_ctx: int = Field(8192, ge=512, le=131072, description="Context window (set explicitly).")
    keep_alive: str = Field("30m", description="How long Ollama keeps the model loaded.")
    temperature: float = Field(0.2, ge=0, le=2)
    seed: int | None = Field(None, description="Fixed sampling seed, for reproducible answers.")
    preload: bool = Field(True, description="Load the model in the background at start.")
    leak_threshold: float = Field(
        0.6,
        gt=0,
        le=1,
        description="Similarity to the reference solution above which an answer is a leak.",
    )
    cache: bool = Field(True, description="Answer a repeated question from the disk cache.")

    def resolved_host(self) -> str:
        return self.host or os.environ.get("OLLAMA_HOST") or DEFAULT_OLLAMA_HOST


class Settings(BaseModel):
    """The root settings object."""

    model_config = ConfigDict(extra="forbid")

    content_dir: Path | None = Field(None, description="Content folder; default: bundled.")
    sandbox: SandboxSettings = SandboxSettings()
    tutor: TutorSettings = TutorSettings()
    offer_exercises: bool = Field(
        default=True,
        description="Ask whether to create the exercises when the workspace has none (the VS "
        "Code extension, which has its own welcome view, turns it off).",
    )
    parallelism: int = Field(
        default_factory=lambda: max(2, os.cpu_count() or 2),
        ge=1,
        le=64,
        description="Sandbox runs in flight at once (validate, LSP).",
    )

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then CODEGYM_* environment variables, then explicit overrides."""
        data: dict[str, object] = {}
        sandbox: dict[str, object] = {}
        if content := os.environ.get("CODEGYM_CONTENT"):
            data["content_dir"] = content
        if backend := os.environ.get("CODEGYM_BACKEND"):
            sandbox["backend"] = backend
        if pool := os.environ.get("CODEGYM_POOL_SIZE"):
            sandbox["docker"] = {"pool_size": pool}
        if sandbox:
            data["sandbox"] = sandbox
        tutor: dict[str, object] = {}
        if model := os.environ.get("CODEGYM_TUTOR_MODEL"):
            tutor["model"] = model
        if os.environ.get("CODEGYM_TUTOR") == "off":
            tutor["enabled"] = False
        if tutor:
            data["tutor"] = tutor
        return cls.model_validate(deep_merge(data, overrides))


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` wins key by key, at every depth, and a None in it changes nothing: an editor's
    `sandbox.backend` keeps `CODEGYM_POOL_SIZE`'s `sandbox.docker.pool_size`."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merged[key] = deep_merge(current, value)
        elif value is not None:
            merged[key] = value
    return merged
