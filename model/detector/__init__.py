"""location-detector's room detector: floor plan in, room polygons out."""

from .config import DetectorConfig, load_config
from .errors import (
    ConfigError,
    CorruptImageError,
    DetectorError,
    EmptyInputError,
    ImageTooLargeError,
    ImageTooSmallError,
    InvalidPlanError,
    PdfError,
    UnsupportedFormatError,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "CorruptImageError",
    "DetectorConfig",
    "DetectorError",
    "EmptyInputError",
    "ImageTooLargeError",
    "ImageTooSmallError",
    "InvalidPlanError",
    "PdfError",
    "UnsupportedFormatError",
    "__version__",
    "load_config",
]
