"""4 and 5: the admin's people list and its duplicates page, as the district's administrator.

Both pages are asked through Django's test client with a logged-in session, and rendered in full.
The changelist's floor is a plain view (bench/urls.py) asked the same way: it reads the account
as the admin does, runs the changelist's own queryset (its count, then its page) and renders the
same columns in a minimal template. The duplicates page's floor is one SQL statement reading
the recorded pairs and their people (bench/sql/duplicate_pairs.sql); the whole-table grouping
it replaced (bench/sql/duplicates.sql) is measured beside it.
"""

from pathlib import Path

from django.db import connection
from django.http import HttpResponse
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.core.pagination import capped_count
from apps.members import merging
from bench.timing import Figure, in_turns, in_turns_within, ms, ratio_figure, same_answer
from bench.urls import floor_url, serving

HERE = Path(__file__).resolve().parent
CHANGELIST = "/admin/members/member/"
DUPLICATES = "/admin/members/member/duplicates/"
RENDER_LIMIT = 1.5  # the admin within 1.5× its render floor
BUDGET = 60.0  # seconds of duplicates runs: fewer runs when one is slow


def browser(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def page(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code}")
    return response


def admin_changelist(accounts, *, reps: int) -> list[Figure]:
    """4: the full changelist against the same rows in a minimal template, both served through
    the same client, session and middleware."""
    client = browser(accounts.district)
    with CaptureQueriesContext(connection) as captured:
        changelist = page(client, CHANGELIST).context_data["cl"]
    statements = list(captured.captured_queries)  # the next request clears the log
    sql_time = sum(float(query["time"]) for query in statements)
    queryset, size = changelist.queryset, changelist.list_per_page
    template = Template((HERE / "templates" / "changelist_floor.html").read_text())
    answers = []

    def floor(request) -> HttpResponse:
        request.user.organization  # noqa: B018 - the session, account and organization, as read there
        people = queryset.all()
        count, _estimated = capped_count(people)  # as the changelist counts (docs/api.md, Lists)
        rows = list(people[:size])
        answers.append((count, [person.pk for person in rows]))
        return HttpResponse(template.render(Context({"count": count, "rows": rows})))

    listed = [person.pk for person in changelist.result_list]
    with serving(changelist=floor):
        page(client, floor_url("changelist"))
        same_answer("admin changelist", (changelist.result_count, listed), answers[-1])
        measured, floor_time = in_turns(
            lambda: page(client, CHANGELIST),
            lambda: page(client, floor_url("changelist")),
            reps=reps,
        )
    return [
        ratio_figure(
            "4",
            f"admin people changelist ({size} rows), district admin",
            measured,
            floor_time,
            "same count and rows, minimal template",
            limit=RENDER_LIMIT,
            note=f"the page's {len(statements)} SQL statements took {ms(sql_time)} of one run",
        )
    ]


def raw_duplicates(path: str, statement: str = "duplicate_pairs.sql") -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute((HERE / "sql" / statement).read_text(), {"path": f"{path}%"})
        return cursor.fetchall()


def paired_people(rows: list[tuple]) -> list[int]:
    """The people of the pairs the floor read (each pair's two ids: columns 0 and 6)."""
    return sorted({row[0] for row in rows} | {row[6] for row in rows})


def duplicates(accounts, *, reps: int) -> list[Figure]:
    """5: the duplicates page (its first page of groups) and ``likely_duplicates()`` (every
    group) against one statement reading the subtree's recorded pairs and their people; and
    the grouping statement the page ran before the pairs were kept, for scale."""
    user = accounts.district
    client = browser(user)
    path = user.organization.path
    shown = page(client, DUPLICATES).context_data["groups"]
    found = paired_people(raw_duplicates(path))
    called = merging.likely_duplicates(by=user)
    same_answer("likely_duplicates()", sorted(p.pk for group in called for p in group), found)
    same_answer(
        "likely_duplicates(), as the old grouping",
        found,
        sorted(row[0] for row in raw_duplicates(path, "duplicates.sql")),
    )
    first = called[: merging.GROUPS_PER_PAGE]
    same_answer(
        "duplicates page", [[p.pk for p in g] for g in shown], [[p.pk for p in g] for g in first]
    )
    (page_time, call_time, floor_time, grouping_time), runs = in_turns_within(
        BUDGET,
        lambda: page(client, DUPLICATES),
        lambda: merging.likely_duplicates(by=user),
        lambda: raw_duplicates(path),
        lambda: raw_duplicates(path, "duplicates.sql"),
        reps=reps,
    )
    groups = f"{len(called):,} groups, {len(found):,} people; {len(shown)} groups a page"
    note = f"median of {runs} run{'s' if runs > 1 else ''} of each (a minute's budget)"
    floor = "one statement reading the recorded pairs"
    return [
        ratio_figure(
            "5",
            f"admin duplicates page, district admin ({groups})",
            page_time,
            floor_time,
            floor,
            note=note,
        ),
        ratio_figure(
            "5", "likely_duplicates(), every group, district admin", call_time, floor_time, floor
        ),
        ratio_figure(
            "5",
            "likely_duplicates(), against the whole-table grouping it replaced",
            call_time,
            grouping_time,
            "the three groupings in one statement (bench/sql/duplicates.sql)",
        ),
    ]
