# attack: act as root and write outside the scratch directory: the system directories, the file
#   system root, /dev, the harness's own directory; returns ESCAPED and what worked if anything did
# expect: wrong_answer
# local-needs: bwrap
import os


def double(x):
    worked = []
    if os.geteuid() == 0:
        worked.append("root")
    for directory in (
        "/usr",
        "/etc",
        "/",
        "/dev",
        "/dev/shm",
        "/opt/codegym",
        "/tmp/.codegym",
        "/home",
        "/var/tmp",
    ):
        try:
            with open(os.path.join(directory, "pwned"), "w") as out:
                out.write("pwned")
            worked.append(directory)
        except OSError:
            pass
    try:
        os.setuid(0)
        worked.append("setuid")
    except OSError:
        pass
    return ("ESCAPED " + ", ".join(worked)) if worked else "contained"
