"""`detector_dev.machine`: the machine description under every figure, and free ports."""

from __future__ import annotations

import os
import socket

from detector_dev.machine import describe_machine, free_port


def test_the_description_names_what_figures_depend_on():
    text = describe_machine()
    assert f"{os.cpu_count()} cores" in text
    for part in ("GiB", "python 3.", "opencv ", "threads", "numpy ", "load average "):
        assert part in text, part


def test_a_free_port_can_be_bound():
    port = free_port()
    assert 1024 <= port <= 65535
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
