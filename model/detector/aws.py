"""boto3 for the commands that talk to AWS (or an emulator): an optional dependency.

`pip install 'location-detector[aws]'` brings boto3; without it those commands say so. The
endpoint, region and credentials come from boto3's own chain (`AWS_ENDPOINT_URL`,
`AWS_REGION`, profiles), or `--endpoint-url` for an emulator: nothing is spelled here.
"""

from __future__ import annotations

from typing import Any

from .errors import DetectorError
from .s3url import S3UrlError, parse_s3_url


class AwsUnavailableError(DetectorError):
    """boto3 is not installed (the `aws` extra)."""


def _boto3() -> Any:
    try:
        import boto3
    except ModuleNotFoundError as err:
        raise AwsUnavailableError(
            "this command talks to AWS and needs boto3: pip install 'location-detector[aws]'"
        ) from err
    return boto3


def client(service: str, endpoint_url: str | None = None) -> Any:
    return _boto3().client(service, endpoint_url=endpoint_url)


def resource(service: str, endpoint_url: str | None = None) -> Any:
    return _boto3().resource(service, endpoint_url=endpoint_url)


def s3_fetch(s3: Any, max_bytes: int) -> Any:
    """A `report.Fetch` reading `s3://` plans (at most `max_bytes`; None if absent or larger)."""
    from botocore.exceptions import ClientError

    def fetch(uri: str) -> bytes | None:
        try:
            bucket, key = parse_s3_url(uri, s3_only=True)
            head = s3.head_object(Bucket=bucket, Key=key)
            if head["ContentLength"] > max_bytes:
                return None
            return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        except (S3UrlError, ClientError):
            return None

    return fetch
