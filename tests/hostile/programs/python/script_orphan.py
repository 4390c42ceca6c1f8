# problem: script
# attack: a script-mode program (run by the harness as a child in its own session) that leaves a
#   daemon behind in a new session, spinning, and prints a wrong answer
# expect: wrong_answer
# local-needs: bwrap|root
import os
import sys

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.close(1)
        os.close(2)
        while True:
            pass
    os._exit(0)
print(int(sys.stdin.read()) * 3)
