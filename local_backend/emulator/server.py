"""The emulator: the local backend behind the AWS wire protocols, on one HTTP port.

SageMaker feature groups, the feature-store runtime and Athena are served from a
:class:`~local_backend.LocalBackend`; S3, STS, IAM and Glue by moto, in the same process.
Point boto3 at :attr:`Emulator.url` (``AWS_ENDPOINT_URL``) with any credentials.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

try:
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import WSGIRequestHandler, make_server
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "The emulator needs moto's server: pip install 'featurestore-demo[emulator]'"
    ) from exc

from local_backend.backend import LocalBackend
from local_backend.emulator.athena import AthenaService
from local_backend.emulator.router import Router
from local_backend.emulator.runtime import RuntimeService
from local_backend.emulator.s3_objects import S3Objects
from local_backend.emulator.sagemaker import Deletions, SageMakerService
from local_backend.running_query import DEFAULT_QUERY_TIMEOUT

__all__ = ["Emulator", "DEFAULT_PORT"]

log = logging.getLogger(__name__)
DEFAULT_PORT = 4567
LISTEN_BACKLOG = 128
DEMO_BUCKET = "featurestore-demo-emulator"
DEMO_ROLE_ARN = "arn:aws:iam::123456789012:role/featurestore-demo"


class _QuietHandler(WSGIRequestHandler):
    """werkzeug's handler, HTTP/1.1 (keep-alive), without the access log line per request."""

    protocol_version = "HTTP/1.1"

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Method and path at DEBUG; never the query string, which carries presigned URLs' signatures."""
        log.debug("%s %s", self.command, self.path.split("?", 1)[0])


def _listen(host: str, port: int) -> socket.socket:
    """A TCP socket listening on ``host:port``; OSError (such as EADDRINUSE) if it cannot be had.

    Bound here rather than by werkzeug, which prints and calls ``sys.exit`` when the port is taken.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(LISTEN_BACKLOG)
    except OSError:
        listener.close()
        raise
    return listener


class Emulator:
    """An HTTP server speaking SageMaker Feature Store, its runtime, Athena, and (by moto) S3/STS/IAM/Glue.

    ``port=0`` picks a free port. ``creating_seconds`` and ``deleting_seconds`` are how long a
    feature group stays Creating / Deleting; ``query_seconds`` how long a query stays RUNNING
    at least (0: StartQueryExecution returns once the query has finished), ``query_timeout``
    how long one may run before it FAILS with a timeout. Binds 127.0.0.1
    unless ``host`` says otherwise. One LocalBackend serves every request thread (it holds its
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
    ) -> None:
        self.region = region
        self.backend = LocalBackend(home, lifecycle_seconds=creating_seconds, region=region,
                                    query_timeout=query_timeout)
        s3 = S3Objects(self.backend.account_id)
        s3.ensure_bucket(DEMO_BUCKET, region)
        self.athena = AthenaService(self.backend, s3, min_seconds=query_seconds)
        app = Router(
            SageMakerService(self.backend, Deletions(deleting_seconds)),
            RuntimeService(self.backend),
            self.athena,
            DomainDispatcherApplication(create_backend_app),
        )
        try:
            listener = _listen(host, port)
        except OSError:  # the address is taken: release the store for whoever retries
            self.athena.close()
            self.backend.close()
            raise
        with listener:  # the server listens on its own duplicate of it
            self._server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler,
                                       fd=listener.fileno())
        self.host, self.port = host, self._server.port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def environment(self) -> dict[str, str]:
        """Environment variables that point boto3 (and the kit's AWS backend) at this emulator.

        The role is a placeholder and the bucket (made at start) lives in the emulator's S3.
        """
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "testing",
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
        self.athena.close()
        self.backend.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
