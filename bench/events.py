"""24: events from the field, through ``events/bulk/`` in batches of 500, against COPY of the
same rows (docs/quality.md, 24).

The generator (``ensure_events``) grows ``events_event`` to ``--events`` rows (1,000,000 by
default) over the bench's tree with COPY, once, as the people are grown (bench/generate.py):
each open village, street and the district hold events of the seeded categories over three
years, with their numbers drawn as the demo draws them. They have no history rows.

The measurement: a village station posts ``--ingest-events`` new events (50,000 by default)
to ``POST /api/v1/events/bulk/`` in batches of 500, in process through Django's test client
(bench/settings.py), each batch a bare JSON array as its client sends it: authentication,
every item's serializer, the set-wise checks, the INSERT and the answer. The floors: COPY of
the same stored rows into ``events_event``, alone and with their history rows, in one
transaction. The check: the COPY's rows equal the API's, column by column (ids and the
client's key aside). Every run is committed, then removed, so each starts from the same table.
"""

import json
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from random import Random
from statistics import median
from time import perf_counter

from django.db import connection, transaction
from django.utils import timezone

from apps.events.models import Event, EventCategory
from apps.organizations.choices import Kind
from apps.organizations.models import Organization
from bench.lists import api_client
from bench.rows import copy_rows, row_of
from bench.timing import Figure, ms, rate, same_answer

EVENTS, INGEST, BATCH = 1_000_000, 50_000, 500
SEED = 20260312
EVENTS_PER_SECOND = 10_000
COPY_LIMIT = 5.0  # within 5× COPY of the same rows
BULK = "/api/v1/events/bulk/"
HISTORY = Event.history.model
SPREAD_DAYS = 3 * 365
GENERATE_BATCH = 50_000
SKIPPED = {"id", "client_id", "request_hash"}
ITEM_FIELDS = ("title", "place", "partners", "participants", "people_reached", "volunteers")
ITEM_FIELDS += ("summary",)
PLACES = ["村文化礼堂", "妇女之家", "村委会会议室", "社区活动中心", "新时代文明实践站", "村小学"]
PARTNERS = ["", "", "实验小学", "区人民法院", "司法所", "卫生院", "爱心企业"]
TITLES = {
    "lecture": "家庭教育讲座",
    "parent_child": "亲子阅读活动",
    "publicity_month": "家庭教育宣传月活动",
    "school_family_community": "家校社协同育人活动",
    "consultation": "家庭教育咨询",
    "online_class": "网上家长课堂",
    "themed_publicity": "主题宣传教育活动",
    "mobile_classroom": "巾帼流动课堂",
    "skills_training": "家政技能培训",
    "charity_assistance": "公益帮扶活动",
    "party_lecture": "党课",
}


def _categories() -> list[EventCategory]:
    return list(EventCategory.objects.filter(organization=None).select_related("line"))


def _holders() -> list[Organization]:
    """Who holds events: every open village, each street, the district."""
    return list(
        Organization.objects.filter(
            kind__in=[Kind.VILLAGE, Kind.STREET, Kind.DISTRICT], closed_on=None
        ).order_by("pk")
    )


def event_values(rng: Random, organization: Organization, category, day: date) -> dict:
    """One event's columns (by attname), as a station would record it."""
    hour = rng.choice([9, 9, 10, 14, 14, 15, 19])
    starts = timezone.make_aware(datetime.combine(day, time(hour, rng.choice([0, 30]))))
    big = organization.kind != Kind.VILLAGE
    participants = rng.randint(15, 300 if big else 80)
    return {
        "organization_id": organization.pk,
        "title": TITLES.get(category.code, category.name),
        "line_id": category.line_id,
        "category_id": category.pk,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=rng.choice([1, 2, 2, 3])),
        "place": rng.choice(PLACES),
        "partners": rng.choice(PARTNERS),
        "participants": participants,
        "people_reached": participants * rng.randint(1, 8),
        "volunteers": rng.randint(0, 12),
        "spent": Decimal(rng.randint(0, 500_000)) / 100,
        "summary": f"{organization.name}举办{TITLES.get(category.code, category.name)}。",
    }


def ensure_events(*, events: int = EVENTS, say=print) -> None:
    """Grow ``events_event`` to ``events`` rows (once; a second run finds them there)."""
    have = Event.objects.count()
    if have >= events:
        say(f"bench: {have:,} events already there")
        return
    rng = Random(SEED)  # noqa: S311 - made-up events, the same every run
    holders, categories = _holders(), _categories()
    weights = [{Kind.VILLAGE: 1.0, Kind.STREET: 3.0}.get(h.kind, 4.0) for h in holders]
    today, now = timezone.localdate(), timezone.now()
    count, done = events - have, 0
    with transaction.atomic():
        while done < count:
            rows = []
            for holder in rng.choices(holders, weights, k=min(GENERATE_BATCH, count - done)):
                day = today - timedelta(days=rng.randint(0, SPREAD_DAYS))
                values = event_values(rng, holder, rng.choice(categories), day)
                moment = min(values["ends_at"] + timedelta(days=rng.randint(0, 20)), now)
                rows.append(row_of(Event, created_at=moment, updated_at=moment, **values))
            copy_rows(Event, rows)
            done += len(rows)
            say(f"bench: events {done:,} of {count:,}")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Event._meta.db_table}")


