"""Fixtures for the container tests (helpers live in container_helpers.py)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from container_helpers import (
    SHIPPED_CONFIG,
    TEST_MAX_BODY,
    ServerProcess,
    drawn_page,
    encode,
    make_model_dir,
    pdf_of,
    start_server,
)

from detector.config import load_config
from detector.opencv_detector import OpenCVDetector


@pytest.fixture(scope="session")
def world_readable_tmp() -> Iterator[Path]:
    """A temp folder every user can enter (pytest's own is 0700, too tight for worker users)."""
    path = Path(tempfile.mkdtemp(prefix="ld-model-tests-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def model_dir(world_readable_tmp: Path) -> Path:
    return make_model_dir(world_readable_tmp)


@pytest.fixture(scope="session")
def detector() -> OpenCVDetector:
    """The in-process detector the server's answers are compared with."""
    return OpenCVDetector(load_config(SHIPPED_CONFIG))


@pytest.fixture(scope="module")
def server(model_dir: Path, world_readable_tmp: Path) -> Iterator[ServerProcess]:
    """One real server shared by a test module (bad-input tests do not disturb it)."""
    srv = start_server(
        model_dir, world_readable_tmp, MODEL_SERVER_MAX_BODY_BYTES=str(TEST_MAX_BODY)
    )
    yield srv
    srv.stop()


@pytest.fixture
def server_factory(world_readable_tmp: Path) -> Iterator[Any]:
    """Start extra servers inside a test; every one is stopped at teardown."""
    started: list[ServerProcess] = []

    def factory(model_dir: Path, **kwargs: Any) -> ServerProcess:
        srv = start_server(model_dir, world_readable_tmp, **kwargs)
        started.append(srv)
        return srv

    yield factory
    for srv in started:
        srv.stop()


@pytest.fixture(scope="session")
def plans() -> dict[str, tuple[bytes, str]]:
    """Real plans by format: name -> (bytes, content type)."""
    page = drawn_page(7)
    return {
        "png": (encode(page, ".png"), "image/png"),
        "jpeg": (encode(page, ".jpg"), "image/jpeg"),
        "tiff": (encode(page, ".tiff"), "image/tiff"),
        "pdf": (pdf_of(drawn_page(11), drawn_page(12)), "application/pdf"),
    }
