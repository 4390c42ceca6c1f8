"""Code Gym's test harness for Python: the only program of ours that runs inside the sandbox.

Started by the supervisor (``supervisor.py``, the trusted half) as ``python3 -I -S harness.py``
with a writable scratch directory as the working directory. Its standard input carries one line
of set-up (the job without its tests, see docs/harness-protocol.md), then one test per line, each
sent only when the previous one has reported. It reports what the learner's code did (values,
output, exceptions) as framed events on its standard output and never judges anything: expected
values never enter the sandbox. Its timings count for nothing: the supervisor measures each
test's CPU time from the kernel.

Standard library only, one file, Python 3.8+ syntax.

Learner code runs in this process (function mode), so it is treated as hostile:

* Every module function the harness needs after learner code starts is bound to a global of this
  file before it starts (``_write = os.write``), and just before running, every function of this
  file is re-bound to a *private copy* of the module globals whose builtins are a *snapshot* of
  the builtins module (``_private_main``). Monkeypatching ``json``, ``os``, ``sys``, ``builtins``
  or the ``__main__`` module, or tampering with ``sys.modules``, changes nothing the harness uses.
* Events go to a private duplicate of the original fd 1. While learner code runs, fd 1 and 2 are
  capture files and ``sys.stdout``/``sys.stderr`` are writers that enforce the output cap; in
  between they point at /dev/null. Nothing the learner prints reaches the channel.
* Values are serialised with exact type checks and without calling any learner method
  (``__eq__``, ``__hash__``, ``__repr__``, ``__iter__`` ...), so no object can pass for another.
* A learner can still, deliberately, find the channel and the nonce in memory and forge an
  event to the supervisor; that can only report a value for the test being run, and the host
  judges values. See the protocol document.
"""

import _ast
import _signal
import builtins
import errno
import json
import os
import sys
import time
from collections import Counter, OrderedDict, defaultdict, deque

try:
    import resource
except ImportError:  # not a POSIX system: no limits from inside
    resource = None

# ------------------------------------------------------------------------ saved references
# Builtin (C) functions and descriptors, bound now, before any learner code exists. Learner code
# may replace the module attributes (os.write = ...) but not these objects.

_write = os.write
_read = os.read
_open = os.open
_close = os.close
_dup = os.dup
_dup2 = os.dup2
_fstat = os.fstat
_pread = os.pread
_lseek = os.lseek
_ftruncate = os.ftruncate
_unlink = os.unlink
_getpid = os.getpid
_hard_exit = os._exit
_perf = time.perf_counter
_setitimer = _signal.setitimer
_set_handler = _signal.signal
_sigmask = getattr(_signal, "pthread_sigmask", None)
_SIGPROF = _signal.SIGPROF
_ITIMER_PROF = _signal.ITIMER_PROF
_setrecursionlimit = sys.setrecursionlimit
_getrecursionlimit = sys.getrecursionlimit
_set_int_digits = getattr(sys, "set_int_max_str_digits", None)
_json_loads = json.loads
# The C scanner, bound now: tests are decoded after learner code has run, and json.loads is
# Python code that looks up builtins (isinstance ...) the learner may have deleted.
_c_scanner = getattr(json.scanner, "c_make_scanner", None)
_scan_json = _c_scanner(json.decoder.JSONDecoder()) if _c_scanner is not None else None
# The C string escapers of the json module (pure-Python fallbacks if _json is missing): UTF-8
# text for the channel, ASCII when a learner string holds a lone surrogate.
_escape_ascii = json.encoder.encode_basestring_ascii
_escape_utf8 = json.encoder.encode_basestring
# Descriptors read straight from the C types: a metaclass or an overriding property cannot lie.
_type_name = type.__dict__["__name__"].__get__
_exc_traceback = BaseException.__dict__["__traceback__"].__get__
_str_encode = str.encode
_str_slice = str.__getitem__  # always returns an exact str, even for a str subclass
_int_repr = int.__repr__
_int_bits = int.bit_length
_float_repr = float.__repr__
_str_repr = str.__repr__
_dict_items = dict.items
_dict_get = dict.get
_FunctionType = type(lambda: None)
_CodeType = type(compile("", "<empty>", "exec"))
_ModuleType = type(sys)
_MemoryError = MemoryError
_Deque = deque
_OrderedDict = OrderedDict
_DefaultDict = defaultdict
_Counter = Counter
_settrace = sys.settrace
_setprofile = sys.setprofile
_O_RDONLY = os.O_RDONLY
_O_RDWR = os.O_RDWR
_O_WRONLY = os.O_WRONLY
_O_CREAT = os.O_CREAT
_O_EXCL = os.O_EXCL
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_TMPFILE = getattr(os, "O_TMPFILE", 0)
_PyCF_ONLY_AST = _ast.PyCF_ONLY_AST
_INF = float("inf")
_float = float
_set = set
_EFBIG = errno.EFBIG

# ------------------------------------------------------------------------ constants

_MAX_DEPTH = 100  # containers nested deeper than this are $unserializable
_MESSAGE_CAP = 1024
_REPR_CAP = 1024
_TRACEBACK_CAP = 4096
_TRUNCATED = "…[output truncated]"
_TIMER_REPEAT_S = 0.05  # after the limit the timer keeps firing, so swallowing one is useless
_CASE_FUNCTION = "__codegym_case__"
_MODULE_NAME = "__codegym_exercise__"

# RLIMIT_AS is the learner's allowance (limits.memory_bytes) on top of what the interpreter
# needs for itself: its address space when the limit is set (the interpreter, its shared
# libraries, the harness and the modules it imported: measured from /proc/self/statm, so it
# adapts to the Python build; 15-25 MB for python3 -I -S) plus a fixed slack for what the
# interpreter maps later that is not learner data: stdlib extension modules the learner imports
# (libssl, libmpdec ... a few MB each), pymalloc's 1 MB arenas and malloc fragmentation, the
# capture buffers and the room to format a report after a MemoryError.
_AS_SLACK_BYTES = 64 * 1024 * 1024
_AS_FALLBACK_BASELINE = 64 * 1024 * 1024  # when /proc/self/statm cannot be read


