"""Fuzzing (docs/quality.md): Schemathesis against /api/schema/ with a station's token.

Each operation of the app's schema is a test of its own. Its cases, valid and
invalid (Schemathesis' positive and negative modes, in its coverage and
fuzzing phases), go in-process to the project's WSGI application with the
token of a station operator at ``tree.village_a1``, on the test database
seeded with the station's own objects (their makers in tests/registry.py); ids in
paths are often ids that exist, mostly the station's own (``aim``). Every
answer must be:

- no server error (no 5xx);
- as the schema says: the body, content type and headers of a documented
  status;
- a documented status, or one of the errors docs/api.md promises (drf-spectacular
  documents only the successes);
- auth never ignored: Schemathesis' ``ignored_auth`` repeats a 2xx without
  credentials and with wrong ones, and our own probes repeat the first cases
  of every operation that asks for credentials (all but a device's sign-in),
  whatever they answered (a station may not POST an
  organization, so that never sees a 2xx): both must get 401.

A failure already reported and not fixed yet is in ``KNOWN_FAILURES``: the
fuzzer counts it and goes on, and ``test_known_failure_is_fixed`` reproduces
exactly that case, marked ``xfail(strict=True)``; once the app is fixed that
test passes, strict xfail turns it red, and the entry is deleted.

The figure, cases generated per operation and 5xx, is printed at the end of
the run (conftest.py); ``test_the_fuzz_run_is_not_vacuous`` checks that the
run covered the schema the app serves and reached data.
``HYPOTHESIS_PROFILE=thorough`` (as for the property tests) fuzzes longer.
"""

import copy
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from tests.fuzz import APP, EXISTING_IDS, OWN_PATH_PARAMETERS, SCHEMA_PATH, schema_document

# Hypothesis' fuzzing phase makes up to max_examples cases per operation (derandomized: the
# same ones every run); Schemathesis' coverage phase adds its boundary and invalid cases.
FUZZ_PROFILES = {
    "ci": settings(
        max_examples=25,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    ),
    "thorough": settings(
        max_examples=500,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    ),
}
FUZZ_SETTINGS = FUZZ_PROFILES.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), FUZZ_PROFILES["ci"])
MIN_CASES_PER_OPERATION = 20
# Every error an operation answers is documented with it (apps/core/api/schema.py), except a
# 405 for a method the path does not have, which no operation can document.
CONTRACT_ERROR_STATUSES = {405}
AUTH_PROBES_PER_OPERATION = 3
WRONG_CREDENTIALS = {
    "no credentials": {},
    "a token that does not exist": {"Authorization": "Token " + "0f" * 20},
    "a token header without a key": {"Authorization": "Token"},
    "another scheme": {"Authorization": "Bearer " + "0f" * 20},
}
HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def status_code_in_contract(ctx, response, case):
    """The status is documented for the operation, or is one of docs/api.md's error statuses."""
    if response.status_code in CONTRACT_ERROR_STATUSES:
        return None
    return status_code_conformance(ctx, response, case)


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
    status_code_in_contract,
    ignored_auth,
]


# --- Failures found and not fixed yet ----------------------------------------------------


@dataclass(frozen=True)
class KnownFailure:
    name: str
    reason: str
    # (case, response, failure, server traceback) -> whether the failure is this one.
    matches: Callable
    # (schema, station) -> the cases that show it.
    reproduce: Callable


# Each entry: a failure the fuzzer found that is not fixed yet, recognised by ``matches`` and
# shown by ``reproduce``. Empty now: the seven it found first (an unknown method's 500, nulls
# and nesting the schema did not allow, an out-of-range offset, an undocumented 200 replay, a
# download's content type) are fixed in the application.
KNOWN_FAILURES: list[KnownFailure] = []


REPLAYED_MEMBER = {
    "client_id": "6c1ba1f4-6a43-4a8a-9d0c-1e0f4b1b7a01",
    "name": "王桂英",
    "gender": "female",
}


def known_failure(case, response, failure, server_traceback) -> KnownFailure | None:
    return next(
        (k for k in KNOWN_FAILURES if k.matches(case, response, failure, server_traceback)),
        None,
    )


# --- The run -------------------------------------------------------------------------------

