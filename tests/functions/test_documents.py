"""pipeline/documents.py: final documents agree with the detector."""

from __future__ import annotations


def test_pipeline_detector_name_is_the_detectors() -> None:
    from detector.opencv_detector import OpenCVDetector
    from pipeline.documents import DETECTOR_NAME

    assert OpenCVDetector.name == DETECTOR_NAME
