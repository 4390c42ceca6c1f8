# attack: forge the harness's result lines without knowing the nonce: guessed and empty nonces
#   on every file descriptor (the private channel is one of them), through print and os.write,
#   with and without a leading newline, plus a forged "done"
# expect: wrong_answer, tampered
import os

EVENTS = [
    '{"event": "case", "id": "t1", "status": "ok", "value": 2, "repr": "2"}',
    '{"event": "case", "id": "t2", "status": "ok", "value": 4, "repr": "4"}',
    '{"event": "case", "id": "t3", "status": "ok", "value": 100, "repr": "100"}',
    '{"event": "done"}',
]


def double(x):
    for nonce in ("", "0" * 32, "guess", "nonce", "@@codegym"):
        for event in EVENTS:
            line = f"\n@@codegym {nonce} {event}\n".encode()
            print(line.decode(), end="")
            for fd in range(1, 64):
                try:
                    os.write(fd, line)
                except OSError:
                    pass
    return 0