class _Timeout(BaseException):
    """Raised by the case timer. A BaseException, so `except Exception` cannot swallow it."""


class _OutputLimit(BaseException):
    """Raised inside print() once a case has written more than the output cap."""


class _TooLarge(Exception):
    """A returned value whose JSON would exceed the output cap."""


# ------------------------------------------------------------------------ JSON and values


def _decode_input(value):
    """A fresh copy of a JSON-decoded test input with its tags made into the values they stand
    for (docs/harness-protocol.md § The job): {"$set": [...]} a set, {"$map": [[k, v], ...]} a
    dict, {"$float": "nan" | "inf" | "-inf"} a float. Raises ValueError for a malformed tag."""
    kind = type(value)
    if kind is list:
        return [_decode_input(item) for item in value]
    if kind is not dict:
        return value
    pairs = [(key, item) for key, item in _dict_items(value)]
    if [key for key, _ in pairs] in (["$set"], ["$map"], ["$float"]):
        tag, inner = pairs[0]
        if tag == "$set" and type(inner) is list:
            return _set([_decode_input(item) for item in inner])
        if tag == "$map" and type(inner) is list:
            return {_decode_input(key): _decode_input(item) for key, item in inner}
        if tag == "$float" and inner in ("nan", "inf", "-inf"):
            return _float(inner)
        raise ValueError("a malformed %s input" % tag)
    return {key: _decode_input(item) for key, item in pairs}


def _encode(value, ascii_only):
    """Compact JSON text of a canonical value or of an event (exact builtin types only); with
    `ascii_only`, non-ASCII characters as \\u escapes (for strings with lone surrogates)."""
    parts = []
    _emit_json(value, parts, _escape_ascii if ascii_only else _escape_utf8)
    return "".join(parts)


def _emit_json(value, parts, escape):
    if value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    else:
        kind = type(value)
        if kind is str:
            parts.append(escape(value))
        elif kind is int:
            parts.append(_int_repr(value))
        elif kind is float:
            parts.append(_float_repr(value))  # canonical floats are finite
        elif kind is list:
            parts.append("[")
            for index, item in enumerate(value):
                if index:
                    parts.append(",")
                _emit_json(item, parts, escape)
            parts.append("]")
        elif kind is dict:
            parts.append("{")
            for index, (key, item) in enumerate(_dict_items(value)):
                if index:
                    parts.append(",")
                parts.append(escape(key))
                parts.append(":")
                _emit_json(item, parts, escape)
            parts.append("}")
        else:  # a harness bug, never learner data: canonical values are built above
            raise TypeError("cannot encode " + _type_name(kind))


def _spend(budget, amount):
    budget[0] -= amount
    if budget[0] < 0:
        raise _TooLarge()


def _unserializable(kind):
    return {"$unserializable": _type_name(kind)}


