"""The drill itself: the demo district, the stations' clients, the faults, the count.

Run by ``python -m faults`` once Django is set up on the drill's own database.
"""

import json
import multiprocessing
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO, StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import OperationalError, connections
from django.db.models import Count

from apps.accounts.models import DeviceToken, User
from apps.events.imports import COLUMNS, EVENTS_JOB
from apps.events.models import Event
from apps.jobs import services as job_services
from apps.jobs.choices import JobState
from apps.jobs.models import Job
from apps.organizations.models import Organization
from apps.organizations.roles import Role
from apps.rights.models import Case, Station

ROOT = Path(__file__).resolve().parent.parent
EVENTS, CASES = "/api/v1/events/", "/api/v1/rights/cases/"
IMPORT_TITLE = "故障演练导入的活动"
RETRIED = {500, 502, 503, 504, 429}  # answers a client sends the same request again after
ITEM_DEADLINE = 300  # seconds a client keeps retrying one item before it gives up


# The stations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sender:
    village: Organization
    station: Station
    token: str


def seed(clients: int) -> tuple[list[Sender], User]:
    """The demo district (manage.py load_demo), a station operator with a token in each of
    ``clients`` villages that have an open station, and a district staff account to import."""
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=StringIO())
    stations = []
    chosen = Station.objects.filter(closed_on=None, organization__kind="village")
    for n, station in enumerate(chosen.select_related("organization").order_by("pk")[:clients]):
        user = User.objects.create_user(
            f"faults_station_{n}",
            None,
            name=f"演练站点{n}",
            role=Role.STATION_OPERATOR,
            organization=station.organization,
        )
        token = DeviceToken.objects.create(user=user, device="faults")[1]
        stations.append(Sender(station.organization, station, token))
    district = Organization.objects.get(depth=1)
    staff = User.objects.create_user(
        "faults_district", None, name="演练区妇联", role=Role.STAFF, organization=district
    )
    return stations, staff


