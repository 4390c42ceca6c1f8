# attack: end the process from inside the first test (os._exit, skipping every handler)
# expect: no_report
import os


def double(x):
    os._exit(0)
