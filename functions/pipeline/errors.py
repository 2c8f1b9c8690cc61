"""The pipeline's exceptions: what went wrong decides whether a message is retried.

- `MalformedMessageError`: the record fails, SQS redelivers it and finally parks it, unchanged,
  in the dead-letter queue (nothing is ever dropped).
- `BadObjectError`: the uploaded object is not a plan we can process. Final: a failure document
  is written and the plan is marked FAILED; the message is consumed.
- `OutputUnavailableError`: SageMaker said "done" but the `.out` cannot be read (yet); the record
  fails and SQS retries it.
"""

from __future__ import annotations

# One class for every settings model of the project (the model server's too), raised at start.
from detector.errors import SettingsError

__all__ = [
    "BadObjectError",
    "MalformedMessageError",
    "OutputUnavailableError",
    "PipelineError",
    "SettingsError",
]


class PipelineError(Exception):
    """Base class of every error the pipeline raises on purpose."""


class MalformedMessageError(PipelineError, ValueError):
    """A queue message that is not any of the formats this function accepts."""


class BadObjectError(PipelineError):
    """The uploaded object cannot be a plan (empty, too big, not an image or PDF, gone)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


class OutputUnavailableError(PipelineError):
    """The `.out` object named by a success notification cannot be read."""
