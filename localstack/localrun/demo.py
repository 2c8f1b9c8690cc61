"""``make pipeline-demo``: a drawn plan and a non-image through the running pipeline."""

from __future__ import annotations

import json
import time
from typing import Any

from .client import Client
from .processes import PipelineError


def draw_png(seed: int, width: int = 1600, height: int = 1200) -> tuple[bytes, Any]:
    """A plan drawn by ``detector_dev.synthetic`` as PNG bytes, and its truth."""
    import cv2

    from detector_dev.synthetic import draw_plan

    plan = draw_plan(seed, width, height, noise=0.3)
    ok, png = cv2.imencode(".png", plan.image)
    if not ok:
        raise PipelineError("could not encode the drawn plan")
    return png.tobytes(), plan


def demo(client: Client, seed: int) -> int:
    from detector.results import validate_document
    from detector_dev.synthetic import compare_with_truth

    stack = client.stack
    png, plan = draw_png(seed)
    key = stack.upload_key(f"demo/plan-{seed}.png")
    print(
        f"== upload s3://{stack.blueprints_bucket}/{key} ({len(png)} bytes, drawn "
        f"{plan.room_count} rooms)"
    )
    started = time.monotonic()
    client.upload(key, png, "image/png")
    doc = client.wait_result(key)
    elapsed = time.monotonic() - started
    validate_document(doc)
    print(
        f"== s3://{stack.results_bucket}/{stack.result_key(key)} after {elapsed:.2f} s "
        "(valid against the results schema)"
    )
    rooms = [r["polygon"] for page in doc.get("pages", []) for r in page["rooms"]]
    print(f"status: {doc['status']}, {compare_with_truth(rooms, plan.labels)}")
    inference = doc.get("inference", {})
    print(
        "inference:",
        json.dumps(
            {
                k: inference.get(k)
                for k in ("inference_id", "endpoint", "output_location", "attempts", "timings_s")
            },
            indent=2,
        ),
    )
    print("status record:", json.dumps(client.status_record(doc), indent=2))

    bad_key = stack.upload_key("demo/not-a-plan.png")
    print(f"\n== upload s3://{stack.blueprints_bucket}/{bad_key} (text, not an image)")
    client.upload(bad_key, b"this is a shopping list, not a floor plan\n", "image/png")
    bad = client.wait_result(bad_key)
    validate_document(bad)
    print(
        "failure document:",
        json.dumps({k: bad.get(k) for k in ("status", "error", "source")}, indent=2),
    )
    print("status record:", json.dumps(client.status_record(bad), indent=2))
    print("\nqueues:", json.dumps(client.queue_depths()))
    return 0 if doc["status"] == "succeeded" and bad["status"] == "failed" else 1
