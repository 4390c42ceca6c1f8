"""Facts about this process."""

from __future__ import annotations

import os
import time
from pathlib import Path


def process_start_time(pid: int | str = "self") -> float:
    """When process `pid` (default: this one) started, as a `time.time()` value, to within a
    clock tick (10 ms): from the kernel where it says (Linux: the start time in
    `/proc/PID/stat`, in ticks since boot), else now."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        started_since_boot = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22 of stat(5)
        since_boot = time.clock_gettime(time.CLOCK_BOOTTIME)
    except (OSError, ValueError, IndexError, AttributeError):
        return time.time()
    return time.time() - (since_boot - started_since_boot)
