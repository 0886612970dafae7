"""The AWS adapter: the interface over boto3 (SageMaker, the feature-store runtime, Athena, S3, Glue).

:mod:`.backend` is the backend, :mod:`.athena` runs Athena queries, :mod:`.calls` is the one place
a botocore ClientError becomes the kit's error, and :mod:`.check` (``python -m
featurestore_demo.aws.check``) says whether this machine can reach AWS.
"""
