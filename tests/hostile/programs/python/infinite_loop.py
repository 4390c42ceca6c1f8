# attack: a busy infinite loop in the function under test (each test times out; the wall clock
#   ends the run)
# expect: timeout, no_report
def double(x):
    while True:
        pass
