"""The built image, run as SageMaker runs it: the smoke test of `make image`.

The image is built by `model/image.sh` (Docker when an engine answers, else buildah/podman with
a local debootstrap base; cached, seconds when nothing changed) and run through the same script,
so the engine's flags live in one place. Every container is removed at the end; the storage
stays cached in IMAGE_STORE (`make image-clean` removes it).
"""

from __future__ import annotations

import http.client
import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from container_helpers import (
    REPO,
    comparable,
    drawn_page,
    encode,
    make_model_dir,
    pdf_of,
)

from detector.opencv_detector import OpenCVDetector
from detector_dev.machine import free_port

IMAGE_SH = REPO / "model" / "image.sh"
pytestmark = pytest.mark.slow


def image_sh(*args: str, timeout: float = 120, check: bool = True, stderr: bool = False) -> str:
    """`model/image.sh ARGS` -> its stdout (and stderr, with `stderr`)."""
    proc = subprocess.run(
        [str(IMAGE_SH), *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"image.sh {' '.join(args)}: {proc.returncode}\n{proc.stderr}")
    return proc.stdout + (proc.stderr if stderr else "")


@pytest.fixture(scope="session")
def image() -> str:
    """The image, built from this tree (a cache hit when `make image` just built it)."""
    t0 = time.monotonic()
    image_sh("build", timeout=3600)
    name = image_sh("name").strip()
    size = int(image_sh("size"))
    engine = image_sh("engine").strip()
    print(f"\nimage {name} ({engine}): {size / 1e6:.0f} MB, build {time.monotonic() - t0:.0f} s")
    assert size < 1_500_000_000, "the image grew past 1.5 GB"
    return name


@dataclass
class Container:
    name: str
    port: int

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any] | bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        try:
            return resp.status, json.loads(raw)
        except ValueError:
            return resp.status, raw

    def ping(self) -> int | None:
        try:
            return self.request("GET", "/ping")[0]
        except OSError:
            return None

    def logs(self) -> str:
        return image_sh("logs", self.name, check=False, stderr=True)

    def running(self) -> bool:
        out = image_sh("inspect", "--format", "{{.State.Running}}", self.name, check=False)
        return out.strip() == "true"


@pytest.fixture(scope="module")
def containers(image: str, world_readable_tmp: Path) -> Iterator[Any]:
    """Start containers of the image (`serve`, a model dir mounted); all removed at teardown."""
    started: list[str] = []

    def start(config: dict[str, Any] | None = None, **env: str) -> Container:
        model_dir = make_model_dir(world_readable_tmp, config)
        name = f"ld-smoke-{uuid.uuid4().hex[:8]}"
        port = free_port()
        env_args = [arg for k, v in env.items() for arg in ("-e", f"{k}={v}")]
        image_sh(
            "run", "--port", str(port), "-d", "--name", name,
            "-v", f"{model_dir}:/opt/ml/model:ro",
            "-e", "SAGEMAKER_MODEL_SERVER_WORKERS=2",
            *env_args, image, "serve",
        )  # fmt: skip
        started.append(name)
        return Container(name, port)

    yield start
    for name in started:
        image_sh("rm", "-f", "-t", "0", name, check=False)


@pytest.fixture(scope="module")
def served(containers: Any) -> Container:
    """One running container: /ping polled from its start."""
    c = containers()
    deadline = time.monotonic() + 120
    while (status := c.ping()) != 200:
        assert status is None, f"/ping answered {status} before the model was loaded"
        assert c.running(), c.logs()
        assert time.monotonic() < deadline, c.logs()
        time.sleep(0.05)
    return c


def test_ping_only_after_the_model_is_loaded(served: Container) -> None:
    # Polled from the container's start: nothing but refused connections, then 200. A worker
    # accepts connections only once its app is loaded, so the first 200 comes from a loaded
    # worker; the other may still be loading ONNX Runtime (each worker loads its own, after
    # the fork) and joins within a few seconds.
    logs = served.logs()
    assert logs.count("model loaded") >= 1, logs
    assert "Booting worker" in logs
    deadline = time.monotonic() + 30
    while (logs := served.logs()).count("model loaded") < 2:
        assert time.monotonic() < deadline, logs
        time.sleep(0.1)


