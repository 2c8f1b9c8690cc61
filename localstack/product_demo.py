"""``make demo``: what the product does, on the pipeline running locally (``make pipeline-up``).

A thin layer over ``localrun`` (the stack's names, the user's boto3 client) and the
``location-detector`` library (status lookups, overlays, the HTML report). It draws a few plans
(nothing from ``../shared/datasets``): a clean drawing with room names and dimensions, a
crooked noisy scan as JPEG, a PDF, and a text file posing as a PNG; uploads them under the
blueprints prefix with boto3, waits for each results document, prints each plan's status and
rooms, downloads the documents to ``--out``, draws their overlays and writes ``report.html``.

Usage: ``python localstack/product_demo.py --out out/demo [--state-dir .local]
[--emulator-url URL]``.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detector.config import load_config
from detector.overlay import document_overlays, overlay_names
from detector.plan_status import StackNames, StatusClient, describe
from detector.report import collect_folder, render_html
from detector.results import validate_document
from localrun.client import LOCAL_CREDENTIALS, Client
from localrun.processes import ROOT, PipelineError
from localrun.stack import REGION, terraform_outputs

FINAL = ("COMPLETED", "FAILED")
RESULT_TIMEOUT_S = 180  # the first plan after `up` includes the Lambda workers' cold starts


@dataclass(frozen=True)
class DemoPlan:
    name: str  # the file name under blueprints/demo/
    what: str
    data: bytes
    content_type: str


def draw_plans(seed: int) -> list[DemoPlan]:
    """The demo's uploads, drawn here (same seed, same bytes)."""
    import cv2
    from PIL import Image

    from detector_dev.synthetic import draw_plan

    clean = draw_plan(seed, 1600, 1200, noise=0.0)
    scan = draw_plan(seed + 1, 1400, 1000, noise=0.5, skew_deg=1.2, window_grey=128)
    sheet = draw_plan(seed + 2, 1500, 1100, noise=0.1, l_shape=True)
    png = cv2.imencode(".png", clean.image)[1].tobytes()
    jpeg = cv2.imencode(".jpg", scan.image, [cv2.IMWRITE_JPEG_QUALITY, 70])[1].tobytes()
    pdf = io.BytesIO()
    Image.fromarray(sheet.image).save(pdf, "PDF", resolution=150)
    return [
        DemoPlan(
            "house.png",
            f"a drawn plan with room names and dimensions, {clean.room_count} rooms",
            png,
            "image/png",
        ),
        DemoPlan(
            "scanned-flat.jpg",
            f"a crooked, noisy scan (JPEG), {scan.room_count} rooms drawn",
            jpeg,
            "image/jpeg",
        ),
        DemoPlan(
            "l-shaped-house.pdf",
            f"an L-shaped house as a PDF sheet, {sheet.room_count} rooms drawn",
            pdf.getvalue(),
            "application/pdf",
        ),
        DemoPlan(
            "shopping-list.png",
            "a text file named .png: refused with a failure document",
            b"milk, eggs, a floor plan\n",
            "image/png",
        ),
    ]


def room_summary(doc: dict[str, Any]) -> str:
    """One line: how many rooms, the largest, the labels and m² where the document has them."""
    if doc["status"] != "succeeded":
        err = doc["error"]
        return f"failed: {err['type']}: {err['message']} (retryable: {err['retryable']})"
    rooms = [r for page in doc["pages"] for r in page["rooms"]]
    if not rooms:
        return "0 rooms"
    largest = max(rooms, key=lambda r: r["area_px"])
    size = (
        f"{largest['area_m2']:.1f} m²"
        if largest.get("area_m2") is not None
        else f"{largest['area_px']:,.0f} px"
    )
    labels = sorted({r["label"] for r in rooms if r.get("label")})
    named = f"; labels: {', '.join(labels)}" if labels else ""
    return f"{len(rooms)} rooms, largest {size} ({largest['id']}){named}"


