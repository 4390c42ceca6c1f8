# attack: an infinite loop at import time, before any test can run
# expect: timeout, runtime_error
while True:
    pass


def double(x):
    return 2 * x
