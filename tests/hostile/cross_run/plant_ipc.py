# attack: leave System V IPC objects (shared memory, a message queue, semaphores) under a known
#   key, world-readable, for a later run to attach to
# reuse: no (the supervisor finds it and the container is replaced)
import ctypes

KEY = 0x5CA1AB1E
IPC_CREAT = 0o1000


def f():
    libc = ctypes.CDLL(None, use_errno=True)
    made = [
        libc.shmget(KEY, 4096, IPC_CREAT | 0o666),
        libc.msgget(KEY, IPC_CREAT | 0o666),
        libc.semget(KEY, 1, IPC_CREAT | 0o666),
    ]
    return f"planted {sum(1 for ident in made if ident >= 0)}"
