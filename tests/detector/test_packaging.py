"""`pip install .` into a fresh virtual environment gives a working `location-detector`.

One real install (~1 min on 2 cores, wheels from pip's cache): the project built as a wheel,
installed with its declared dependencies under the pins of model/requirements.txt into a venv
that sees nothing of this one, then `detect` run on a plan.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import cv2
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_runtime_dependency_is_pinned_for_the_container():
    """One list of what the CLI needs (pyproject), one set of exact versions (the pins)."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {
        _name(line): line.split("==")[1].strip()
        for line in (ROOT / "model" / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    from packaging.requirements import Requirement

    for dep in declared:
        req = Requirement(dep)
        assert _name(dep) in pins, f"{dep} has no pin in model/requirements.txt"
        assert req.specifier.contains(pins[_name(dep)]), f"pin {pins[_name(dep)]} outside {dep}"


@pytest.mark.slow
def test_pip_install_into_a_fresh_venv_gives_a_working_cli(tmp_path, small_plan):
    dist, venv = tmp_path / "dist", tmp_path / "venv"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", dist, ROOT], check=True, cwd=tmp_path)
    (wheel,) = dist.glob("location_detector-*.whl")
    packages = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert "detector" in packages and "detector_dev" not in packages  # the tooling stays home
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run(
        [
            venv / "bin/python",
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "-c",
            ROOT / "model" / "requirements.txt",
            wheel,
        ],
        check=True,
    )
    cli = venv / "bin" / "location-detector"
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True)
    from detector import __version__

    assert version.stdout.strip() == f"location-detector {__version__}"
    plan = tmp_path / "plan.png"
    cv2.imwrite(str(plan), small_plan.image)
    out = tmp_path / "plan.json"
    # run from elsewhere, so only the installed package can be imported
    done = subprocess.run(
        [cli, "detect", plan, "--out", out, "--overlay"],
        capture_output=True,
        text=True,
        cwd=venv,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text())
    assert doc["status"] == "succeeded" and doc["room_count"] == small_plan.room_count
    assert (tmp_path / "plan.overlay.png").stat().st_size > 0
