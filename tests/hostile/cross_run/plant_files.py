# attack: leave files for a later run: in /tmp beside the scratch directory, in the scratch
#   directory and HOME, in /var/tmp, /dev/shm and /dev/mqueue, in a world-writable directory of
#   its own, and behind directories it made unreadable and unsearchable
# reuse: yes (the supervisor removes all of it, so the container serves the next run)
import os

MARK = "codegym-cross-run"


def f():
    for directory in (
        "/tmp",
        os.getcwd(),
        os.path.expanduser("~"),
        "/var/tmp",
        "/dev/shm",
        "/dev/mqueue",
    ):
        try:
            path = os.path.join(directory, MARK)
            with open(path, "w") as handle:
                handle.write(MARK)
            os.chmod(path, 0o666)
        except OSError:
            pass
    try:
        shared = f"/tmp/{MARK}-shared"
        os.makedirs(shared + "/deep", exist_ok=True)
        with open(shared + "/deep/" + MARK, "w") as handle:
            handle.write(MARK)
        os.chmod(shared, 0o777)
        locked = f"/tmp/{MARK}-locked"
        os.makedirs(locked + "/inner", exist_ok=True)
        with open(locked + "/inner/" + MARK, "w") as handle:
            handle.write(MARK)
        os.chmod(locked + "/inner", 0)
        os.chmod(locked, 0o111)
    except OSError:
        pass
    return "planted"
