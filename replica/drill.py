"""The app against a primary and its streaming replica: which connection each step used.

Run by ``python -m replica`` (replica/__main__.py) once Django is set up on the pair. Each step
goes through the app as a person or a station would (Django's test client: the real URL conf,
middleware, views and settings), and every statement is recorded with the connection that ran it.
"""

import contextlib
import time
import uuid
from dataclasses import dataclass, field
from functools import partial
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.utils import timezone

# The records a report counts. The reference lists it names (the required 三会一课, categories)
# are read where the rest of the app reads them, the primary (docs/reports.md).
RECORDS = ("events_event", "events_fund", "rights_case", "councils_meeting")
RECORDS += ("members_branchmeeting", "members_appointment")
WRITES = ("INSERT", "UPDATE", "DELETE")
ALIASES = ("default", "replica")


@dataclass
class Step:
    name: str
    statements: dict = field(default_factory=lambda: {alias: [] for alias in ALIASES})
    answer: str = ""

    def reads(self, alias: str) -> int:
        """Statements that read records (a report's figures come from these tables)."""
        return sum(
            1
            for sql in self.statements[alias]
            if sql.lstrip().upper().startswith(("SELECT", "WITH"))
            and any(table in sql for table in RECORDS)
        )

    def writes(self, alias: str) -> int:
        return sum(1 for sql in self.statements[alias] if sql.lstrip().upper().startswith(WRITES))


@contextlib.contextmanager
def watching(step: Step):
    """Record each statement of the block with the connection that ran it."""

    def record(alias, execute, sql, params, many, context):
        step.statements[alias].append(sql)
        return execute(sql, params, many, context)

    with contextlib.ExitStack() as stack:
        for alias in ALIASES:
            stack.enter_context(connections[alias].execute_wrapper(partial(record, alias)))
        yield step


def in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


def caught_up(seconds: float = 120) -> float:
    """Wait until the replica has replayed everything the primary has written; the wait."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        written = cursor.fetchone()[0]
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written])
            if cursor.fetchone()[0]:
                return time.monotonic() - started
        time.sleep(0.05)
    raise SystemExit(f"replica: the replica did not replay {written} within {seconds:.0f} s")


def accounts():
    """District staff, a village's station operator and its street's staff (made if the demo has
    none there), each with a password the test client signs in with, and the operator's token."""
    from apps.accounts.models import DeviceToken, User
    from apps.organizations.choices import Kind
    from apps.organizations.roles import Role

    def one(organization, role):
        found = User.objects.filter(organization=organization, role=role, is_active=True).first()
        return found or User.objects.create_user(
            f"replica_{role}_{organization.pk}", organization=organization, role=role
        )

    operator = User.objects.filter(
        role=Role.STATION_OPERATOR, organization__kind=Kind.VILLAGE, is_active=True
    ).first()
    village = operator.organization
    district = village.get_root()
    street = village.get_parent()
    token = DeviceToken.objects.create(user=operator, device="副本演练")[1]
    return one(district, Role.STAFF), token, one(street, Role.STAFF), village


