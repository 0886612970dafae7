"""The HTTP emulator: the local backend behind the AWS wire protocols (moto's layout).

Per service a module that parses the request, calls the local backend and serialises the
answer (:mod:`.sagemaker`, :mod:`.runtime`, :mod:`.athena`); :mod:`.router` dispatches;
:mod:`.server` serves. S3, STS, IAM and Glue are moto's, in the same process.
"""

from local_backend.emulator.server import DEFAULT_PORT, Emulator

__all__ = ["Emulator", "DEFAULT_PORT"]
