# attack: monkeypatch the harness: replace every function and class method of the __main__
#   module and of the harness's frames found through gc, and the json/os functions it could use
# expect: wrong_answer, no_report, runtime_error, tampered
import gc
import json
import os
import sys

FORGED = '{"event": "case", "id": "t1", "status": "ok", "value": 2}'

json.dumps = lambda *args, **kwargs: FORGED
json.loads = lambda *args, **kwargs: {}
os.write = lambda fd, data: len(data)
main = sys.modules.get("__main__")
for name in list(vars(main)):
    value = getattr(main, name, None)
    if callable(value):
        try:
            setattr(main, name, lambda *args, **kwargs: None)
        except Exception:
            pass
for obj in gc.get_objects():
    if isinstance(obj, dict) and "_write" in obj and "_canonical" in obj:
        for key in list(obj):
            if callable(obj[key]) and key.startswith("_"):
                obj[key] = lambda *args, **kwargs: None
    if type(obj).__name__ == "_Harness":
        for method in ("emit", "serialise", "guarded"):
            try:
                setattr(type(obj), method, lambda self, *a, **k: None)
            except Exception:
                pass


def double(x):
    return x * 3
