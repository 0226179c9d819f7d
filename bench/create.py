"""6: one person made through the API, against one INSERT of the same row.

A village station posts a new person (a fresh ``client_id`` each time), as its client does; the
statements the request sends are counted. The person is a plain record, without an ID number:
a number sent by a role that reads numbers masked is first checked against that account's hourly
limit (docs/identity.md), which adds its own statements, counted apart on one create; and the
bench's repeated creates would use up the station's limit. The floor is one INSERT of the row
the API stored, in autocommit. The check: both rows are the same, column by column (ids, times
and the client's key aside). Every row made here is removed afterwards.
"""

import uuid
from collections import Counter
from random import Random

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.generate import IdNumbers, person_values
from bench.lists import MEMBERS, api_client
from bench.rows import taken_back
from bench.timing import Figure, in_turns, ratio_figure, same_answer

SEED = 20260311
REGION = "330296"  # the created people's own
STATEMENTS_LIMIT = 8
SKIPPED = {"id", "created_at", "updated_at", "client_id"}


def _body(person: dict, *, id_number=False) -> dict:
    fields = ["name", "gender", "political_status", "education", "occupation"]
    fields += ["id_number"] if id_number else []
    return {
        "client_id": str(uuid.uuid4()),
        **{name: person[name] for name in fields},
        "phone": person["phone"].removeprefix("+86"),
        "address": "新村1号",
    }


def _stored(pk: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM members_member WHERE id = %s", [pk])
        names = [column.name for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def _insert(row: dict):
    """The floor: the stored row again, as one INSERT (autocommit: committed when it returns)."""
    columns = [name for name in row if name != "id"]
    listed = ", ".join(connection.ops.quote_name(name) for name in columns)
    statement = (
        f"INSERT INTO members_member ({listed}) "  # noqa: S608 - the table's own column names
        f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id"
    )
    values = [row[name] for name in columns]

    def insert() -> int:
        with connection.cursor() as cursor:
            cursor.execute(statement, values)
            return cursor.fetchone()[0]

    return insert


def _kinds(queries: list[dict]) -> str:
    counted = Counter(query["sql"].split(None, 1)[0].upper() for query in queries)
    return ", ".join(f"{kind} {count}" for kind, count in counted.most_common())


def api_create(accounts, *, reps: int) -> list[Figure]:
    """6: statements per API create, and its time against one INSERT."""
    client = api_client(accounts.village)
    rng, numbers, pinyin = Random(SEED), IdNumbers(REGION), {}  # noqa: S311 - made-up people
    people = []
    while len(people) < reps + 2:  # one with its ID number, then the plain ones
        person = person_values(rng, numbers, pinyin)
        if person["id_number"] and person["phone"]:
            people.append(person)
    bodies = iter([_body(person) for person in people[1:]])

    def create(body=None) -> int:
        response = client.post(MEMBERS, body or next(bodies), content_type="application/json")
        if response.status_code != 201:
            raise RuntimeError(f"POST {MEMBERS}: {response.status_code} {response.content[:300]!r}")
        return response.json()["id"]

    with taken_back():
        with CaptureQueriesContext(connection) as captured:
            create(_body(people[0], id_number=True))
        numbered = list(captured.captured_queries)
        with CaptureQueriesContext(connection) as captured:
            first = create()
        queries = list(captured.captured_queries)  # the log is cleared by the next request
        stored = _stored(first)
        insert = _insert({**stored, "client_id": None})  # a second row cannot take its key
        again = _stored(insert())

        def columns(row):
            return {name: value for name, value in row.items() if name not in SKIPPED}

        same_answer("API create against INSERT", columns(stored), columns(again))
        measured, floor = in_turns(create, insert, reps=reps)
    statements = len(queries)
    return [
        Figure(
            "6",
            "API create of one person: SQL statements",
            f"{statements} ({_kinds(queries)})",
            "1 (one INSERT)",
            None,
            f"≤ {STATEMENTS_LIMIT}",
            statements <= STATEMENTS_LIMIT,
        ),
        Figure(
            "6",
            "API create of one person with an ID number, village station: SQL statements",
            f"{len(numbered)} ({_kinds(numbered)})",
            note="the number is checked against the station's hourly limit first, in a "
            "transaction of its own that stays when the create is refused (docs/identity.md)",
        ),
        ratio_figure(
            "6", "API create of one person, village station", measured, floor, "one INSERT"
        ),
    ]
