"""Helpers for the container tests: the real `serve` process, drawn plans, hostile inputs.

Servers are the real entrypoint (`model/serve`, executed through its shebang) started as a
subprocess on a free port with a temporary model directory, exactly as `docker run IMAGE serve`
starts it, minus Docker.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from detector_dev.machine import free_port
from detector_dev.synthetic import draw_plan

REPO = Path(__file__).resolve().parents[2]
SERVE = REPO / "model" / "serve"
SHIPPED_CONFIG = REPO / "model" / "config.json"
# The body cap of the shared test server: small, so the oversized-body test stays fast.
TEST_MAX_BODY = 4 * 1024 * 1024


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class ServerProcess:
    """A running `serve` process and a tiny HTTP client for it."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
        self.proc = proc
        self.port = port
        self.log_path = log_path

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        finally:
            conn.close()

    def invoke(self, body: bytes, content_type: str | None, **headers: str) -> Response:
        h = dict(headers)
        if content_type is not None:
            h["Content-Type"] = content_type
        return self.request("POST", "/invocations", body, h)

    def ping_status(self) -> int | None:
        try:
            return self.request("GET", "/ping", timeout=2).status
        except OSError:
            return None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return int(self.proc.returncode)


def serve_env(**env: str) -> dict[str, str]:
    """The environment `serve` runs in: this interpreter for its shebang, no PYTHONPATH."""
    full = {
        **os.environ,
        # The shebang is `/usr/bin/env python3`: resolve it to this interpreter (the venv's).
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        **env,
    }
    full.pop("PYTHONPATH", None)  # the entrypoint must find its modules by itself
    return full


def start_server(
    model_dir: Path,
    log_dir: Path,
    *,
    wait: bool = True,
    serve: Path = SERVE,
    **env: str,
) -> ServerProcess:
    """Start `serve serve` on a free port; with `wait`, return once /ping answers 200."""
    port = free_port()
    defaults = {
        "SAGEMAKER_BIND_TO_PORT": str(port),
        "SAGEMAKER_MODEL_SERVER_WORKERS": "2",
        "MODEL_DIR": str(model_dir),
        "MODEL_SERVER_ACCESS_LOG": "false",
    }
    full_env = serve_env(**{**defaults, **env})
    log_path = log_dir / f"serve-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(serve), "serve"], env=full_env, stdout=log, stderr=subprocess.STDOUT, cwd="/"
        )
    server = ServerProcess(proc, port, log_path)
    if wait:
        deadline = time.monotonic() + 30
        while server.ping_status() != 200:
            if proc.poll() is not None:
                raise AssertionError(f"serve exited {proc.returncode}:\n{server.log()}")
            if time.monotonic() > deadline:
                server.stop()
                raise AssertionError(f"serve never answered /ping:\n{server.log()}")
            time.sleep(0.05)
    return server


def make_model_dir(parent: Path, config: dict[str, Any] | None = None) -> Path:
    """A model directory as SageMaker unpacks model.tar.gz (world-readable, like the artifact)."""
    model_dir = Path(tempfile.mkdtemp(prefix="model-", dir=parent))
    target = model_dir / "config.json"
    if config is None:
        shutil.copyfile(SHIPPED_CONFIG, target)
    else:
        target.write_text(json.dumps(config))
    model_dir.chmod(0o755)
    target.chmod(0o644)
    return model_dir


# --- plans in every format ---------------------------------------------------------------


def drawn_page(seed: int, width: int = 800, height: int = 600) -> np.ndarray:
    return draw_plan(seed, width, height).image


def encode(image: np.ndarray, ext: str) -> bytes:
    ok, buf = cv2.imencode(ext, image)
    assert ok, ext
    return buf.tobytes()


def pdf_of(*pages: np.ndarray, dpi: float = 100.0) -> bytes:
    """A multi-page PDF made with Pillow's PDF writer, one image per page."""
    images = [Image.fromarray(p) for p in pages]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buf.getvalue()


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_bomb(side: int = 100_000) -> bytes:
    """A tiny PNG whose header claims side x side pixels (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + _png_chunk(b"IEND", b"")
    )


def encrypted_pdf() -> bytes:
    """A PDF behind the standard security handler whose empty user password does not open it."""
    o, u = (bytes(range(i, i + 32)).hex() for i in (0, 100))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        f"<< /Filter /Standard /V 1 /R 2 /O <{o}> /U <{u}> /P -44 >>".encode(),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    ident = "0123456789abcdef0123456789abcdef"
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Encrypt 4 0 R "
        f"/ID [<{ident}> <{ident}>] >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """A results document without what legitimately differs between two runs."""
    doc = {k: v for k, v in doc.items() if k not in {"timings_ms", "rooms"}}
    doc["source"] = {k: v for k, v in doc["source"].items() if k not in {"name", "uri"}}
    return doc
