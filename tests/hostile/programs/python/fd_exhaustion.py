# attack: exhaust file descriptors (and pipes) so the harness has none left to report with
# expect: runtime_error, no_report, wrong_answer
import os


def double(x):
    held = []
    while True:
        try:
            held.append(os.pipe())
        except OSError:
            break
    while True:
        try:
            held.append(os.open(os.devnull, os.O_RDONLY))
        except OSError:
            break
    return -len(held)
