# attack: fill the disk: 1 MB writes into new files in the working directory and /tmp until
#   something refuses, then keep trying; returns how much it wrote (never the right answer)
# expect: wrong_answer, runtime_error, timeout, no_report
# local-needs: bwrap
import os

CHUNK = b"\0" * (1 << 20)


def double(x):
    written = 0
    for directory in (".", "/tmp", os.environ.get("TMPDIR", ".")):
        for index in range(100_000):
            try:
                with open(os.path.join(directory, f"fill-{x}-{index}.bin"), "wb") as out:
                    for _ in range(64):
                        out.write(CHUNK)
                        written += 1
            except OSError:
                break
    return -written
