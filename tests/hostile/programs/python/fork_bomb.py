# attack: fork bomb: every process forks forever, ignoring the errors once the process limit bites
# expect: timeout, no_report, runtime_error
# local-needs: root
# limits: processes=32
import os


def double(x):
    while True:
        try:
            os.fork()
        except OSError:
            pass
