"""Reading lines of text: the PP-OCRv6 recogniser that the `rapidocr` wheel ships, run by
ONNX Runtime on crops the caller has found.

Only recognition runs here. Finding where text is (the OCR's own detector network) costs
more than reading a plan's few room names, so the caller finds candidate lines from the ink
(`candidates.text_lines`) and asks for just those. Nothing is downloaded at run time: the
model file and its character list come from the installed wheel.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np

from ..errors import DetectorError
from . import onnx_file

log = logging.getLogger(__name__)

# ONNX Runtime 1.29+ keeps a device id and uploads usage telemetry from Linux, unless this is
# set before it starts (this module loads it). Plans are customers' documents: nothing leaves
# the machine unless the deployer sets the variable to 0 themselves.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

MODEL_PACKAGE = "rapidocr"
MODEL_FILE = "PP-OCRv6_rec_small.onnx"
INPUT_HEIGHT = 48  # the recogniser's fixed input height (px)
LATIN_MARKS = "×°’′″"  # outside Latin-1 and Latin Extended-A, but written on plans
MAX_INPUT_WIDTH = 1600  # longer crops are squeezed: a room name is never this long


class OcrUnavailableError(DetectorError):
    """The text recogniser (its package or model file) is not installed."""


@dataclass(frozen=True)
class Reading:
    """What a crop says, with the recogniser's mean character confidence (0..1)."""

    text: str
    confidence: float


def model_path() -> Path:
    """The recogniser's ONNX file inside the installed `rapidocr` wheel."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise OcrUnavailableError(f"package {MODEL_PACKAGE!r} is not installed")
    path = Path(spec.origin).parent / "models" / MODEL_FILE
    if not path.is_file():
        raise OcrUnavailableError(f"OCR model not found: {path}")
    return path


class Recogniser:
    """One ONNX Runtime session over the recogniser; thread-safe (`run` is serialised)."""

    def __init__(self, path: Path, *, threads: int = 1) -> None:
        import onnxruntime as ort

        data = path.read_bytes()
        # CTC: index 0 is the blank, the model's list follows, then the space
        every = ["", *onnx_file.metadata(data)["character"].splitlines(), " "]
        # Plans in Latin scripts: the recogniser reads Chinese as well, and where a mark or a
        # stroke across a word looks like a Chinese character more than a letter, the letter
        # it looks like most is the better reading ("St山" is "Stu"). The blank is kept.
        # Its output layer is cut to those classes before the session is made: over all
        # 18,710 it was a quarter of each run, and the decoder used 320 of them (a reading's
        # confidence is now over those 320: the Chinese classes no longer take a share).
        keep = np.array([i for i, c in enumerate(every) if _latin(c)], np.int64)
        self._chars = np.array(every, dtype=object)[keep]
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(
            onnx_file.keep_output_classes(data, keep), opts, providers=["CPUExecutionProvider"]
        )
        self._input = self._session.get_inputs()[0].name
        self._lock = threading.Lock()

    def read(self, crops: list[np.ndarray]) -> list[Reading]:
        """Read each crop (grey uint8, one line of text, horizontal).

        Crops are scaled to the input height and read one at a time: the recogniser's time
        is its input's width, whatever the batch (a run costs ~1 ms more than its columns),
        so batching bought nothing but padding, and the padding changed what a crop read.
        """
        out = []
        for crop in crops:
            x = _normalised(crop)[None]
            with self._lock:
                probs = self._session.run(None, {self._input: x})[0]
            out.append(self._decode(probs[0]))
        return out

    def _decode(self, probs: np.ndarray) -> Reading:
        idx = probs.argmax(axis=1)
        conf = probs.max(axis=1)
        keep = idx != 0
        keep[1:] &= idx[1:] != idx[:-1]  # collapse repeats
        if not keep.any():
            return Reading("", 0.0)
        text = "".join(self._chars[idx[keep]])
        return Reading(text.strip(), float(conf[keep].mean()))


def _latin(chars: str) -> bool:
    """Whether a recogniser class is Latin script, digits, punctuation or a plan's marks
    (the blank, "" too)."""
    return all(ord(c) < 0x180 or c in LATIN_MARKS for c in chars)


def _normalised(crop: np.ndarray) -> np.ndarray:
    """A grey crop as the recogniser's input: 3 x 48 x W floats in [-1, 1]."""
    if crop.ndim != 2 or crop.dtype != np.uint8:
        raise TypeError("crops must be 2-D uint8 grey images")
    h, w = crop.shape
    width = int(np.clip(round(w * INPUT_HEIGHT / max(h, 1)), 8, MAX_INPUT_WIDTH))
    interp = cv2.INTER_AREA if h > INPUT_HEIGHT else cv2.INTER_LINEAR
    x = cv2.resize(crop, (width, INPUT_HEIGHT), interpolation=interp).astype(np.float32)
    x = x / 127.5 - 1.0
    return np.ascontiguousarray(np.broadcast_to(x, (3, INPUT_HEIGHT, width)))


@cache
def recogniser(threads: int = 1) -> Recogniser:
    """The process's recogniser (loaded once, on first use: about 0.3 s)."""
    return Recogniser(model_path(), threads=threads)
