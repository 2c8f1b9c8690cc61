"""The handlers of model/inference.py in process: the sagemaker-inference toolkit contract."""

from __future__ import annotations

import base64
import copy
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import pytest
from container_helpers import comparable, drawn_page, encode, pdf_of

import inference
from detector.config import load_config
from detector.errors import (
    ConfigError,
    CorruptImageError,
    EmptyInputError,
    ImageTooLargeError,
    PdfError,
)
from detector.opencv_detector import OpenCVDetector
from detector.results import SchemaValidationError, validate_document
from serving.app import PayloadTooLargeError, parse_custom_attributes, status_for
from serving.settings import Settings, SettingsError, load_settings


def test_seed_local_test_works_as_written(tmp_path: Path, model_dir: Path) -> None:
    """The seed README's local check: model_fn, then predict_fn on a cv2 image."""
    plan = tmp_path / "plan.png"
    cv2.imwrite(str(plan), drawn_page(3))
    from inference import model_fn, predict_fn

    detector = model_fn(str(model_dir))
    image = cv2.imread(str(plan))
    result = predict_fn({"image": image, "metadata": {}}, detector)
    assert result["room_count"] > 0
    assert result["room_count"] == len(result["rooms"])
    assert result["rooms"] == result["pages"][0]["rooms"]
    assert {"polygon", "bbox", "area_px", "centroid"} <= set(result["rooms"][0])


def test_toolkit_signatures() -> None:
    """The toolkit calls these positionally and refuses transform_fn next to the other three."""
    arity = {"model_fn": 1, "input_fn": 2, "predict_fn": 2, "output_fn": 2, "model_warmup_fn": 2}
    for name, n in arity.items():
        assert len(inspect.signature(getattr(inference, name)).parameters) == n, name
    assert not hasattr(inference, "transform_fn")


def test_warm_up_before_the_fork_reads_the_forests() -> None:
    """The master reads both forests before forking, so no worker's first plan pays for
    parsing them (the closet forest is 2.3 MB of JSON, and the warm-up's toy room has no
    closet candidate that would read it)."""
    from detector import closets, room_types

    closets.load_model.cache_clear()
    room_types.load_model.cache_clear()
    inference.warm_up(before_fork=True)
    assert closets.load_model.cache_info().currsize == 1
    assert room_types.load_model.cache_info().currsize == 1


def test_model_fn_reads_config_json(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"min_area": 0.01}))
    assert inference.model_fn(tmp_path).config.min_area == 0.01


def test_model_fn_without_config_uses_the_shipped_defaults(tmp_path: Path) -> None:
    assert inference.model_fn(tmp_path).config == load_config(None)


@pytest.mark.parametrize(
    ("text", "named"),
    [('{"min_area": 2}', "min_area"), ('{"colour": "red"}', "colour"), ("{nope", "JSON")],
)
def test_model_fn_fails_loudly_on_a_bad_config(tmp_path: Path, text: str, named: str) -> None:
    (tmp_path / "config.json").write_text(text)
    with pytest.raises(ConfigError, match=named):
        inference.model_fn(tmp_path)


def test_input_fn_decodes_an_image() -> None:
    data = encode(drawn_page(4), ".png")
    decoded = inference.input_fn(data, "Image/PNG; charset=binary")
    assert decoded["image"].shape[:2] == (600, 800)
    assert "pages" not in decoded
    meta = decoded["metadata"]
    assert meta["content_type"] == "image/png"
    assert meta["bytes"] == len(data)
    assert len(meta["sha256"]) == 64


def test_input_fn_returns_every_page_of_a_pdf() -> None:
    decoded = inference.input_fn(pdf_of(drawn_page(1), drawn_page(2)), "application/pdf")
    assert len(decoded["pages"]) == 2
    assert decoded["image"] is decoded["pages"][0]


