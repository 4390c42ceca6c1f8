# problem: script
# attack: a program (the harness's child in script mode) that stops its process group and itself
#   with SIGSTOP: a stopped process never reports and never uses CPU, so neither the CPU limit nor
#   its own output can end it; only the harness's test timer and the host's wall clock can
# expect: timeout, no_report
import os
import signal

try:
    os.killpg(os.getpgrp(), signal.SIGSTOP)
except OSError:
    pass
os.kill(os.getpid(), signal.SIGSTOP)
print("resumed")
