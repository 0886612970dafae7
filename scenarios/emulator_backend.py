"""The AWS backend against the emulator, as a scenario backend (id ``aws-emulator``).

:func:`running_emulator` starts the emulator on a free port of 127.0.0.1 in a thread, with its
store in a temporary folder; :func:`emulator_backend` gives an :class:`AwsBackend` whose boto3
session has fake credentials and whose clients point at it, so nothing reaches AWS.
:func:`fake_session` hands out one session per thread and set of credentials, made once: a new
session parses botocore's service models again (about 0.15 s of CPU for the backend's clients).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3

from featurestore_demo.aws.backend import AwsBackend
from featurestore_demo.config import Settings
from local_backend.emulator import Emulator

__all__ = ["running_emulator", "emulator_backend", "fake_session"]

FAST_LIFECYCLE = {"creating_seconds": 0.05, "deleting_seconds": 0.05, "query_seconds": 0.02}
_SESSIONS: dict[tuple[str, str, str, int], boto3.Session] = {}
"""(access key, secret key, region, thread) -> its session: a session is not for two threads at once."""


@contextmanager
def running_emulator(home: Path) -> Iterator[Emulator]:
    """An emulator serving on a free port with short lifecycles; stopped on exit."""
    with Emulator(home, port=0, **FAST_LIFECYCLE) as emulator:
        yield emulator


def fake_session(emulator: Emulator) -> boto3.Session:
    """A boto3 session with the emulator's fake credentials and region (never the user's), this
    thread's own (the same one each time it asks)."""
    env = emulator.environment()
    key = (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_REGION"], threading.get_ident())
    session = _SESSIONS.get(key)
    if session is None:
        session = _SESSIONS[key] = boto3.Session(
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=env["AWS_REGION"],
        )
    return session


def emulator_backend(emulator: Emulator) -> AwsBackend:
    """The AWS backend, unmodified, talking to ``emulator``."""
    env = emulator.environment()
    settings = Settings(backend="aws", role_arn=env["FEATURESTORE_ROLE_ARN"], s3_uri=env["FEATURESTORE_S3_URI"])
    return AwsBackend(settings=settings, session=fake_session(emulator), endpoint_url=emulator.url, max_attempts=2)
