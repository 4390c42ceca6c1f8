# attack: pass state through the process itself: environment variables, descriptors left open
#   and inheritable, a module planted where a later run might import it (the scratch directory,
#   /tmp, a user site-packages in HOME) and a poisoned sys.modules entry
# reuse: yes (the supervisor removes all of it, so the container serves the next run)
import os
import sys
import types

MARK = "codegym-cross-run"


def f():
    os.environ["CODEGYM_CROSS_RUN"] = MARK
    os.putenv("CODEGYM_CROSS_RUN_PUT", MARK)
    for directory in ("/tmp", os.getcwd()):
        try:
            fd = os.open(os.path.join(directory, MARK + "-fd"), os.O_CREAT | os.O_RDWR, 0o666)
            os.set_inheritable(fd, True)
        except OSError:
            pass
    poison = f"import sys\nsys.modules.setdefault('{MARK}', True)\nMARK = '{MARK}'\n"
    site = os.path.expanduser(
        "~/.local/lib/python{}.{}/site-packages".format(*sys.version_info[:2])
    )
    for directory in ("/tmp", os.getcwd(), site):
        try:
            os.makedirs(directory, exist_ok=True)
            for name in ("json.py", "sitecustomize.py", "usercustomize.py"):
                with open(os.path.join(directory, name), "w") as handle:
                    handle.write(poison)
        except OSError:
            pass
    sys.modules["json"] = types.ModuleType("json")
    return "planted"
