# attack: find the worker harness in memory (gc), steal its nonce and channel fd, and write a
#   complete forged run (every test id it can guess "ok" with a made-up value and a tiny
#   duration, then "done") before the real events, then exit. The channel leads to the
#   supervisor, not the host: it takes only the running test's event (a wrong value) and marks
#   the rest tampered; the durations are ignored (the supervisor measures CPU time itself).
# expect: wrong_answer, tampered, no_report
import gc
import json
import os


def double(x):
    for obj in gc.get_objects():
        if type(obj).__name__ == "_Harness":
            nonce, channel = obj.nonce, obj.channel
            for case_id in ("t1", "t2", "t3"):
                event = {
                    "event": "case",
                    "id": case_id,
                    "duration_ms": 0.001,
                    "cpu_ms": 0.001,
                    "status": "ok",
                    "value": -1,
                    "repr": "-1",
                    "stdout": "",
                    "stderr": "",
                    "truncated": False,
                }
                os.write(channel, f"\n@@codegym {nonce} {json.dumps(event)}\n".encode())
            os.write(channel, f"\n@@codegym {nonce} {json.dumps({'event': 'done'})}\n".encode())
            os._exit(0)
    return "no harness found"
