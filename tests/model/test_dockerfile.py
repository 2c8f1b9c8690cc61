"""model/Dockerfile without a Docker engine: its instructions, and the image's file layout run.

There is no engine here to build the image, so the test reads the Dockerfile as Docker would
(instructions, continuations, exec-form JSON) and checks what SageMaker needs of it. Then it
stages exactly the files its COPY instructions take from the build context (honouring
.dockerignore) into a fresh folder and starts `serve` from there, proving the image carries
every module the server imports.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from container_helpers import REPO, ServerProcess, drawn_page, encode

CONTEXT = REPO / "model"
DOCKERFILE = CONTEXT / "Dockerfile"
DOCKERIGNORE = CONTEXT / ".dockerignore"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuations joined."""
    result: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = pending + stripped
        pending = ""
        keyword, _, args = full.partition(" ")
        result.append((keyword.upper(), args.strip()))
    assert not pending, "the Dockerfile ends inside a continued instruction"
    return result


@pytest.fixture(scope="module")
def parsed() -> list[tuple[str, str]]:
    return instructions(DOCKERFILE.read_text())


def _args(parsed: list[tuple[str, str]], keyword: str) -> list[str]:
    return [a for k, a in parsed if k == keyword]


def test_base_is_a_slim_python_311_never_latest(parsed: list[tuple[str, str]]) -> None:
    arg_defaults = dict(a.split("=", 1) for a in _args(parsed, "ARG") if "=" in a)
    (base,) = _args(parsed, "FROM")
    image = re.sub(r"\$\{(\w+)\}", lambda m: arg_defaults[m.group(1)], base)
    name, _, tag = image.partition(":")
    assert name == "python"
    assert tag.startswith("3.11") and "slim" in tag
    assert "latest" not in image


def test_entrypoint_is_exec_form_and_serve_is_the_argument(
    parsed: list[tuple[str, str]],
) -> None:
    (entrypoint,) = _args(parsed, "ENTRYPOINT")
    (cmd,) = _args(parsed, "CMD")
    assert json.loads(entrypoint) == ["/opt/program/serve"]
    assert json.loads(cmd) == ["serve"]  # SageMaker passes `serve` in place of CMD


def test_only_the_pinned_requirements_are_installed(parsed: list[tuple[str, str]]) -> None:
    assert "requirements.txt /opt/program/requirements.txt" in _args(parsed, "COPY")
    installs = [a for a in _args(parsed, "RUN") if "pip install" in a]
    (install,) = installs
    assert install.startswith(
        "pip install --only-binary=:all: --no-deps -r /opt/program/requirements.txt"
    )
    assert install.count("pip install") == 1  # the pins are the whole runtime
    for line in (CONTEXT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\],]+==[\w.]+", line.strip()), line
    names = (CONTEXT / "requirements.txt").read_text().lower()
    assert "pypdfium2==" in names and "gunicorn==" in names  # PDF support and the server


def test_sagemaker_conventions(parsed: list[tuple[str, str]]) -> None:
    keywords = {k for k, _ in parsed}
    assert _args(parsed, "EXPOSE") == ["8080"]
    assert "HEALTHCHECK" not in keywords  # SageMaker pings /ping itself
    assert "ADD" not in keywords  # nothing fetched from URLs
    assert "USER" not in keywords  # SageMaker expects root; the workers drop privileges
    env = " ".join(_args(parsed, "ENV"))
    assert "MODEL_SERVER_USER=detector" in env
    assert any("useradd" in a and "detector" in a for a in _args(parsed, "RUN"))
    for run in _args(parsed, "RUN"):
        assert not re.search(r"\b(curl|wget)\b", run), run


def _ignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text().splitlines()
    return [p.strip() for p in lines if p.strip() and not p.strip().startswith("#")]


def _ignored(rel: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = rel.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pat = pattern.lstrip("!").rstrip("/")
        if any(fnmatch.fnmatch(p, pat) for p in prefixes):
            ignored = not negate
    return ignored


def stage_image(root: Path) -> Path:
    """Copy what the COPY instructions take from the context into `root`; return the WORKDIR."""
    patterns = _ignore_patterns()
    parsed = instructions(DOCKERFILE.read_text())
    for keyword, args in parsed:
        if keyword != "COPY":
            continue
        *sources, dest = args.split()
        assert not any(s.startswith("--") for s in sources), "no COPY flags expected"
        for source in sources:
            src = CONTEXT / source
            assert src.exists(), f"COPY {source}: not in the build context"
            assert not _ignored(source, patterns), f"COPY {source}: excluded by .dockerignore"
            target = root / dest.lstrip("/")
            if src.is_dir():
                for f in src.rglob("*"):
                    rel = f.relative_to(CONTEXT).as_posix()
                    if f.is_file() and not _ignored(rel, patterns):
                        out = target / f.relative_to(src)
                        out.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(f, out)
            else:
                out = target / src.name if dest.endswith("/") else target
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, out)
    (workdir,) = _args(parsed, "WORKDIR")
    return root / workdir.lstrip("/")


def test_dockerignore_sends_what_the_image_needs_and_no_more() -> None:
    patterns = _ignore_patterns()
    for needed in (
        "requirements.txt",
        "serve",
        "inference.py",
        "detector/results.py",
        "detector/schema/results.schema.json",
        "serving/app.py",
        "config.json",
    ):
        assert not _ignored(needed, patterns), needed  # fmt: skip
    for unwanted in (
        "location_detector.egg-info/PKG-INFO",
        "detector/__pycache__/x.pyc",
        "detector_dev/synthetic.py",  # development tooling: never in the image
        "Dockerfile",
        "build-and-push.sh",
        "README.md",
    ):
        assert _ignored(unwanted, patterns), unwanted  # fmt: skip


def test_the_image_layout_serves_on_its_own(
    world_readable_tmp: Path, model_dir: Path, server_factory: Any
) -> None:
    """`serve` from the staged /opt/program: its own detector package, not the repository's."""
    program = stage_image(world_readable_tmp / "image")
    serve = program / "serve"
    assert serve.stat().st_mode & 0o111, "serve must be executable"
    srv: ServerProcess = server_factory(model_dir, serve=serve)
    assert f"detector package at {program}/detector/__init__.py" in srv.log()
    resp = srv.invoke(encode(drawn_page(21), ".png"), "image/png")
    assert resp.status == 200, resp.body
    assert resp.json()["room_count"] > 0