schema = schemathesis.openapi.from_dict(copy.deepcopy(schema_document()))
schema.app = APP
schema.config.seed = 13
schema.config.generation.update(
    modes=["positive", "negative"],
    deterministic=True,
    # The station's token goes with every case; the auth probes send none or a wrong one.
    with_security_parameters=False,
)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Often ids that exist: any row's (the station's own, an ancestor's, a sibling's) or, for
    every parameter at once, the station's own row's."""
    path = context.operation.path
    if not path_parameters or not all(_is_id(value) for value in path_parameters.values()):
        return st.just(path_parameters)
    existing = EXISTING_IDS.get(path, {})
    options = [
        st.just(path_parameters),
        st.fixed_dictionaries(
            {
                name: st.sampled_from(existing[name]) if existing.get(name) else st.just(value)
                for name, value in path_parameters.items()
            }
        ),
    ]
    if OWN_PATH_PARAMETERS.get(path):
        own = st.sampled_from(OWN_PATH_PARAMETERS[path])
        options.append(own.map(lambda parameters: {**path_parameters, **parameters}))
    return st.one_of(options)


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_a_station(case, station, fuzz_stats, in_process_app, existing_ids):
    headers = aim(case, station)
    fuzz_stats.last_traceback = None
    response = case.call(headers=headers)
    server_traceback = fuzz_stats.last_traceback
    known, new = [], []
    for failure in failures_of(case, response, station):
        k = known_failure(case, response, failure, server_traceback)
        if k is None:
            new.append(failure)
        else:
            known.append(k.name)
    fuzz_stats.record(case, response, known=known)
    if _should_probe_auth(case, fuzz_stats):
        _probe_auth(case, fuzz_stats)
    if new:
        raise AssertionError(_report(case, response, new, server_traceback, headers))


def aim(case, station) -> dict:
    """Aim a case at the station's own rows, the way its client works; the headers to send.

    Hypothesis' cases get existing ids in their paths from the hook above; the
    coverage phase's cases do not, so their valid ids become the station's own
    (else a PATCH body would never get past the 404). Half the valid PATCHes
    on its own rows then send ``If-Match`` with the ETag a GET gave, as docs/api.md
    asks of a client (the schema does not say so).
    """
    own = OWN_PATH_PARAMETERS.get(case.operation.path)
    if not own or case.meta is None or case.meta.is_negative_at(ParameterLocation.PATH):
        return station.headers
    body = None if isinstance(case.body, NotSet) else case.body
    pick = zlib.crc32(repr((case.query, body)).encode())  # the same for the same case, every run
    if case.meta.phase.name.value == "coverage":
        case.path_parameters.update(own[pick % len(own)])
    if (
        case.method == "PATCH"
        and case.path_parameters in own
        and not case.meta.generation.mode.is_negative
        and pick % 2 == 0
    ):
        etag = Client(APP).get(case.formatted_path, headers=station.headers).headers.get("ETag")
        if etag:
            return {**station.headers, "If-Match": etag}
    return station.headers


def failures_of(case, response, station) -> list:
    try:
        case.validate_response(response, checks=CHECKS, headers=station.headers)
    except FailureGroup as group:
        return list(group.exceptions)
    return []


def _report(case, response, failures, server_traceback, headers=None) -> str:
    return "\n\n".join(
        [
            *(f"{f.title}\n{f.message}".strip() for f in failures),
            f"[{response.status_code}] {response.content[:1500].decode(errors='replace')}",
            f"Reproduce with (the station's token):\n{case.as_curl_command(headers=headers)}",
            *([f"Server traceback:\n{server_traceback}"] if server_traceback else []),
        ]
    )


def _should_probe_auth(case, stats) -> bool:
    positive = case.meta is None or case.meta.generation.mode.is_positive
    return (
        positive
        and needs_credentials(case.operation.definition.raw)
        and stats.auth_probes[case.operation.label] < AUTH_PROBES_PER_OPERATION
    )


def needs_credentials(operation: dict) -> bool:
    """Whether the schema asks credentials of an operation: every one but a device's sign-in."""
    return bool(operation.get("security"))


def _probe_auth(case, stats):
    """The same request without credentials, or with wrong ones, gets 401."""
    stats.auth_probes[case.operation.label] += 1
    for what, headers in WRONG_CREDENTIALS.items():
        answer = case.call(headers=headers)
        assert answer.status_code == 401, (
            f"{case.operation.label} with {what} answered {answer.status_code}, not 401:\n"
            f"{case.as_curl_command(headers=headers)}\n{answer.text[:500]}"
        )


# Only while a failure is known: an empty parametrization would be reported as a skip, and
# this suite has no skips.
if KNOWN_FAILURES:

    @pytest.mark.parametrize(
        "known",
        [
            pytest.param(k, id=k.name, marks=pytest.mark.xfail(strict=True, reason=k.reason))
            for k in KNOWN_FAILURES
        ],
    )
    def test_known_failure_is_fixed(known, station, fuzz_stats, in_process_app):
        """The exact case of a known failure; xfail until the app is fixed, then delete it."""
        for case in known.reproduce(schema, station):
            fuzz_stats.last_traceback = None
            response = case.call(headers=station.headers)
            server_traceback = fuzz_stats.last_traceback
            still = [
                f
                for f in failures_of(case, response, station)
                if known.matches(case, response, f, server_traceback)
            ]
            assert not still, _report(case, response, still, server_traceback, station.headers)


def test_the_fuzz_run_is_not_vacuous(request, fuzz_stats, station, api_as):
    """The fuzzed schema is the served one, every operation got enough cases, data was reached."""
    if not any(item.name.startswith("test_api_as_a_station") for item in request.session.items):
        pytest.skip("the fuzz run itself was not selected")
    served = api_as(station.user).get(SCHEMA_PATH)
    assert served.status_code == 200
    assert served.json() == schema_document(), "the fuzzed schema is not the one the app serves"
    operations = {
        f"{method.upper()} {path}": operation
        for path, item in served.json()["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }
    in_schema = set(operations)
    secured = {label for label, operation in operations.items() if needs_credentials(operation)}

    assert in_schema, "the schema lists no operation"
    assert set(fuzz_stats.cases) == in_schema
    # An operation that takes no input at all (a device's sign-out) has only the few cases
    # Schemathesis makes of its headers and methods.
    no_input = {
        label
        for label, operation in operations.items()
        if not operation.get("parameters") and "requestBody" not in operation
    }
    too_few = {
        label: n
        for label, n in fuzz_stats.cases.items()
        if n < MIN_CASES_PER_OPERATION and label not in no_input
    }
    assert not too_few, f"fewer than {MIN_CASES_PER_OPERATION} cases: {too_few}"
    assert all(fuzz_stats.negative[label] for label in in_schema), "no invalid input sent"
    assert secured and all(fuzz_stats.auth_probes[label] for label in secured), "auth not probed"
    reads = {label for label in in_schema if label.startswith("GET ")}
    no_data = sorted(reads - {label for label, n in fuzz_stats.with_data.items() if n})
    assert not no_data, (
        f"never a 200 with data (a maker in tests/registry.py that seeds none?): {no_data}"
    )