def items_for(station: Sender, events: int, cases: int) -> list[tuple[str, str, dict]]:
    """One station's submissions, cases spread among its events: (kind, path, body)."""
    work = []
    for n in range(events):
        work.append(
            (
                "events",
                EVENTS,
                {
                    "organization": station.village.pk,
                    "title": f"家庭教育讲座（演练）第{n + 1}场",
                    "category": "lecture",
                    "starts_at": "2026-05-10T09:00:00+08:00",
                    "ends_at": "2026-05-10T11:00:00+08:00",
                    "people_reached": 30 + n % 50,
                    "client_id": str(uuid.uuid4()),
                },
            )
        )
    every = max(1, events // max(1, cases))
    for n in range(cases):
        body = {
            "station": station.station.pk,
            "received_at": "2026-03-08T09:30:00+08:00",
            "channel": "phone",
            "category": "marriage_family",
            "risk": "low",
            "parties": [{"role": "seeker", "anonymous": True}],
            "client_id": str(uuid.uuid4()),
        }
        work.insert(min(len(work), n * (every + 1) + every // 2), ("cases", CASES, body))
    return work


# A station's client, in a process of its own ---------------------------------------------------


def client(base: str, token: str, work: list, out: str, acknowledged) -> None:
    """Send each item until it is acknowledged (200 or 201), retrying with the same body and
    client_id on a 5xx, a 429 or a broken connection, as the station app does; write what
    happened to each item to ``out``."""
    import httpx

    headers = {"Authorization": f"Token {token}", "Accept-Language": "zh-hans"}
    records = []
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        for kind, path, body in work:
            seen: Counter = Counter()
            answer, refused, attempts = None, None, 0
            give_up = time.monotonic() + ITEM_DEADLINE
            while time.monotonic() < give_up:
                attempts += 1
                try:
                    response = http.post(path, json=body)
                except httpx.TransportError as error:
                    seen[type(error).__name__] += 1
                else:
                    seen[str(response.status_code)] += 1
                    if response.status_code in (200, 201):
                        answer = response.json()["id"]
                        break
                    if response.status_code not in RETRIED:
                        refused = response.text[:300]
                        break
                time.sleep(min(2.0, 0.1 * attempts))
            records.append(
                {
                    "kind": kind,
                    "client_id": body["client_id"],
                    "id": answer,
                    "refused": refused,
                    "seen": dict(seen),
                }
            )
            if answer is not None:
                with acknowledged.get_lock():
                    acknowledged.value += 1
    Path(out).write_text(json.dumps(records))


# The figures ------------------------------------------------------------------------------------


@dataclass
class Figures:
    rows: list[dict] = field(default_factory=list)  # kind, sent, acknowledged, stored, dup., lost
    answers: Counter = field(default_factory=Counter)  # every answer that was not 200/201
    refused: list[str] = field(default_factory=list)
    imports: list[dict] = field(default_factory=list)  # state, rows stored, rows in the sheet
    faults: list[str] = field(default_factory=list)  # what was done, when
    worker_ends: int = 0
    case_numbers_unique: bool = True

    @property
    def met(self) -> bool:
        complete = all(
            row["sent"] == row["acknowledged"] == row["stored"] and not row["duplicated"]
            for row in self.rows
        )
        whole = all(one["whole"] for one in self.imports)
        return complete and whole and not self.answers.get("500") and self.case_numbers_unique

    def lines(self) -> list[str]:
        table = [
            "| submissions | sent | acknowledged | stored | duplicated | lost |",
            "| --- | --- | --- | --- | --- | --- |",
            *(
                f"| {r['kind']} | {r['sent']:,} | {r['acknowledged']:,} | {r['stored']:,} "
                f"| {r['duplicated']} | {r['lost']} |"
                for r in self.rows
            ),
        ]
        answers = ", ".join(f"{code}: {n:,}" for code, n in sorted(self.answers.items()))
        return [
            *table,
            "",
            f"- answers other than 200/201, retried by the clients: {answers or 'none'}",
            "- target: stored = acknowledged = sent, 0 duplicated, never a 500: "
            + ("**met**" if self.met else "**not met**"),
            f"- case numbers: {'each given once' if self.case_numbers_unique else 'REPEATED'}",
            *(
                f"- background import {n}: {one['state']}, {one['stored']:,} of "
                f"{one['rows']:,} rows stored ({'whole or nothing' if one['whole'] else 'HALF'})"
                + (f"; {one['error']}" if one.get("error") else "")
                for n, one in enumerate(self.imports, start=1)
            ),
            f"- job worker: killed once by the drill, ended by itself {self.worker_ends} times "
            "(started again each time, as its service manager would)",
            *(f"- refused: {text}" for text in self.refused[:5]),
            "- what was done: " + "; ".join(self.faults),
        ]

    def table(self) -> str:
        return "\n".join(self.lines())

    def write(self, path: Path, *, command: str) -> None:
        from bench.report import FAULTS_HEADING, replace_section

        when = time.strftime("%Y-%m-%d %H:%M %Z")
        body = [f"Taken by `{command}` on {when}.", "", *self.lines()]
        replace_section(path, FAULTS_HEADING, body)


# The drill --------------------------------------------------------------------------------------


def retrying(read, seconds: float = 120):
    """``read()``, again after a broken connection (the drill restarts the server)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return read()
        except OperationalError:
            connections.close_all()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def import_sheet(villages: list[Organization], rows: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([column.header for column in COLUMNS])
    for n in range(rows):
        values = {
            "组织": villages[n % len(villages)].code,
            "活动名称": f"{IMPORT_TITLE}{n + 1}",
            "活动类别": "讲座",
            "开始时间": "2026-06-01 09:00",
            "受益人数": 20,
        }
        sheet.append([values.get(column.header, "") for column in COLUMNS])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def imported(job: Job, rows: int) -> dict:
    stored = Event.objects.filter(title__startswith=IMPORT_TITLE, created_at__gte=job.created_at)
    count = stored.count()
    state = job.state
    whole = (state == JobState.SUCCEEDED and count == rows) or (
        state == JobState.FAILED and count == 0
    )
    return {"state": state, "stored": count, "rows": rows, "whole": whole, "error": job.error}


def wait_until(done, worker, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not retrying(done):
        worker.keep_alive()
        if time.monotonic() > deadline:
            raise SystemExit(f"faults: {what} did not happen within {seconds:.0f} s")
        time.sleep(0.2)


def run(options, *, server, start_web, start_worker, base: str, wait_for) -> Figures:
    figures = Figures()
    began = time.monotonic()

    def note(text: str) -> None:
        figures.faults.append(f"{time.monotonic() - began:.0f} s: {text}")
        print(f"faults: {text}", flush=True)

    print("faults: migrating and loading the demo district …", flush=True)
    stations, staff = seed(options.clients)
    sheet = import_sheet([s.village for s in stations], options.import_rows)
    connections.close_all()  # the clients are forked: no connection is shared with them

    web = start_web()
    processes: list = []
    worker = None
    try:
        wait_for(f"{base}/healthz")
        worker = start_worker()
        outs = _drill(
            Drill(options, server, worker, note, figures, processes), stations, staff, sheet, base
        )
    finally:  # a drill that fails leaves nothing running behind it
        for process in processes:
            if process.is_alive():
                process.terminate()
        if worker is not None:
            worker.stop()
            figures.worker_ends = worker.ended_by_itself
        web.terminate()
        web.wait(timeout=30)
    _count(figures, outs)
    return figures


@dataclass
class Drill:
    options: object
    server: object
    worker: object
    note: object
    figures: Figures
    processes: list


def _drill(drill: Drill, stations, staff, sheet: bytes, base: str) -> list:
    """The submissions, the kill and the restarts, the imports; the clients' record files."""
    options, server, worker, note = drill.options, drill.server, drill.worker, drill.note
    figures, processes = drill.figures, drill.processes
    per_events = _split(options.events, len(stations))
    per_cases = _split(options.cases, len(stations))
    acknowledged = multiprocessing.Value("i", 0)
    total = options.events + options.cases
    outs = []
    context = multiprocessing.get_context("fork")
    for n, station in enumerate(stations):
        out = (ROOT / "var" / "faults" / f"client-{n}.json").resolve()
        outs.append(out)
        work = items_for(station, per_events[n], per_cases[n])
        process = context.Process(
            target=client, args=(base, station.token, work, str(out), acknowledged)
        )
        process.start()
        processes.append(process)
    note(f"{len(processes)} station clients sending {total:,} submissions")

    for share in (1 / 3, 2 / 3):
        wait_until(lambda share=share: acknowledged.value >= share * total, worker, 600, "sends")
        server.stop()
        note(f"PostgreSQL stopped at {acknowledged.value:,} acknowledged")
        time.sleep(options.down)
        server.start()
        note("PostgreSQL started again")
        connections.close_all()

    # The background import, and the worker killed while it runs.
    job, _new = retrying(
        lambda: job_services.import_job_start(by=staff, kind=EVENTS_JOB, data=sheet, dry_run=False)
    )
    first = job.pk
    wait_until(
        lambda: Job.objects.filter(pk=first, state=JobState.RUNNING, done__gt=0).exists(),
        worker,
        180,
        "the import's start",
    )
    worker.kill()
    note("the job worker killed during the import")

    for process in processes:
        while process.is_alive():
            worker.keep_alive()
            process.join(timeout=0.5)
    note("every client done")

    rows = options.import_rows
    figures.imports.append(_import_end(first, rows, worker, "the killed import's end"))
    # As the person who started it would: the same sheet again, with nobody killing anything.
    again, _new = retrying(
        lambda: job_services.import_job_start(by=staff, kind=EVENTS_JOB, data=sheet, dry_run=False)
    )
    note("the import started again")
    figures.imports.append(_import_end(again.pk, rows, worker, "the second import's end"))
    return outs


def _import_end(job_id: int, rows: int, worker, what: str) -> dict:
    ended = (JobState.SUCCEEDED, JobState.FAILED)
    wait_until(lambda: Job.objects.get(pk=job_id).state in ended, worker, 600, what)
    return retrying(lambda: imported(Job.objects.get(pk=job_id), rows))


def _split(count: int, parts: int) -> list[int]:
    return [count // parts + (1 if n < count % parts else 0) for n in range(parts)]


def _count(figures: Figures, outs: list[Path]) -> None:
    records = [record for out in outs for record in json.loads(out.read_text())]
    for record in records:
        figures.answers.update(
            {code: n for code, n in record["seen"].items() if code not in ("200", "201")}
        )
        if record["refused"]:
            figures.refused.append(record["refused"])
    for kind, model in (("events", Event), ("cases", Case)):
        mine = [r for r in records if r["kind"] == kind]
        keys = [r["client_id"] for r in mine]
        rows = model._base_manager.filter(client_id__in=keys)
        stored_ids = set(rows.values_list("pk", flat=True))
        keyed = rows.values("client_id").annotate(n=Count("pk"))
        acknowledged = [r for r in mine if r["id"] is not None]
        figures.rows.append(
            {
                "kind": kind,
                "sent": len(mine),
                "acknowledged": len(acknowledged),
                "stored": len(stored_ids),
                "duplicated": sum(row["n"] - 1 for row in keyed),
                "lost": sum(1 for r in acknowledged if r["id"] not in stored_ids),
            }
        )
        if model is Case:
            numbers = rows.values("number").annotate(n=Count("pk")).filter(n__gt=1)
            figures.case_numbers_unique = not numbers.exists()
