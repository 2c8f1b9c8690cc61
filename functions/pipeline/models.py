"""Pydantic models of the messages the Lambdas read.

- SageMaker's asynchronous inference notification, published to the success or error SNS
  topic (and delivered to SQS inside the SNS envelope, parsed with Powertools'
  `SnsSqsEnvelope`). SageMaker also publishes a test message to both topics when an endpoint is
  created or updated; it is recognised by its `eventName` and ignored.
- The retry message the failure Lambda puts on the uploads queue for the trigger.
- S3's `s3:TestEvent`, sent once when a bucket notification is configured (ignored).
S3 event notifications themselves use Powertools' `S3Model`. `UploadsRecord` and
`SageMakerRecord` are the SQS records the batch processors parse (a record that does not
validate fails, and its queue's redrive policy parks it, unchanged, in the dead-letter queue).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools.utilities.parser.models import (
    S3Model,
    SnsNotificationModel,
    SqsRecordModel,
)
from pydantic import BaseModel, ConfigDict, Field, Json

RETRY_KIND = "location-detector.retry"


class SageMakerRequestParameters(BaseModel):
    model_config = ConfigDict(extra="allow")

    endpointName: str
    inputLocation: str
    contentType: str | None = None
    accept: str | None = None


class SageMakerResponseParameters(BaseModel):
    model_config = ConfigDict(extra="allow")

    contentType: str | None = None
    outputLocation: str | None = None
    failureLocation: str | None = None


class SageMakerInferenceResult(BaseModel):
    """`eventName: InferenceResult`: one finished async inference, successful or not."""

    model_config = ConfigDict(extra="allow")

    eventName: Literal["InferenceResult"]
    eventVersion: str | None = None
    eventSource: str | None = None
    awsRegion: str | None = None
    eventTime: datetime
    receivedTime: datetime | None = None
    invocationStatus: str
    inferenceId: str = Field(min_length=1, max_length=64)
    requestParameters: SageMakerRequestParameters
    responseParameters: SageMakerResponseParameters | None = None
    failureReason: str | None = None
    # Present when the endpoint config includes the response in the notification.
    responseBody: Any = None

    @property
    def succeeded(self) -> bool:
        return self.invocationStatus.lower() == "completed"


class SageMakerTestNotification(BaseModel):
    """The message SageMaker sends when an endpoint is created or updated: ignored."""

    model_config = ConfigDict(extra="allow")

    eventName: Literal["TestNotification"]


SageMakerNotification = Annotated[
    SageMakerInferenceResult | SageMakerTestNotification, Field(discriminator="eventName")
]


class RetryMessage(BaseModel):
    """Body of the message the failure Lambda sends to the uploads queue for one more try."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["location-detector.retry"] = RETRY_KIND
    bucket: str = Field(min_length=3)
    key: str = Field(min_length=1)
    version_id: str | None = None
    etag: str | None = None
    attempt: int = Field(ge=2)
    uploaded_at: datetime | None = None
    # When the plan's retry budget started; absent on a message replayed from the dead-letter
    # queue, whose run gets a fresh budget.
    budget_started_at: datetime | None = None
    reason: str | None = None


class S3TestEvent(BaseModel):
    """`{"Service": "Amazon S3", "Event": "s3:TestEvent", ...}`."""

    model_config = ConfigDict(extra="allow")

    Event: Literal["s3:TestEvent"]
    Bucket: str | None = None


class UploadsRecord(SqsRecordModel):
    """An uploads-queue record: S3's notification, a retry message or S3's test event."""

    body: Json[S3Model | RetryMessage | S3TestEvent]  # type: ignore[assignment]


class SageMakerSnsNotification(SnsNotificationModel):
    """SNS's envelope (raw delivery off) around SageMaker's notification."""

    Message: Json[SageMakerNotification]  # type: ignore[assignment]


class SageMakerRecord(SqsRecordModel):
    """A success- or failure-queue record."""

    body: Json[SageMakerSnsNotification]  # type: ignore[assignment]
