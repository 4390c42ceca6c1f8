"""Fuzz the real language server (`codegym serve`, stdio) with 10,000 malformed or random
messages from a seeded `random.Random` (CODEGYM_FUZZ_SEED picks another seed; a failure names
its seed and batch).

The messages come in batches; each batch ends with a ping (a request for an unknown method)
that must be answered: the server is still up and back in step after whatever the batch did to
the framing. Framing cases are built so that a reader that skips to the next `Content-Length:`
header recovers right after them (see `codegym.lsp.framing.FramedStdin`). At the end the server
answers real requests (`textDocument/hover` on an exercise, `codegym/catalog`), and every byte it
wrote to stdout was a well-formed frame holding a JSON-RPC message.
"""

from __future__ import annotations

import json
import os
import random
import string
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from codegym.content import load_content
from codegym.workspace import default_path, init_workspace

ROOT = Path(__file__).resolve().parents[1]
SEED = int(os.environ.get("CODEGYM_FUZZ_SEED", "20261122"))
TOTAL = 10_000
BATCH = 50
BIG = 10 * 1024 * 1024
PING_TIMEOUT_S = 15.0
FORBIDDEN = {"exit", "shutdown", "initialize"}
"""Never fuzzed: they end or restart the session by design."""

KNOWN_METHODS = [
    "textDocument/hover", "textDocument/codeAction", "textDocument/codeLens",
    "textDocument/didOpen", "textDocument/didChange", "textDocument/didClose",
    "textDocument/didSave", "workspace/executeCommand", "workspace/didChangeConfiguration",
    "codegym/catalog", "$/cancelRequest", "$/setTrace", "initialized", "textDocument/completion",
    "textDocument/definition", "workspace/didChangeWorkspaceFolders",
    "window/workDoneProgress/cancel",
]  # fmt: skip
COMMANDS = [
    "codegym.runTests", "codegym.openExercise", "codegym.previewExercise",
    "codegym.nextExercise", "codegym.resetExercise", "codegym.hint", "codegym.explainFailure",
    "codegym.review", "codegym.generateTests", "codegym.explainConcept", "codegym.nothing",
]  # fmt: skip


# ---------------------------------------------------------------------------- the client


class ProtocolViolation(Exception):
    pass


