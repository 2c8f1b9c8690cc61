"""Time and peak memory of the heaviest inputs the server accepts, one fresh process each.

Each case runs the server's path (`inference.input_fn` -> `predict_fn` -> `output_fn`) in a
child process of its own, so its peak RSS (VmHWM) is that request's alone; the same
bytes also go through the colour decoding the server used before (`decode_plan(grey=False)`),
as the baseline in the same run. Prints one row per case and the machine it ran on.

    .venv/bin/python benchmarks/heavy_inputs.py [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "model"))

from detector_dev.machine import describe_machine  # noqa: E402
from detector_dev.pdf import pdf_document, random_lines  # noqa: E402
from detector_dev.synthetic import draw_plan  # noqa: E402

# VmHWM, not ru_maxrss: Linux carries the parent's high-water mark across fork and exec into
# ru_maxrss, and the parent holds the generated inputs.
CHILD = """
import json, sys, time
sys.path.insert(0, {model!r})
import numpy as np
import inference
from detector.imageio import decode_plan
data = open({path!r}, "rb").read()
def hwm_kb():
    with open("/proc/self/status") as f:
        return int(next(l.split()[1] for l in f if l.startswith("VmHWM:")))
model = inference.model_fn({model!r})
base = hwm_kb()
t0 = time.perf_counter()
status = "ok"
try:
    if {grey}:
        decoded = inference.input_fn(data, "application/octet-stream")
        prediction = inference.predict_fn(decoded, model)
        inference.output_fn(prediction, "application/json")
    else:  # the server's earlier path: colour pages, reduced to grey by the detector
        pages = decode_plan(data, model.config).pages
        model.detect_pages([np.asarray(p) for p in pages])
except Exception as err:
    status = type(err).__name__
peak = hwm_kb()
print(json.dumps({{"s": time.perf_counter() - t0, "base_kb": base, "peak_kb": peak,
                  "status": status}}))
"""


def rgba_png(side: int) -> bytes:
    """A drawn plan on a transparent side x side RGBA canvas (the 230 KB, 60 MP case)."""
    plan = draw_plan(7, 1600, 1200).image
    grey = np.asarray(Image.fromarray(plan).convert("L").resize((side, side * 3 // 4)))
    rgba = np.zeros((side, side, 4), np.uint8)
    rgba[: grey.shape[0], :, 3] = 255 - grey  # ink opaque, paper transparent
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, "PNG", compress_level=9)
    return buf.getvalue()


def tiff_pages(n: int, width: int, height: int) -> bytes:
    """An n-page colour TIFF, each page a drawn plan enlarged to width x height, compressed."""
    plan = Image.fromarray(draw_plan(11, 1600, 1200).image).convert("RGB")
    pages = [plan.resize((width, height), Image.NEAREST) for _ in range(n)]
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw")
    return buf.getvalue()


def run_child(path: Path, grey: bool) -> dict[str, float | str]:
    code = CHILD.format(model=str(ROOT / "model"), path=str(path), grey=grey)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=900
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per case (best time kept)")
    args = parser.parse_args()
    cases = {
        "PNG 7745x7745 RGBA": rgba_png(7745),
        "TIFF 3 pages 8900x6600 RGB": tiff_pages(3, 8900, 6600),
        "PDF 200,000 lines": pdf_document(random_lines(200_000)),
    }
    print(f"machine: {describe_machine()}")
    print(f"{'case':<28} {'MB in':>6} {'path':<7} {'s':>6} {'peak RSS MB':>11} "
          f"{'+ over idle':>11}  result")  # fmt: skip
    workdir = ROOT / "build" / "heavy_inputs"
    workdir.mkdir(parents=True, exist_ok=True)
    for name, data in cases.items():
        path = workdir / (name.split()[0].lower() + ".bin")
        path.write_bytes(data)
        for grey, label in ((False, "colour"), (True, "server")):
            runs = [run_child(path, grey) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: float(r["s"]))
            peak = max(float(r["peak_kb"]) for r in runs) / 1024
            idle = float(best["base_kb"]) / 1024
            print(
                f"{name:<28} {len(data) / 1e6:>6.2f} {label:<7} {float(best['s']):>6.2f} "
                f"{peak:>11.0f} {peak - idle:>11.0f}  {best['status']}"
            )
        path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