def run() -> bool:
    from apps.events.models import Event
    from apps.reports.models import SignOff

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=StringIO())
    call_command(
        "collectstatic", interactive=False, verbosity=0
    )  # the pages' manifest, as make run
    loaded = time.monotonic() - started
    staff, token, street_staff, village = accounts()
    lag = caught_up()
    print(
        f"replica: migrated and loaded the demo on the primary in {loaded:.0f} s; "
        f"the replica replayed it {lag:.2f} s later"
    )

    year = timezone.localdate().year
    web = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    web.force_login(staff)
    station = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    signer = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    signer.force_login(street_staff)
    summary = "/api/v1/reports/summary/"
    asked = {"organization": village.pk, "period": str(year)}

    def held() -> int:
        return web.get(summary, asked).json()["figures"]["events"]["held"]

    steps = []
    with watching(Step("报表页 the dashboard (district, this year)")) as step:
        page = web.get("/reports/", {"period": str(year)})
        step.answer = f"{page.status_code}"
    steps.append(step)
    with watching(Step("汇总 API the summary (village, this year)")) as step:
        before = held()
        step.answer = f"events held {before}"
    steps.append(step)
    now = timezone.localtime()
    event = {
        "client_id": str(uuid.uuid4()),
        "organization": village.pk,
        "title": "家庭教育讲座（副本演练）",
        "category": "lecture",
        "starts_at": now.replace(hour=9, minute=0, second=0, microsecond=0).isoformat(),
        "ends_at": now.replace(hour=11, minute=0, second=0, microsecond=0).isoformat(),
        "people_reached": 40,
    }
    with watching(Step("站点记录活动 a station records an event")) as step:
        answer = station.post("/api/v1/events/", event, content_type="application/json")
        step.answer = f"{answer.status_code}"
    steps.append(step)
    lag = caught_up()
    with watching(Step(f"汇总 API again, after the replica replayed it ({lag:.2f} s)")) as step:
        after = held()
        step.answer = f"events held {after}"
    steps.append(step)
    last = str(year - 1)
    confirm = {"organization": village.pk, "period": last, "action": "confirm", "reason": ""}
    confirmed = station.post("/api/v1/reports/signoffs/", confirm, content_type="application/json")
    with watching(Step(f"街道签发 the street signs the village's {last}")) as step:
        sign = {**confirm, "action": "sign"}
        answer = signer.post("/api/v1/reports/signoffs/", sign, content_type="application/json")
        step.answer = f"{confirmed.status_code} then {answer.status_code}"
    steps.append(step)

    recovery = {alias: in_recovery(alias) for alias in ALIASES}
    print(table(steps, recovery))
    dashboard, first, write, _again, signing = steps
    checks = [
        (
            "reports read the database REPORTS_DATABASE names",
            settings.REPORTS_DATABASE == "replica",
        ),
        ("that connection is a replica: pg_is_in_recovery() is true", recovery["replica"]),
        ("the primary is not: pg_is_in_recovery() is false", not recovery["default"]),
        ("the dashboard answered 200", dashboard.answer == "200"),
        (
            "the dashboard's and the summary's record reads ran on the replica",
            dashboard.reads("replica") > 0
            and first.reads("replica") > 0
            and dashboard.reads("default") == 0
            and first.reads("default") == 0,
        ),
        (
            "the event was stored (201) by writes on the primary",
            write.answer == "201" and write.writes("default") > 0,
        ),
        (
            "nothing was written through the replica",
            all(step.writes("replica") == 0 for step in steps),
        ),
        ("the replica shows the new event once it has replayed it", after == before + 1),
        (
            "the sign-off's frozen figures were read on the primary, none on the replica",
            signing.answer.endswith("201")
            and signing.reads("default") > 0
            and signing.reads("replica") == 0
            and SignOff.objects.filter(organization=village, period=last)
            .exclude(figures=None)
            .exists(),
        ),
        (
            "the event is on the primary once",
            Event.objects.filter(client_id=event["client_id"]).count() == 1,
        ),
    ]
    for text, met in checks:
        print(f"replica: {'ok  ' if met else 'FAIL'} {text}")
    print(f"replica: {time.monotonic() - started:.0f} s in all")
    return all(met for _text, met in checks)


def table(steps: list[Step], recovery: dict) -> str:
    """Each step's statements by connection, and what pg_is_in_recovery() says of each."""
    head = (
        f"{'step':<52} {'answer':<16} "
        f"{'primary (reads/writes/all)':<28} {'replica (reads/writes/all)':<28}"
    )
    lines = [head, "-" * len(head)]
    for step in steps:
        cells = [f"{step.reads(a)}/{step.writes(a)}/{len(step.statements[a])}" for a in ALIASES]
        lines.append(f"{step.name:<52} {step.answer:<16} {cells[0]:<28} {cells[1]:<28}")
    lines.append(
        f"pg_is_in_recovery(): primary connection {recovery['default']}, replica connection "
        f"{recovery['replica']} (REPORTS_DATABASE = {settings.REPORTS_DATABASE!r})"
    )
    return "\n".join(lines)
