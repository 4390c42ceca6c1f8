# look: what a run can find of earlier runs: files whose name carries the mark, a beacon that
#   comes back, the daemon's socket, SysV IPC objects under the known key, the environment,
#   inherited descriptors, a planted module. Returns what it found; [] means nothing.
import ctypes
import json
import os
import socket
import sys
import time

MARK = "codegym-cross-run"
KEY = 0x5CA1AB1E


def f():
    time.sleep(0.3)  # a surviving daemon rewrites its beacon every 50 ms
    seen = []
    roots = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue", os.getcwd(), os.path.expanduser("~"))
    for root in roots:
        for directory, dirs, files in os.walk(root):
            if directory.count("/") - root.count("/") >= 6:
                dirs[:] = []  # the plants write shallow; the host's /tmp may hold deep trees
            seen += [os.path.join(directory, n) for n in dirs + files if MARK in n]
            for name in ("json.py", "sitecustomize.py", "usercustomize.py"):
                try:
                    with open(os.path.join(directory, name)) as handle:
                        if MARK in handle.read(4096):
                            seen.append(os.path.join(directory, name))
                except OSError:
                    pass
    listener = socket.socket(socket.AF_UNIX)
    try:
        listener.connect("\0" + MARK)
        seen.append("the daemon's socket")
    except OSError:
        pass
    libc = ctypes.CDLL(None, use_errno=True)
    for name, ident in (
        ("shm", libc.shmget(KEY, 0, 0)),
        ("msg", libc.msgget(KEY, 0)),
        ("sem", libc.semget(KEY, 0, 0)),
    ):
        if ident >= 0:
            seen.append(f"SysV {name} {ident}")
    seen += [f"env {k}" for k, v in os.environ.items() if MARK in k or MARK in v]
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink("/proc/self/fd/" + fd)
        except OSError:
            continue
        if MARK in target:
            seen.append(f"descriptor {fd} -> {target}")
    if MARK in sys.modules or not hasattr(json, "dumps"):
        seen.append("a planted module")
    return sorted(set(seen))
