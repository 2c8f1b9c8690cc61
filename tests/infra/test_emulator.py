"""The emulator launcher fills the moto gaps that would hang or churn `terraform apply`.

Each test starts nothing itself: one real emulator process (the `emulator` fixture) serves the
module, and boto3 talks to it as the AWS provider would.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localrun.client import aws_client
from localrun.stack import REGION


def test_scalable_target_tags_round_trip(emulator: str) -> None:
    autoscaling = aws_client("application-autoscaling", emulator)
    resource_id = "endpoint/location-detector-test/variant/AllTraffic"
    autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=resource_id,
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        MinCapacity=0,
        MaxCapacity=2,
        Tags={"Project": "location-detector"},
    )
    arn = autoscaling.describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[resource_id]
    )["ScalableTargets"][0]["ScalableTargetARN"]

    assert autoscaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {
        "Project": "location-detector"
    }
    autoscaling.tag_resource(ResourceARN=arn, Tags={"Environment": "test"})
    autoscaling.untag_resource(ResourceARN=arn, TagKeys=["Project"])
    assert autoscaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"Environment": "test"}


def test_tags_of_an_unknown_target_are_not_found(emulator: str) -> None:
    autoscaling = aws_client("application-autoscaling", emulator)
    arn = f"arn:aws:application-autoscaling:{REGION}:123456789012:scalable-target/none"
    with pytest.raises(autoscaling.exceptions.ResourceNotFoundException):
        autoscaling.list_tags_for_resource(ResourceARN=arn)


def test_queue_returns_redrive_allow_policy_and_compact_redrive_policy(emulator: str) -> None:
    sqs = aws_client("sqs", emulator)
    dlq = sqs.create_queue(QueueName="emulator-test-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}, separators=(",", ":")
    )
    source = sqs.create_queue(QueueName="emulator-test", Attributes={"RedrivePolicy": redrive})[
        "QueueUrl"
    ]
    source_arn = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    allow = json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [source_arn]})
    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": allow})

    named = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["RedriveAllowPolicy"])
    assert json.loads(named["Attributes"]["RedriveAllowPolicy"]) == json.loads(allow)
    everything = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["All"])["Attributes"]
    assert json.loads(everything["RedriveAllowPolicy"]) == json.loads(allow)
    # Byte for byte what terraform's jsonencode sent, so no whitespace-only diff.
    source_attributes = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["All"])
    assert source_attributes["Attributes"]["RedrivePolicy"] == redrive


def test_sagemaker_keeps_network_isolation_and_omits_empty_blocks(emulator: str) -> None:
    sagemaker = aws_client("sagemaker", emulator)
    sagemaker.create_model(
        ModelName="emulator-test",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/emulator-test",
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"},
        EnableNetworkIsolation=True,
    )
    model = sagemaker.describe_model(ModelName="emulator-test")
    assert model["EnableNetworkIsolation"] is True
    assert "VpcConfig" not in model

    sagemaker.create_endpoint_config(
        EndpointConfigName="emulator-test",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "emulator-test",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
        AsyncInferenceConfig={"OutputConfig": {"S3OutputPath": "s3://bucket/sagemaker-output/"}},
    )
    config = sagemaker.describe_endpoint_config(EndpointConfigName="emulator-test")
    assert "DataCaptureConfig" not in config
    assert config["AsyncInferenceConfig"]["OutputConfig"]["S3OutputPath"].endswith("output/")
    # moto's own CreateEndpoint still reads the configuration it stored.
    sagemaker.create_endpoint(EndpointName="emulator-test", EndpointConfigName="emulator-test")
    assert (
        sagemaker.describe_endpoint(EndpointName="emulator-test")["EndpointName"] == "emulator-test"
    )


def _model_and_config(sagemaker: Any, name: str, instance_type: str, model: str = "") -> None:
    if model:
        sagemaker.create_model(
            ModelName=model,
            ExecutionRoleArn="arn:aws:iam::123456789012:role/emulator-test",
            PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"},
        )
    sagemaker.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": model or "rules-v1",
                "InstanceType": instance_type,
                "InitialInstanceCount": 1,
            }
        ],
    )


def test_sagemaker_names_are_unique(emulator: str) -> None:
    sagemaker = aws_client("sagemaker", emulator)
    _model_and_config(sagemaker, "unique-config", "ml.m5.xlarge", model="unique-model")
    with pytest.raises(ClientError, match="Cannot create already existing model"):
        _model_and_config(sagemaker, "unique-config-2", "ml.m5.xlarge", model="unique-model")
    with pytest.raises(ClientError, match="already existing endpoint configuration"):
        _model_and_config(sagemaker, "unique-config", "ml.m5.xlarge")


def test_update_endpoint_follows_the_autoscaling_rules(emulator: str) -> None:
    sagemaker = aws_client("sagemaker", emulator)
    autoscaling = aws_client("application-autoscaling", emulator)
    _model_and_config(sagemaker, "rules-c1", "ml.m5.xlarge", model="rules-v1")
    _model_and_config(sagemaker, "rules-c2", "ml.m5.xlarge", model="rules-v2")
    _model_and_config(sagemaker, "rules-c3", "ml.c5.xlarge")
    sagemaker.create_endpoint(EndpointName="rules", EndpointConfigName="rules-c1")
    target = {
        "ServiceNamespace": "sagemaker",
        "ResourceId": "endpoint/rules/variant/AllTraffic",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
    }
    autoscaling.register_scalable_target(**target, MinCapacity=0, MaxCapacity=4)

    # A new model on the same instance type is allowed while autoscaled.
    sagemaker.update_endpoint(EndpointName="rules", EndpointConfigName="rules-c2")
    assert sagemaker.describe_endpoint(EndpointName="rules")["EndpointConfigName"] == "rules-c2"
    # A new instance type is not, until the target is deregistered.
    with pytest.raises(ClientError, match="deregister the scalable target"):
        sagemaker.update_endpoint(EndpointName="rules", EndpointConfigName="rules-c3")
    autoscaling.deregister_scalable_target(**target)
    sagemaker.update_endpoint(EndpointName="rules", EndpointConfigName="rules-c3")
    assert sagemaker.describe_endpoint(EndpointName="rules")["EndpointConfigName"] == "rules-c3"


def _bucket_with_policy(s3: Any, name: str, statements: list[dict[str, Any]]) -> None:
    s3.create_bucket(Bucket=name)
    policy = {"Version": "2012-10-17", "Statement": statements}
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))


def test_tls_only_bucket_policy_lets_emulated_https_requests_through(emulator: str) -> None:
    s3 = aws_client("s3", emulator)
    tls_only = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::emulator-tls", "arn:aws:s3:::emulator-tls/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    _bucket_with_policy(s3, "emulator-tls", [tls_only])

    s3.put_object(Bucket="emulator-tls", Key="blueprints/a.png", Body=b"plan")
    assert s3.get_object(Bucket="emulator-tls", Key="blueprints/a.png")["Body"].read() == b"plan"


def test_unconditional_deny_still_denies(emulator: str) -> None:
    s3 = aws_client("s3", emulator)
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::emulator-deny/*",
    }
    _bucket_with_policy(s3, "emulator-deny", [deny])

    with pytest.raises(s3.exceptions.ClientError, match="403"):
        s3.put_object(Bucket="emulator-deny", Key="x", Body=b"x")


def _queued_s3_event(s3: Any, sqs: Any, bucket: str, *, versioned: bool) -> str:
    """A bucket that notifies a queue of every upload; returns the queue's URL."""
    queue = sqs.create_queue(QueueName=f"{bucket}-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    s3.create_bucket(Bucket=bucket)
    if versioned:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    return str(queue)


def _receive_one(sqs: Any, queue: str) -> dict[str, Any]:
    """The next event notification, past S3's test event (sent when the configuration is set)."""
    for _ in range(3):
        messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=2).get("Messages", [])
        assert len(messages) == 1, messages
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=messages[0]["ReceiptHandle"])
        body = dict(json.loads(messages[0]["Body"]))
        if body.get("Event") != "s3:TestEvent":
            return body
    raise AssertionError("no event notification")


