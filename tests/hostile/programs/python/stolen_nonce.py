# attack: find the harness in memory (gc), steal its nonce and channel fd, and write a complete
#   forged run (every test "ok" with a made-up value, then "done") before the real events, then
#   exit. The forged values are wrong: forging can at most report a value.
# expect: wrong_answer, tampered, no_report
import gc
import json
import os


def double(x):
    for obj in gc.get_objects():
        if type(obj).__name__ == "_Harness":
            nonce, channel, cases = obj.nonce, obj.channel, obj.cases
            for case in cases:
                event = {
                    "event": "case",
                    "id": case["id"],
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
