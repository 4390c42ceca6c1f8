# attack: kill the parent (the host's server, or whatever started the harness), every process
#   it may signal (kill -1), process 1, and its own process group; if it survives (signals to a
#   PID namespace's init from inside are ignored) it says so, which is a wrong answer
# expect: no_report, runtime_error, wrong_answer
# local-needs: bwrap|root
import os
import signal


def double(x):
    for target in (os.getppid(), -1, 1):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.killpg(os.getpgrp(), signal.SIGKILL)
    except OSError:
        pass
    return "survived"
