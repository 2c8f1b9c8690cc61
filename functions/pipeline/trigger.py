"""Trigger: an upload (or a retry message) becomes one async inference.

`requests_from_record` turns a parsed uploads-queue record into submit requests; `submit_plan`
checks the object, pins the uploaded version, records the plan as SUBMITTED and calls
InvokeEndpointAsync. The handler makes `submit_plan` idempotent on (bucket, key, version,
ETag, attempt), so a duplicate delivery never invokes the endpoint twice. When the endpoint
(or S3, or the table) cannot be reached, the next attempt is queued with backoff within the
retry budget (`retry.py`) instead of waiting out the queue's visibility timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.parser.models import S3Model
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field

from detector.formats import (
    SNIFF_BYTES,
    UNSUPPORTED_FORMAT_ERROR,
    sniff_content_type,
    unsupported_format_message,
)

from .documents import pipeline_failure
from .errors import BadObjectError
from .final import write_failure
from .models import RetryMessage, S3TestEvent, UploadsRecord
from .naming import (
    PlanRef,
    inference_id,
    input_location,
    output_filename,
    output_path_extension,
    pinned_input_key,
)
from .observability import MESSAGES_IGNORED, PLANS_SUBMITTED, count, logger, tracer
from .retry import due, retry_or_give_up
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
    budget_started_at: datetime | None = None

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
    sqs: Any
    status: StatusTable
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def requests_from_record(record: UploadsRecord) -> list[SubmitRequest]:
    """Submit requests in an uploads-queue record (S3 notification or retry message).

    S3's test event and non-create events give none.
    """
    body = record.body
    if isinstance(body, S3TestEvent):
        logger.info("ignoring S3 test event", extra={"bucket": body.Bucket})
        count(MESSAGES_IGNORED)
        return []
    if isinstance(body, RetryMessage):
        # The attempt the message names: its fields but the message's kind and reason.
        return [SubmitRequest(**body.model_dump(include=set(SubmitRequest.model_fields)))]
    assert isinstance(body, S3Model)
    requests = []
    for s3_record in body.Records:
        obj = s3_record.s3.object
        if not s3_record.eventName.startswith("ObjectCreated") or obj is None:
            logger.info("ignoring S3 event", extra={"event_name": s3_record.eventName})
            count(MESSAGES_IGNORED)
            continue
        requests.append(
            SubmitRequest(
                bucket=s3_record.s3.bucket.name,
                # Keys in S3 notifications are form-encoded ('+' for a space).
                key=unquote_plus(obj.key),
                version_id=obj.versionId if obj.versionId not in (None, "", "null") else None,
                etag=(obj.eTag or "").strip('"') or None,
                attempt=1,
                uploaded_at=s3_record.eventTime,
            )
        )
    return requests


def inspect_object(s3: Any, plan: PlanRef, max_bytes: int) -> tuple[str, int]:
    """Content type and size of the uploaded version; raises `BadObjectError` if not a plan."""
    version = {"VersionId": plan.version_id} if plan.version_id else {}
    try:
        head = s3.head_object(Bucket=plan.bucket, Key=plan.key, **version)
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        if code in ("404", "NoSuchKey", "NotFound", "NoSuchVersion"):
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
    first = s3.get_object(
        Bucket=plan.bucket, Key=plan.key, Range=f"bytes=0-{SNIFF_BYTES - 1}", **version
    )["Body"].read()
    sniffed = sniff_content_type(first)
    if sniffed is not None:
        return sniffed, size
    # The same error type and message as the model server's for these bytes.
    raise BadObjectError(UNSUPPORTED_FORMAT_ERROR, unsupported_format_message(first, plan.key))


def pin_input(s3: Any, plan: PlanRef, inputs_prefix: str) -> PlanRef:
    """The object SageMaker reads: the uploaded version itself, never the key's current one.

    InputLocation takes no version, so a versioned upload is copied (server side, once per
    plan: the copy's key is derived from the plan id) to an immutable key; an overwrite of the
    uploaded key can no longer change what an earlier upload's result describes. Without a
    version id (an unversioned bucket) the key is read as it is.
    """
    if not plan.version_id:
        return plan
    key = pinned_input_key(plan, inputs_prefix)
    s3.copy_object(
        Bucket=plan.bucket,
        Key=key,
        CopySource={"Bucket": plan.bucket, "Key": plan.key, "VersionId": plan.version_id},
        MetadataDirective="COPY",
    )
    return PlanRef(plan.bucket, key)


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


def _reject(request: SubmitRequest, deps: TriggerDeps, err: BadObjectError) -> dict[str, Any]:
    """The upload is not a plan: final failure document, no inference."""
    plan = request.plan
    doc = pipeline_failure(plan, error_type=err.error_type, message=err.message, retryable=False)
    write_failure(
        s3=deps.s3,
        status=deps.status,
        cfg=deps.settings,
        plan=plan,
        doc=doc,
        now=deps.clock(),
        uploaded_at=request.uploaded_at,
    )
    logger.warning(
        "plan rejected", extra={"attempt": request.attempt, "error_type": err.error_type}
    )
    iid = inference_id(plan.plan_id, request.attempt)
    return {"outcome": "rejected", "inference_id": iid, "error_type": err.error_type}


@tracer.capture_method
def submit_plan(request: SubmitRequest, deps: TriggerDeps) -> dict[str, Any]:
    """Check the object, pin it, record SUBMITTED and invoke the endpoint."""
    cfg = deps.settings
    plan = request.plan
    iid = inference_id(plan.plan_id, request.attempt)
    logger.set_correlation_id(iid)
    now = deps.clock()
    budget_started_at = request.budget_started_at or now
    log_keys = {"attempt": request.attempt}

    def retry(reason: str, **known: Any) -> dict[str, Any]:
        """AWS failed us: this request again later, within its budget (`known`: what the
        status item can record of it already)."""
        return {"inference_id": iid} | retry_or_give_up(
            deps=deps,
            plan=plan,
            attempt=request.attempt,
            reason=reason,
            uploaded_at=request.uploaded_at,
            budget_started_at=budget_started_at,
            **known,
        )

    try:
        content_type, size = inspect_object(deps.s3, plan, cfg.max_object_bytes)
    except BadObjectError as err:
        return _reject(request, deps, err)
    except (ClientError, BotoCoreError) as err:
        return retry(f"reading the upload failed: {err}")

    filename = output_filename(plan.key)
    extension = output_path_extension(plan.key, cfg.blueprints_prefix, plan.plan_id)
    expected_output = f"s3://{cfg.results_bucket}/{cfg.output_prefix}{extension}/{filename}"
    try:
        source = pin_input(deps.s3, plan, cfg.inputs_prefix)
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
            input_location=source.uri,
            budget_started_at=budget_started_at,
            deadline_at=due(now, cfg.invocation_timeout_seconds + cfg.reconcile_margin_seconds),
            expires_at=due(
                now,
                cfg.request_ttl_seconds
                + cfg.invocation_timeout_seconds
                + cfg.reconcile_margin_seconds,
            ),
        ):
            logger.info("plan already final or further on: not invoking", extra=log_keys)
            return {"outcome": "skipped", "inference_id": iid}

        params: dict[str, Any] = {
            "EndpointName": cfg.endpoint_name,
            "InputLocation": input_location(source),
            "ContentType": content_type,
            "InferenceId": iid,
            "RequestTTLSeconds": cfg.request_ttl_seconds,
            "InvocationTimeoutSeconds": cfg.invocation_timeout_seconds,
            "Filename": filename,
            "S3OutputPathExtension": extension,
        }
        response = deps.sagemaker_runtime.invoke_endpoint_async(
            **supported_params(deps.sagemaker_runtime, params)
        )
    except (ClientError, BotoCoreError) as err:
        return retry(
            f"submitting the inference failed: {err}",
            inference_id_=iid,
            content_type=content_type,
            size=size,
        )
    output_location = response.get("OutputLocation") or expected_output
    failure_location = response.get("FailureLocation")
    if output_location != expected_output or failure_location:
        deps.status.set_locations(plan.plan_id, iid, output_location, failure_location)
    count(PLANS_SUBMITTED)
    logger.info(
        "inference submitted",
        extra={**log_keys, "content_type": content_type, "output_location": output_location},
    )
    return {"outcome": "submitted", "inference_id": iid, "output_location": output_location}
