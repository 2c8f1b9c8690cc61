"""The machine local tools run on: the one description printed under every measured figure,
and a free TCP port for the processes the tests and tools start (never a fixed one).
"""

from __future__ import annotations

import os
import platform
import socket
from pathlib import Path


def _proc_field(path: str, key: str) -> str | None:
    """The value of `key: value` in a /proc file (Linux), or None."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def describe_machine() -> str:
    """CPU model, cores, memory, OS, Python, OpenCV (and its threads), numpy, load average.

    The load average says how busy the (possibly shared) machine was: times are upper bounds.
    """
    import cv2
    import numpy as np

    cpu = _proc_field("/proc/cpuinfo", "model name") or platform.processor() or platform.machine()
    mem_kb = _proc_field("/proc/meminfo", "MemTotal")
    mem = f"{int(mem_kb.split()[0]) / 1024**2:.0f} GiB" if mem_kb else "? GiB"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem}, {platform.system()} {platform.release()}, "
        f"python {platform.python_version()}, opencv {cv2.__version__} "
        f"({cv2.getNumThreads()} threads), numpy {np.__version__}, load average {load:.1f}"
    )


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
