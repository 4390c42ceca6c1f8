# attack: find the worker's private nonce (every 32-hex string reachable through gc) and write
#   event lines no parser should choke on into every pipe of the process: 200,000 nested `[`,
#   nesting just under a recursion limit, a 5,000-digit integer; the supervisor and the host
#   must mark the run tampered, never crash or report "internal error"
# expect: tampered, wrong_answer
import gc
import os
import re

HEX = re.compile(r"[0-9a-f]{32}")
LINES = (
    "[" * 200_000,
    '{"event": "case", "id": "t1", "status": "ok", "value": ' + "[" * 900 + "]" * 900 + "}",
    '{"event": "case", "id": "t1", "status": "ok", "value": ' + "9" * 5000 + "}",
)


def nonces():
    found = set()
    for item in gc.get_objects():
        if isinstance(item, dict):
            for value in list(item.values()):
                if isinstance(value, str) and HEX.fullmatch(value):
                    found.add(value)
    return sorted(found)[:50]


def pipes():
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("pipe:"):
                found.append(int(name))
        except OSError:
            continue
    return found


def double(x):
    for fd in pipes():
        for nonce in nonces():
            for line in LINES:
                try:
                    os.write(fd, f"\n@@codegym {nonce} {line}\n".encode())
                except OSError:
                    pass
    return 3 * x
