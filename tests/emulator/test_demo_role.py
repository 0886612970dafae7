"""The role and the bucket the emulator prints exist in its IAM and S3; its access key is the role's session."""

from __future__ import annotations

import json

from local_backend.emulator.server import DEMO_BUCKET, DEMO_ROLE_ARN


def test_the_printed_role_exists_and_sagemaker_may_assume_it(emulator, clients) -> None:
    role = clients["iam"].get_role(RoleName="featurestore-demo")["Role"]
    assert role["Arn"] == DEMO_ROLE_ARN == emulator.environment()["FEATURESTORE_ROLE_ARN"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "sagemaker.amazonaws.com"}


def test_the_printed_credentials_are_a_session_of_the_role(clients) -> None:
    """The SDK's get_execution_role(): the caller's assumed role, then IAM GetRole for its ARN."""
    identity = clients["sts"].get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::123456789012:assumed-role/featurestore-demo/featurestore-demo"
    assert identity["Account"] == "123456789012"
    role_name = identity["Arn"].split("/")[1]
    assert clients["iam"].get_role(RoleName=role_name)["Role"]["Arn"] == DEMO_ROLE_ARN


def test_the_printed_bucket_exists(emulator, s3) -> None:
    assert emulator.environment()["FEATURESTORE_S3_URI"].startswith(f"s3://{DEMO_BUCKET}/")
    assert s3.head_bucket(Bucket=DEMO_BUCKET)["ResponseMetadata"]["HTTPStatusCode"] == 200
