"""The package's exceptions: one base, and a family for each thing that can go wrong.

`InvalidPlanError` and its children mean "the client sent something we cannot read": the
container answers them with 4xx and the pipeline records them as final failures. Everything
else under `DetectorError` is our own fault.
"""

from __future__ import annotations


class DetectorError(Exception):
    """Base class of every error this package raises on purpose."""


class SettingsError(ValueError):
    """An environment variable is missing or invalid (the message names it). One class for
    the model server's settings and the Lambdas' (both validate their environment once)."""


class ConfigError(DetectorError, ValueError):
    """The detector configuration is invalid (the message names the key)."""


class InvalidPlanError(DetectorError, ValueError):
    """The input is not a plan we can read. Final: retrying will not help."""


class EmptyInputError(InvalidPlanError):
    """Zero bytes."""


class UnsupportedFormatError(InvalidPlanError):
    """Not an image or PDF format we read."""


class CorruptImageError(InvalidPlanError):
    """The bytes claim a supported format but cannot be decoded (e.g. truncated)."""


class ImageTooLargeError(InvalidPlanError):
    """More pixels (or PDF pages) than the configured limit: refused before decoding."""


class ImageTooSmallError(InvalidPlanError):
    """Too few pixels to hold a plan (e.g. 1x1)."""


class PdfError(InvalidPlanError):
    """A PDF that is encrypted, corrupt or has no pages."""


class PdfTooComplexError(PdfError):
    """A PDF whose pages take longer to render than the budget (max_pdf_render_s)."""
