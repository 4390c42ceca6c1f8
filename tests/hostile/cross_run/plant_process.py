# attack: leave a daemon running for a later run: double fork, a session of its own, a beacon
#   file rewritten every 50 ms and an abstract unix socket a later run could connect to
# reuse: yes (the supervisor removes all of it, so the container serves the next run)
import os
import socket
import time

MARK = "codegym-cross-run"


def f():
    child = os.fork()
    if child == 0:
        os.setsid()
        if os.fork() == 0:
            listener = socket.socket(socket.AF_UNIX)
            listener.bind("\0" + MARK)
            listener.listen(8)
            while True:
                for directory in ("/tmp", os.getcwd()):
                    try:
                        with open(os.path.join(directory, MARK + "-beacon"), "w") as handle:
                            handle.write(str(os.getpid()))
                    except OSError:
                        pass
                time.sleep(0.05)
        os._exit(0)
    os.waitpid(child, 0)
    time.sleep(0.2)
    return "planted"
