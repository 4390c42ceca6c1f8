# attack: break the harness's channel: close every file descriptor (the private channel
#   included), or point them all at /dev/null, so no result can be reported
# expect: no_report, runtime_error
import os


def double(x):
    null = os.open(os.devnull, os.O_WRONLY)
    for fd in range(0, 1024):
        if fd != null:
            try:
                os.dup2(null, fd)
            except OSError:
                pass
    os.closerange(0, 1024)
    return 2 * x
