# attack: sleep past the wall limit with the harness's timer signal (SIGALRM) blocked and ignored,
#   so only the host's wall clock can end the run
# expect: timeout, no_report
import signal
import time


def double(x):
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    time.sleep(3600)
    return 2 * x
