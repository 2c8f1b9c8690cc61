"""`make functions` rebuilds on exactly the repository files the zips ship (one list)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import build_zips

ROOT = Path(__file__).resolve().parents[2]


def test_every_shipped_repository_file_is_a_make_prerequisite(tmp_path):
    listed = set(build_zips.source_files())
    deps = tmp_path / "deps"
    deps.mkdir()
    for name in build_zips.FUNCTIONS:
        assert set(build_zips.zip_entries(name, deps).values()) <= listed
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", f"PYTHON={sys.executable}",
         "--eval=print-sources: ; @echo $(FUNCTION_SOURCES)", "print-sources"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert {ROOT / p for p in out} == listed | {ROOT / "functions" / "build_zips.py"}
    assert "model/detector/formats.py" in out and "model/detector/s3url.py" in out
