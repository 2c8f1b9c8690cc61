"""``make pipeline-bench``: plans uploaded together, upload -> result times, throughput."""

from __future__ import annotations

import statistics
import time
from typing import Any

from .client import Client
from .demo import draw_png


def bench(client: Client, count: int, seed: int) -> int:
    """Upload ``count`` drawn plans at once; print each plan's upload -> result time."""
    plans = {
        client.stack.upload_key(f"bench/{seed}-{i}.png"): draw_png(seed + i)[0]
        for i in range(count)
    }
    started = time.monotonic()
    uploaded = {}
    for key, png in plans.items():
        client.upload(key, png, "image/png")
        uploaded[key] = time.monotonic()
    seen: dict[str, float] = {}
    docs: dict[str, dict[str, Any]] = {}
    for key in plans:
        docs[key] = client.wait_result(key, timeout=120 + 10 * count)
        seen[key] = time.monotonic()
    wall = time.monotonic() - started
    waited = sorted(seen[k] - uploaded[k] for k in plans)  # upper bound: sequential waits
    e2e = sorted(d["inference"]["timings_s"]["end_to_end"] for d in docs.values())
    proc = sorted(d["inference"]["timings_s"]["processing"] for d in docs.values())
    ok = sum(d["status"] == "succeeded" for d in docs.values())
    print(
        f"{count} plans (1600 x 1200, drawn), uploaded together: {ok} succeeded, "
        f"all results after {wall:.1f} s ({count / wall:.2f} plans/s)"
    )
    print(
        f"end_to_end (upload -> result written), s: p50 {statistics.median(e2e):.2f}, "
        f"max {e2e[-1]:.2f}; seen by the client: p50 {statistics.median(waited):.2f}"
    )
    print(f"processing in the container, s: p50 {statistics.median(proc):.3f}, max {proc[-1]:.3f}")
    return 0 if ok == count else 1
