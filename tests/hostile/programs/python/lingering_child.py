# attack: at import, a child in a session of its own that keeps every inherited descriptor
#   (the worker's pipes, whatever else it holds) open and sleeps: the verdict must not wait
#   for it (a reader that waits for end of output would stop at the wall backstop)
# expect: wrong_answer
import os
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(60)
    os._exit(0)


def double(x):
    return 3 * x
