"""``make pipeline-status``: the operator's view of the running pipeline."""

from __future__ import annotations

from typing import Any

from .services import SERVICES, Pipeline


def report(pipe: Pipeline) -> dict[str, Any]:
    """Each service's health (its health check, not only its pid) and every queue's depth."""
    sup = pipe.supervisor
    processes = {
        name: {"pid": sup.pid(name), "running": sup.running(name), "healthy": sup.healthy(name)}
        for name in SERVICES
    }
    return {"processes": processes, "queues": pipe.client.queue_depths()}