def _canonical(value, depth, active, budget):
    """The canonical JSON form of a learner value (docs/harness-protocol.md § Values), with set
    members and dict entries in the order the value iterates them: the host sorts them.

    Exact type checks with `is` only: `type(v) in (...)` or a dict keyed by type would call a
    learner metaclass's __eq__/__hash__. Containers are read through the C methods of the base
    types, never through learner overrides. `active` holds the ids of the containers on the
    current path (cycles); `budget` bounds the work and the size of the result.
    """
    kind = type(value)
    if value is None or kind is bool:
        _spend(budget, 5)
        return value
    if kind is int:
        _spend(budget, _int_bits(value) // 3 + 2)  # about its number of digits
        return value
    if kind is float:
        _spend(budget, 24)
        if value != value:
            return {"$float": "nan"}
        if value == _INF:
            return {"$float": "inf"}
        if value == -_INF:
            return {"$float": "-inf"}
        return value
    if kind is str:
        _spend(budget, len(value) + 2)
        return value
    # Sequences, mappings and sets of the standard library; subclasses are not accepted. The
    # collections types are not learner code and are read through the base C methods.
    is_list = kind is list or kind is tuple or kind is _Deque
    is_dict = kind is dict or kind is _OrderedDict or kind is _DefaultDict or kind is _Counter
    is_set = kind is set or kind is frozenset
    if not (is_list or is_dict or is_set) or depth >= _MAX_DEPTH:
        _spend(budget, 32)
        return _unserializable(kind)
    marker = id(value)
    if marker in active:
        _spend(budget, 32)
        return _unserializable(kind)
    active.add(marker)
    try:
        _spend(budget, 2)
        if is_list:
            return [_canonical(item, depth + 1, active, budget) for item in list(value)]
        if is_set:
            return {"$set": [_canonical(item, depth + 1, active, budget) for item in list(value)]}
        pairs = list(_dict_items(value))
        if all(type(key) is str for key, _ in pairs):
            result = {}
            for key, item in pairs:
                _spend(budget, len(key) + 4)
                result[key] = _canonical(item, depth + 1, active, budget)
            return result
        entries = []
        for key, item in pairs:
            canonical_key = _canonical(key, depth + 1, active, budget)
            entries.append([canonical_key, _canonical(item, depth + 1, active, budget)])
        return {"$map": entries}
    finally:
        active.discard(marker)


def _display(value, depth):
    """Python literal syntax for a canonical value (what the host would display)."""
    if depth > 20:
        return "…"
    if value is None:
        return "None"
    if value is True:
        return "True"
    if value is False:
        return "False"
    kind = type(value)
    if kind is int:
        return _int_repr(value)
    if kind is float:
        return _float_repr(value)
    if kind is str:
        return _str_repr(value)
    if kind is list:
        return "[" + ", ".join([_display(item, depth + 1) for item in value]) + "]"
    if kind is not dict:
        return "?"
    if len(value) == 1:
        if "$float" in value:
            return value["$float"]
        if "$unserializable" in value:
            return "<" + value["$unserializable"] + " object>"
        if "$set" in value and type(value["$set"]) is list:
            if not value["$set"]:
                return "set()"
            return "{" + ", ".join([_display(item, depth + 1) for item in value["$set"]]) + "}"
        if "$map" in value and type(value["$map"]) is list:
            shown = [
                _display(key, depth + 1) + ": " + _display(item, depth + 1)
                for key, item in value["$map"]
            ]
            return "{" + ", ".join(shown) + "}"
    shown = [_str_repr(key) + ": " + _display(item, depth + 1) for key, item in value.items()]
    return "{" + ", ".join(shown) + "}"


def _cap_text(text, cap):
    return text if len(text) <= cap else text[: cap - 1] + "…"


def _cap_traceback(text):
    if len(text) <= _TRACEBACK_CAP:
        return text
    head = text[:1024]
    tail = text[-(_TRACEBACK_CAP - 1024 - 40) :]
    return head + "\n  …[traceback shortened]…\n" + tail


# ------------------------------------------------------------------------ output capture


class _Sink:
    """The bytes print() writes to one captured fd during a case, with the cap enforced."""

    def __init__(self, fd, cap):
        self.fd = fd
        self.cap = cap
        self.count = 0
        self.over = False

    def reset(self):
        self.count = 0
        self.over = False

    def put(self, data):
        if self.over:
            raise _OutputLimit("the output limit was reached")
        room = self.cap - self.count
        if len(data) > room:
            self.over = True
            if room > 0:
                self._raw(data[:room])
            self.count = self.cap
            raise _OutputLimit("the output limit was reached")
        self._raw(data)
        self.count += len(data)

    def _raw(self, data):
        view = memoryview(data)
        while len(view):
            try:
                written = _write(self.fd, view)
            except OSError as exc:
                if exc.errno == _EFBIG:  # past RLIMIT_FSIZE: an output flood
                    self.over = True
                    raise _OutputLimit("the output limit was reached") from None
                raise
            view = view[written:]


class _WriteOnly:
    """What the capture streams share: write-only, unbuffered, never a terminal."""

    closed = False

    def __init__(self, sink, name):
        self._sink = sink
        self.name = name

    def flush(self):
        pass

    def close(self):
        pass

    def fileno(self):
        return self._sink.fd

    def isatty(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return True

    def seekable(self):
        return False


class _BinaryOut(_WriteOnly):
    """`sys.stdout.buffer` during a case."""

    mode = "wb"

    def write(self, data):
        kind = type(data)
        if kind is not bytes:
            if kind is bytearray or kind is memoryview:
                data = bytes(data)
            else:
                raise TypeError("a bytes-like object is required, not " + _type_name(kind))
        self._sink.put(data)
        return len(data)

    def writelines(self, chunks):
        for chunk in chunks:
            self.write(chunk)


class _TextOut(_WriteOnly):
    """`sys.stdout` / `sys.stderr` during a case: unbuffered UTF-8 onto fd 1 / fd 2 (so print()
    and raw fd writes stay in order), raising _OutputLimit past the cap."""

    encoding = "utf-8"
    errors = "backslashreplace"
    newlines = None
    line_buffering = False
    write_through = True
    mode = "w"

    def __init__(self, sink, name):
        _WriteOnly.__init__(self, sink, name)
        self.buffer = _BinaryOut(sink, name)

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not " + _type_name(type(text)))
        # str.encode from the C type: a str subclass cannot override how it is encoded here.
        self._sink.put(_str_encode(text, "utf-8", "backslashreplace"))
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def reconfigure(self, **kwargs):
        pass


# ------------------------------------------------------------------------ the harness


class _Harness:
    def __init__(self, job, channel, diagnostics, devnull):
        self.nonce = job["nonce"]
        self.mode = job.get("mode") or "function"
        self.filename = job.get("filename") or "exercise.py"
        self.source = job.get("source") or ""
        self.entry_point = job.get("entry_point")
        self.case_kinds = list(job.get("case_kinds") or [])
        limits = job.get("limits") or {}
        # The CPU time a test may use (the CPU timer), and the wall time after which a test that
        # waits instead is reported as timed out (the supervisor's backstop is the same).
        self.case_timeout = float(limits.get("case_cpu_s") or 10)
        self.case_wall = float(limits.get("case_wall_s") or 3 * self.case_timeout + 1)
        self.output_cap = max(int(limits.get("output_bytes") or 65536), 1)
        self.limits = limits
        self.channel = channel
        self.diagnostics = diagnostics
        self.devnull = devnull
        self.pid = _getpid()
        self.lines = self.source.split("\n")
        self.snippets = {}
        self.tests = ()
        self.armed = False
        self.timed_out = False
        self.hard_deadline = 0.0
        self.running = ("load", None, 0.0)
        self.recursion_limit = _getrecursionlimit()
        self.original_streams = (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)

    # -------------------------------------------------------------- channel

    def emit(self, event):
        """Write one framed event straight to the private channel fd."""
        if _getpid() != self.pid:  # a fork of learner code came back here: stay silent
            _hard_exit(0)
        if _set_int_digits is not None:
            _set_int_digits(0)
        text = _encode(event, False)
        try:
            data = _str_encode(text, "utf-8")
        except UnicodeError:  # lone surrogates in learner strings: fall back to \u escapes
            data = _str_encode(_encode(event, True), "ascii")
        # The leading newline ends any partial line, so the frame always starts a line.
        frame = _str_encode("\n@@codegym " + self.nonce + " ", "ascii") + data + b"\n"
        view = memoryview(frame)
        try:
            while len(view):
                view = view[_write(self.channel, view) :]
        except OSError:  # the host is gone
            _hard_exit(3)

    def diagnose(self, text):
        try:
            _write(self.diagnostics, _str_encode("codegym harness: " + text + "\n", "utf-8"))
        except (OSError, UnicodeError):
            pass

    # -------------------------------------------------------------- timer

    def on_alarm(self, signum, frame):
        if not self.armed:
            return
        if not self.timed_out:
            self.timed_out = True
            self.hard_deadline = _perf() + 1.0
        elif _perf() > self.hard_deadline:
            self.abandon()
        raise _Timeout()

    def abandon(self):
        """Learner code has kept swallowing the timeout for a second: report the running case
        as timed out and exit (the supervisor starts a fresh worker for the next test)."""
        self.disarm()
        stdout, stderr, over = self.end_capture()
        kind, case_id, started = self.running
        if kind == "load":
            message = "loading %s took longer than %gs" % (self.filename, self.case_timeout)
            event = {"event": "load", "status": "error"}
            event["error"] = self.failure("TimeoutError", message)
        else:
            event = {"event": "case", "id": case_id}
            event["status"] = "output_limit" if over else "timeout"
        event.update({"stdout": stdout, "stderr": stderr, "truncated": over})
        if kind != "load":
            event["duration_ms"] = round((_perf() - started) * 1000, 3)
        self.emit(event)
        _hard_exit(0)

    def arm(self):
        self.timed_out = False
        self.hard_deadline = 0.0
        _set_handler(_SIGPROF, self.on_alarm)
        if _sigmask is not None:
            _sigmask(_signal.SIG_UNBLOCK, [_SIGPROF])
        _setrecursionlimit(self.recursion_limit)
        self.armed = True
        _setitimer(_ITIMER_PROF, self.case_timeout, _TIMER_REPEAT_S)

    def disarm(self):
        self.armed = False
        _setitimer(_ITIMER_PROF, 0, 0)
        _settrace(None)  # a trace or profile function of the learner's must not see our frames
        _setprofile(None)

    # -------------------------------------------------------------- errors

    def describe(self, exc, snippet_lines=None):
        """An ERROR object for an exception raised by learner code. Calls no learner code except
        str(exc), which is guarded (it may raise, loop until the timer fires, or lie)."""
        try:
            return self._describe(exc, snippet_lines)
        except BaseException:  # e.g. MemoryError while formatting
            name = "Error"
            try:
                name = _type_name(type(exc))
            except BaseException:
                pass
            return {"type": name, "message": "", "line": None, "traceback": ""}

    def _describe(self, exc, snippet_lines):
        kind = type(exc)
        name = _type_name(kind)
        frames = []
        tb = _exc_traceback(exc)
        while tb is not None:
            code = tb.tb_frame.f_code
            filename = code.co_filename
            if filename == self.filename or filename == "<test>":
                frames.append((filename, tb.tb_lineno, code.co_name))
            tb = tb.tb_next
        if issubclass(kind, _MemoryError):
            self._release_frames(_exc_traceback(exc))
        message = self._message(exc)
        line = None
        for filename, lineno, _ in reversed(frames):
            if filename == self.filename and type(lineno) is int:
                line = lineno
                break
        text = self._format_traceback(frames, name, message, snippet_lines)
        return {"type": name, "message": message, "line": line, "traceback": text}

    def _release_frames(self, tb):
        """After a MemoryError, drop the locals of the learner's finished frames (the balloon),
        so that there is memory to report it."""
        while tb is not None:
            frame = tb.tb_frame
            if frame.f_code.co_filename in (self.filename, "<test>"):
                try:
                    frame.clear()
                except RuntimeError:  # still executing
                    pass
            tb = tb.tb_next

    def _message(self, exc):
        try:
            message = str(exc)
            if not isinstance(message, str):
                return "<unprintable message>"
            return _cap_text(_str_slice(message, slice(0, _MESSAGE_CAP + 1)), _MESSAGE_CAP)
        except BaseException:
            return "<unprintable message>"

    def _source_line(self, filename, lineno, snippet_lines):
        lines = self.lines if filename == self.filename else snippet_lines
        if lines and type(lineno) is int and 0 < lineno <= len(lines):
            return lines[lineno - 1].strip()
        return ""

    def _format_traceback(self, frames, name, message, snippet_lines):
        out = []
        if frames:
            out.append("Traceback (most recent call last):")
        previous = None
        repeats = 0
        for frame in frames:
            if frame == previous:
                repeats += 1
                if repeats >= 3:
                    continue
            else:
                if repeats >= 3:
                    out.append("  [Previous line repeated %d more times]" % (repeats - 2))
                repeats = 0
            previous = frame
            filename, lineno, function = frame
            out.append('  File "%s", line %s, in %s' % (filename, lineno, function))
            source = self._source_line(filename, lineno, snippet_lines)
            if source:
                out.append("    " + source)
        if repeats >= 3:
            out.append("  [Previous line repeated %d more times]" % (repeats - 2))
        out.append(name + ": " + message if message else name)
        return _cap_traceback("\n".join(out))

    def describe_syntax_error(self, exc, filename, lines):
        """ERROR for a SyntaxError raised by our own compile() call."""
        name = _type_name(type(exc))
        message = exc.msg if isinstance(exc.msg, str) else self._message(exc)
        lineno = exc.lineno if type(exc.lineno) is int else None
        out = ['  File "%s", line %s' % (filename, lineno)]
        text = exc.text if isinstance(exc.text, str) else ""
        if not text and lineno and 0 < lineno <= len(lines):
            text = lines[lineno - 1]
        if text:
            stripped = text.rstrip("\n").lstrip()
            indent = len(text.rstrip("\n")) - len(stripped)
            out.append("    " + stripped)
            if type(exc.offset) is int and exc.offset >= 1:
                out.append("    " + " " * max(exc.offset - 1 - indent, 0) + "^")
        out.append(name + ": " + message)
        return {
            "type": name,
            "message": _cap_text(message, _MESSAGE_CAP),
            "line": lineno if filename == self.filename else None,
            "traceback": _cap_traceback("\n".join(out)),
        }

    def failure(self, name, message):
        return {"type": name, "message": message, "line": None, "traceback": ""}

    # -------------------------------------------------------------- values

    def serialise(self, value):
        """('ok', canonical, repr) or ('error', ERROR) for a value too large to report."""
        if _set_int_digits is not None:
            _set_int_digits(0)  # learner code may have lowered it; our budget bounds ints
        budget = [self.output_cap]
        try:
            canonical = _canonical(value, 0, set(), budget)
        except _TooLarge:
            return (
                "error",
                self.failure(
                    "ValueTooLarge",
                    "the value returned is larger than %d bytes as JSON" % self.output_cap,
                ),
            )
        return ("ok", canonical, _cap_text(_display(canonical, 0), _REPR_CAP))

    # -------------------------------------------------------------- capture (function mode)

    def open_captures(self):
        self.capture_dirs = (os.getcwd(), os.environ.get("TMPDIR") or "/tmp")
        self.capture_count = 0
        self.capture_fds = (self._capture_file(), self._capture_file())
        self.sinks = (_Sink(1, self.output_cap), _Sink(2, self.output_cap))
        self.writers = (_TextOut(self.sinks[0], "<stdout>"), _TextOut(self.sinks[1], "<stderr>"))

    def _capture_file(self):
        """An anonymous file in the scratch directory (O_TMPFILE, or unlinked at once): learner
        code cannot find it by name, and a symlink planted by learner code is never followed."""
        for directory in self.capture_dirs:
            if _O_TMPFILE:
                try:
                    return _open(directory, _O_RDWR | _O_TMPFILE | _O_CLOEXEC, 0o600)
                except OSError:
                    pass
            self.capture_count += 1
            path = "%s/.codegym-capture-%d-%d" % (directory, self.pid, self.capture_count)
            flags = _O_RDWR | _O_CREAT | _O_EXCL | _O_NOFOLLOW | _O_CLOEXEC
            try:
                fd = _open(path, flags, 0o600)
            except OSError:
                continue
            try:
                _unlink(path)
            except OSError:
                pass
            return fd
        raise OSError("no writable directory for capture files")

    def begin_capture(self):
        fds = []
        for fd in self.capture_fds:
            try:
                _ftruncate(fd, 0)
            except OSError:  # learner code closed it: start a new one
                fd = self._capture_file()
            _lseek(fd, 0, 0)
            fds.append(fd)
        self.capture_fds = (fds[0], fds[1])
        _dup2(fds[0], 1)
        _dup2(fds[1], 2)
        for sink in self.sinks:
            sink.reset()
        sys.stdout = sys.__stdout__ = self.writers[0]
        sys.stderr = sys.__stderr__ = self.writers[1]

    def end_capture(self):
        """Point fd 1 and 2 back at /dev/null and read what the case wrote.
        Returns (stdout, stderr, over_cap): over the cap means truncated."""
        _dup2(self.devnull, 1)
        _dup2(self.devnull, 2)
        sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__ = self.original_streams
        texts = []
        over = False
        for fd, sink in zip(self.capture_fds, self.sinks):
            size = _fstat(fd).st_size
            data = _pread(fd, min(size, self.output_cap), 0) if size else b""
            text = data.decode("utf-8", "replace")
            if size > self.output_cap or sink.over:
                over = True
                text += _TRUNCATED
            texts.append(text)
        return texts[0], texts[1], over

    def guarded(self, action, snippet_lines=None):
        """Run `action` (learner code) under capture and the case timer.

        Returns (outcome, duration_s, stdout, stderr, truncated, status): outcome is
        ('ok', result) or ('error', ERROR), described while the timer is still armed (str() of a
        learner exception is learner code); status folds in the timeout and the output limit.
        """
        self.begin_capture()
        outcome = None
        duration = 0.0
        try:
            started = _perf()
            self.arm()
            try:
                try:
                    result = action()
                finally:
                    duration = _perf() - started
                outcome = ("ok", result)
            except BaseException as exc:  # learner code may raise anything, SystemExit included
                outcome = ("error", self.describe(exc, snippet_lines))
            finally:
                self.disarm()
        except BaseException as exc:  # a late timer or output-limit exception in harness code
            if outcome is None:
                outcome = ("error", self.describe(exc, snippet_lines))
        if _getpid() != self.pid:  # a fork of learner code returned into the harness
            _hard_exit(0)
        stdout, stderr, over = self.end_capture()
        if over:
            status = "output_limit"
        elif self.timed_out:
            status = "timeout"
        else:
            status = outcome[0]
        return outcome, duration, stdout, stderr, over, status

    # -------------------------------------------------------------- function mode

    def compile_snippet(self, case):
        """Compile a `code` test (the test's code, not learner code, so compiling it after the
        learner's file loaded is safe: `compile` is the harness's own snapshot): the snippet
        becomes the body of `def __codegym_case__():` (by AST, so its lines keep their numbers
        under <test>)."""
        if case.get("kind") == "code":
            text = case.get("code") or ""
            try:
                tree = compile(text, "<test>", "exec", _PyCF_ONLY_AST, True)
                wrapper = compile(
                    "def %s():\n    pass\n" % _CASE_FUNCTION, "<test>", "exec", _PyCF_ONLY_AST, True
                )
                if tree.body:
                    wrapper.body[0].body = tree.body
                module_code = compile(wrapper, "<test>", "exec", 0, True)
                function_code = None
                for constant in module_code.co_consts:
                    if type(constant) is _CodeType and constant.co_name == _CASE_FUNCTION:
                        function_code = constant
                self.snippets[id(case)] = ("ok", function_code, text.split("\n"))
            except SyntaxError as exc:
                error = self.describe_syntax_error(exc, "<test>", text.split("\n"))
                error["message"] += " (in the test's code)"
                self.snippets[id(case)] = ("error", error, None)
            except (ValueError, MemoryError, RecursionError) as exc:
                error = self.failure(_type_name(type(exc)), "the test's code cannot be compiled")
                self.snippets[id(case)] = ("error", error, None)

    def run_function_mode(self):
        self.open_captures()
        module = _ModuleType(_MODULE_NAME)
        namespace = module.__dict__
        namespace["__file__"] = self.filename
        namespace["__builtins__"] = builtins
        sys.modules[_MODULE_NAME] = module
        self._register_source()

        compile_errors = []

        def load():
            try:
                code = compile(self.source, self.filename, "exec", 0, True)
            except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
                compile_errors.append(exc)  # the learner's file does not compile
                return
            exec(code, namespace)

        self.running = ("load", None, _perf())
        outcome, _, stdout, stderr, truncated, status = self.guarded(load)
        error = None
        if status == "timeout":
            error = self.failure(
                "TimeoutError",
                "loading %s took longer than %gs" % (self.filename, self.case_timeout),
            )
            if outcome[0] == "error":
                error["line"] = outcome[1]["line"]
        elif status == "output_limit":
            error = self.failure(
                "OutputLimitError",
                "loading %s printed more than %d bytes" % (self.filename, self.output_cap),
            )
        elif compile_errors:
            exc = compile_errors.pop()
            if isinstance(exc, SyntaxError):
                error = self.describe_syntax_error(exc, self.filename, self.lines)
            else:  # null bytes (ValueError before 3.12), or a source too deeply nested
                error = self.failure(
                    "SyntaxError" if isinstance(exc, ValueError) else _type_name(type(exc)),
                    self._message(exc),
                )
        elif outcome[0] == "error":
            error = outcome[1]
        outcome = None
        entry = None
        if error is None and "call" in self.case_kinds:
            entry, error = self._entry_point(namespace)
        event = {"event": "load", "status": "ok" if error is None else "error"}
        if error is not None:
            event["error"] = error
        event.update({"stdout": stdout, "stderr": stderr, "truncated": truncated})
        self.emit(event)
        if error is not None:
            return
        for case in self.tests:
            try:
                self.compile_snippet(case)
                self.emit(self.run_function_case(case, entry, namespace))
            except BaseException as exc:  # a harness failure: report it, keep going
                self.diagnose("case %r failed in the harness: %r" % (case.get("id"), exc))
                self.emit(
                    {
                        "event": "case",
                        "id": str(case.get("id")),
                        "status": "error",
                        "error": self.failure("HarnessError", "the harness failed on this test"),
                    }
                )

    def _register_source(self):
        """Let the learner's own traceback printing and `inspect` see the source lines."""
        try:
            import linecache

            lines = [line + "\n" for line in self.lines]
            linecache.cache[self.filename] = (len(self.source), None, lines, self.filename)
        except Exception:
            pass

    def _entry_point(self, namespace):
        name = self.entry_point
        if type(name) is not str or not name:
            return None, self.failure("NameError", "the test names no function to call")
        if name not in namespace:
            message = "%s does not define a function named '%s'" % (self.filename, name)
            return None, self.failure("NameError", message)
        entry = _dict_get(namespace, name)
        if not callable(entry):
            message = "'%s' in %s is not a function (it is of type %s)" % (
                name,
                self.filename,
                _type_name(type(entry)),
            )
            return None, self.failure("TypeError", message)
        return entry, None

    def run_function_case(self, case, entry, namespace):
        case_id = str(case.get("id"))
        kind = case.get("kind")
        snippet_lines = None
        if kind == "call":
            args = case.get("args") or []
            kwargs = case.get("kwargs") or {}
            try:
                args = _decode_input(args) if type(args) is list else None
                kwargs = {key: _decode_input(item) for key, item in _dict_items(kwargs)}
            except (ValueError, TypeError):
                args = None
            if type(args) is not list:
                error = self.failure("HarnessError", "malformed call test")
                return {"event": "case", "id": case_id, "status": "error", "error": error}

            def action():
                return entry(*args, **kwargs)

        elif kind == "code":
            state, compiled, snippet_lines = self.snippets[id(case)]
            if state == "error":
                return {"event": "case", "id": case_id, "status": "error", "error": compiled}
            function = _FunctionType(compiled, namespace, _CASE_FUNCTION)

            def action():
                return function()

        else:
            error = self.failure("HarnessError", "a %s test cannot run in function mode" % kind)
            return {"event": "case", "id": case_id, "status": "error", "error": error}

        def action_and_value():
            value = action()
            _setrecursionlimit(self.recursion_limit)
            return self.serialise(value)

        self.running = ("case", case_id, _perf())
        guarded = self.guarded(action_and_value, snippet_lines)
        outcome, duration, stdout, stderr, truncated, status = guarded
        event = {"event": "case", "id": case_id, "status": status}
        if status == "ok":
            result = outcome[1]
            if result[0] == "ok":
                event["value"] = result[1]
                event["repr"] = result[2]
            else:
                event["status"] = "error"
                event["error"] = result[1]
        elif status == "error":
            event["error"] = outcome[1]
        outcome = None
        event["stdout"] = stdout
        event["stderr"] = stderr
        event["truncated"] = truncated
        event["duration_ms"] = round(duration * 1000, 3)
        return event

    # -------------------------------------------------------------- script mode

    def run_script_mode(self):
        try:
            compile(self.source, self.filename, "exec", 0, True)
        except SyntaxError as exc:
            error = self.describe_syntax_error(exc, self.filename, self.lines)
        except (ValueError, MemoryError, RecursionError) as exc:
            error = self.failure("SyntaxError", self._message(exc))
        else:
            error = None
        if error is not None:
            self.emit({"event": "load", "status": "error", "error": error, "stdout": ""})
            return
        self.emit({"event": "load", "status": "ok"})
        import selectors
        import subprocess

        path = os.path.join(os.getcwd(), os.path.basename(self.filename))
        for case in self.tests:
            case_id = str(case.get("id"))
            if case.get("kind") != "stdio":
                error = self.failure("HarnessError", "only stdio tests run in script mode")
                self.emit({"event": "case", "id": case_id, "status": "error", "error": error})
                continue
            try:
                event = self.run_script_case(case, path, subprocess, selectors)
            except OSError as exc:
                event = {
                    "event": "case",
                    "id": case_id,
                    "status": "error",
                    "error": self.failure("OSError", "could not start the program: %s" % exc),
                }
            self.emit(event)

    def _write_source(self, path):
        """A fresh copy of the source for every case (an earlier run may have changed or replaced
        the file); never through a symlink."""
        try:
            _unlink(path)
        except OSError:
            pass
        flags = _O_WRONLY | _O_CREAT | _O_EXCL | _O_NOFOLLOW | _O_CLOEXEC
        fd = _open(path, flags, 0o644)
        try:
            view = memoryview(_str_encode(self.source, "utf-8", "surrogatepass"))
            while len(view):
                view = view[_write(fd, view) :]
        finally:
            _close(fd)

    def run_script_case(self, case, path, subprocess, selectors):
        self._write_source(path)
        stdin_data = _str_encode(str(case.get("stdin") or ""), "utf-8", "surrogatepass")
        cap = self.output_cap
        # -X utf8: the program's stdio is UTF-8 whatever the locale of the sandbox.
        command = [sys.executable or "python3", "-I", "-S", "-X", "utf8", path]
        started = _perf()
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: killed as a whole
        )
        buffers = {"out": bytearray(), "err": bytearray()}
        over = False
        timed_out = False
        exited_at = None
        pending = memoryview(stdin_data)
        deadline = started + self.case_wall  # the supervisor judges its CPU time
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ, "out")
            selector.register(process.stderr, selectors.EVENT_READ, "err")
            if len(pending):
                os.set_blocking(process.stdin.fileno(), False)
                selector.register(process.stdin, selectors.EVENT_WRITE, "in")
            else:
                process.stdin.close()
            while selector.get_map():
                now = _perf()
                if now >= deadline:
                    # Waiting for a busy CPU is not waiting: the program's run-queue time
                    # moves the deadline (read only once it is reached).
                    owed = _run_queue_wait(process.pid)
                    deadline = max(deadline, started + self.case_wall + owed)
                if now >= deadline:
                    timed_out = exited_at is None
                    break
                if exited_at is not None and now - exited_at > 0.5:
                    break  # something outside its group still holds the pipes
                for key, _ in selector.select(min(deadline - now, 0.05)):
                    if key.data == "in":
                        try:
                            pending = pending[_write(key.fd, pending[:65536]) :]
                        except BlockingIOError:
                            continue
                        except OSError:  # it exited without reading everything
                            pending = pending[:0]
                        if not len(pending):
                            selector.unregister(key.fileobj)
                            key.fileobj.close()
                        continue
                    chunk = _read(key.fd, 65536)
                    if not chunk:
                        selector.unregister(key.fileobj)
                        continue
                    buffer = buffers[key.data]
                    buffer += chunk[: cap + 1 - len(buffer)]  # never more than cap + 1 bytes
                    if len(buffer) > cap:
                        over = True
                if over:
                    break
                if exited_at is None and process.poll() is not None:
                    exited_at = _perf()
                    self._kill_group(process)  # leftovers of the program die with it
        duration = (exited_at or _perf()) - started
        self._kill_group(process)
        code = process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            try:
                stream.close()
            except OSError:
                pass
        texts = []
        for name in ("out", "err"):
            data = buffers[name]
            text = bytes(data[:cap]).decode("utf-8", "replace")
            if len(data) > cap:
                text += _TRUNCATED
            texts.append(text)
        event = {"event": "case", "id": str(case.get("id"))}
        error = None
        if over:
            event["status"] = "output_limit"
        elif timed_out:
            event["status"] = "timeout"
        else:
            error = _python_child_error(texts[1], self.filename) if code != 0 else None
            event["status"] = "error" if error else "ok"
        if event["status"] == "ok":
            event["value"] = None
            event["repr"] = "None"
        if error:
            event["error"] = error
        event.update(
            {
                "stdout": texts[0],
                "stderr": texts[1],
                "truncated": any(len(buffers[name]) > cap for name in buffers),
                "duration_ms": round(duration * 1000, 3),
                "exit_code": code,
            }
        )
        return event

    def _kill_group(self, process):
        try:
            os.killpg(process.pid, 9)
        except OSError:
            pass