def wait_final(
    status: StatusClient, uri: str, version_id: str | None, timeout: float
) -> dict[str, Any]:
    """The status item of this version of the upload once it is final (polls like a client)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        item = status.by_uri(uri, version_id)
        if item and item.get("status") in FINAL:
            return item
        time.sleep(0.5)
    raise PipelineError(f"{uri} not final after {timeout:.0f} s: see .local/pipeline/*.log")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "out" / "demo")
    p.add_argument("--state-dir", type=Path, default=ROOT / ".local")
    p.add_argument("--emulator-url", default="http://127.0.0.1:4566")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    try:
        return run(args)
    except PipelineError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


def run(args: argparse.Namespace) -> int:
    client = Client(args.emulator_url, terraform_outputs())
    outputs = args.state_dir / "outputs.json"  # `terraform output -json stack` (make local-up)
    ok = run_demo(client, args.out, args.seed, outputs if outputs.is_file() else None)
    print(
        f"""  a status    .venv/bin/location-detector status \\
                s3://{client.stack.blueprints_bucket}/{client.stack.upload_key("demo/house.png")} \\
                --outputs {outputs} --endpoint-url {args.emulator_url}
  the queues  make pipeline-status
  stop        make pipeline-down   (processes, stack and emulator; `make pipeline-stop`
                                    stops the processes only; a second `make demo` reuses
                                    whatever is still up)"""
    )
    return 0 if ok else 1


def run_demo(client: Client, out: Path, seed: int, outputs: Path | None = None) -> bool:
    """Upload the demo's plans, wait for each, write documents, overlays and report.html to
    `out`; True if every plan ended as it should (the drawn ones COMPLETED, the text FAILED)."""
    import boto3

    stack = client.stack
    names = StackNames.from_outputs(outputs) if outputs else StackNames(stack.table_name)
    dynamodb = boto3.resource(
        "dynamodb", endpoint_url=client.emulator_url, region_name=REGION, **LOCAL_CREDENTIALS
    )
    status = StatusClient(names, dynamodb, client.s3)
    out.mkdir(parents=True, exist_ok=True)
    plans = draw_plans(seed)

    print(f"== uploading {len(plans)} plans to s3://{stack.blueprints_bucket}/ with boto3")
    keys, versions = {}, {}
    started = time.monotonic()
    for plan in plans:
        key = stack.upload_key(f"demo/{plan.name}")
        put = client.upload(key, plan.data, plan.content_type)
        keys[plan.name] = key
        version = versions[plan.name] = put.get("VersionId")
        print(f"  {key}  ({len(plan.data):,} bytes, version {version}): {plan.what}")

    print(f"\n== waiting for the results documents in s3://{stack.results_bucket}/")
    config = load_config(None)
    ok = True
    for plan in plans:
        key = keys[plan.name]
        uri = f"s3://{stack.blueprints_bucket}/{key}"
        # this upload's own outcome: a second run's key still holds the first run's document
        item = wait_final(status, uri, versions[plan.name], RESULT_TIMEOUT_S)
        doc = client.result(key)
        if doc is None:
            raise PipelineError(f"{uri} is {item['status']} but has no results document")
        validate_document(doc)
        stem = Path(plan.name).stem
        (out / f"{stem}.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        if doc["status"] == "succeeded":
            import cv2

            images = document_overlays(plan.data, doc, config, plan.content_type)
            for name, image in zip(overlay_names(stem, len(images)), images, strict=True):
                cv2.imwrite(str(out / name), image)
        ok &= (doc["status"] == "succeeded") == (plan.name != "shopping-list.png")
        print(f"\n{plan.name}: {room_summary(doc)}")
        print("\n".join(describe(item)))
    elapsed = time.monotonic() - started

    page = out / "report.html"
    entries = collect_folder(out, config)
    page.write_text(render_html(entries, "location-detector demo: the local pipeline"))
    print(
        f"""
== done in {elapsed:.1f} s: {len(entries)} results documents in {out}/
  report      {page}  (one HTML file, works offline: open it in a browser,
              e.g. chromium {page.resolve().as_uri()})
  overlays    {out}/*.overlay.png
  documents   {out}/*.json (downloaded from s3://{stack.results_bucket}/)"""
    )
    return ok


if __name__ == "__main__":
    sys.exit(main())
