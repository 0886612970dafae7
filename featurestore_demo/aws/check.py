"""``python -m featurestore_demo.aws.check``: can the scenarios run on real AWS? (``make test-aws``)

Exits 0 when AWS credentials, FEATURESTORE_ROLE_ARN and FEATURESTORE_S3_URI are all set, and
otherwise exits 2 at once, naming each one that is missing and how to set it.
"""

from __future__ import annotations

import sys

from featurestore_demo.config import Settings

__all__ = ["missing_settings", "main"]


def missing_settings() -> list[str]:
    """What real AWS runs need and this environment lacks (empty when everything is there)."""
    import boto3

    settings = Settings.from_env("aws")
    session = boto3.Session()
    missing = []
    if session.get_credentials() is None:
        missing.append("credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or AWS_PROFILE")
    if session.region_name is None:
        missing.append("region: AWS_DEFAULT_REGION (or a region in your profile)")
    if not settings.role_arn:
        missing.append("FEATURESTORE_ROLE_ARN: a role SageMaker can assume to write the offline store")
    if not settings.s3_uri:
        missing.append("FEATURESTORE_S3_URI: s3://bucket/prefix for the offline store and Athena results")
    return missing


def main() -> int:
    missing = missing_settings()
    if missing:
        print("make test-aws needs real AWS settings; missing:", file=sys.stderr)
        for item in missing:
            print(f"  - {item}", file=sys.stderr)
        return 2
    print("AWS settings found: credentials, region, FEATURESTORE_ROLE_ARN, FEATURESTORE_S3_URI.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