def _run_queue_wait(pid):
    """Seconds the threads of process `pid` have spent runnable but waiting for a CPU, over
    their lives (the kernel's schedstat; 0 where it cannot be read)."""
    total = 0
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return 0.0
    for task in tasks:
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, task), "rb") as handle:
                total += int(handle.read().split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1e9


def _python_child_error(stderr, filename):
    """The ERROR of a Python program that died of an uncaught exception, from its stderr (None
    when no traceback is recognisable: then the exit code speaks for itself)."""
    import re

    lines = stderr.replace("\r\n", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    start = None
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].startswith("Traceback (most recent call last):"):
            start = index + 1
            break
    frame_pattern = re.compile(r'^  File "(.*)", line (\d+)(?:, in (.*))?$')
    if start is None:  # a SyntaxError is printed without a Traceback header
        for index in range(len(lines) - 1, -1, -1):
            if frame_pattern.match(lines[index]):
                start = index
                break
    if start is None:
        return None
    kept = []
    keep = False
    line = None
    index = start
    while index < len(lines):
        text = lines[index]
        match = frame_pattern.match(text)
        if match:
            keep = os.path.basename(match.group(1)) == filename
            if keep:
                line = int(match.group(2))
                rest = ", in " + match.group(3) if match.group(3) is not None else ""
                kept.append('  File "%s", line %s%s' % (filename, match.group(2), rest))
        elif text.startswith(" "):
            if keep:
                kept.append(text)
        else:
            break
        index += 1
    if index >= len(lines):
        return None
    head = re.match(r"^([A-Za-z_][\w.]*)(?:: (.*))?$", lines[index])
    if not head:
        return None
    name = head.group(1).rsplit(".", 1)[-1]
    message = "\n".join([head.group(2) or ""] + lines[index + 1 :]).strip()
    body = ["Traceback (most recent call last):"] if kept and kept[0].startswith("  File") else []
    text = "\n".join(body + kept + lines[index:])
    return {
        "type": name,
        "message": _cap_text(message, _MESSAGE_CAP),
        "line": line,
        "traceback": _cap_traceback(text),
    }


# ------------------------------------------------------------------------ start-up


def _address_space():
    """This process's current address-space size in bytes, or None."""
    try:
        fd = _open("/proc/self/statm", _O_RDONLY | _O_CLOEXEC)
        try:
            pages = int(_read(fd, 256).split()[0])
        finally:
            _close(fd)
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _apply_limits(limits, output_cap):
    """setrlimit with soft = hard, so learner code cannot raise them again. A limit is only ever
    lowered (never above the current hard limit); one the platform refuses is skipped."""
    if resource is None:
        return
    wanted = []

    def number(key):
        value = limits.get(key)
        return int(value) if type(value) in (int, float) and value > 0 else None

    memory = number("memory_bytes")
    if memory is not None:
        baseline = _address_space() or _AS_FALLBACK_BASELINE
        wanted.append(("RLIMIT_AS", baseline + memory + _AS_SLACK_BYTES))
    if number("cpu_s") is not None:
        wanted.append(("RLIMIT_CPU", number("cpu_s")))
    if number("processes") is not None:
        # Ignored for root (and fine for anyone else): set regardless.
        wanted.append(("RLIMIT_NPROC", number("processes")))
    if number("file_bytes") is not None:
        # The capture files must be able to hold output_bytes + 1 to detect a flood.
        wanted.append(("RLIMIT_FSIZE", max(number("file_bytes"), output_cap + 1)))
    if number("open_files") is not None:
        wanted.append(("RLIMIT_NOFILE", number("open_files")))
    wanted.append(("RLIMIT_CORE", 0))
    for name, value in wanted:
        which = getattr(resource, name, None)
        if which is None:
            continue
        try:
            _soft, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY and value > hard:
                value = hard
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


class _Lines:
    """JSON documents, one per line, from a descriptor (the supervisor's control pipe)."""

    def __init__(self, fd):
        self.fd = fd
        self.buffer = b""

    def next(self):
        """The next document, or None at the end of the stream."""
        while b"\n" not in self.buffer:
            chunk = _read(self.fd, 1 << 20)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        text = line.decode("utf-8")
        if _scan_json is not None:
            return _scan_json(text, 0)[0]
        return _json_loads(text)

    def __iter__(self):
        while True:
            item = self.next()
            if item is None:
                return
            if type(item) is not dict:
                raise ValueError("a test must be an object")
            yield item


def _read_job(lines):
    job = lines.next()
    if type(job) is not dict or type(job.get("nonce")) is not str or not job["nonce"]:
        raise ValueError("the job must be an object with a nonce")
    if job.get("mode", "function") not in ("function", "script"):
        raise ValueError("unknown mode %r" % job.get("mode"))
    return job


def main():
    lines = _Lines(_dup(0))  # private: fd 0 is /dev/null while learner code runs
    try:
        job = _read_job(lines)
    except Exception as exc:  # a supervisor bug: no nonce, so no events
        _write(2, _str_encode("codegym harness: bad job: %r\n" % (exc,), "utf-8", "replace"))
        _hard_exit(2)
    # The channel: a private duplicate of fd 1 (not inherited by child processes). From now on
    # fd 0, 1 and 2 are /dev/null except while a case runs.
    channel = _dup(1)
    diagnostics = _dup(2)
    os.set_inheritable(channel, False)  # os.dup's default; stated because it matters
    os.set_inheritable(diagnostics, False)
    devnull = _open(os.devnull, _O_RDWR | _O_CLOEXEC)
    _dup2(devnull, 0)
    _dup2(devnull, 1)
    _dup2(devnull, 2)
    harness = _Harness(job, channel, diagnostics, devnull)
    harness.tests = lines
    try:
        if harness.mode == "script":
            import selectors  # noqa: F401 - imported before the limits apply
            import subprocess  # noqa: F401
        _apply_limits(harness.limits, harness.output_cap)
        if harness.mode == "script":
            harness.run_script_mode()
        else:
            harness.run_function_mode()
        harness.emit({"event": "done"})
    except BaseException as exc:
        harness.diagnose("internal error: %r" % (exc,))
        _hard_exit(70)
    # _exit: no atexit handlers, finalizers or buffered writes of learner code run after done.
    _hard_exit(0)


def _private_main():
    """`main`, re-bound to a private copy of this module's globals whose builtins are a snapshot.

    Learner code can reach this module as sys.modules['__main__'] and the builtins module as
    `builtins`; replacing or deleting their attributes afterwards does not affect the copies.
    """
    namespace = globals()
    private = dict(namespace)
    private["__builtins__"] = dict(builtins.__dict__)

    def rebind(function):
        copy = _FunctionType(
            function.__code__,
            private,
            function.__name__,
            function.__defaults__,
            function.__closure__,
        )
        copy.__kwdefaults__ = function.__kwdefaults__
        copy.__qualname__ = function.__qualname__
        return copy

    for name, value in list(namespace.items()):
        if type(value) is _FunctionType and value.__globals__ is namespace:
            private[name] = rebind(value)
        elif type(value) is type and value.__module__ == namespace["__name__"]:
            for attribute, member in list(vars(value).items()):
                if type(member) is _FunctionType and member.__globals__ is namespace:
                    setattr(value, attribute, rebind(member))
    return private["main"]


if __name__ == "__main__":
    _private_main()()
