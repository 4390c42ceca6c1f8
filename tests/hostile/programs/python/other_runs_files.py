# attack: spy on other runs: look for other runs' scratch directories, capture files and
#   processes (their jobs carry the test inputs), read the victim run's secret file (the test runs
#   a victim submission at the same time) and try to signal other runs' processes
# expect: wrong_answer
# local-needs: bwrap|root
# concurrent: victim
import glob
import os
import signal
import time

SECRET = b"codegym-victim-secret"


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read(1 << 16)
    except OSError:
        return b""


def double(x):
    found = []
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline and not found:
        for pattern in ("/tmp/*", "/tmp/*/*", "/tmp/*/*/*", "/var/tmp/*", "/dev/shm/*"):
            for path in glob.glob(pattern):
                if SECRET in _read(path):
                    found.append(path)
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            for name in ("cmdline", "environ", "cwd/victim.txt", "root/tmp/victim.txt"):
                if SECRET in _read(f"/proc/{pid}/{name}"):
                    found.append(f"/proc/{pid}/{name}")
            try:
                status = _read(f"/proc/{pid}/status").decode()
                if f"Uid:\t{os.getuid()}" not in status and os.getuid() != 0:
                    os.kill(int(pid), signal.SIGKILL)
                    found.append(f"killed {pid}")
            except (OSError, UnicodeDecodeError):
                pass
    return ("ESCAPED " + ", ".join(found[:10])) if found else "nothing"
