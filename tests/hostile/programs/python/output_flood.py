# attack: an output flood: print and raw writes to fd 1 and fd 2 without end
# expect: output_limit
import os


def double(x):
    while True:
        print("spam" * 1000)
        os.write(1, b"x" * 65536)
        os.write(2, b"y" * 65536)
