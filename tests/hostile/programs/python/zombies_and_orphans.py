# attack: leave processes behind: zombies (children never waited for), a double-forked orphan in
#   a new session that sleeps, and one that ignores SIGTERM/SIGHUP and spins; the test's value is
#   wrong so it ends quickly with the orphans still alive
# expect: wrong_answer
# local-needs: bwrap|root
import os
import signal
import time


def _orphan(spin):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(sig, signal.SIG_IGN)
            while spin:
                pass
            time.sleep(3600)
        os._exit(0)


def double(x):
    for _ in range(5):
        if os.fork() == 0:
            os._exit(0)  # a zombie: nobody waits for it
    _orphan(spin=False)
    _orphan(spin=True)
    return -x
