"""The emulator's demo role in the IAM and STS that moto serves in the same process.

At start-up the role that ``featurestore-demo emulator`` prints (``FEATURESTORE_ROLE_ARN``) is
made in moto's IAM, trusted by SageMaker, and the access key it prints is made a session of
that role, as in a SageMaker notebook: STS GetCallerIdentity answers
``arn:aws:sts::<account>:assumed-role/<role>/<session>``, IAM GetRole finds the role, so the
SageMaker SDK's ``get_execution_role()`` returns the role's ARN. Every touch of moto's IAM and
STS internals is in this module.
"""

from __future__ import annotations

import json

__all__ = ["ensure_role", "sign_in_as"]

TRUST_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
})
PARTITION = "aws"


def _parts(role_arn: str) -> tuple[str, str, str]:
    """(account, path, name) of ``arn:aws:iam::<account>:role/<path><name>``."""
    fields = role_arn.split(":", 5)
    path, _, name = fields[5].removeprefix("role").rpartition("/")
    return fields[4], f"{path}/", name


def ensure_role(role_arn: str, description: str = "The featurestore-demo emulator's role") -> None:
    """Create the IAM role ``role_arn`` (trusted by sagemaker.amazonaws.com) unless it exists."""
    from moto.iam.models import iam_backends

    account, path, name = _parts(role_arn)
    iam = iam_backends[account][PARTITION]
    if any(role.name == name for role in iam.get_roles()):
        return
    iam.create_role(role_name=name, assume_role_policy_document=TRUST_POLICY, path=path,
                    permissions_boundary=None, description=description, tags=[], max_session_duration="43200")


def sign_in_as(role_arn: str, access_key_id: str, region: str) -> None:
    """Make ``access_key_id`` the key of a session of ``role_arn`` (named after the role), unless it
    is one already: STS GetCallerIdentity then names the role's session."""
    from moto.sts.models import sts_backends

    account, _, name = _parts(role_arn)
    sts = sts_backends[account][PARTITION]
    if sts.get_assumed_role_from_access_key(access_key_id) is not None:
        return
    session = sts.assume_role(region_name=region, role_session_name=name, role_arn=role_arn, policy="",
                              duration=43200, external_id="")
    session.access_key.access_key_id = session.access_key_id = access_key_id
