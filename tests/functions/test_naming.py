"""The pipeline package's plain functions: naming, settings, classification, parsing."""

from __future__ import annotations

import re

import pytest

from pipeline.errors import MalformedMessageError
from pipeline.naming import (
    PlanRef,
    inference_id,
    input_location,
    output_filename,
    output_path_extension,
    parse_s3_url,
    pinned_input_key,
    result_key,
    split_inference_id,
)

FILENAME = re.compile(r"^(?!.*\..*\.)[a-zA-Z0-9][a-zA-Z0-9\-_.]*$")  # the API's pattern
PLAN_ID = "0123456789abcdef0123456789abcdef"
EXTENSION = re.compile(r"^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$")


# --- names ---------------------------------------------------------------------------------


def test_output_named_after_the_plan_as_the_readme_shows() -> None:
    assert output_filename("blueprints/test-001.png") == "test-001.out"
    assert output_path_extension("blueprints/test-001.png", "blueprints/", PLAN_ID) == PLAN_ID
    assert output_path_extension(
        "blueprints/site-a/level_2/test-001.png", "blueprints/", PLAN_ID
    ) == (f"site-a/level_2/{PLAN_ID}")


@pytest.mark.parametrize(
    "key",
    [
        "blueprints/plan with spaces.png",
        "blueprints/étage – 2.pdf",
        "blueprints/plan.v2.final.tiff",
        "blueprints/_hidden.png",
        "blueprints/.png",
        "blueprints/" + "x" * 200 + ".png",
        "blueprints/日本/図面.jpg",
    ],
)
def test_output_names_always_satisfy_the_api(key: str) -> None:
    name = output_filename(key)
    assert len(name) <= 32 and FILENAME.match(name), name
    ext = output_path_extension(key, "blueprints/", PLAN_ID)
    assert len(ext) <= 512 and EXTENSION.match(ext), ext


def test_plans_in_different_folders_or_with_unsafe_names_never_collide() -> None:
    keys = [
        "blueprints/a/plan.png",
        "blueprints/b/plan.png",
        "blueprints/a b/plan.png",
        "blueprints/a_b/plan.png",
        "blueprints/plan 1.png",
        "blueprints/plan_1.png",
        "blueprints/plan-1.png",
    ]
    outputs = {
        (output_path_extension(k, "blueprints/", PlanRef("b", k).plan_id), output_filename(k))
        for k in keys
    }
    assert len(outputs) == len(keys)
    # Two uploads (versions) of one key never share an output either.
    versions = [PlanRef("b", keys[0], v) for v in ("v1", "v2")]
    assert len({output_path_extension(keys[0], "blueprints/", p.plan_id) for p in versions}) == 2


def test_pinned_input_key_is_per_upload_and_outside_the_uploads_prefix() -> None:
    plan = PlanRef("b", "blueprints/site/a b.png", "v1")
    key = pinned_input_key(plan, "inputs/")
    assert key == f"inputs/{plan.plan_id}/a b.png"
    assert key != pinned_input_key(PlanRef("b", "blueprints/site/a b.png", "v2"), "inputs/")


def test_inference_ids_are_deterministic_and_reversible() -> None:
    plan = PlanRef("bucket", "blueprints/a.png", None, '"abc"')
    assert plan.plan_id == PlanRef("bucket", "blueprints/a.png", None, "abc").plan_id
    assert plan.plan_id != PlanRef("bucket", "blueprints/a.png", None, "abd").plan_id
    assert plan.plan_id != PlanRef("bucket", "blueprints/a.png", "v1", "abc").plan_id
    iid = inference_id(plan.plan_id, 3)
    assert len(iid) <= 64
    assert split_inference_id(iid) == (plan.plan_id, 3)
    with pytest.raises(MalformedMessageError):
        split_inference_id("8a80ed4e-1ff9-4c2b-bf16-31bdd5d17835")  # SageMaker's own uuid


def test_input_location_and_result_key() -> None:
    assert input_location(PlanRef("b", "blueprints/a b.png")) == "s3://b/blueprints/a b.png"
    assert input_location(PlanRef("b", "blueprints/é.png")) == "s3://b/blueprints/%C3%A9.png"
    assert result_key("blueprints/x/test-001.png", "results/") == (
        "results/blueprints/x/test-001.png.json"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("s3://res/sagemaker-output/a b/x.out", ("res", "sagemaker-output/a b/x.out")),
        ("s3://res/sagemaker-output/x#1?.out", ("res", "sagemaker-output/x#1?.out")),
        ("https://res.s3.eu-west-1.amazonaws.com/out/a%20b.out", ("res", "out/a b.out")),
        ("https://res.s3.amazonaws.com/out/x.out", ("res", "out/x.out")),
        (
            "https://my.dotted.bucket.s3-us-west-2.amazonaws.com/o/x.out",
            ("my.dotted.bucket", "o/x.out"),
        ),
        ("https://s3.us-east-1.amazonaws.com/res/out/%C3%A9.out", ("res", "out/é.out")),
        ("https://s3.amazonaws.com/res/out/x.out", ("res", "out/x.out")),
        ("https://localhost:4566/res/out/x.out", ("res", "out/x.out")),
        ("http://127.0.0.1:5000/res/out/a%20b.out", ("res", "out/a b.out")),
    ],
)
def test_parse_s3_url(url: str, expected: tuple[str, str]) -> None:
    assert parse_s3_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://res.s3.amazonaws.com/x",
        "http://s3.us-east-1.amazonaws.com/res/x",
        "https://example.com/x",
        "s3://bucket",
        "ftp://a/b",
    ],
)
def test_parse_s3_url_refuses_other_urls(url: str) -> None:
    with pytest.raises(MalformedMessageError):
        parse_s3_url(url)


# --- settings ------------------------------------------------------------------------------

BASE = {"TABLE_NAME": "tbl", "RESULTS_BUCKET": "results-bucket"}