@pytest.mark.parametrize("versioned", [True, False])
def test_s3_notification_has_the_shape_aws_documents(emulator: str, versioned: bool) -> None:
    """What reaches SQS passes Powertools' strict S3Model and carries every field of AWS's
    "Event message structure" (moto omits userIdentity, requestParameters, responseElements,
    ownerIdentity, sequencer, versionId, and encodes '/' in the key)."""
    from aws_lambda_powertools.utilities.parser import parse
    from aws_lambda_powertools.utilities.parser.models import S3Model

    s3, sqs = aws_client("s3", emulator), aws_client("sqs", emulator)
    bucket = f"emulator-events-{'v' if versioned else 'u'}"
    queue = _queued_s3_event(s3, sqs, bucket, versioned=versioned)
    put = s3.put_object(Bucket=bucket, Key="blueprints/site a/plan.png", Body=b"plan")
    event = _receive_one(sqs, queue)

    record = event["Records"][0]
    assert record["userIdentity"]["principalId"]
    assert record["requestParameters"]["sourceIPAddress"]
    assert set(record["responseElements"]) == {"x-amz-request-id", "x-amz-id-2"}
    assert record["s3"]["bucket"]["ownerIdentity"]["principalId"]
    obj = record["s3"]["object"]
    assert obj["key"] == "blueprints/site+a/plan.png"
    assert obj["eTag"] == put["ETag"].strip('"')
    assert obj.get("versionId") == (put["VersionId"] if versioned else None)
    parsed = parse(event=event, model=S3Model)
    assert parsed.Records[0].s3.object.key == "blueprints/site+a/plan.png"

    # Sequencers of one key increase with each event, as consumers that order events rely on.
    s3.put_object(Bucket=bucket, Key="blueprints/site a/plan.png", Body=b"plan 2")
    later = _receive_one(sqs, queue)["Records"][0]["s3"]["object"]["sequencer"]
    assert int(later, 16) > int(obj["sequencer"], 16)


def test_versioned_bucket_with_a_delete_marker_can_be_emptied(emulator: str) -> None:
    """What `terraform destroy` does to a bucket with force_destroy: versioning suspended
    (aws_s3_bucket_versioning is destroyed first), then every version and delete marker
    deleted with DeleteObjects, then the bucket. moto answered 500 on the delete marker."""
    s3 = aws_client("s3", emulator, max_attempts=1)  # moto answered 500: see it
    bucket = "emulator-delete-marker"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="probe", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="probe")  # leaves a delete marker
    s3.put_object(Bucket=bucket, Key="kept", Body=b"y")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})

    versions = s3.list_object_versions(Bucket=bucket)
    assert len(versions["DeleteMarkers"]) == 1
    objects = [
        {"Key": v["Key"], "VersionId": v["VersionId"]}
        for v in versions.get("Versions", []) + versions["DeleteMarkers"]
    ]
    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})

    assert not answer.get("Errors"), answer
    after = s3.list_object_versions(Bucket=bucket)
    assert not after.get("Versions") and not after.get("DeleteMarkers")
    s3.delete_bucket(Bucket=bucket)
