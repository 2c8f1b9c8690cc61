"""detector.allocator: glibc's malloc thresholds raised once, operators' settings left alone."""

from __future__ import annotations

import subprocess
import sys

from detector.allocator import keep_freed_memory

CHECK = "from detector.allocator import keep_freed_memory; print(keep_freed_memory())"


def run(env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_thresholds_are_raised_on_glibc(monkeypatch):
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    assert keep_freed_memory() is True  # this image runs glibc
    assert keep_freed_memory() is True  # and again: idempotent


def test_an_operators_malloc_variables_stay_in_charge():
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    assert run(env) == "True"
    assert run({**env, "MALLOC_MMAP_THRESHOLD_": "131072"}) == "False"
