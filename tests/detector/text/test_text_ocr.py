"""The recogniser (`detector.text.ocr`) and the model edit it makes (`detector.text.onnx_file`),
on the model file the installed `rapidocr` wheel ships."""

from __future__ import annotations

import os
import subprocess
import sys

import cv2
import numpy as np
import onnxruntime as ort  # a dependency of the package: missing is a failure, not a skip
import pytest

from detector.text import onnx_file
from detector.text.ocr import Recogniser, model_path


@pytest.fixture(scope="module")
def model_bytes() -> bytes:
    return model_path().read_bytes()


def _session(data: bytes):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])


def test_cut_output_layer_gives_the_kept_classes_scores(model_bytes):
    classes = len(onnx_file.metadata(model_bytes)["character"].splitlines()) + 2
    keep = np.array([0, 5, 17, 80, classes - 1])
    full, cut = _session(model_bytes), _session(onnx_file.keep_output_classes(model_bytes, keep))
    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, 48, 96)).astype(np.float32)
    p = full.run(None, {"x": x})[0]
    q = cut.run(None, {"x": x})[0]
    assert p.shape[-1] == classes and q.shape == (*p.shape[:-1], len(keep))
    assert cut.get_outputs()[0].shape[-1] == len(keep)  # the declared shape follows
    # the same logits: the softmax over the kept classes is theirs renormalised
    kept = p[..., keep]
    np.testing.assert_allclose(q, kept / kept.sum(-1, keepdims=True), rtol=1e-4, atol=1e-6)


def test_everything_else_in_the_file_is_kept(model_bytes):
    classes = len(onnx_file.metadata(model_bytes)["character"].splitlines()) + 2
    same = onnx_file.keep_output_classes(model_bytes, np.arange(classes))
    assert len(same) == len(model_bytes)
    assert onnx_file.metadata(same) == onnx_file.metadata(model_bytes)


def test_a_model_without_a_class_layer_is_refused():
    with pytest.raises(ValueError):
        onnx_file.keep_output_classes(b"", np.arange(3))


def test_recogniser_reads_printed_words():
    rec = Recogniser(model_path())
    crops = []
    for text in ("BEDROOM", "3.57 x 2.61"):
        img = np.full((40, 12 + 20 * len(text)), 255, np.uint8)
        cv2.putText(img, text, (6, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2, cv2.LINE_AA)
        crops.append(img)
    readings = rec.read(crops)
    # (an "x" between two lengths reads as the multiplication sign it stands for)
    assert [r.text.replace(" ", "") for r in readings] == ["BEDROOM", "3.57×2.61"]
    assert all(r.confidence > 0.8 for r in readings)


def test_crop_keeps_a_margin_past_the_ink_and_a_letter_at_most():
    from detector.text.candidates import TextLine
    from detector.text.reading import _crop

    ink = np.zeros((60, 200), bool)
    ink[20:30, 50:100] = True  # the line's letters
    grey = np.where(ink, 0, 255).astype(np.uint8)
    line = TextLine((50, 20, 50, 10), 5, 10.0)
    assert _crop(grey, ink, line).shape == (16, 56)  # 0.3 letter of paper each side
    ink[24:26, 100:106] = True  # a letter cut off the line's end, joined to a drawn line
    ink[24:26, 30:50] = True  # ink running on past a letter's reach
    grey = np.where(ink, 0, 255).astype(np.uint8)
    # on the left a letter's reach and no more; on the right the cut letter and the margin
    assert _crop(grey, ink, line).shape == (16, 10 + 50 + 6 + 3)


def test_reading_leaves_no_telemetry_id_or_cache(tmp_path):
    # ONNX Runtime 1.29+ writes a device id and a telemetry store under ~/.cache (and uploads
    # from there) unless ORT_DISABLE_TELEMETRY is set before it starts: the detector sets it.
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env.update(HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / ".cache"))
    code = "from detector.text.ocr import recogniser; recogniser(); print('loaded')"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.stdout.strip() == "loaded", out.stderr
    assert list(tmp_path.rglob("*")) == []
