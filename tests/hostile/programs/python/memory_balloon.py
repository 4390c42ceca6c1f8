# attack: allocate memory without end (10 MB at a time, touched so it is really used)
# expect: memory_limit, no_report
def double(x):
    hog = []
    while True:
        hog.append(bytearray(b"\x01" * 10**7))
