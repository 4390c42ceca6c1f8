# attack: binary output (NUL bytes, invalid UTF-8, lone surrogates, partial frames, carriage
#   returns) on stdout and stderr, through print, sys.stdout.buffer and os.write
# expect: wrong_answer
import os
import sys


def double(x):
    noise = bytes(range(256)) * 16 + b"\xff\xfe\xc3\x28\n@@codegym \x00\r"
    sys.stdout.buffer.write(noise)
    sys.stderr.buffer.write(noise)
    os.write(1, noise)
    os.write(2, noise)
    print("\udcff\ud800 lone surrogates", "\x00\x1b[2J", end="")
    return noise.decode("latin-1")