def test_input_fn_accepts_json_as_text_like_the_toolkit_passes_it() -> None:
    data = encode(drawn_page(4), ".jpg")
    body = json.dumps({"image": "data:image/jpeg;base64," + base64.b64encode(data).decode()})
    decoded = inference.input_fn(body, "application/json")
    assert decoded["metadata"]["content_type"] == "image/jpeg"
    assert decoded["metadata"]["bytes"] == len(data)


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        (b"", "image/png", EmptyInputError),
        (b"\x89PNG\r\n\x1a\nbroken", "image/png", CorruptImageError),
        (b"%PDF-1.4 junk", "application/pdf", PdfError),
        (b"{}", "application/json", inference.InvalidRequestError),
        (b"[1]", "application/json", inference.InvalidRequestError),
        (b"not json", "application/json", inference.InvalidRequestError),
        (b'{"image": "@@@"}', "application/json", inference.InvalidRequestError),
        (b"a,b\n1,2", "text/csv", inference.UnsupportedContentTypeError),
    ],
)
def test_input_fn_errors(body: bytes, content_type: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        inference.input_fn(body, content_type)


def test_the_handlers_give_what_process_gives(tmp_path: Path) -> None:
    detector = inference.model_fn(tmp_path)
    data = encode(drawn_page(9), ".png")
    body, content_type = inference.output_fn(
        inference.predict_fn(inference.input_fn(data, "image/png"), detector), "application/json"
    )
    assert content_type == "application/json"
    doc = json.loads(body)
    validate_document(doc)
    assert "rooms" not in doc
    assert set(doc["timings_ms"]) == {"decode", "detect", "total"}
    want = OpenCVDetector(detector.config).process(data, name="x", content_type="image/png")
    assert comparable(doc) == comparable(want)


@pytest.mark.parametrize("accept", [None, "", "*/*", "application/json", "text/html, */*;q=0.1"])
def test_output_fn_answers_json_to_any_json_accept(tmp_path: Path, accept: str | None) -> None:
    detector = inference.model_fn(tmp_path)
    prediction = inference.predict_fn({"image": drawn_page(2), "metadata": {}}, detector)
    body, content_type = inference.output_fn(prediction, accept)
    assert content_type == "application/json"
    assert json.loads(body)["status"] == "succeeded"


def test_output_fn_refuses_other_accepts_and_invalid_documents(tmp_path: Path) -> None:
    detector = inference.model_fn(tmp_path)
    prediction = inference.predict_fn({"image": drawn_page(2), "metadata": {}}, detector)
    with pytest.raises(inference.UnsupportedAcceptError):
        inference.output_fn(prediction, "text/csv")
    with pytest.raises(SchemaValidationError, match="room_count"):
        inference.output_fn({**prediction, "room_count": -1}, "application/json")


def test_predict_fn_needs_an_image(tmp_path: Path) -> None:
    with pytest.raises(inference.InvalidRequestError):
        inference.predict_fn({"metadata": {}}, inference.model_fn(tmp_path))


def test_status_codes() -> None:
    assert status_for(inference.UnsupportedContentTypeError("x")) == 415
    assert status_for(inference.UnsupportedAcceptError("x")) == 406
    assert status_for(PayloadTooLargeError("x")) == 413
    for err in (EmptyInputError, CorruptImageError, ImageTooLargeError, PdfError):
        assert status_for(err("x")) == 400
    assert status_for(inference.InvalidRequestError("x")) == 400
    assert status_for(KeyError("bug")) == 500
    assert status_for(ConfigError("ours")) == 500


@pytest.mark.parametrize(
    ("header", "want"),
    [
        (None, {}),
        ("", {}),
        ("name=a%20b.png", {"name": "a b.png"}),
        ("uri=s3://b/blueprints/x/plan.pdf", {"uri": "s3://b/blueprints/x/plan.pdf",
                                              "name": "plan.pdf"}),
        ("trace=1; NAME = p.png ;junk", {"name": "p.png"}),
        ("name=;uri=", {}),
    ],
)  # fmt: skip
def test_custom_attributes(header: str | None, want: dict[str, str]) -> None:
    assert parse_custom_attributes(header) == want


SERVER_VARIABLES = (
    "SAGEMAKER_BIND_TO_PORT", "SAGEMAKER_MODEL_SERVER_WORKERS", "SAGEMAKER_MODEL_SERVER_TIMEOUT",
    "SAGEMAKER_BASE_DIR", "MODEL_DIR", "MODEL_SERVER_BIND", "MODEL_SERVER_THREADS",
    "MODEL_SERVER_MAX_BODY_BYTES", "MODEL_SERVER_ACCESS_LOG", "MODEL_SERVER_READ_TIMEOUT",
    "MODEL_SERVER_USER", "LOG_LEVEL",
)  # fmt: skip


@pytest.fixture
def server_env(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Settings]:
    """`load_settings()` with exactly the given server variables set."""

    def settings(**env: str) -> Settings:
        for name in SERVER_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return load_settings()

    return settings


def test_settings_defaults_follow_sagemaker(server_env: Callable[..., Settings]) -> None:
    s = server_env()
    assert (s.bind, s.port) == ("0.0.0.0", 8080)  # SageMaker connects from outside
    assert s.model_dir == Path("/opt/ml/model")
    assert s.max_body_bytes >= 100 * 1000 * 1000
    assert s.graceful_timeout_s < 30  # SageMaker sends SIGKILL 30 s after SIGTERM
    assert s.workers >= 1 and s.threads >= 2
    assert 0 < s.read_timeout_s < 60


def test_settings_from_env(server_env: Callable[..., Settings]) -> None:
    s = server_env(
        SAGEMAKER_BIND_TO_PORT="9090",
        SAGEMAKER_MODEL_SERVER_WORKERS="3",
        SAGEMAKER_MODEL_SERVER_TIMEOUT="120",
        SAGEMAKER_BASE_DIR="/srv/ml",
        MODEL_SERVER_MAX_BODY_BYTES="1000",
        MODEL_SERVER_ACCESS_LOG="off",
        MODEL_SERVER_BIND="::1",
        MODEL_SERVER_READ_TIMEOUT="2.5",
        LOG_LEVEL="debug",
        MODEL_SERVER_USER="",  # empty: not set
    )
    assert (s.port, s.workers, s.timeout_s, s.max_body_bytes) == (9090, 3, 120, 1000)
    assert s.model_dir == Path("/srv/ml/model")
    assert (s.access_log, s.bind, s.read_timeout_s, s.log_level) == (False, "::1", 2.5, "DEBUG")
    assert s.worker_user is None
    assert server_env(MODEL_DIR="/m", SAGEMAKER_BASE_DIR="/b").model_dir == Path("/m")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SAGEMAKER_BIND_TO_PORT", "http"),
        ("SAGEMAKER_BIND_TO_PORT", "70000"),
        ("SAGEMAKER_BIND_TO_PORT", "8080.5"),
        ("SAGEMAKER_MODEL_SERVER_WORKERS", "0"),
        ("MODEL_SERVER_THREADS", "1"),
        ("MODEL_SERVER_ACCESS_LOG", "maybe"),
        ("MODEL_SERVER_BIND", "localhost:80"),
        ("MODEL_SERVER_READ_TIMEOUT", "0"),
        ("MODEL_SERVER_MAX_BODY_BYTES", str(2 * 1024**3)),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_bad_settings_name_the_variable(
    server_env: Callable[..., Settings], name: str, value: str
) -> None:
    with pytest.raises(SettingsError, match=name):
        server_env(**{name: value})


def _mutations() -> list[tuple[str, Any]]:
    def first_room(d: dict[str, Any]) -> dict[str, Any]:
        return d["pages"][0]["rooms"][0]

    return [
        ("valid", lambda d: None),
        ("negative count", lambda d: d.update(room_count=-1)),
        ("unknown status", lambda d: d.update(status="done")),
        ("extra key", lambda d: d.update(colour="red")),
        ("schema version", lambda d: d.update(schema_version="2.0")),
        ("bad sha256", lambda d: d["source"].update(sha256="xyz")),
        ("error on success", lambda d: d.update(error={"type": "x", "message": "y"})),
        ("no pages", lambda d: d.pop("pages")),
        ("two-point polygon", lambda d: first_room(d).update(polygon=[[0, 0], [1, 1]])),
        ("confidence over 1", lambda d: first_room(d).update(confidence=1.5)),
        ("3-d point", lambda d: first_room(d).update(centroid=[1, 2, 3])),
        ("string area", lambda d: first_room(d).update(area_px="big")),
        ("good date", lambda d: d.update(inference={"submitted_at": "2026-11-24T04:00:00Z"})),
        ("bad date", lambda d: d.update(inference={"submitted_at": "yesterday"})),
        ("attempts 0", lambda d: d.update(inference={"attempts": 0})),
    ]


def test_fast_validation_agrees_with_the_reference_validator(tmp_path: Path) -> None:
    detector = inference.model_fn(tmp_path)
    base = inference.predict_fn({"image": drawn_page(6), "metadata": {}}, detector)
    base.pop("rooms")
    for name, mutate in _mutations():
        doc = copy.deepcopy(base)
        mutate(doc)
        verdicts = []
        for validate in (validate_document, inference.validate_fast):
            try:
                validate(doc)
                verdicts.append("valid")
            except SchemaValidationError:
                verdicts.append("invalid")
        assert verdicts[0] == verdicts[1], name
        assert verdicts[0] == ("valid" if name in {"valid", "good date"} else "invalid"), name
