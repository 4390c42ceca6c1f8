# attack: sys.exit(0) at import time (a SystemExit the harness must not mistake for success)
# expect: runtime_error, no_report
import sys

sys.exit(0)


def double(x):
    return 2 * x
