"""A scripted Ollama server: real HTTP on 127.0.0.1 speaking Ollama's API, so that tests and
benchmarks drive the real `ollama` client without model weights.

Endpoints: `POST /api/chat` (NDJSON streaming, or one JSON document with `"stream": false`),
`POST /api/generate` (same; an empty prompt is a preload), `GET /api/tags`, `GET /api/version`.
Errors are `{"error": "..."}` bodies with 4xx/5xx statuses, or an error line mid-stream, as Ollama
sends them.

A script is a list of `Reply` rules: the first rule whose `when` pattern matches the request's
text (all message contents) answers it; a rule with `times` is used up after that many answers.
Every request body is recorded in `requests`.

Run standalone (for the VS Code extension's tests and the benchmarks):

    python -m tests.scripted_ollama --port 0 --script tutor
    → prints "http://127.0.0.1:<port>" on its first stdout line, then serves until killed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_MODEL = "qwen2.5-coder:7b"


@dataclass
class Reply:
    """How to answer one request."""

    content: str | list[str] = ""
    """The answer; a list is sent as separate stream chunks (a string is split in words)."""
    when: str | None = None
    """Regex searched in the request's text (all message contents, or the prompt)."""
    path: str = "/api/chat"
    status: int = 200
    error: str | None = None
    """With `status` >= 400: the error body. With status 200: an error line mid-stream."""
    delay_s: float = 0.0
    """Before the response starts."""
    chunk_delay_s: float = 0.0
    times: int | None = None
    """Answer this many requests, then step aside (None: forever)."""
    drop_connection: bool = False
    """Close the socket without answering."""

    def chunks(self) -> list[str]:
        if isinstance(self.content, list):
            return self.content
        return re.findall(r"\S+\s*|\s+", self.content) or [""]


@dataclass
class _State:
    replies: list[Reply]
    models: list[str]
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def pick(self, path: str, text: str) -> Reply | None:
        with self.lock:
            for reply in self.replies:
                if reply.path != path or reply.times == 0:
                    continue
                if reply.when is not None and not re.search(reply.when, text, re.S):
                    continue
                if reply.times is not None:
                    reply.times -= 1
                return reply
        return None


