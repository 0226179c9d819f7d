"""4 and 5: the admin's people list and its duplicates page, as the district's administrator.

Both pages are asked through Django's test client with a logged-in session, and rendered in full.
The changelist's floor is a plain view (bench/urls.py) asked the same way: it reads the account
as the admin does, runs the changelist's own queryset (its count, then its page) and renders the
same columns in a minimal template. The duplicates page's floor is one SQL statement
(bench/sql/duplicates.sql) finding the same people.
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


def raw_duplicates(path: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute((HERE / "sql" / "duplicates.sql").read_text(), {"path": f"{path}%"})
        return cursor.fetchall()


def duplicates(accounts, *, reps: int) -> list[Figure]:
    """5: the duplicates page and ``likely_duplicates()`` against one grouping statement."""
    user = accounts.district
    client = browser(user)
    path = user.organization.path
    shown = page(client, DUPLICATES).context_data["groups"]
    found = sorted(row[0] for row in raw_duplicates(path))
    same_answer("duplicates page", sorted(p.pk for group in shown for p in group), found)
    called = merging.likely_duplicates(by=user)
    same_answer("likely_duplicates()", sorted(p.pk for group in called for p in group), found)
    (page_time, call_time, floor_time), runs = in_turns_within(
        BUDGET,
        lambda: page(client, DUPLICATES),
        lambda: merging.likely_duplicates(by=user),
        lambda: raw_duplicates(path),
        reps=reps,
    )
    groups = f"{len(shown):,} groups, {len(found):,} people"
    note = f"median of {runs} run{'s' if runs > 1 else ''} of each (a minute's budget)"
    return [
        ratio_figure(
            "5",
            f"admin duplicates page, district admin ({groups})",
            page_time,
            floor_time,
            "one grouping statement",
            note=note,
        ),
        ratio_figure(
            "5",
            "likely_duplicates(), district admin",
            call_time,
            floor_time,
            "one grouping statement",
        ),
    ]
