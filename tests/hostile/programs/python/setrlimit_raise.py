# attack: raise the resource limits back (CPU, memory, processes, file size, open files), also
#   through prlimit on the parent; returns ESCAPED and which limits rose if any did
# expect: wrong_answer
import os
import resource


def double(x):
    raised = []
    for name in ("RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE"):
        which = getattr(resource, name)
        _soft, hard = resource.getrlimit(which)
        for wanted in (resource.RLIM_INFINITY, hard * 2 if hard > 0 else resource.RLIM_INFINITY):
            try:
                resource.setrlimit(which, (wanted, wanted))
            except (ValueError, OSError):
                continue
            if resource.getrlimit(which)[1] != hard:
                raised.append(name)
                break
        try:  # a parent that runs as the same user: a raised hard limit there is an escape too
            before = resource.prlimit(os.getppid(), which)
            resource.prlimit(os.getppid(), which, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            if before[1] != resource.RLIM_INFINITY:
                raised.append(name + " of the parent")
        except (ValueError, OSError):
            pass
    return ("ESCAPED " + ", ".join(raised)) if raised else "held"
