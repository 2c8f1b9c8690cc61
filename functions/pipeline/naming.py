"""Names derived from a plan: ids, S3 URIs, output and result keys.

Everything here is a pure function of its arguments, so the same upload always maps to the
same inference id, output name and result key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote

from detector import s3url

from .errors import MalformedMessageError

# InvokeEndpointAsync's `Filename`: at most 32 characters, one dot, [A-Za-z0-9_.-], starting
# with a letter or digit. `S3OutputPathExtension`: [a-zA-Z0-9!_.*'()/-], at most 512.
_FILENAME_MAX = 32
_OUT_SUFFIX = ".out"
_UNSAFE_STEM = re.compile(r"[^A-Za-z0-9_-]")
_UNSAFE_SEGMENT = re.compile(r"[^A-Za-z0-9!_.*'()-]")
_EXTENSION_MAX = 512
_PRINTABLE_ASCII = "".join(chr(c) for c in range(0x21, 0x7F))


def _digest(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


@dataclass(frozen=True)
class PlanRef:
    """One uploaded object version: what a plan *is* for the pipeline."""

    bucket: str
    key: str
    version_id: str | None = None
    etag: str | None = None

    @property
    def plan_id(self) -> str:
        """Stable id of this upload: the same bucket, key and version/ETag give the same id."""
        revision = self.version_id or (self.etag or "").strip('"')
        return hashlib.sha256(f"{self.bucket}\n{self.key}\n{revision}".encode()).hexdigest()[:32]

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def name(self) -> str:
        return PurePosixPath(self.key).name or self.key


def inference_id(plan_id: str, attempt: int) -> str:
    """The InferenceId of one attempt (<= 64 printable characters, as the API requires)."""
    if attempt < 1:
        raise ValueError("attempt starts at 1")
    return f"{plan_id}-{attempt}"


def split_inference_id(value: str) -> tuple[str, int]:
    """Inverse of `inference_id`; raises `MalformedMessageError` for ids we did not make."""
    plan_id, sep, attempt = value.rpartition("-")
    if not sep or not re.fullmatch(r"[0-9a-f]{32}", plan_id) or not attempt.isdigit():
        raise MalformedMessageError(f"inference id {value!r} was not issued by this pipeline")
    return plan_id, int(attempt)


def plan_record_id(plan_id: str) -> str:
    """Key of the plan's status item (idempotency items use other prefixes)."""
    return f"plan#{plan_id}"


def output_filename(key: str) -> str:
    """`blueprints/test-001.png` -> `test-001.out`: the plan's stem, made safe for the API.

    A stem that had to be changed (unsafe characters, too long) gets a short hash of the
    original, so two different names never end up with the same file name.
    """
    stem = PurePosixPath(key).stem
    safe = _UNSAFE_STEM.sub("_", stem)
    if safe == stem and safe[:1].isalnum() and len(safe) + len(_OUT_SUFFIX) <= _FILENAME_MAX:
        return safe + _OUT_SUFFIX
    head = re.sub(r"^[^A-Za-z0-9]+", "", safe)[:19]
    digest = _digest(stem)
    return (f"{head}-{digest}" if head else digest) + _OUT_SUFFIX


def output_path_extension(key: str, blueprints_prefix: str, plan_id: str) -> str:
    """The plan's folder below the blueprints prefix, then the plan id.

    `blueprints/a/b/x.png` -> `a/b/<plan id>`; `blueprints/x.png` -> `<plan id>`. The plan id
    keeps every upload's output apart: two versions of one key never share an output object,
    so a result always describes the bytes it was made from. Unsafe folder names are replaced
    and tagged with a hash of the original segment.
    """
    rel = key[len(blueprints_prefix) :] if key.startswith(blueprints_prefix) else key
    folder = PurePosixPath(rel).parent.as_posix()
    if folder in ("", "."):
        return plan_id
    segments = []
    for seg in folder.split("/"):
        safe = _UNSAFE_SEGMENT.sub("_", seg)
        if safe != seg or safe in ("", ".", ".."):
            safe = f"{safe}-{_digest(seg)}"
        segments.append(safe)
    ext = "/".join(segments)
    if len(ext) + 1 + len(plan_id) > _EXTENSION_MAX:
        ext = f"{ext[:200]}-{_digest(folder, 16)}"
    return f"{ext}/{plan_id}"


def pinned_input_key(plan: PlanRef, inputs_prefix: str) -> str:
    """Immutable copy of one uploaded version: `inputs/<plan id>/<file name>`."""
    return f"{inputs_prefix}{plan.plan_id}/{plan.name}"


def input_location(ref: PlanRef) -> str:
    """The `InputLocation` for a plan: an `s3://` URI, as SageMaker expects.

    Keys go in verbatim (S3 URIs are not percent-encoded), except characters an HTTP header
    cannot carry, which are percent-encoded.
    """
    key = ref.key
    if not all(c in _PRINTABLE_ASCII or c == " " for c in key):
        key = quote(key, safe=_PRINTABLE_ASCII + " ")
    return f"s3://{ref.bucket}/{key}"


def result_key(plan_key: str, results_prefix: str) -> str:
    """`blueprints/test-001.png` -> `results/blueprints/test-001.png.json`."""
    return f"{results_prefix}{plan_key}.json"


def parse_s3_url(url: str) -> tuple[str, str]:
    """Bucket and key of an S3 location (`detector.s3url.parse_s3_url`, the one parser);
    anything else is a `MalformedMessageError`."""
    try:
        return s3url.parse_s3_url(url)
    except s3url.S3UrlError as err:
        raise MalformedMessageError(str(err)) from err
