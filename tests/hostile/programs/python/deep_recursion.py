# attack: unbounded recursion after raising the recursion limit as far as it goes (a C stack
#   overflow crashes the interpreter instead of raising RecursionError)
# expect: runtime_error, no_report, memory_limit
import sys

sys.setrecursionlimit(10**9)


def double(x):
    return double(x + 1) + 1
