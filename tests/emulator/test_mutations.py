"""Every member of every served operation, mutated: a 4xx with an AWS error code, never a 5xx.

For each operation the emulator serves (SageMaker, the runtime, Athena), each member of its full
valid request (valid_requests) at every depth, each list element and a map's value included, is
replaced in turn by null, a value of each wrong JSON type, an empty list or object, a list
holding null, a 100,000-character string, a value nested 40 deep, and values of its own type
that handlers must read with care ("1e400", "NaN", 2**63...: model_violations). Where a
rest-json URL carries the member it is replaced by texts instead (empty, long, control
characters...). Each answer must be a 2xx (a mutant may still be valid: null for an
optional member) or a 4xx whose AWS error code botocore can read; never a 5xx, never a dropped
connection. A refused request to an operation that writes must leave every service's state as
it was. Athena's members also go as JSON 1.1, where the body carries those of the URL.

One test per operation sends all its mutants and reports every misfit at once, so the sweep's
thousands of requests cost one test each.
"""

from __future__ import annotations

import http.client
import re
import uuid

import pytest

from emulator_helpers import error_code, send, served_operations, unique_name, whole_state
from model_violations import Mutation, filled, mutations, wire_request
from valid_requests import ATHENA, RUNTIME, SAGEMAKER

VALID = {"sagemaker": SAGEMAKER, "sagemaker-featurestore-runtime": RUNTIME, "athena": ATHENA}
READS = ("Get", "BatchGet", "List", "Describe", "Search")
"""Operations whose names start so read only; every other served operation may write."""
JSON11 = {"athena": "AmazonAthena."}
"""The JSON 1.1 target prefix of the rest-json services that also speak it."""


def _sweep() -> list[tuple[str, str, bool]]:
    """(service, operation, over JSON 1.1) of every served operation that has members to mutate."""
    return [(service, operation, json11) for service in VALID for operation in served_operations(service)
            for json11 in ([False, True] if service in JSON11 else [False])
            if _mutations(service, operation, json11)]


def _mutations(service: str, operation: str, json11: bool) -> list[Mutation]:
    found = mutations(service, {operation: VALID[service][operation]}, [operation])
    if not json11:
        return found
    # over JSON 1.1 the body carries every member: only those a rest-json URL carries are new
    in_url = {_top(mutation.member) for mutation in found if mutation.in_url}
    return [mutation for mutation in mutations(service, {operation: VALID[service][operation]}, [operation],
                                               in_body=True) if _top(mutation.member) in in_url]


def _top(member: str) -> str:
    """The top-level member of a member's path (``AttributesToGet`` of ``AttributesToGet[0]``)."""
    return re.split(r"[.\[]", member, maxsplit=1)[0]


SWEEP = _sweep()


@pytest.mark.parametrize("service, operation, json11", SWEEP,
                         ids=[f"{s}:{o}{':json-1.1' if j else ''}" for s, o, j in SWEEP])
def test_every_mutant_is_a_4xx_with_an_aws_code_and_changes_nothing(emulator, places, service, operation, json11):
    groups = [places["group"], places["memory"]]
    writes = not operation.startswith(READS)
    offline = service == "sagemaker-featurestore-runtime"  # only its writes reach the offline store

    def snapshot() -> tuple | None:
        return whole_state(emulator, groups, offline=offline) if writes else None

    state, misfits = snapshot(), []
    for mutation in _mutations(service, operation, json11):
        params = filled(mutation.params, {**places, "new": unique_name("mut"), "token": uuid.uuid4().hex})
        try:
            status, headers, body = send(emulator, *wire_request(service, operation, params,
                                                                 json11_prefix=JSON11[service] if json11 else None))
        except (OSError, http.client.HTTPException) as exc:
            misfits.append(f"{mutation.member} <- {mutation.mutant}: no answer ({exc!r})")
            continue
        if 200 <= status < 300:  # a mutant that is still valid did what it asked
            state = snapshot()
            continue
        code = _code(headers, body)
        if not (400 <= status < 500 and code):
            misfits.append(f"{mutation.member} <- {mutation.mutant}: {status} {code or body[:200]!r}")
        elif snapshot() != state:
            misfits.append(f"{mutation.member} <- {mutation.mutant}: {status} {code}, but the state changed")
            state = snapshot()
    assert not misfits, "\n".join(misfits)


def _code(headers: dict, body: bytes) -> str:
    try:
        return error_code(headers, body)
    except ValueError:  # not JSON
        return ""
