"""The emulator: the local backend behind the AWS wire protocols, on one HTTP port.

SageMaker feature groups, the feature-store runtime and Athena are served from a
:class:`~local_backend.LocalBackend`; S3, STS, IAM and Glue by moto, in the same process, and
the files under ``<home>/s3/<bucket>/`` (the offline store) as S3 objects beside moto's
(:mod:`.s3_front`).
Point boto3 at :attr:`Emulator.url` (``AWS_ENDPOINT_URL``) with any credentials.

Connections are kept open between requests (HTTP/1.1 keep-alive, :mod:`.http_server`). Slow or
stalled clients cannot exhaust it: a connection that sends nothing for ``idle_timeout`` seconds
(between requests, mid-request line, mid-headers or mid-body) is closed, and at most
``max_connections`` are served at once; further ones wait in the listen backlog until a slot
frees (a connection idle between requests gives its slot up to one that waits).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

try:
    from moto.server import DomainDispatcherApplication, create_backend_app
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "The emulator needs moto's server: pip install 'featurestore-demo[emulator]'"
    ) from exc

from featurestore_demo.errors import ServiceUnavailable
from local_backend.backend import LocalBackend
from local_backend.emulator.athena import AthenaService
from local_backend.emulator.glue_tables import GlueTables
from local_backend.emulator.http_server import HttpServer, listen
from local_backend.emulator.iam_roles import ensure_role, sign_in_as
from local_backend.emulator.regions import RegionalGlue, RegionalService, Regions, Stack
from local_backend.emulator.router import Router
from local_backend.emulator.runtime import RuntimeService
from local_backend.emulator.s3_front import S3Front
from local_backend.emulator.s3_objects import S3Objects
from local_backend.emulator.sagemaker import Deletions, SageMakerService
from local_backend.running_query import DEFAULT_QUERY_TIMEOUT

__all__ = ["Emulator", "DEFAULT_PORT", "DEFAULT_IDLE_TIMEOUT", "DEFAULT_MAX_CONNECTIONS"]

log = logging.getLogger(__name__)
DEFAULT_PORT = 4567
DEFAULT_IDLE_TIMEOUT = 60.0
DEFAULT_MAX_CONNECTIONS = 64
DEMO_BUCKET = "featurestore-demo-emulator"
DEMO_ROLE_ARN = "arn:aws:iam::123456789012:role/featurestore-demo"
DEMO_ACCESS_KEY = "ASIAFEATURESTOREDEMO"
"""The access key :meth:`Emulator.environment` prints: a session of :data:`DEMO_ROLE_ARN` (iam_roles);
shaped as AWS keys are (20 capitals and digits), which is how moto finds the key of a request."""


class Emulator:
    """An HTTP server speaking SageMaker Feature Store, its runtime, Athena, and (by moto) S3/STS/IAM/Glue.

    ``port=0`` picks a free port. ``creating_seconds`` and ``deleting_seconds`` are how long a
    feature group stays Creating / Deleting; ``query_seconds`` how long a query stays RUNNING
    at least (0: StartQueryExecution returns once the query has finished), ``query_timeout``
    how long one may run before it FAILS with a timeout. Binds 127.0.0.1
    unless ``host`` says otherwise. A connection idle for ``idle_timeout`` seconds is closed
    (a request whose body stalls is answered 400 first); at most ``max_connections`` are
    served at once. ``offline_delay`` holds offline writes back that many seconds, as AWS's
    buffering does (LocalBackend). One LocalBackend serves every request thread (it holds its
    own lock).
    """

    def __init__(
        self,
        home: str | os.PathLike[str],
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        region: str = "us-east-1",
        creating_seconds: float = 1.0,
        deleting_seconds: float = 1.0,
        query_seconds: float = 0.1,
        query_timeout: float = DEFAULT_QUERY_TIMEOUT,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        offline_delay: float | None = None,
    ) -> None:
        if not idle_timeout > 0 or max_connections < 1 or not query_timeout > 0:
            raise ValueError(f"idle_timeout and query_timeout must be > 0 and max_connections >= 1, got "
                             f"{idle_timeout}, {query_timeout}, {max_connections}.")
        self.region, self.home = region, Path(home)
        self._creating_seconds, self._deleting_seconds = creating_seconds, deleting_seconds
        self._query_seconds, self._query_timeout, self._offline_delay = query_seconds, query_timeout, offline_delay
        self._s3 = S3Objects()
        self.regions = Regions(region, self._stack)
        default = self.regions.get(region)
        self.backend, self.athena = default.backend, default.athena
        self._s3.ensure_bucket(DEMO_BUCKET, region)
        ensure_role(DEMO_ROLE_ARN)
        sign_in_as(DEMO_ROLE_ARN, DEMO_ACCESS_KEY, region)
        self.s3_files = S3Front(DomainDispatcherApplication(create_backend_app), self.backend.s3_root, self._s3,
                                region, on_delete=self._objects_deleted, before_request=self._write_out)
        app = Router(
            RegionalService(self.regions, lambda stack: stack.sagemaker),
            RegionalService(self.regions, lambda stack: stack.runtime),
            RegionalService(self.regions, lambda stack: stack.athena),
            self.s3_files,
            RegionalGlue(self.regions),
        )
        try:
            listener = listen(host, port)
        except OSError:  # the address is taken: release the store for whoever retries
            self._close_stores()
            raise
        self._server = HttpServer(listener, app, idle_timeout=idle_timeout, max_connections=max_connections)
        self.host, self.port = host, self._server.port
        self._thread: threading.Thread | None = None

    def _stack(self, region: str) -> Stack:
        """The store of ``region`` and its services (regions.py): the emulator's own region's store
        in ``home``, another's in ``home/regions/<region>``; one S3 for all."""
        home = self.home if region == self.region else self.home / "regions" / region
        backend = LocalBackend(home, region=region, s3_root=self.home / "s3", lifecycle_seconds=self._creating_seconds,
                               query_timeout=self._query_timeout, offline_delay=self._offline_delay)
        glue = GlueTables(backend, backend.account_id, region)
        glue.restore()
        athena = AthenaService(backend, self._s3, glue=glue, write_out=self._write_out,
                               min_seconds=self._query_seconds)
        return Stack(backend, SageMakerService(backend, Deletions(self._deleting_seconds), glue),
                     RuntimeService(backend), athena, glue)

    def _objects_deleted(self, bucket: str, keys: list[str]) -> None:
        """S3 deleted objects: every region's store stops showing the rows of its files among them."""
        for stack in self.regions.stacks():
            stack.backend.offline_objects_deleted(bucket, keys)

    def _close_stores(self) -> None:
        for stack in self.regions.stacks():
            stack.athena.close()
            stack.backend.close()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _write_out(self) -> None:
        """Write every region's acknowledged offline writes out as files (those ``offline_delay``
        holds back stay back), so an S3 reader sees them; a full disk leaves them journaled."""
        for stack in self.regions.stacks():
            try:
                stack.backend.write_out_offline()
            except ServiceUnavailable as error:
                log.warning("The offline store could not be written before an S3 request: %s", error)

    def environment(self) -> dict[str, str]:
        """Environment variables that point boto3 (and the kit's AWS backend) at this emulator.

        The role and the bucket are made at start in the emulator's IAM and S3; the access key is
        a session of the role (STS GetCallerIdentity names it, as in a SageMaker notebook).
        """
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": DEMO_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "FEATURESTORE_ROLE_ARN": DEMO_ROLE_ARN,
            "FEATURESTORE_S3_URI": f"s3://{DEMO_BUCKET}/featurestore-demo",
        }

    def start(self) -> Emulator:
        """Serve on a background thread; returns self."""
        self._thread = threading.Thread(target=self._server.serve_forever, name="emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on this thread until :meth:`stop` (or KeyboardInterrupt)."""
        self._server.serve_forever()

    def stop(self) -> None:
        """Stop serving, finish running queries and close the store. Idempotent."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
        self._close_stores()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
