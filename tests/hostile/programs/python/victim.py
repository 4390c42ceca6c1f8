# victim: not a hostile program. The companion of other_runs_files.py: it writes a secret into
#   its scratch directory and /tmp and waits, as the other run looks for it. It is right, so it
#   passes when nothing disturbs it.
import os
import time

SECRET = "codegym-victim-secret"


def double(x):
    for path in ("victim.txt", os.path.join(os.environ.get("TMPDIR", "/tmp"), "victim.txt")):
        try:
            with open(path, "w") as out:
                out.write(SECRET)
        except OSError:
            pass
    time.sleep(0.4)
    return 2 * x
