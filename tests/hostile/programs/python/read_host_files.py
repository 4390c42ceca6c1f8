# attack: read host secrets: /etc/shadow, root's home, the host's users' homes, the test's canary
#   files (a world-readable one outside /tmp and a private one), the environment of every
#   visible process (the test puts a canary in its own), exercise content (hidden expected
#   values) anywhere under /work, /home, /srv, /opt
# expect: wrong_answer
# local-needs: bwrap
import glob
import os

CANARY = "codegym-hostile-canary"


def _read(path, limit=1 << 16):
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return None


def double(x):
    found = []
    shadow = _read("/etc/shadow")
    if shadow and b"root:" in shadow:
        found.append("/etc/shadow")
    for pattern in (
        "/root/*",
        "/root/.*",
        "/home/*/.*",
        "/var/tmp/codegym-hostile-*/*",
        "/tmp/codegym-hostile-*/*",
        "/work/*/*.md",
    ):
        for path in glob.glob(pattern)[:200]:
            data = _read(path)
            if data is not None and (
                CANARY.encode() in data or path.startswith(("/root", "/work"))
            ):
                found.append(path)
    for environ in glob.glob("/proc/[0-9]*/environ"):
        data = _read(environ)
        if data and CANARY.encode() in data:
            found.append(environ)
    for top in ("/work", "/home", "/srv", "/opt", "/usr/local/lib"):
        for root, _dirs, files in os.walk(top):
            if root.count("/") > 8:
                continue
            for name in files:
                if name.startswith(("py-sum-evens", "js-twin-primes")) and name.endswith(".yaml"):
                    found.append(os.path.join(root, name))
            if len(found) > 20:
                break
    return ("ESCAPED read " + ", ".join(found[:10])) if found else "nothing"
