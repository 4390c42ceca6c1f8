# attack: swallow the harness's timeout exception (it is a BaseException) and keep looping
# expect: timeout, no_report
def double(x):
    while True:
        try:
            while True:
                pass
        except BaseException:
            continue
