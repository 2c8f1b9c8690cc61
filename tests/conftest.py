"""Shared pytest fixtures (area-specific fixtures live in each tests/<area>/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Tests load ONNX Runtime directly too: its telemetry stays off (see detector/text/ocr.py).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

from detector_dev.machine import free_port
from localrun.stack import start_emulator


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The project's emulator (localstack/emulator.py, a patched moto server) as a process on a
    free loopback port, fresh for each test module, as `make emulator-up` starts it: its URL."""
    port = free_port()
    proc = start_emulator(port, tmp_path_factory.mktemp("emulator") / "emulator.log")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