def request_text(body: dict[str, Any]) -> str:
    """Everything the model would read: the message contents, or the prompt."""
    if "messages" in body:
        return "\n".join(str(m.get("content", "")) for m in body.get("messages") or [])
    return str(body.get("prompt", ""))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # ------------------------------------------------------------------ GET

    def do_GET(self) -> None:
        if self.path == "/api/tags":
            models = [
                {
                    "name": name,
                    "model": name,
                    "modified_at": _now(),
                    "size": 4_683_087_332,
                    "digest": "0" * 64,
                    "details": {"format": "gguf", "family": "qwen2", "parameter_size": "7.6B"},
                }
                for name in self.server.state.models
            ]
            self._json(200, {"models": models})
        elif self.path == "/api/version":
            self._json(200, {"version": "0.12.0-scripted"})
        else:
            self._json(404, {"error": "not found"})

    # ------------------------------------------------------------------ POST

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._json(400, {"error": "invalid JSON body"})
            return
        state = self.server.state
        with state.lock:
            state.requests.append({"path": self.path, **body})
        if self.path not in ("/api/chat", "/api/generate"):
            self._json(404, {"error": f"unknown endpoint {self.path}"})
            return
        model = body.get("model")
        if model not in state.models:
            self._json(404, {"error": f"model '{model}' not found, try pulling it first"})
            return
        text = request_text(body)
        reply = state.pick(self.path, text)
        if reply is None:
            if self.path == "/api/generate" and not text:
                reply = Reply(path="/api/generate")  # a preload: load and answer nothing
            else:
                self._json(500, {"error": "scripted ollama: no reply scripted for this request"})
                return
        if reply.delay_s:
            time.sleep(reply.delay_s)
        if reply.drop_connection:
            self.close_connection = True
            self.connection.close()
            return
        if reply.status >= 400:
            self._json(reply.status, {"error": reply.error or "internal error"})
            return
        if body.get("stream", True):
            self._stream(reply, model, text, chat=self.path == "/api/chat")
        else:
            self._whole(reply, model, text, chat=self.path == "/api/chat")

    def _part(self, model: str, piece: str, chat: bool, done: bool) -> dict[str, Any]:
        part: dict[str, Any] = {"model": model, "created_at": _now(), "done": done}
        if chat:
            part["message"] = {"role": "assistant", "content": piece}
        else:
            part["response"] = piece
        return part

    def _final(self, model: str, prompt: str, chunks: int, chat: bool) -> dict[str, Any]:
        part = self._part(model, "", chat, done=True)
        part.update(
            done_reason="stop",
            total_duration=1_000_000,
            load_duration=100_000,
            prompt_eval_count=max(1, len(prompt) // 4),
            prompt_eval_duration=200_000,
            eval_count=chunks,
            eval_duration=700_000,
        )
        return part

    def _stream(self, reply: Reply, model: str, prompt: str, chat: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            chunks = reply.chunks()
            for index, piece in enumerate(chunks):
                if index and reply.chunk_delay_s:
                    time.sleep(reply.chunk_delay_s)
                self._write_chunk(self._part(model, piece, chat, done=False))
            if reply.error:
                self._write_chunk({"error": reply.error})
            else:
                self._write_chunk(self._final(model, prompt, len(chunks), chat))
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (cancelled, or timed out): as Ollama does, stop

    def _write_chunk(self, document: dict[str, Any]) -> None:
        data = json.dumps(document).encode() + b"\n"
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _whole(self, reply: Reply, model: str, prompt: str, chat: bool) -> None:
        if reply.error:
            self._json(500, {"error": reply.error})
            return
        chunks = reply.chunks()
        document = self._final(model, prompt, len(chunks), chat)
        if chat:
            document["message"]["content"] = "".join(chunks)
        else:
            document["response"] = "".join(chunks)
        self._json(200, document)

    def _json(self, status: int, document: dict[str, Any]) -> None:
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State


class ScriptedOllama:
    """`with ScriptedOllama([Reply(...)]) as ollama: ... ollama.url ...`"""

    def __init__(
        self,
        replies: list[Reply] | None = None,
        models: list[str] | None = None,
        port: int = 0,
    ) -> None:
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.state = _State(list(replies or []), list(models or [DEFAULT_MODEL]))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> list[dict[str, Any]]:
        with self._server.state.lock:
            return list(self._server.state.requests)

    def chats(self) -> Iterator[dict[str, Any]]:
        return (r for r in self.requests if r["path"] == "/api/chat")

    def script(self, *replies: Reply) -> None:
        """Put replies in front of the current script."""
        with self._server.state.lock:
            self._server.state.replies[:0] = list(replies)

    def start(self) -> ScriptedOllama:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ScriptedOllama:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---------------------------------------------------------------------- ready-made scripts

TUTOR_SCRIPT: list[Reply] = [
    Reply(
        when=r"Feature: hint",
        content="Think about which numbers you keep. What does the remainder of a division "
        "by 2 tell you about a number? Check your condition on the line that filters.",
    ),
    Reply(
        when=r"Feature: explain",
        content="The test expected a different value than your function returned. Look at the "
        "condition that decides which items count, and try the failing input by hand.",
    ),
    Reply(
        when=r"Feature: concept",
        content="This concept is about choosing the right tool: read the explanation, then "
        "try a tiny example of your own in a scratch file.",
    ),
    Reply(
        when=r"Feature: review",
        content=json.dumps(
            {
                "summary": "Readable code; one naming point.",
                "findings": [
                    {"line": 2, "category": "style", "message": "Use a descriptive name."}
                ],
            }
        ),
    ),
    Reply(when=r"Feature: tests", content=json.dumps({"cases": []})),
]
"""Plausible answers to every tutor feature (the prompts name their feature)."""

SCRIPTS = {"tutor": TUTOR_SCRIPT, "empty": []}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", choices=sorted(SCRIPTS), default="tutor")
    parser.add_argument("--chunk-delay", type=float, default=0.0)
    options = parser.parse_args()
    replies = [
        Reply(**{**r.__dict__, "chunk_delay_s": options.chunk_delay})
        for r in SCRIPTS[options.script]
    ]
    server = ScriptedOllama(replies, port=options.port).start()
    print(server.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
