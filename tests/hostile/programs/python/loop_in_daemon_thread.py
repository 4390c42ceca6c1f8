# attack: a daemon thread that spins forever from import time (it holds the GIL half the time and
#   never ends); the function then waits for it forever (an interrupted join() may later return:
#   then the answer is wrong)
# expect: timeout, no_report, wrong_answer
import threading


def _spin():
    while True:
        pass


_SPINNER = threading.Thread(target=_spin, daemon=True)
_SPINNER.start()


def double(x):
    _SPINNER.join()
    return -x
