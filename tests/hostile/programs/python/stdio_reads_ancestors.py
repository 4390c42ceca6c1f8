# problem: script
# attack: a stdio program (the worker's child, same uid) reads the memory, opens the descriptors
#   (by /proc and by pidfd_getfd) and ptrace-attaches every ancestor it can name: the worker (its
#   parent) holds only the test in progress; the supervisor (the host's channel, nonce and
#   clock) must be closed; a hidden test's input must be in no memory it can read while a
#   public test runs
# expect: wrong_answer
# local-needs: bwrap|root
import ctypes
import os
import re
import sys

LIBC = ctypes.CDLL(None, use_errno=True)
SYS_PIDFD_GETFD = 438  # x86-64 and arm64 alike
PTRACE_ATTACH, PTRACE_DETACH = 16, 17

# Built at run time: the constants compiled from this file (in the worker's memory too, which
# compiles it) hold '#' where the markers hold a backslash.
HIDDEN = tuple(m.replace(b"#", b"\\") for m in (b'"stdin":"50#n"', b'"stdin": "50#n"'))


def parent_of(pid):
    with open(f"/proc/{pid}/status") as handle:
        return int(re.search(r"^PPid:\s+(\d+)", handle.read(), re.M).group(1))


def memory_holds_hidden(pid):
    found = False
    try:
        with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb") as mem:
            for line in maps:
                start, end = (int(v, 16) for v in line.split()[0].split("-"))
                if "r" not in line.split()[1] or end - start > 1 << 28:
                    continue
                try:
                    mem.seek(start)
                    chunk = mem.read(end - start)
                except (OSError, OverflowError, ValueError):
                    continue
                if any(marker in chunk for marker in HIDDEN):
                    found = True
    except OSError:
        pass
    return found


def opens(pid):
    opened = []
    try:
        with open(f"/proc/{pid}/mem", "rb"):
            opened.append("mem")
    except OSError:
        pass
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        names = []
    try:
        pidfd = os.pidfd_open(pid)
        for target in range(16):
            got = LIBC.syscall(SYS_PIDFD_GETFD, pidfd, target, 0)
            if got >= 0:
                os.close(got)
                opened.append(f"pidfd_getfd {target}")
        os.close(pidfd)
    except (OSError, AttributeError):
        pass
    if LIBC.ptrace(PTRACE_ATTACH, pid, None, None) == 0:
        LIBC.ptrace(PTRACE_DETACH, pid, None, None)
        opened.append("ptrace")
    for name in names:
        for flags in (os.O_WRONLY, os.O_RDONLY):
            try:
                os.close(os.open(f"/proc/{pid}/fd/{name}", flags | os.O_NONBLOCK))
                opened.append(f"fd {name}")
                break
            except OSError:
                pass
    return opened


value = int(sys.stdin.read())
escaped = []
worker = os.getppid()
if value != 50 and memory_holds_hidden(worker):
    escaped.append("the hidden input in the worker's memory")
pid = parent_of(worker) if worker > 1 else 0
while pid > 0:
    if opens(pid):
        escaped.append(f"ancestor {pid}: {', '.join(opens(pid))}")
    pid = parent_of(pid) if pid > 1 else 0
print("ESCAPED " + "; ".join(escaped) if escaped else 3 * value)