class RawServer:
    """`codegym serve` on pipes. A reader thread checks every byte of its stdout strictly
    (headers, length, UTF-8, JSON, JSON-RPC shape), answers the server's own requests and files
    responses by id."""

    def __init__(
        self, workspace: Path, stderr_path: Path, keep: frozenset[str] = frozenset()
    ) -> None:
        env = {**os.environ, "CODEGYM_TUTOR": "off", "CODEGYM_BACKEND": "local"}
        self.stderr = stderr_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "codegym.cli", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            cwd=workspace,
            env=env,
        )
        self.violations: list[str] = []
        self.responses: dict[Any, dict[str, Any]] = {}
        self.notifications: Counter[str] = Counter()
        self.server_requests: Counter[str] = Counter()
        self.frames = 0
        self.keep = keep
        """Notification methods whose messages are kept in `kept` (for other tests)."""
        self.kept: list[dict[str, Any]] = []
        self.odd_ids = 0
        self.idless_responses = 0
        self._arrived = threading.Condition()
        self._write_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    # -- writing

    def send_raw(self, data: bytes) -> None:
        assert self.process.stdin is not None
        with self._write_lock:
            self.process.stdin.write(data)
            self.process.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_raw(frame(json.dumps(message).encode()))

    def request(self, method: str, params: Any, ident: Any, timeout: float) -> dict[str, Any]:
        self.send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        return self.wait_for(ident, timeout)

    def initialize(self, root: Path) -> None:
        """`initialize` (local sandbox, no client capabilities) and `initialized`."""
        params = {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "capabilities": {},
            "initializationOptions": {"sandbox": {"backend": "local"}},
        }
        answer = self.request("initialize", params, ident="initialize", timeout=30)
        assert "result" in answer, answer
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})

    def open(self, uri: str, text: str) -> None:
        language = "javascript" if uri.endswith(".js") else "python"
        document = {"uri": uri, "languageId": language, "version": 1, "text": text}
        self.send(
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didOpen",
                "params": {"textDocument": document},
            }
        )

    def wait_for(self, ident: Any, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while ident not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0 or not self._reader.is_alive():
                    raise TimeoutError(f"no response to {ident!r}")
                self._arrived.wait(min(left, 0.5))
            return self.responses[ident]

    # -- reading

    def _read_loop(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            while True:
                message = read_frame(stream)
                if message is None:
                    return
                self.frames += 1
                self._dispatch(message)
        except ProtocolViolation as exc:
            self.violations.append(str(exc))
        finally:
            with self._arrived:
                self._arrived.notify_all()

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "method" in message and "id" in message:  # the server asks the client something
            self.server_requests[message["method"]] += 1
            result: Any = None
            if message["method"] == "workspace/configuration":
                result = [None for _ in message.get("params", {}).get("items", [])]
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})
        elif "method" in message:
            self.notifications[message["method"]] += 1
            if message["method"] in self.keep:
                self.kept.append(message)
        elif "id" not in message:
            # pygls answers a request with `"id": null` without any id (JSON-RPC: `"id": null`).
            # Allowed only as often as the fuzzer sent such requests (checked at the end).
            self.idless_responses += 1
        else:
            ident = message["id"]
            if not isinstance(ident, str | int) or isinstance(ident, bool):
                # pygls answers a request whose id is not a string or number with that id
                # echoed (JSON-RPC says: Invalid Request, id null). Counted, not keyed.
                self.odd_ids += 1
                return
            with self._arrived:
                self.responses[ident] = message
                self._arrived.notify_all()

    def close(self) -> None:
        try:
            self.request("shutdown", None, "shutdown", timeout=10)
            self.send({"jsonrpc": "2.0", "method": "exit"})
            self.process.wait(timeout=10)
        except (OSError, TimeoutError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            self.stderr.close()


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_frame(stream: Any) -> dict[str, Any] | None:
    """One message, checked strictly; None at the end of the stream."""
    length = None
    first = True
    while True:
        line = stream.readline(1024)
        if not line:
            if first:
                return None
            raise ProtocolViolation("the stream ended inside a header")
        first = False
        if not line.endswith(b"\r\n"):
            raise ProtocolViolation(f"a header line without CRLF: {line[:80]!r}")
        if line == b"\r\n":
            break
        name, sep, value = line[:-2].partition(b": ")
        if not sep:
            raise ProtocolViolation(f"not a header: {line[:80]!r}")
        if name == b"Content-Length":
            if not value.isdigit():
                raise ProtocolViolation(f"bad Content-Length: {value[:40]!r}")
            length = int(value)
        elif name != b"Content-Type":
            raise ProtocolViolation(f"unexpected header {name[:40]!r}")
    if length is None:
        raise ProtocolViolation("a header block without Content-Length")
    body = stream.read(length)
    if len(body) != length:
        raise ProtocolViolation(f"a body cut short: {len(body)} of {length} bytes")
    try:
        message = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolViolation(f"a body that is not UTF-8 JSON: {exc}") from exc
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        raise ProtocolViolation(f"not a JSON-RPC 2.0 message: {body[:120]!r}")
    if "method" in message:
        if not isinstance(message["method"], str):
            raise ProtocolViolation(f"a method that is not a string: {body[:120]!r}")
    elif ("result" in message) == ("error" in message):
        raise ProtocolViolation(f"a response with both or neither result and error: "
                                f"{body[:120]!r}")  # fmt: skip
    elif "error" in message and not isinstance(message["error"].get("code"), int):
        raise ProtocolViolation(f"an error without a code: {body[:120]!r}")
    return message


# ---------------------------------------------------------------------------- the fuzzer


@dataclass
class Documents:
    opened: list[tuple[str, str]]  # (uri, text) of exercises the fuzzer may open and change
    unopened: list[str]


@dataclass
class Fuzzer:
    rng: random.Random
    documents: Documents
    counts: Counter[str] = field(default_factory=Counter)
    next_id: int = 1000
    bigs_left: int = 3
    saves_left: int = 20
    null_ids: int = 0
    """Requests sent with `"id": null` (pygls answers them without an id)."""

    def ident(self) -> int:
        self.next_id += 1
        return self.next_id

    def message(self) -> bytes:
        """One fuzz message as it goes on the wire (a valid frame unless the category is
        about framing)."""
        kinds: list[tuple[str, int, Callable[[], bytes]]] = [
            ("framing", 14, self.framing),
            ("invalid_json", 10, self.invalid_json),
            ("not_jsonrpc", 9, self.not_jsonrpc),
            ("bad_ids", 5, self.bad_ids),
            ("unknown_method", 9, self.unknown_method),
            ("missing_id", 5, self.missing_id),
            ("wrong_params", 20, self.wrong_params),
            ("out_of_range", 10, self.out_of_range),
            ("unopened_document", 6, self.unopened),
            ("document_edits", 9, self.document_edits),
            ("commands", 3, self.commands),
        ]
        if self.bigs_left and self.rng.random() < 0.002:
            self.bigs_left -= 1
            self.counts["big_document"] += 1
            return self.big_document()
        name, _, make = self.rng.choices(kinds, weights=[w for _, w, _ in kinds])[0]
        self.counts[name] += 1
        return make()

    # -- helpers

    def wire(self, message: Any) -> bytes:
        return frame(json.dumps(message).encode())

    def junk(self, depth: int = 0) -> Any:
        """A random JSON value."""
        roll = self.rng.randrange(10 if depth < 3 else 6)
        if roll == 0:
            return None
        if roll == 1:
            return self.rng.choice([True, False])
        if roll == 2:
            return self.rng.choice([0, -1, 1, 2**31, -(2**63), 10**30, 3.5, -0.0, 1e308])
        if roll in (3, 4, 5):
            return self.text(self.rng.randrange(0, 40))
        if roll in (6, 7):
            return [self.junk(depth + 1) for _ in range(self.rng.randrange(4))]
        return {self.text(6): self.junk(depth + 1) for _ in range(self.rng.randrange(4))}

    def text(self, length: int) -> str:
        alphabet = string.printable + "éß中😀\u0000\u202e\ud7ff\U0001f600"
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def uri(self) -> str:
        choices = [
            *(uri for uri, _ in self.documents.opened),
            *self.documents.unopened,
            "", "file://", "file:///", "file:///etc/passwd", "untitled:Untitled-1",
            "http://example.com/x.py", "file:///nonexistent/dir/x.js", "not a uri",
            "file:///tmp/%00.py", "file:///" + "a" * 5000 + ".py",
        ]  # fmt: skip
        return self.rng.choice(choices)

    def position(self, wild: bool = False) -> dict[str, Any]:
        pool = [0, 1, 2, 5, 10**9, 2**31 - 1, 2**31, -1, 2**53]
        if wild:
            return {"line": self.rng.choice(pool), "character": self.rng.choice(pool)}
        return {"line": self.rng.randrange(40), "character": self.rng.randrange(80)}

    def range(self, wild: bool = False) -> dict[str, Any]:
        return {"start": self.position(wild), "end": self.position(wild)}

    def document_uri(self) -> tuple[str, str]:
        return self.rng.choice(self.documents.opened)

    # -- categories

    def framing(self) -> bytes:
        """Broken framing that a resynchronising reader gets over by the next header."""
        body = json.dumps(
            {"jsonrpc": "2.0", "method": "$/fuzz", "params": {"x": self.text(20)}}
        ).encode()
        valid_next = self.wire(
            {"jsonrpc": "2.0", "method": "$/fuzzFollower", "params": {"pad": "p" * 200}}
        )
        case = self.rng.randrange(13)
        self.counts[f"framing.{case}"] += 1
        if case == 0:  # not a number
            bad = self.rng.choice([b"abc", b"-5", b"", b" ", b"1e3", b"0x10", b"12 34", b"\xff"])
            return b"Content-Length: " + bad + b"\r\n\r\n" + body
        if case == 1:  # no header at all
            return body
        if case == 2:  # header name in other case, or misspelt
            name = self.rng.choice([b"content-length", b"CONTENT-LENGTH", b"Content_Length"])
            return name + b": %d\r\n\r\n" % len(body) + body
        if case == 3:  # LF line endings
            return b"Content-Length: %d\n\n" % len(body) + body
        if case == 4:  # truncated body: the next message completes it (and is lost)
            cut = self.rng.randrange(1, len(body))
            return b"Content-Length: %d\r\n\r\n" % len(body) + body[:cut] + valid_next
        if case == 5:  # garbage bytes between messages
            return bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(1, 300)))
        if case == 6:  # Content-Length larger than the body: padded up to it
            extra = self.rng.randrange(1, 3000)
            return b"Content-Length: %d\r\n\r\n" % (len(body) + extra) + body + b"\n" * extra
        if case == 7:  # absurd Content-Length (pygls 2.1.1 dies of these)
            size = self.rng.choice([10**20, 2**63, 2**64 + 1, 10**10, 3 * 2**30, 10**100])
            return b"Content-Length: %d\r\n\r\n" % size + body
        if case == 8:  # zero
            return b"Content-Length: 0\r\n\r\n" + body
        if case == 9:  # two Content-Length headers; the block is followed by its body
            return b"Content-Length: 3\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        if case == 10:  # a very long header line
            return b"X-Junk: " + b"j" * self.rng.randrange(70_000, 200_000) + b"\r\n" + body
        if case == 11:  # NUL bytes and a Content-Type with a strange charset
            return (
                b"Content-Type: application/json; charset=latin-1\x00\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body) + body
            )
        # header without a blank line, then a proper message
        return b"Content-Length: 17\r\nContent-Type: x\r\n" + valid_next

    def invalid_json(self) -> bytes:
        case = self.rng.randrange(6)
        if case == 0:
            body = bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(1, 200)))
        elif case == 1:  # invalid UTF-8 inside a JSON string
            body = b'{"jsonrpc": "2.0", "method": "textDocument/hover", "params": "\xff\xfe\xc3("}'
        elif case == 2:  # truncated JSON
            text = json.dumps({"jsonrpc": "2.0", "id": self.ident(), "method": "codegym/catalog"})
            body = text[: self.rng.randrange(1, len(text))].encode()
        elif case == 3:  # nesting deeper than the parser allows
            depth = self.rng.randrange(1000, 100_000)
            body = b"[" * depth + b"]" * depth
        elif case == 4:  # lone surrogates and NaN
            body = b'{"jsonrpc": "2.0", "id": NaN, "method": "\\ud800", "params": Infinity}'
        else:  # trailing garbage
            body = json.dumps({"jsonrpc": "2.0", "method": "$/x"}).encode() + b"}}]]"
        return frame(body)

    def not_jsonrpc(self) -> bytes:
        values: list[Any] = [
            [], [1, 2], 1, "x", None, True, {}, {"jsonrpc": "1.0", "id": 1, "method": "x"},
            {"jsonrpc": 2, "method": "x"}, {"id": 1}, {"jsonrpc": "2.0"},
            [{"jsonrpc": "2.0", "id": self.ident(), "method": "codegym/catalog"}],
            {"jsonrpc": "2.0", "id": self.ident(), "result": self.junk()},
            {"jsonrpc": "2.0", "id": self.ident(), "error": self.junk()},
            {"jsonrpc": "2.0", "id": "nobody-asked", "result": None},
            {"jsonrpc": "2.0", "method": None, "id": self.ident()},
        ]  # fmt: skip
        return self.wire(self.rng.choice(values))

    def bad_ids(self) -> bytes:
        ident = self.rng.choice(
            [{"a": 1}, [1], 1.5, True, None, 10**40, -(10**40), "", "x" * 10_000, "😀"]
        )
        method = self.rng.choice(["codegym/catalog", "textDocument/hover", "nope/nothing"])
        self.null_ids += ident is None
        return self.wire({"jsonrpc": "2.0", "id": ident, "method": method, "params": self.junk()})

    def unknown_method(self) -> bytes:
        method = self.rng.choice(
            ["", "x", "$/", "$/unknown", "textDocument/", "codegym/", "a" * 3000, self.text(12)]
        )
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": self.junk()}
        if self.rng.random() < 0.5:
            message["id"] = self.ident()
        return self.wire(message)

    def missing_id(self) -> bytes:
        method = self.rng.choice(["textDocument/hover", "codegym/catalog", "textDocument/codeLens"])
        uri, _ = self.document_uri()
        params = {"textDocument": {"uri": uri}, "position": self.position()}
        return self.wire({"jsonrpc": "2.0", "method": method, "params": params})

    def wrong_params(self) -> bytes:
        method = self.rng.choice([m for m in KNOWN_METHODS if m not in FORBIDDEN])
        uri, _ = self.document_uri()
        good: dict[str, Any] = {
            "textDocument": {"uri": uri, "version": 1, "languageId": "python", "text": "x"},
            "position": self.position(),
            "range": self.range(),
            "context": {"diagnostics": []},
            "contentChanges": [{"text": "x"}],
            "command": "codegym.runTests",
            "arguments": [uri],
            "settings": {"codegym": {}},
            "id": 1,
        }
        params: Any = dict(good)
        mutation = self.rng.randrange(5)
        if mutation == 0:
            params = self.junk()
        elif mutation == 1:
            params.pop(self.rng.choice(list(params)))
        elif mutation == 2:
            key = self.rng.choice(list(params))
            params[key] = self.junk()
        elif mutation == 3:
            params["textDocument"] = {"uri": self.junk(), "version": self.junk()}
        else:
            params["settings"] = {"codegym": {"sandbox": self.junk(), "parallelism": self.junk()}}
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if self.rng.random() < 0.6:
            message["id"] = self.ident()
        return self.wire(message)

    def out_of_range(self) -> bytes:
        uri, _ = self.document_uri()
        method = self.rng.choice(
            ["textDocument/hover", "textDocument/codeAction", "textDocument/codeLens"]
        )
        params = {
            "textDocument": {"uri": uri},
            "position": self.position(wild=True),
            "range": self.range(wild=True),
            "context": {"diagnostics": []},
        }
        return self.wire({"jsonrpc": "2.0", "id": self.ident(), "method": method, "params": params})

    def unopened(self) -> bytes:
        uri = self.rng.choice(self.documents.unopened)
        method = self.rng.choice(
            ["textDocument/didChange", "textDocument/didClose", "textDocument/didSave",
             "textDocument/hover", "textDocument/codeLens"]
        )  # fmt: skip
        params = {
            "textDocument": {"uri": uri, "version": self.rng.randrange(100)},
            "contentChanges": [{"range": self.range(), "text": self.text(10)}],
            "position": self.position(),
        }
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if method in ("textDocument/hover", "textDocument/codeLens"):
            message["id"] = self.ident()
        return self.wire(message)

    def document_edits(self) -> bytes:
        uri, text = self.document_uri()
        case = self.rng.randrange(5)
        version = self.rng.choice([2, 3, 10**9, -1, 0])
        if case == 0:  # ranges past the end, reversed, astral characters
            changes = [{"range": self.range(wild=True), "text": self.text(30)}]
        elif case == 1:  # a full replacement with random text
            changes = [{"text": self.text(self.rng.randrange(2000))}]
        elif case == 2:  # open again (already open), with another language
            language = self.rng.choice(["python", "javascript", "", "cobol"])
            params = {"textDocument": {"uri": uri, "languageId": language, "version": version,
                                       "text": self.text(100)}}  # fmt: skip
            return self.wire({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": params})
        elif case == 3 and self.saves_left:  # a save: a real sandbox run of whatever is there
            self.saves_left -= 1
            params = {"textDocument": {"uri": uri}}
            return self.wire({"jsonrpc": "2.0", "method": "textDocument/didSave", "params": params})
        else:  # back to the real text
            changes = [{"text": text}]
        params = {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}
        return self.wire({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": params})

    def commands(self) -> bytes:
        arguments = self.rng.choice(
            [None, [], [self.junk()], [self.uri()], [1, 2, 3], {"a": 1}, "x", [self.text(50)]]
        )
        params = {"command": self.rng.choice(COMMANDS), "arguments": arguments}
        return self.wire(
            {"jsonrpc": "2.0", "id": self.ident(), "method": "workspace/executeCommand",
             "params": params}
        )  # fmt: skip

    def big_document(self) -> bytes:
        uri = self.rng.choice([u for u in self.documents.unopened if not u.endswith(".md")])
        language = "javascript" if uri.endswith(".js") else "python"
        text = ("x = 1  # " + "a" * 90 + "\n") * (BIG // 100)
        params = {"textDocument": {"uri": uri, "languageId": language, "version": 1,
                                   "text": text}}  # fmt: skip
        return self.wire({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": params})


# ---------------------------------------------------------------------------- the test


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, list[tuple[str, Path]]]:
    content = load_content(ROOT / "content")
    root = tmp_path / "workspace"
    init_workspace(root, content)
    exercises = [(p.id, root / default_path(p)) for p in content.ordered()]
    return root, exercises


def test_server_survives_ten_thousand_malformed_messages(
    workspace: tuple[Path, list[tuple[str, Path]]], tmp_path: Path
) -> None:
    root, exercises = workspace
    rng = random.Random(SEED)
    fuzzed = [path for name, path in exercises if name != "py-sum-evens"][:8]
    pristine = next(path for name, path in exercises if name == "py-sum-evens")
    documents = Documents(
        opened=[(path.as_uri(), path.read_text()) for path in fuzzed],
        unopened=[(root / f"ghost{i}{ext}").as_uri() for i in range(4) for ext in (".py", ".js")],
    )
    fuzzer = Fuzzer(rng, documents)
    server = RawServer(root, tmp_path / "server.stderr")
    started = time.monotonic()
    try:
        server.initialize(root)
        for uri, text in documents.opened:
            server.open(uri, text)
        sent = 0
        batch = 0
        while sent < TOTAL:
            batch += 1
            size = min(BATCH, TOTAL - sent)
            server.send_raw(b"".join(fuzzer.message() for _ in range(size)))
            sent += size
            ping = f"ping-{batch}"
            try:
                answer = server.request("codegym/fuzzPing", {}, ident=ping, timeout=PING_TIMEOUT_S)
            except (TimeoutError, OSError) as exc:
                pytest.fail(
                    f"seed {SEED}, batch {batch}: the server did not answer after the batch "
                    f"({exc}; alive: {server.process.poll() is None}); "
                    f"protocol violations: {server.violations[:3]}"
                )
            assert answer.get("error", {}).get("code") == -32601, answer  # method not found

        # The server still does its real work.
        server.open(pristine.as_uri(), pristine.read_text())
        hover = server.request(
            "textDocument/hover",
            {"textDocument": {"uri": pristine.as_uri()}, "position": {"line": 0, "character": 3}},
            ident="final-hover",
            timeout=30,
        )
        assert "Sum" in hover["result"]["contents"]["value"], hover
        catalog = server.request("codegym/catalog", None, ident="final-catalog", timeout=30)
        assert catalog["result"]["total"] == len(exercises), catalog
        elapsed = time.monotonic() - started
    finally:
        server.close()
    assert server.violations == [], server.violations
    assert server.idless_responses <= fuzzer.null_ids, (server.idless_responses, fuzzer.null_ids)
    assert server.process.returncode == 0, server.process.returncode
    assert sum(v for k, v in fuzzer.counts.items() if "." not in k) == TOTAL
    summary = ", ".join(f"{k}={v}" for k, v in sorted(fuzzer.counts.items()))
    print(
        f"\nseed {SEED}: {TOTAL} messages in {elapsed:.1f}s, {server.frames} frames back; {summary}"
    )
    print(f"notifications: {dict(server.notifications)}")
    print(f"server requests: {dict(server.server_requests)}; responses echoing an odd id: "
          f"{server.odd_ids}; without an id: {server.idless_responses}")  # fmt: skip


def test_framed_stdin_resynchronises() -> None:
    """The reader itself, without a server: what pygls 2.1.1's own loop gets wrong."""
    import io

    from codegym.lsp.framing import FramedStdin

    good = frame(b'{"a": 1}')
    stream = io.BytesIO(
        b"garbage without a newline"
        + good
        + b"Content-Length: 99999999999999999999\r\n\r\n{}"
        + good
        + b"Content-Length: 20\r\n\r\n"
        + b'{"cut'
        + good  # completes the cut body, so it is lost; the one after is not
        + good
        + b"Content-Length: 0\r\n\r\n"
        + good
    )
    reader = FramedStdin(stream)
    bodies = []
    while True:
        header = reader.readline()
        if not header:
            break
        assert header.startswith(b"Content-Length: ") and reader.readline() == b"\r\n"
        bodies.append(reader.read(int(header[16:])))
    assert bodies.count(b'{"a": 1}') == 4, bodies
    assert len(bodies) == 5, bodies  # and the cut one, completed by the next message's bytes
