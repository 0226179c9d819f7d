"""The fuzzer's world: a station's account on a seeded test database, its token, the figures."""

import importlib
import pkgutil
import re

import pytest
from django.core import signals
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from werkzeug.test import Client

import apps
import federation
from apps.organizations.roles import Role
from apps.organizations.scoping import scoped
from tests.factories.accounts import token_key
from tests.fuzz import APP, EXISTING_IDS, OWN_PATH_PARAMETERS, FuzzStats, schema_document
from tests.registry import api_models, maker_for


def _load_every_module_of_the_project():
    """Hypothesis also draws literal values from the project's modules loaded at the time (never
    from tests): with every one loaded from the start, the cases are the same whatever other
    tests ran before (a management command, say, imported only when a test calls it)."""
    for package in (apps, federation):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)


_load_every_module_of_the_project()


# --- The station's own objects -------------------------------------------------------------
#
# Every model the API serves gets its records in ``tree.village_a1``, whose station operator
# is the fuzzer's account, from its maker in tests/registry.py (``Maker.seed``). The fuzzer then
# works on real rows: paths get the ids of rows that exist (the station's own, its ancestors',
# its siblings'), found by the ``existing_ids`` fixture below with no further word from the
# resource. A served model without a maker fails here, saying where to add one.


def seed_the_station(tree, user):
    for model in api_models():
        maker_for(model).seed(tree.village_a1, user)


# --- Fixtures ----------------------------------------------------------------------------


class Station:
    """A station operator at ``tree.village_a1`` and the header its client sends."""

    def __init__(self, tree, user, token):
        self.tree, self.user, self.token = tree, user, token
        self.headers = {"Authorization": f"Token {token}"}


@pytest.fixture
def restart_sequences(db):
    """Ids from 1 (after the rows that stay, such as reference lists), whatever ran before.

    The cases are derandomized, but what the app answers depends on the ids of
    the rows (is organization=3 the station's own?): with the same ids every
    time, the run is the same alone or in the whole suite.
    """
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads, the station's and the fuzzer's, go to a temporary directory, not var/media."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def station(restart_sequences, media_root, tree, user_in) -> Station:
    """The station's account and token, on a database where every served model is seeded."""
    user = user_in(tree.village_a1, Role.STATION_OPERATOR, username="fuzz-station")
    seed_the_station(tree, user)
    return Station(tree, user, token_key(user, device="fuzz"))


_STATS = pytest.StashKey[FuzzStats]()


@pytest.fixture(scope="session")
def fuzz_stats(request) -> FuzzStats:
    """The run's figures, printed by pytest_terminal_summary below."""
    stats = FuzzStats()
    request.config.stash[_STATS] = stats
    return stats


@pytest.fixture
def in_process_app(db, settings, media_root, fuzz_stats):
    """The project's WSGI application (``tests.fuzz.APP``), fit to run in the test's transaction.

    Django closes "old" connections when a request starts and ends; inside the
    test's transaction that would close the very connection it lives on, so the
    handler is off while the fixture lasts (Django's test client does the same).
    """
    # A few thousand requests with one token, and the auth probes without one.
    settings.API_THROTTLE_RATES = {"account": "1000000/min", "anonymous": "1000000/min"}
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    signals.got_request_exception.connect(fuzz_stats.keep_traceback, weak=False)
    APP.armed = True
    try:
        yield APP
    finally:
        APP.armed = False
        signals.got_request_exception.disconnect(fuzz_stats.keep_traceback)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def existing_ids(station, in_process_app):
    """Fill ``tests.fuzz.EXISTING_IDS`` and ``OWN_PATH_PARAMETERS`` for every path with ids.

    ``{id}`` is a row of the model the route's viewset serves: every such row
    is an existing id, those in the station's subtree its own. A nested
    parameter (``…/{id}/attachments/{attachment_pk}/``) takes the ids the
    station's own GET of the list above it answers (``…/{id}/attachments/``).
    """
    EXISTING_IDS.clear()
    OWN_PATH_PARAMETERS.clear()
    client = Client(in_process_app)
    for path in schema_document()["paths"]:
        names = re.findall(r"{(\w+)}", path)
        if not names or names[0] != "id":
            continue
        try:
            view = resolve(re.sub(r"{\w+}", "0", path)).func
        except Resolver404:
            continue
        model = getattr(getattr(view, "cls", None), "model", None)
        if model is None:
            continue
        rows = model._default_manager.all()
        EXISTING_IDS[path] = {"id": sorted(rows.values_list("pk", flat=True))}
        own = [{"id": pk} for pk in sorted(scoped(rows, station.user).values_list("pk", flat=True))]
        for name in names[1:]:
            own = [
                {**parameters, name: pk}
                for parameters in own
                for pk in _ids_listed(client, path.split("{" + name + "}")[0], parameters, station)
            ]
        OWN_PATH_PARAMETERS[path] = own
    yield EXISTING_IDS
    EXISTING_IDS.clear()
    OWN_PATH_PARAMETERS.clear()


def _ids_listed(client, list_path, parameters, station) -> list:
    answer = client.get(list_path.format(**parameters), headers=station.headers)
    if answer.status_code != 200:
        return []
    body = answer.get_json()
    rows = body.get("results", []) if isinstance(body, dict) else body
    return [row["id"] for row in rows if isinstance(row, dict) and "id" in row]


# --- The figure ----------------------------------------------------------------------------


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stats = config.stash.get(_STATS, None)
    if stats is None or not stats.cases:
        return
    write = terminalreporter.write_line
    terminalreporter.section("Schemathesis as a station: cases generated / 5xx")
    for label in sorted(stats.cases):
        statuses = " ".join(f"{code}×{n}" for code, n in sorted(stats.statuses[label].items()))
        write(
            f"{label}: {stats.cases[label]} cases ({stats.negative[label]} invalid), "
            f"{stats.server_errors[label]} 5xx ({stats.known_server_errors[label]} known), "
            f"{stats.with_data[label]} 200s with data, {stats.auth_probes[label]} auth probes "
            f"[{statuses}]"
        )
    write(
        f"fuzz: {len(stats.cases)} operations, {sum(stats.cases.values())} cases generated "
        f"(min {min(stats.cases.values())} per operation), "
        f"{sum(stats.server_errors.values())} 5xx "
        f"({sum(stats.known_server_errors.values())} known), "
        f"{APP.broken_transactions} requests broke the test transaction (rolled back to "
        "their savepoint)"
    )
    if stats.known:
        known = ", ".join(f"{name} ×{n}" for name, n in sorted(stats.known.items()))
        write(f"known failures, still there (KNOWN_FAILURES in test_schemathesis.py): {known}")
    for report in stats.server_error_reports.values():
        write("")
        write(report)