def test_a_bad_model_config_never_answers_ping(containers: Any) -> None:
    c = containers(config={"min_area": "big"})
    deadline = time.monotonic() + 60
    while c.running():
        assert c.ping() is None
        assert time.monotonic() < deadline, c.logs()
        time.sleep(0.1)
    code = image_sh("inspect", "--format", "{{.State.ExitCode}}", c.name).strip()
    assert code == "2", c.logs()
    assert "config key 'min_area'" in c.logs()


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [(".jpg", "image/jpeg"), (".png", "image/png"), ("pdf", "application/pdf")],
)
def test_invocations(
    served: Container, detector: OpenCVDetector, fmt: str, content_type: str
) -> None:
    two_pages = pdf_of(drawn_page(11), drawn_page(12))
    body = two_pages if fmt == "pdf" else encode(drawn_page(7), fmt)
    status, doc = served.request("POST", "/invocations", body, {"Content-Type": content_type})
    assert status == 200, doc
    assert isinstance(doc, dict) and doc["status"] == "succeeded"
    assert len(doc["pages"]) == (2 if fmt == "pdf" else 1)
    assert doc["room_count"] > 0
    # The image answers exactly what this tree answers in process.
    assert comparable(doc) == comparable(
        detector.process(body, name="x", content_type=content_type)
    )


def test_unsupported_type_415_and_accept_406(served: Container) -> None:
    status, doc = served.request("POST", "/invocations", b"hello", {"Content-Type": "text/plain"})
    assert status == 415 and isinstance(doc, dict) and doc["status"] == "failed"
    png = encode(drawn_page(7), ".png")
    status, _ = served.request(
        "POST", "/invocations", png, {"Content-Type": "image/png", "Accept": "text/html"}
    )
    assert status == 406


WORKER_UIDS = """
import os
for pid in filter(str.isdigit, os.listdir("/proc")):
    if int(pid) == os.getpid():
        continue
    try:
        cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\\0", b" ").decode()
        uid = next(l.split()[1] for l in open(f"/proc/{pid}/status") if l.startswith("Uid:"))
    except OSError:
        continue
    if "serve" in cmd:
        print(pid, uid)
"""


def test_workers_run_as_the_detector_user(served: Container) -> None:
    out = image_sh("exec", served.name, "python", "-c", WORKER_UIDS)
    uids = sorted(int(line.split()[1]) for line in out.splitlines())
    detector_uid = int(image_sh("exec", served.name, "id", "-u", "detector"))
    assert uids == [0, detector_uid, detector_uid], out  # the master (root) and 2 workers


SEED_CHECKS = """
import sys
from inference import model_fn; print('OK')
from detector.opencv_detector import OpenCVDetector
OpenCVDetector()
import cv2
from inference import predict_fn
detector = model_fn('/opt/ml/model')
image = cv2.imread('/plans/plan.png')
result = predict_fn({'image': image, 'metadata': {}}, detector)
print(result['room_count'], len(result['rooms']))
"""


def test_the_seed_readme_local_checks_run_inside_the_image(
    image: str, world_readable_tmp: Path, detector: OpenCVDetector
) -> None:
    plans = world_readable_tmp / f"plans-{uuid.uuid4().hex[:6]}"
    plans.mkdir(mode=0o755)
    png = encode(drawn_page(7), ".png")
    (plans / "plan.png").write_bytes(png)
    (plans / "plan.png").chmod(0o644)
    model_dir = make_model_dir(world_readable_tmp)
    out = image_sh(
        "run", "--rm", "--network", "none", "--entrypoint", "python",
        "-v", f"{plans}:/plans:ro", "-v", f"{model_dir}:/opt/ml/model:ro",
        image, "-c", SEED_CHECKS,
    )  # fmt: skip
    lines = out.split()
    assert lines[0] == "OK"
    want = detector.process(png, name="x", content_type="image/png")["room_count"]
    assert lines[1:] == [str(want), str(want)]


def test_the_image_carries_no_development_tools(image: str) -> None:
    out = image_sh(
        "run", "--rm", "--network", "none", "--entrypoint", "ls", image, "/opt/program",
        "/opt/program/detector",
    )  # fmt: skip
    assert "detector_dev" not in out and "synthetic.py" not in out and "benchmark.py" not in out


def test_sigterm_drains_in_flight_requests_and_exits_0(containers: Any) -> None:
    c = containers()
    deadline = time.monotonic() + 120
    while c.ping() != 200:
        assert time.monotonic() < deadline, c.logs()
        time.sleep(0.05)
    big = encode(drawn_page(5, 3200, 2400), ".png")  # a second or so of detection
    conn = http.client.HTTPConnection("127.0.0.1", c.port, timeout=120)
    conn.request("POST", "/invocations", body=big, headers={"Content-Type": "image/png"})
    time.sleep(0.3)  # the request is in flight
    image_sh("kill", "--signal", "TERM", c.name)
    resp = conn.getresponse()
    assert resp.status == 200
    assert json.loads(resp.read())["status"] == "succeeded"
    conn.close()
    code = image_sh("wait", c.name, timeout=60).strip()
    assert code == "0", c.logs()
