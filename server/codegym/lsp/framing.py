"""The language server's standard input, read frame by frame and resynchronised after garbage
(see `FramedStdin`)."""

from __future__ import annotations

from typing import Any

import structlog

log = structlog.get_logger(__name__)


class FramedStdin:
    """Standard input for the language server that only ever yields well-formed frames.

    pygls 2.1.1's reader (`pygls.io_.run_async`) trusts the framing it reads: a Content-Length
    too large for an index kills the server (OverflowError out of its loop), a merely huge one
    allocates that much and waits for it, and bytes without a newline before a header (garbage,
    or the rest of a message whose Content-Length was too small) join the header line, which then
    never matches, and as message bodies end without a newline the same happens to every message
    after it: the stream never recovers. This reader parses the real stream itself, skips
    whatever is not a valid header block, resynchronises at the next `Content-Length:` wherever
    it appears in a line, and hands pygls exactly `Content-Length: N\r\n\r\n<body>` for each
    message it accepts. (Whether the body is JSON-RPC is pygls's business; it logs and goes on.)
    pygls calls `readline` and `read` one at a time, from its executor."""

    MAX_BODY = 256 * 1024 * 1024
    MAX_LINE = 64 * 1024
    _HEADER = b"content-length:"

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._frame = b""
        self._offset = 0
        self._carry = b""
        self.skipped = 0
        """Header blocks, stray lines and bodies dropped so far (for logs and tests)."""

    def readline(self) -> bytes:
        if self._offset >= len(self._frame):
            self._next_frame()
        end = self._frame.find(b"\n", self._offset)
        end = len(self._frame) if end < 0 else end + 1
        line = self._frame[self._offset : end]
        self._offset = end
        return line

    def read(self, size: int = -1) -> bytes:
        if self._offset >= len(self._frame):
            self._next_frame()
        end = len(self._frame) if size < 0 else self._offset + size
        chunk = self._frame[self._offset : end]
        self._offset += len(chunk)
        return chunk

    def _next_frame(self) -> None:
        """Read up to the next acceptable message; an empty frame means end of input."""
        self._frame, self._offset = b"", 0
        length: int | None = None
        while True:
            line = self._line()
            if not line:
                return
            if not line.strip(b"\r\n"):
                if not length:  # a blank line outside a header block, or Content-Length: 0
                    length = None
                    continue
                body = self._read_exactly(length)
                if len(body) < length:
                    return  # the input ended inside a body
                self._frame = b"Content-Length: %d\r\n\r\n" % length + body
                return
            name, _, value = line.partition(b":")
            if name.strip().lower() != self._HEADER[:-1]:
                if length is None:
                    self.skipped += 1  # not a header (other headers are fine and ignored)
                continue
            value = value.strip()
            if value.isdigit() and len(value) <= 12 and int(value) <= self.MAX_BODY:
                length = int(value)  # a later Content-Length replaces an unfinished block
            else:
                length = None
                self.skipped += 1
                log.warning("ignoring a bad Content-Length header", value=value[:40])

    def _line(self) -> bytes:
        """The next line (at most MAX_LINE bytes), cut before a `Content-Length:` that does not
        start it: that is where a message starts after bytes that were not one."""
        line = self._carry or self._raw.readline(self.MAX_LINE)
        self._carry = b""
        cut = line.lower().find(self._HEADER, 1)
        if cut > 0:
            self._carry = line[cut:]
            return line[:cut]
        return line

    def _read_exactly(self, size: int) -> bytes:
        chunks = []
        while size > 0:
            chunk = self._raw.read(size)
            if not chunk:
                break
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)
