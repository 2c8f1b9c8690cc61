"""The deployment zips: deterministic, complete, and importable with only what Lambda provides."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lambda_harness import EVENTS, ROOT

OUT = ROOT / "build" / "functions"
NAMES = ("trigger", "success", "failure", "reconciler")
# What the python3.11 Lambda runtime provides besides the standard library.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "urllib3", "dateutil", "six.py")


@pytest.fixture(scope="module")
def zips() -> dict[str, Path]:
    """`make functions` (a no-op when the zips are up to date)."""
    subprocess.run(["make", "-s", "functions"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return {name: OUT / f"{name}.zip" for name in NAMES}


def test_zips_are_byte_identical_when_rebuilt(zips: dict[str, Path], tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "functions"))
    try:
        import build_zips
    finally:
        sys.path.remove(str(ROOT / "functions"))
    # Source mtimes must not matter: touch one before rebuilding.
    app = ROOT / "functions" / "trigger" / "app.py"
    stat = app.stat()
    os.utime(app, (stat.st_atime, stat.st_mtime + 3600))
    try:
        assert build_zips.main(["--deps", str(OUT / "deps"), "--out", str(tmp_path)]) == 0
    finally:
        os.utime(app, (stat.st_atime, stat.st_mtime))
    for name, path in zips.items():
        assert (tmp_path / f"{name}.zip").read_bytes() == path.read_bytes(), name


def test_zip_contents(zips: dict[str, Path]) -> None:
    for name, path in zips.items():
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = [i.filename for i in infos]
            assert names == sorted(names)
            assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
            assert {i.external_attr >> 16 for i in infos} == {0o100644}
            assert archive.read("app.py") == (ROOT / "functions" / name / "app.py").read_bytes()
            for rel in ("__init__.py", "config.py", "errors.py", "results.py"):
                shipped = archive.read(f"detector/{rel}")
                assert shipped == (ROOT / "model" / "detector" / rel).read_bytes()
            assert "detector/schema/results.schema.json" in names
            assert "pipeline/callbacks.py" in names
            assert "aws_lambda_powertools/__init__.py" in names
            assert "jsonschema/__init__.py" in names
            assert any(n.startswith("pydantic_core/_pydantic_core") for n in names)
            tops = {n.split("/")[0] for n in names}
            assert not tops & {"boto3", "botocore", "numpy", "cv2", "bin", "build_zips.py"}
            assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
            # RECORDs list only shipped files (console scripts hash the build machine's path).
            for record in (n for n in names if n.endswith(".dist-info/RECORD")):
                lines = archive.read(record).decode().splitlines()
                assert not [x for x in lines if x.startswith(("../", "bin/"))], record


def _sns_test_event() -> str:
    return (EVENTS / "sqs_sns_sagemaker_test_notification.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_zip_runs_with_only_the_lambda_runtime(
    zips: dict[str, Path], name: str, tmp_path: Path
) -> None:
    """Unzip, then import and invoke the handler in a bare interpreter (no site-packages)
    whose path holds only the zip and the packages the Lambda runtime ships."""
    code = tmp_path / "task"
    with zipfile.ZipFile(zips[name]) as archive:
        archive.extractall(code)
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    import boto3

    site = Path(boto3.__file__).resolve().parents[1]
    for package in RUNTIME_PACKAGES:
        (runtime / package).symlink_to(site / package)

    if name == "trigger":
        event = (EVENTS / "sqs_s3_test_event.json").read_text(encoding="utf-8")
        event = event.replace("{{blueprints_bucket}}", "some-bucket")
    elif name == "reconciler":
        event = ""
    else:
        event = _sns_test_event()
    script = f"""
import json, sys
sys.path[:0] = [{str(code)!r}, {str(runtime)!r}]
import app
for mod in ("numpy", "cv2"):
    assert mod not in sys.modules, mod
if {name!r} == "reconciler":  # no table to query here: the cold start is the check
    print("RESULT", json.dumps({{"batchItemFailures": []}}))
    raise SystemExit(0)
class Context:
    function_name = "smoke"; memory_limit_in_mb = 128; aws_request_id = "1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:smoke"
    def get_remaining_time_in_millis(self): return 30000
print("RESULT", json.dumps(app.lambda_handler(json.loads(sys.stdin.read()), Context())))
"""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "TABLE_NAME": "smoke-table",
        "RESULTS_BUCKET": "smoke-results",
        "ENDPOINT_NAME": "smoke-endpoint",
        "RETRY_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/smoke",
        "DEAD_LETTER_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/smoke-dlq",
        "STATUS_INDEX_NAME": "status-deadline",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    proc = subprocess.run(
        [sys.executable, "-S", "-c", script],
        input=event,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    [line] = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    assert json.loads(line.removeprefix("RESULT ")) == {"batchItemFailures": []}


def test_shipped_pins_are_the_versions_the_tests_run_with() -> None:
    from importlib.metadata import version

    pins = [
        line.split("==")
        for line in (ROOT / "functions" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert pins, "functions/requirements.txt lists nothing"
    for name, pinned in pins:
        assert version(name) == pinned, f"{name}: venv has {version(name)}, zips get {pinned}"
