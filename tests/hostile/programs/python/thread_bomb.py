# attack: thread bomb: start sleeping threads until the process/thread limit refuses, then keep
#   trying; the test's value is never right
# expect: runtime_error, timeout, no_report, wrong_answer, memory_limit
# local-needs: root
# limits: processes=32
import threading
import time


def double(x):
    started = 0
    for _ in range(100_000):
        try:
            threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
            started += 1
        except RuntimeError:
            pass
    return -started
