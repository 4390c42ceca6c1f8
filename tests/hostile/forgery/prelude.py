# Timing forgery, prepended to a deliberately slow (naive) solution: every clock the learner's
# process can reach is frozen, the harness's own saved references too, and the host's channel
# is looked for through the supervisor's /proc entries. None of it may make the naive solution
# pass its efficiency test: the supervisor measures CPU time from the kernel, outside this
# process, and it is not dumpable.
import gc as _gc
import os as _os
import sys as _sys
import time as _time

_FROZEN = _time.perf_counter()


def _frozen(*_args, **_kwargs):
    return _FROZEN


def _no_timer(*_args, **_kwargs):
    return (0.0, 0.0)


for _name in ("perf_counter", "process_time", "monotonic", "time", "thread_time"):
    setattr(_time, _name, _frozen)
for _name in ("perf_counter_ns", "process_time_ns", "monotonic_ns", "time_ns"):
    setattr(_time, _name, lambda: 0)
_frame = _sys._getframe()
while _frame is not None:  # the harness's globals, through the frames that load this file
    if "_perf" in _frame.f_globals:
        _frame.f_globals["_perf"] = _frozen
        _frame.f_globals["_setitimer"] = _no_timer
    _frame = _frame.f_back
for _object in _gc.get_objects():  # and every private copy of them
    if type(_object) is dict and "_perf" in _object and "_setitimer" in _object:
        _object["_perf"] = _frozen
        _object["_setitimer"] = _no_timer
FORGERY_REACHED_SUPERVISOR = []
for _path in (f"/proc/{_os.getppid()}/mem", f"/proc/{_os.getppid()}/fd/1"):
    try:
        _os.close(_os.open(_path, _os.O_RDWR))
        FORGERY_REACHED_SUPERVISOR.append(_path)
    except OSError:
        pass
