# attack: one enormous line (no newline, 100 MB) written in a single call
# expect: output_limit
import os


def double(x):
    os.write(1, b"z" * 100_000_000)
    return 2 * x
