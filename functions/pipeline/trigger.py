"""Trigger: an upload (or a retry message) becomes one async inference.

`requests_from_body` turns an SQS message body into submit requests; `submit_plan` checks the
object, records the plan as SUBMITTED and calls InvokeEndpointAsync. The handler makes
`submit_plan` idempotent on (bucket, key, version, ETag, attempt), so a duplicate delivery
never invokes the endpoint twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import S3Model
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from detector.formats import (
    SNIFF_BYTES,
    UNSUPPORTED_FORMAT_ERROR,
    sniff_content_type,
    unsupported_format_message,
)

from .documents import dumps, pipeline_failure
from .errors import BadObjectError, MalformedMessageError
from .models import RETRY_KIND, RetryMessage, S3TestEvent
from .naming import (
    PlanRef,
    inference_id,
    input_location,
    output_filename,
    output_path_extension,
    result_key,
)
from .observability import MESSAGES_IGNORED, PLANS_FAILED, PLANS_SUBMITTED, count, logger, tracer
from .settings import TriggerSettings
from .status import StatusTable


class SubmitRequest(BaseModel):
    """One attempt at one upload: what the idempotency key is made of, plus context."""

    model_config = ConfigDict(frozen=True)

    bucket: str
    key: str
    version_id: str | None = None
    etag: str | None = None
    attempt: int = Field(1, ge=1)
    uploaded_at: datetime | None = None

    @property
    def plan(self) -> PlanRef:
        return PlanRef(self.bucket, self.key, self.version_id, self.etag)


# The idempotency key: everything that identifies the attempt, nothing that varies between
# duplicate deliveries of it.
IDEMPOTENCY_KEY_JMESPATH = "[bucket, key, version_id, etag, attempt]"


@dataclass
class TriggerDeps:
    """What `submit_plan` talks to (module-level clients in the Lambda, moto in tests)."""

    settings: TriggerSettings
    s3: Any
    sagemaker_runtime: Any
    status: StatusTable
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def requests_from_body(body: str) -> list[SubmitRequest]:
    """Submit requests in an uploads-queue message (S3 notification or retry message).

    S3's test event and non-create events give none; anything unparseable raises
    `MalformedMessageError` so the record fails and ends, unchanged, in the dead-letter queue.
    """
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, TypeError) as err:
        raise MalformedMessageError(f"message body is not JSON: {err}") from err
    if not isinstance(data, dict):
        raise MalformedMessageError("message body is not a JSON object")
    try:
        if data.get("Event") == "s3:TestEvent":
            S3TestEvent.model_validate(data)
            logger.info("ignoring S3 test event", extra={"bucket": data.get("Bucket")})
            count(MESSAGES_IGNORED)
            return []
        if data.get("kind") == RETRY_KIND:
            retry = RetryMessage.model_validate(data)
            return [
                SubmitRequest(
                    bucket=retry.bucket,
                    key=retry.key,
                    version_id=retry.version_id,
                    etag=retry.etag,
                    attempt=retry.attempt,
                    uploaded_at=retry.uploaded_at,
                )
            ]
        event = parse(event=data, model=S3Model)
    except ValidationError as err:
        raise MalformedMessageError(f"not an S3 notification or retry message: {err}") from err
    requests = []
    for record in event.Records:
        obj = record.s3.object
        if not record.eventName.startswith("ObjectCreated") or obj is None:
            logger.info("ignoring S3 event", extra={"event_name": record.eventName})
            count(MESSAGES_IGNORED)
            continue
        requests.append(
            SubmitRequest(
                bucket=record.s3.bucket.name,
                # Keys in S3 notifications are form-encoded ('+' for a space).
                key=unquote_plus(obj.key),
                version_id=obj.versionId if obj.versionId not in (None, "", "null") else None,
                etag=(obj.eTag or "").strip('"') or None,
                attempt=1,
                uploaded_at=record.eventTime,
            )
        )
    return requests


def inspect_object(s3: Any, plan: PlanRef, max_bytes: int) -> tuple[str, int]:
    """Content type and size of the uploaded object; raises `BadObjectError` if not a plan.

    Reads the key's current version, not `plan.version_id`: that is what SageMaker will read
    (`InputLocation` takes no version), and it needs no s3:GetObjectVersion.
    """
    try:
        head = s3.head_object(Bucket=plan.bucket, Key=plan.key)
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        if code in ("404", "NoSuchKey", "NotFound"):
            raise BadObjectError("ObjectNotFound", f"{plan.uri} no longer exists") from err
        raise
    size = int(head.get("ContentLength", 0))
    if size == 0:
        raise BadObjectError("EmptyInputError", "the plan is empty (0 bytes)")
    if size > max_bytes:
        raise BadObjectError(
            "ObjectTooLargeError",
            f"the plan is {size:,} bytes, over the limit of {max_bytes:,} (MAX_OBJECT_BYTES)",
        )
    first = s3.get_object(Bucket=plan.bucket, Key=plan.key, Range=f"bytes=0-{SNIFF_BYTES - 1}")[
        "Body"
    ].read()
    sniffed = sniff_content_type(first)
    if sniffed is not None:
        return sniffed, size
    # The same error type and message as the model server's for these bytes.
    raise BadObjectError(UNSUPPORTED_FORMAT_ERROR, unsupported_format_message(first, plan.key))


_warned_unsupported: set[str] = set()


def supported_params(client: Any, params: dict[str, Any]) -> dict[str, Any]:
    """`params` minus the ones the client's SDK does not know.

    The Lambda runtime's botocore may predate `Filename`/`S3OutputPathExtension`: rather than
    fail every upload, the output is then named by SageMaker (the callbacks read the location
    from the notification either way) and a warning says why.
    """
    known = client.meta.service_model.operation_model("InvokeEndpointAsync").input_shape.members
    dropped = sorted(set(params) - set(known))
    if dropped and not _warned_unsupported.issuperset(dropped):
        _warned_unsupported.update(dropped)
        logger.warning(
            "this botocore does not know these InvokeEndpointAsync parameters; sent without",
            extra={"dropped": dropped},
        )
    return {k: v for k, v in params.items() if k in known}


@tracer.capture_method
def submit_plan(request: SubmitRequest, deps: TriggerDeps) -> dict[str, Any]:
    """Check the object, record SUBMITTED and invoke the endpoint; returns what happened."""
    cfg = deps.settings
    plan = request.plan
    iid = inference_id(plan.plan_id, request.attempt)
    logger.set_correlation_id(iid)
    now = deps.clock()
    log_keys = {"plan_uri": plan.uri, "attempt": request.attempt}
    result_uri = f"s3://{cfg.results_bucket}/{result_key(plan.key, cfg.results_prefix)}"

    try:
        content_type, size = inspect_object(deps.s3, plan, cfg.max_object_bytes)
    except BadObjectError as err:
        doc = pipeline_failure(
            plan, error_type=err.error_type, message=err.message, retryable=False
        )
        deps.s3.put_object(
            Bucket=cfg.results_bucket,
            Key=result_key(plan.key, cfg.results_prefix),
            Body=dumps(doc),
            ContentType="application/json",
        )
        if deps.status.mark_failed(
            plan,
            error_type=err.error_type,
            message=err.message,
            result_uri=result_uri,
            now=now,
            uploaded_at=request.uploaded_at,
        ):
            count(PLANS_FAILED)
        logger.warning("plan rejected", extra={**log_keys, "error_type": err.error_type})
        return {"outcome": "rejected", "inference_id": iid, "error_type": err.error_type}

    filename = output_filename(plan.key)
    extension = output_path_extension(plan.key, cfg.blueprints_prefix)
    expected_output = "s3://{}/{}{}{}".format(
        cfg.results_bucket, cfg.output_prefix, f"{extension}/" if extension else "", filename
    )
    if not deps.status.mark_submitted(
        plan,
        attempt=request.attempt,
        inference_id=iid,
        now=now,
        uploaded_at=request.uploaded_at,
        content_type=content_type,
        size=size,
        endpoint=cfg.endpoint_name,
        output_location=expected_output,
    ):
        logger.info("plan already final or further on: not invoking", extra=log_keys)
        return {"outcome": "skipped", "inference_id": iid}

    params: dict[str, Any] = {
        "EndpointName": cfg.endpoint_name,
        "InputLocation": input_location(plan),
        "ContentType": content_type,
        "InferenceId": iid,
        "RequestTTLSeconds": cfg.request_ttl_seconds,
        "InvocationTimeoutSeconds": cfg.invocation_timeout_seconds,
        "Filename": filename,
    }
    if extension:
        params["S3OutputPathExtension"] = extension
    response = deps.sagemaker_runtime.invoke_endpoint_async(
        **supported_params(deps.sagemaker_runtime, params)
    )
    output_location = response.get("OutputLocation") or expected_output
    if output_location != expected_output:
        deps.status.set_output_location(plan.plan_id, iid, output_location)
    count(PLANS_SUBMITTED)
    logger.info(
        "inference submitted",
        extra={**log_keys, "content_type": content_type, "output_location": output_location},
    )
    return {"outcome": "submitted", "inference_id": iid, "output_location": output_location}
