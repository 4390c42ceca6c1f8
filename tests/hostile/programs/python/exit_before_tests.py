# attack: exit successfully at import time, before any test runs (flushing a fake "all passed")
# expect: no_report
import os
import sys

print("3 passed, 0 failed")
sys.stdout.flush()
os._exit(0)


def double(x):
    return 2 * x
