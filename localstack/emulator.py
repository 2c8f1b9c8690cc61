"""Start the local AWS emulator: moto's server on loopback, with the gaps the stack hits filled.

Gaps of moto 5.2.5 that make ``terraform apply`` of the ``local`` root hang, and the fix:

- Application Auto Scaling has no tagging API (``ListTagsForResource``, ``TagResource``,
  ``UntagResource``): the AWS provider reads a scalable target's tags after every create and
  retries the "unknown operation" answer for ever. Added here, tags kept in memory like the
  rest of moto's state (including the ``Tags`` of ``RegisterScalableTarget``, which moto drops).
- SQS stores a queue's ``RedriveAllowPolicy`` but never returns it from
  ``GetQueueAttributes``: the provider waits for it to appear until it times out. Returned here,
  and ``RedrivePolicy`` is returned as compact JSON, as SQS does (moto adds spaces, which the
  provider reports as a change on every plan).
- S3 evaluates a bucket policy's statements as if every ``Condition`` failed, and a failed
  condition denies: the stack's TLS-only statement (deny when ``aws:SecureTransport`` is false)
  then denies every object request. Evaluated here with the request context of the HTTPS
  endpoint the emulator stands in for (``aws:SecureTransport`` true); a statement whose
  condition does not hold, or names another key, does not apply.
- SageMaker drops ``EnableNetworkIsolation`` and answers an empty ``VpcConfig`` and
  ``DataCaptureConfig``: each forces the model or endpoint configuration to be replaced on every
  plan. Kept and omitted here.

SageMaker rules moto does not enforce, which a second release depends on (without them a
release that works here would fail on AWS):

- Names are unique: ``CreateModel`` and ``CreateEndpointConfig`` answer ``ValidationException``
  ("Cannot create already existing ...") for a name that exists (moto overwrites it). Models and
  endpoint configurations have no update call: a new image or artifact needs a new name.
- ``UpdateEndpoint`` is missing from moto. Added with SageMaker's rules: the endpoint and the
  new configuration must exist; a variant registered with Application Auto Scaling may not
  change its instance type nor disappear ("Update endpoints that use auto scaling": deregister
  the scalable target first); the variants of the new configuration start at its
  ``InitialInstanceCount`` unless ``RetainAllVariantProperties`` keeps the current count.

Gaps that break the pipeline on the stack (or its teardown):

- S3 event notifications lack fields every real one carries (``userIdentity``,
  ``requestParameters``, ``responseElements``, the bucket's ``ownerIdentity``, the object's
  ``sequencer``, and ``versionId`` on a versioned bucket) and encode ``/`` in the key as ``%2F``:
  a strict consumer (Powertools' ``S3Model``) rejects them. Completed here at the source, in
  the shape of AWS's "Event message structure", so what reaches SQS/SNS/Lambda is what S3 sends.
- ``FakeDeleteMarker`` has no ``dispose``: deleting a key whose versions include a delete marker
  on a bucket whose versioning is no longer ``Enabled`` (``terraform destroy`` suspends it
  before it empties the bucket) answers 500. A delete marker holds no data: nothing to dispose.

Then it runs moto's own server entry point.

Usage: ``python localstack/emulator.py [--host 127.0.0.1] [--port 4566]``.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import logging
import time
import uuid
from collections import defaultdict
from typing import Any
from urllib.parse import quote_plus

from moto.applicationautoscaling.models import (
    ApplicationAutoscalingBackend,
    applicationautoscaling_backends,
)
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.s3 import notifications as s3_notifications
from moto.s3.models import OWNER, FakeBucket, FakeDeleteMarker
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemaker.utils import arn_formatter
from moto.server import main as moto_main
from moto.sqs.models import Queue, SQSBackend

logger = logging.getLogger("localstack.emulator")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4566

# Tags by resource ARN, per backend (account and region), like moto's other state.
_TAGS: defaultdict[int, dict[str, dict[str, str]]] = defaultdict(dict)


class ResourceNotFoundError(Exception):
    """A tagging call named an ARN the backend does not know."""


def _known_arns(backend: ApplicationAutoscalingBackend) -> set[str]:
    arns: set[str] = set()
    for targets in backend.targets.values():
        arns.update(target.arn for target in targets.values())
    return arns


def _tags_of(backend: ApplicationAutoscalingBackend, arn: str) -> dict[str, str]:
    if arn not in _known_arns(backend):
        raise ResourceNotFoundError(arn)
    return _TAGS[id(backend)].setdefault(arn, {})


def _not_found(arn: str) -> tuple[int, dict[str, str], str]:
    body = {"__type": "ResourceNotFoundException", "Message": f"No resource found: {arn}"}
    return 400, {"status": "400"}, json.dumps(body)


def list_tags_for_resource(self: ApplicationAutoScalingResponse) -> Any:
    arn = self._get_param("ResourceARN")
    try:
        tags = _tags_of(self.applicationautoscaling_backend, arn)
    except ResourceNotFoundError:
        return _not_found(arn)
    return json.dumps({"Tags": dict(tags)})


def tag_resource(self: ApplicationAutoScalingResponse) -> Any:
    arn = self._get_param("ResourceARN")
    try:
        _tags_of(self.applicationautoscaling_backend, arn).update(self._get_param("Tags") or {})
    except ResourceNotFoundError:
        return _not_found(arn)
    return "{}"


def untag_resource(self: ApplicationAutoScalingResponse) -> Any:
    arn = self._get_param("ResourceARN")
    try:
        tags = _tags_of(self.applicationautoscaling_backend, arn)
    except ResourceNotFoundError:
        return _not_found(arn)
    for key in self._get_param("TagKeys") or []:
        tags.pop(key, None)
    return "{}"


_original_register = ApplicationAutoScalingResponse.register_scalable_target


def register_scalable_target(self: ApplicationAutoScalingResponse) -> str:
    """moto ignores RegisterScalableTarget's Tags: keep them for ListTagsForResource."""
    answer = _original_register(self)
    tags = self._get_param("Tags")
    if tags:
        arn = json.loads(answer)["ScalableTargetARN"]
        _TAGS[id(self.applicationautoscaling_backend)].setdefault(arn, {}).update(tags)
    return answer


