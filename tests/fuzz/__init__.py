"""Schemathesis against the app's own OpenAPI schema, as a village station (docs/quality.md, 13).

What conftest.py and test_schemathesis.py share: the schema document, the
WSGI application as the fuzzer calls it, and the figures of the run.
"""

import functools
import json
import traceback
from collections import Counter
from dataclasses import dataclass, field

import psycopg
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, transaction

SCHEMA_PATH = "/api/schema/?format=json"

# Filled per test by the ``existing_ids`` fixture: path → {"id": ids of every row of its
# model}, and path → the path parameters of the station's own rows ([{"id": 4}, …]).
EXISTING_IDS: dict[str, dict[str, list[int]]] = {}
OWN_PATH_PARAMETERS: dict[str, list[dict[str, int]]] = {}


@functools.cache
def schema_document() -> dict:
    """The document /api/schema/ serves, from the same generator and settings, without a request.

    It is made when the tests are collected (there is no database then, and
    the served view wants a logged-in account), so that every operation is a
    test of its own; ``test_the_fuzz_run_is_not_vacuous`` checks that it
    equals what the app serves to the station.
    """
    from django.core.serializers.json import DjangoJSONEncoder
    from drf_spectacular.settings import spectacular_settings

    generator = spectacular_settings.DEFAULT_GENERATOR_CLASS()
    document = generator.get_schema(request=None, public=spectacular_settings.SERVE_PUBLIC)
    return json.loads(json.dumps(document, cls=DjangoJSONEncoder))


class _BrokenTransaction(Exception):
    """Raised to roll a request's savepoint back."""


class InTestTransaction(WSGIHandler):
    """The project's WSGI application, run the way the fuzzer needs inside a test.

    ``federation.wsgi.application`` is a plain ``WSGIHandler``; this is one
    too, so Schemathesis also recognises it as a Django app and takes its
    literal values from the views the URL conf routes to (never from the
    tests, which would make the cases depend on which tests ran before).

    Requests go in-process, inside the test's transaction on pytest-django's
    test database. In production every request runs on its own (autocommit);
    here they share the test's transaction, so one request that breaks it
    ("current transaction is aborted") would fail every request after it.
    Each request therefore runs in a savepoint, rolled back when the request
    left the transaction broken. The response is read and closed here, so
    Django's request_finished fires while the ``in_process_app`` fixture has
    its connection-closing handler off (see conftest.py).
    """

    def __init__(self):
        super().__init__()
        self.armed = False
        self.broken_transactions = 0

    def __call__(self, environ, start_response):
        if not self.armed:
            raise RuntimeError(
                "use the in_process_app fixture: it keeps the test's connection open"
            )
        try:
            with transaction.atomic():
                result = super().__call__(environ, start_response)
                try:
                    body = b"".join(result)
                finally:
                    result.close()
                if _transaction_broken():
                    raise _BrokenTransaction
        except _BrokenTransaction:
            self.broken_transactions += 1
        return [body]


def _transaction_broken() -> bool:
    raw = connection.connection
    return connection.needs_rollback or (
        raw is not None and raw.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
    )


APP = InTestTransaction()


@dataclass
class FuzzStats:
    """What the run did, per operation label ("GET /api/v1/organizations/")."""

    cases: Counter = field(default_factory=Counter)
    negative: Counter = field(default_factory=Counter)
    server_errors: Counter = field(default_factory=Counter)
    known_server_errors: Counter = field(default_factory=Counter)
    with_data: Counter = field(default_factory=Counter)
    auth_probes: Counter = field(default_factory=Counter)
    statuses: dict = field(default_factory=dict)
    # Failures already recorded in KNOWN_FAILURES (test_schemathesis.py), by its name.
    known: Counter = field(default_factory=Counter)
    # The first occurrence of each distinct 5xx not known yet: request, response, traceback.
    server_error_reports: dict = field(default_factory=dict)
    last_traceback: str | None = None

    def record(self, case, response, known=()) -> None:
        label = case.operation.label
        self.cases[label] += 1
        if case.meta is not None and case.meta.generation.mode.is_negative:
            self.negative[label] += 1
        self.statuses.setdefault(label, Counter())[response.status_code] += 1
        same_method = case.method.upper() == case.operation.method.upper()  # not a probe's
        if response.status_code == 200 and same_method and has_data(response):
            self.with_data[label] += 1
        self.known.update(known)
        if response.status_code >= 500:
            self.server_errors[label] += 1
            if known:
                self.known_server_errors[label] += 1
            where = (self.last_traceback or "").strip().splitlines()[-1:]
            key = (label, response.status_code, tuple(where))
            if not known and key not in self.server_error_reports:
                self.server_error_reports[key] = describe(case, response, self.last_traceback)

    def keep_traceback(self, sender, **kwargs) -> None:
        """Receiver of Django's got_request_exception: the 500's cause, for the report."""
        self.last_traceback = traceback.format_exc()


def has_data(response) -> bool:
    """A 200 that carries rows: a non-empty ``results`` page or object, or a file."""
    if "json" not in response.headers.get("content-type", [""])[0]:
        return bool(response.content)
    try:
        body = response.json()
    except ValueError:
        return False
    if isinstance(body, dict) and "results" in body:
        return bool(body["results"])
    return bool(body)


def describe(case, response, server_traceback) -> str:
    request = response.request
    phase = case.meta.phase.name.value if case.meta else "?"
    mode = case.meta.generation.mode.value if case.meta else "?"
    body = (
        request.body.decode(errors="replace") if isinstance(request.body, bytes) else request.body
    )
    return "\n".join(
        [
            f"{case.operation.label} ({phase} phase, {mode} case)",
            f"request: {request.method} {request.url}",
            f"request body: {body!r}"[:2000],
            f"response: {response.status_code} {response.text[:2000]}",
            "server traceback:",
            server_traceback or "(none: a handler turned the exception into this response)",
        ]
    )