def _bodies(rng: Random, village: Organization, categories, count: int) -> list[str]:
    """The batches a station posts: JSON arrays of up to ``BATCH`` events of its village."""
    today = timezone.localdate()
    items = []
    for _ in range(count):
        category = rng.choice(categories)
        values = event_values(rng, village, category, today - timedelta(days=rng.randint(0, 60)))
        items.append(
            {
                "client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "organization": village.pk,
                "category": category.code,
                **{name: values[name] for name in ITEM_FIELDS},
                "starts_at": values["starts_at"].isoformat(),
                "ends_at": values["ends_at"].isoformat(),
                "spent": str(values["spent"]),
            }
        )
    return [json.dumps(items[i : i + BATCH]) for i in range(0, count, BATCH)]


def _last(column: str, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max({column}), 0) FROM {table}")  # noqa: S608 - names
        return cursor.fetchone()[0]


def _rows_after(model, column: str, after: int) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {model._meta.db_table} WHERE {column} > %s ORDER BY {column}",  # noqa: S608
            [after],
        )
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _remove(after: int, history_after: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {HISTORY._meta.db_table} WHERE history_id > %s",  # noqa: S608
            [history_after],
        )
        cursor.execute(f"DELETE FROM {Event._meta.db_table} WHERE id > %s", [after])  # noqa: S608
        if not connection.in_atomic_block:
            cursor.execute(f"VACUUM {Event._meta.db_table}, {HISTORY._meta.db_table}")


def _copy(model, rows: list[dict], skipped: set[str]) -> None:
    copy_rows(model, [{k: v for k, v in row.items() if k not in skipped} for row in rows])


def _same(rows: list[dict]) -> list[tuple]:
    return sorted(
        tuple(str(row[k]) for k in sorted(row) if k not in SKIPPED | {"created_at", "updated_at"})
        for row in rows
    )


def ingest_events(accounts, *, count: int = INGEST, reps: int = 1) -> list[Figure]:
    """24: events/s through events/bulk/ and the time against COPY of the same rows."""
    client = api_client(accounts.village)
    village = accounts.village.organization
    categories = _categories()
    rng = Random(SEED + 1)  # noqa: S311 - made-up events
    measured, floor, with_history = [], [], []
    for _ in range(reps):
        bodies = _bodies(rng, village, categories, count)
        after, history_after = (
            _last("id", Event._meta.db_table),
            _last("history_id", HISTORY._meta.db_table),
        )
        try:
            started = perf_counter()
            for body in bodies:
                answer = client.post(BULK, body, content_type="application/json")
                if answer.status_code != 201:
                    raise RuntimeError(
                        f"POST {BULK}: {answer.status_code} {answer.content[:300]!r}"
                    )
            measured.append(perf_counter() - started)
            stored = _rows_after(Event, "id", after)
            history = _rows_after(HISTORY, "history_id", history_after)
        finally:
            _remove(after, history_after)
        if len(stored) != count:
            raise RuntimeError(f"{BULK}: {len(stored):,} events stored of {count:,}")
        for timings, rows_of_history in ((floor, None), (with_history, history)):
            try:
                started = perf_counter()
                with transaction.atomic():
                    _copy(Event, stored, {"id"})
                    if rows_of_history is not None:
                        _copy(HISTORY, rows_of_history, {"history_id"})
                timings.append(perf_counter() - started)
                copied = _rows_after(Event, "id", _last_before(after, stored))
                same_answer("events/bulk/ against COPY", _same(stored), _same(copied))
            finally:
                _remove(after, history_after)
    api, copy, copy_history = median(measured), median(floor), median(with_history)
    per_second = count / api
    ratio = api / copy
    return [
        Figure(
            "24",
            f"events/bulk/: {count:,} events in batches of {BATCH}, village station",
            f"{ms(api)} ({rate(count, api).replace('rows', 'events')})",
            "",
            None,
            f"≥ {EVENTS_PER_SECOND:,} events/s",
            per_second >= EVENTS_PER_SECOND,
        ),
        Figure(
            "24",
            f"events/bulk/ against COPY of the same {count:,} rows",
            ms(api),
            f"{ms(copy)} (COPY of the rows)",
            ratio,
            f"≤ {COPY_LIMIT:g}×",
            ratio <= COPY_LIMIT,
            note=f"against COPY of the rows and their history: {ms(copy_history)}, "
            f"{api / copy_history:.2f}×",
        ),
    ]


def _last_before(after: int, stored: list[dict]) -> int:
    """The COPY's rows are the ones after the API's (their ids come later in the sequence)."""
    return max(after, max(row["id"] for row in stored))
