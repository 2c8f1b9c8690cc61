"""S3 locations as text: the one parser of `s3://` URIs and S3 `https://` URLs.

Numpy-free and stdlib-only: the Lambdas (through their zips), the model server and the
local pipeline's stand-ins all read bucket and key with it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_AWS_HOST = r"s3(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?"
_LOCAL_HOSTS = ("localhost", "127.0.0.1")


class S3UrlError(ValueError):
    """Not an S3 location, or one without a bucket or a key."""


def _is_emulator(host: str | None) -> bool:
    """Plain http is only accepted from a local emulator, never from AWS."""
    return bool(host) and not (host or "").endswith((".amazonaws.com", ".amazonaws.com.cn"))


def parse_s3_url(url: str, *, s3_only: bool = False) -> tuple[str, str]:
    """Bucket and key of an `s3://` URI or an `https://` S3 URL (virtual-host or path style).

    s3:// keys are taken verbatim ('?' and '#' are part of the key, unlike in a URL); https
    keys are percent-decoded (they are URL-encoded in a URL). Plain http is accepted only
    from a local emulator (path style, e.g. `http://localhost:5000/<bucket>/<key>`).
    `s3_only` refuses everything but `s3://` (SageMaker's `InputLocation`, `ModelDataUrl`).
    Raises `S3UrlError` for anything else.
    """
    parts = urlsplit(url)
    if parts.scheme == "s3":
        bucket, _, key = url[len("s3://") :].partition("/")
    elif s3_only:
        raise S3UrlError(f"not an s3:// URI: {url!r}")
    elif parts.scheme == "https" or (parts.scheme == "http" and _is_emulator(parts.hostname)):
        host = parts.hostname or ""
        path = unquote(parts.path)
        # Virtual-host style: <bucket>.s3.<region>.amazonaws.com or <bucket>.s3.amazonaws.com
        match = re.fullmatch(rf"(?P<bucket>.+)\.{_AWS_HOST}", host)
        if match:
            bucket, key = match["bucket"], path.lstrip("/")
        elif re.fullmatch(_AWS_HOST, host) or parts.port is not None or host in _LOCAL_HOSTS:
            # Path style (also what an emulator at host:port serves): /<bucket>/<key>
            bucket, _, key = path.lstrip("/").partition("/")
        else:
            raise S3UrlError(f"not an S3 URL: {url!r}")
    else:
        raise S3UrlError(f"not an s3:// or https:// URL: {url!r}")
    if not bucket or not key:
        raise S3UrlError(f"S3 URL without bucket or key: {url!r}")
    return bucket, key