_original_queue_attributes = Queue.attributes.fget  # type: ignore[attr-defined]


def _queue_attributes(self: Queue) -> dict[str, Any]:
    """moto's attributes plus RedriveAllowPolicy, which SetQueueAttributes stored."""
    result: dict[str, Any] = _original_queue_attributes(self)
    if "RedrivePolicy" in result:
        result["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
    allow = getattr(self, "redrive_allow_policy", None)
    if allow:
        result["RedriveAllowPolicy"] = allow if isinstance(allow, str) else json.dumps(allow)
    return result


_original_get_queue_attributes = SQSBackend.get_queue_attributes


def _get_queue_attributes(
    self: SQSBackend, queue_name: str, attribute_names: list[str]
) -> dict[str, Any]:
    """Accept RedriveAllowPolicy as an attribute name (moto rejects it as unknown)."""
    others = [name for name in attribute_names if name != "RedriveAllowPolicy"]
    result = _original_get_queue_attributes(self, queue_name, others) if others else {}
    if len(others) < len(attribute_names):
        allow = _queue_attributes(self.get_queue(queue_name)).get("RedriveAllowPolicy")
        if allow:
            result["RedriveAllowPolicy"] = allow
    return result


def _refuse_existing(
    request: SageMakerResponse, param: str, existing: Any, arn_kind: str, noun: str
) -> None:
    """SageMaker's answer to a Create* of a name in use (moto overwrites the resource)."""
    backend = request.sagemaker_backend
    name = request._get_param(param)
    if name in existing:
        arn = arn_formatter(arn_kind, name, backend.account_id, backend.region_name)
        raise ValidationError(f'Cannot create already existing {noun} "{arn}".')


_original_create_model = SageMakerResponse.create_model


def _create_model(self: SageMakerResponse) -> Any:
    """moto's CreateModel, refusing an existing name and keeping EnableNetworkIsolation."""
    _refuse_existing(self, "ModelName", self.sagemaker_backend._models, "model", "model")
    answer = _original_create_model(self)
    model = self.sagemaker_backend.describe_model(self._get_param("ModelName"))
    model.enable_network_isolation = bool(self._get_param("EnableNetworkIsolation"))
    return answer


_original_create_endpoint_config = SageMakerResponse.create_endpoint_config


def _create_endpoint_config(self: SageMakerResponse) -> Any:
    """moto's CreateEndpointConfig, refusing an existing name."""
    configs = self.sagemaker_backend.endpoint_configs
    _refuse_existing(
        self, "EndpointConfigName", configs, "endpoint-config", "endpoint configuration"
    )
    return _original_create_endpoint_config(self)


_VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def _update_endpoint(self: SageMakerResponse) -> ActionResult:
    """UpdateEndpoint (moto has none), with SageMaker's rules for autoscaled variants."""
    backend = self.sagemaker_backend
    name = self._get_param("EndpointName")
    endpoint = backend.endpoints.get(name)
    if endpoint is None:
        arn = arn_formatter("endpoint", name, backend.account_id, backend.region_name)
        raise ValidationError(f"Could not find endpoint '{arn}'.")
    new_config = backend.describe_endpoint_config(self._get_param("EndpointConfigName"))
    old_config = backend.describe_endpoint_config(endpoint.endpoint_config_name)
    old_types = {v["VariantName"]: v.get("InstanceType") for v in old_config["ProductionVariants"]}
    new_types = {v["VariantName"]: v.get("InstanceType") for v in new_config["ProductionVariants"]}
    targets = applicationautoscaling_backends[backend.account_id][backend.region_name].targets
    registered = targets.get(_VARIANT_DIMENSION, {})
    for variant, old_type in old_types.items():
        if f"endpoint/{name}/variant/{variant}" not in registered:
            continue
        if variant not in new_types or new_types[variant] != old_type:
            raise ValidationError(
                f"The variant {variant} of endpoint {name} is registered with Application Auto"
                " Scaling: deregister the scalable target before changing its instance type or"
                " removing it."
            )
    current = {v["VariantName"]: v for v in endpoint.production_variants}
    variants = endpoint._process_production_variants(new_config["ProductionVariants"])
    if self._get_param("RetainAllVariantProperties"):
        for variant in variants:
            kept = current.get(variant["VariantName"], {})
            for key in ("CurrentInstanceCount", "DesiredInstanceCount"):
                if key in kept:
                    variant[key] = kept[key]
    endpoint.production_variants = variants
    endpoint.endpoint_config_name = new_config["EndpointConfigName"]
    endpoint.last_modified_time = utcnow()
    return ActionResult({"EndpointArn": endpoint.arn})


def _without_empty(response: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        if not response.get(key):
            response.pop(key, None)
    return response


def _describe_model(self: SageMakerResponse) -> ActionResult:
    model = self.sagemaker_backend.describe_model(self._get_param("ModelName"))
    return ActionResult(_without_empty(dict(model.response_object), "VpcConfig"))


def _describe_endpoint_config(self: SageMakerResponse) -> ActionResult:
    config = self.sagemaker_backend.describe_endpoint_config(self._get_param("EndpointConfigName"))
    return ActionResult(_without_empty(dict(config), "DataCaptureConfig"))


# Bucket policy conditions: the request context of the emulated HTTPS endpoint.
_REQUEST_CONTEXT = {"aws:securetransport": "true"}


def _condition_holds(condition: dict[str, Any]) -> bool:
    for operator, tests in condition.items():
        if operator not in ("Bool", "StringEquals", "StringEqualsIgnoreCase"):
            return False
        for key, expected in tests.items():
            wanted = expected if isinstance(expected, list) else [expected]
            actual = _REQUEST_CONTEXT.get(key.lower())
            if actual is None or actual not in [str(v).lower() for v in wanted]:
                return False
    return True


def _bucket_permission(self: FakeBucket, action: str, resource: str) -> PermissionResult:
    """moto's bucket policy check, with conditions evaluated instead of always denying."""
    if self.policy is None:
        return PermissionResult.NEUTRAL
    policy = json.loads(self.policy)
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    applicable = [
        {k: v for k, v in statement.items() if k != "Condition"}
        for statement in statements
        if "Condition" not in statement or _condition_holds(statement["Condition"])
    ]
    if not applicable:
        return PermissionResult.NEUTRAL
    policy["Statement"] = applicable
    return IAMPolicy(json.dumps(policy)).is_action_permitted(action, resource)


# S3 event notifications as AWS documents them ("Event message structure", version 2.1).
_original_s3_event = s3_notifications._get_s3_event
# Sequencers only order events of one key; a process-wide increasing counter does that.
_SEQUENCE = itertools.count(time.time_ns())


def _s3_event(event_name: str, bucket: FakeBucket, key: Any, notification_id: str) -> Any:
    """moto's event, completed with the fields every real S3 notification carries."""
    event = _original_s3_event(event_name, bucket, key, notification_id)
    for record in event["Records"]:
        record["userIdentity"] = {"principalId": f"AWS:{bucket.account_id}"}
        record["requestParameters"] = {"sourceIPAddress": "127.0.0.1"}
        record["responseElements"] = {
            "x-amz-request-id": uuid.uuid4().hex[:16].upper(),
            "x-amz-id-2": base64.b64encode(uuid.uuid4().bytes * 2).decode(),
        }
        s3 = record["s3"]
        s3["bucket"]["ownerIdentity"] = {"principalId": OWNER}
        obj = s3["object"]
        # URL-encoded as S3 does: spaces as '+', but '/' left as it is (moto encodes it).
        obj["key"] = quote_plus(key.name, safe="/")
        if bucket.is_versioned and getattr(key, "version_id", "null") != "null":
            obj["versionId"] = key.version_id
        obj["sequencer"] = f"{next(_SEQUENCE):018X}"
    return event


def _dispose_delete_marker(self: FakeDeleteMarker, garbage: bool = False) -> None:
    """A delete marker has no value buffer to close (moto calls this on every version)."""


def patch_moto() -> None:
    """Fill the gaps listed in the module docstring, in moto's classes (this process only)."""
    handler: Any = ApplicationAutoScalingResponse
    handler.list_tags_for_resource = list_tags_for_resource
    handler.tag_resource = tag_resource
    handler.untag_resource = untag_resource
    handler.register_scalable_target = register_scalable_target
    queue: Any = Queue
    queue.attributes = property(_queue_attributes)
    backend: Any = SQSBackend
    backend.get_queue_attributes = _get_queue_attributes
    bucket: Any = FakeBucket
    bucket.get_permission = _bucket_permission
    sagemaker: Any = SageMakerResponse
    sagemaker.create_model = _create_model
    sagemaker.create_endpoint_config = _create_endpoint_config
    sagemaker.update_endpoint = _update_endpoint
    sagemaker.describe_model = _describe_model
    sagemaker.describe_endpoint_config = _describe_endpoint_config
    # send_event looks the builder up by name at call time.
    notifications: Any = s3_notifications
    notifications._get_s3_event = _s3_event
    marker: Any = FakeDeleteMarker
    marker.dispose = _dispose_delete_marker


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    patch_moto()
    logger.info("moto server with the local patches on http://%s:%d", args.host, args.port)
    moto_main(["--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    main()
