"""The Ollama model behind the tutor, through the official `ollama` AsyncClient.

Every call has an overall deadline, an explicit context window and keep-alive. Every failure of
the client (HTTP errors, refused connections, timeouts, malformed replies) becomes one
`TutorUnavailable` with a sentence a learner can act on; nothing else escapes.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog
from pydantic import BaseModel, ValidationError

from ..config import TutorSettings
from .prompts import render

log = structlog.get_logger(__name__)

Message = dict[str, str]
Model = TypeVar("Model", bound=BaseModel)


class TutorUnavailable(Exception):
    """The model could not answer; `str(exc)` says why, for the learner."""


@dataclass
class CallStats:
    latency_ms: float = 0.0
    first_token_ms: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class OllamaModel:
    def __init__(self, settings: TutorSettings) -> None:
        """Imports the client (about half a second, with httpx): the language server makes its
        model off the event loop, after start-up."""
        import httpx
        from ollama import AsyncClient

        self.settings = settings
        self.host = settings.resolved_host()
        self._client = AsyncClient(
            host=self.host,
            timeout=httpx.Timeout(settings.timeout_s, connect=settings.connect_timeout_s),
        )

    @property
    def name(self) -> str:
        return self.settings.model

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "num_ctx": self.settings.num_ctx,
            "temperature": self.settings.temperature,
        }
        if self.settings.seed is not None:
            options["seed"] = self.settings.seed
        return options

    async def close(self) -> None:
        await self._client.close()

    async def preload(self) -> None:
        """Load the model now (an empty generate), so the first question does not pay for it."""
        started = time.perf_counter()
        try:
            await self._deadline(
                self._client.generate(
                    model=self.name, prompt="", keep_alive=self.settings.keep_alive
                )
            )
        except TutorUnavailable as exc:
            log.info("tutor model not preloaded", reason=str(exc))
            return
        log.info("tutor model preloaded", model=self.name, ms=_since(started))

    async def stream(
        self, messages: list[Message], on_text: Callable[[str], bool]
    ) -> tuple[str, CallStats]:
        """Stream an answer; `on_text(piece)` returns False to stop early. Returns the text
        received and the call's figures."""
        stats = CallStats()
        started = time.perf_counter()
        parts: list[str] = []

        async def consume() -> None:
            stream = await self._client.chat(
                model=self.name,
                messages=messages,
                stream=True,
                options=self._options(),
                keep_alive=self.settings.keep_alive,
            )
            try:
                async for part in stream:
                    piece = part.message.content or ""
                    if piece and stats.first_token_ms is None:
                        stats.first_token_ms = _since(started)
                    if part.done:
                        stats.prompt_tokens = part.prompt_eval_count
                        stats.completion_tokens = part.eval_count
                    if piece:
                        parts.append(piece)
                        if not on_text(piece):
                            break
            finally:
                await stream.aclose()

        await self._deadline(consume())
        stats.latency_ms = _since(started)
        return "".join(parts), stats

    async def structured(
        self, messages: list[Message], schema: type[Model]
    ) -> tuple[Model, CallStats]:
        """An answer in the JSON shape of `schema`, validated; an invalid answer is asked for
        again once, with the validation problem."""
        stats = CallStats()
        started = time.perf_counter()
        conversation = list(messages)
        problem = ""
        for attempt in range(2):
            content, call = await self.json_text(conversation, schema)
            stats.prompt_tokens = (stats.prompt_tokens or 0) + (call.prompt_tokens or 0)
            stats.completion_tokens = (stats.completion_tokens or 0) + (call.completion_tokens or 0)
            if stats.first_token_ms is None:
                stats.first_token_ms = _since(started)
            try:
                answer = schema.model_validate_json(content)
            except ValidationError as exc:
                problem = first_problem(exc)
                log.info("invalid structured answer", attempt=attempt + 1, problem=problem)
                conversation += [
                    {"role": "assistant", "content": content[:4000]},
                    {"role": "user", "content": render("invalid_json", problem=problem)},
                ]
                continue
            stats.latency_ms = _since(started)
            return answer, stats
        raise TutorUnavailable(f"the model's answer did not match the expected form ({problem})")

    async def json_text(
        self, messages: list[Message], schema: type[BaseModel]
    ) -> tuple[str, CallStats]:
        """One answer constrained to the JSON shape of `schema` (Ollama's structured output),
        as the model wrote it: not validated, so a caller that keeps its own conversation can
        judge it and say what was wrong."""
        started = time.perf_counter()
        response = await self._deadline(
            self._client.chat(
                model=self.name,
                messages=messages,
                stream=False,
                format=schema.model_json_schema(),
                options=self._options(),
                keep_alive=self.settings.keep_alive,
            )
        )
        stats = CallStats(
            latency_ms=_since(started),
            prompt_tokens=response.prompt_eval_count,
            completion_tokens=response.eval_count,
        )
        return response.message.content or "", stats

    async def _deadline(self, call: Any) -> Any:
        """Await `call` within the configured time, translating every client failure."""
        import httpx  # already loaded by __init__
        from ollama import ResponseError

        try:
            return await asyncio.wait_for(call, timeout=self.settings.timeout_s)
        except asyncio.TimeoutError:
            raise TutorUnavailable(
                f"no answer from {self.name} within {self.settings.timeout_s:g} s"
            ) from None
        except ResponseError as exc:
            raise TutorUnavailable(self._response_error(exc)) from None
        except (ConnectionError, httpx.ConnectError):
            raise TutorUnavailable(f"cannot reach Ollama at {self.host}") from None
        except httpx.TimeoutException:
            raise TutorUnavailable(
                f"no answer from {self.name} within {self.settings.timeout_s:g} s"
            ) from None
        except httpx.HTTPError as exc:
            raise TutorUnavailable(
                f"the connection to Ollama broke ({type(exc).__name__})"
            ) from None
        except (json.JSONDecodeError, ValidationError):
            raise TutorUnavailable("Ollama sent a reply that is not in its API's format") from None

    def _response_error(self, exc: Any) -> str:
        """An `ollama.ResponseError` as a sentence."""
        message = str(exc.error).strip()[:300]
        if exc.status_code == 404 and "not found" in message:
            return f"the model {self.name} is not installed (run: ollama pull {self.name})"
        status = f" ({exc.status_code})" if exc.status_code > 0 else ""
        return f"Ollama reported an error{status}: {message}"


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def first_problem(exc: ValidationError) -> str:
    """The first problem of a validation error, as `where: what`."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "the answer"
    return f"{where}: {first['msg']}"
