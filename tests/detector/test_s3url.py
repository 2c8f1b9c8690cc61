"""`detector.s3url`: the one parser of S3 locations (Lambdas, server and stand-ins use it)."""

from __future__ import annotations

import pytest

from detector.s3url import S3UrlError, parse_s3_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("s3://b/blueprints/a b.png", ("b", "blueprints/a b.png")),
        # '?' and '#' are key characters in an s3:// URI, not a query or a fragment
        ("s3://b/plans/what?#1.png", ("b", "plans/what?#1.png")),
        ("s3://b/a%20b.png", ("b", "a%20b.png")),  # verbatim: S3 URIs are not encoded
        ("https://b.s3.eu-west-1.amazonaws.com/a%20b.png", ("b", "a b.png")),
        ("https://s3.amazonaws.com/b/k/x.png", ("b", "k/x.png")),
        ("http://localhost:4566/b/k.png", ("b", "k.png")),
    ],
)
def test_bucket_and_key(url, expected):
    assert parse_s3_url(url) == expected


@pytest.mark.parametrize(
    "url",
    ["s3://b", "s3:///k", "ftp://b/k", "http://b.s3.amazonaws.com/k", "https://example.com/b/k"],
)
def test_refused(url):
    with pytest.raises(S3UrlError):
        parse_s3_url(url)


def test_s3_only_refuses_urls_and_is_a_value_error():
    assert parse_s3_url("s3://b/k?x", s3_only=True) == ("b", "k?x")
    with pytest.raises(ValueError, match="not an s3:// URI"):
        parse_s3_url("https://b.s3.amazonaws.com/k", s3_only=True)
