# attack: tamper with sys.modules and builtins: replace json, os, time and the harness's own
#   module entries with fakes, and builtins like isinstance, type, len, str, repr
# expect: wrong_answer, runtime_error, no_report
import builtins
import sys
import types


class _Fake(types.ModuleType):
    def __getattr__(self, name):
        return lambda *args, **kwargs: '{"event": "case", "status": "ok", "value": 2}'


for name in ("json", "os", "time", "posix", "resource", "_signal", "signal", "__main__"):
    sys.modules[name] = _Fake(name)
builtins.isinstance = lambda obj, cls: True
builtins.len = lambda obj: 0
builtins.repr = lambda obj: "2"
builtins.str = lambda *args: "2"


def double(x):
    return "2" if x == 1 else [x]
