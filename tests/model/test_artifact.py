"""`make model-artifact`: the model.tar.gz SageMaker unpacks into /opt/ml/model."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

from container_helpers import REPO, SHIPPED_CONFIG

import inference
from detector.config import load_config


def make_artifact(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", "--no-print-directory", "model-artifact", f"MODEL_ARTIFACT={out}", *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_artifact_holds_the_config_and_is_reproducible(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "model.tar.gz", tmp_path / "b" / "model.tar.gz"
    for out in (first, second):
        proc = make_artifact(out)
        assert proc.returncode == 0, proc.stderr
    assert first.read_bytes() == second.read_bytes()
    with tarfile.open(first) as tar:
        (member,) = tar.getmembers()
        assert member.name == "config.json"
        assert (member.uid, member.gid, member.mtime) == (0, 0, 0)
        assert member.mode & 0o444 == 0o444  # readable by an unprivileged worker
        extracted = tar.extractfile(member)
        assert extracted is not None
        assert json.loads(extracted.read()) == json.loads(SHIPPED_CONFIG.read_text())
        tar.extractall(tmp_path / "opt-ml-model", filter="data")
    assert inference.model_fn(tmp_path / "opt-ml-model").config == load_config(SHIPPED_CONFIG)


def test_an_invalid_config_fails_the_build(tmp_path: Path) -> None:
    bad = tmp_path / "config.json"
    bad.write_text(json.dumps({"min_area": 0.5, "max_area": 0.1}))
    out = tmp_path / "model.tar.gz"
    proc = make_artifact(out, f"MODEL_CONFIG={bad}")
    assert proc.returncode != 0
    assert "min_area" in proc.stderr
    assert not out.exists()
