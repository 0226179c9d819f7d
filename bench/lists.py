"""1 and 2: the people list through the API, against the same SQL served by a bare Django view.

The API is asked in process through Django's test client: the whole middleware stack, token
authentication, DRF's view, filters, pagination and serializer, JSON out; no HTTP server and no
network. The SQL that read the page's rows is captured while the API answers. The floor is a
plain Django view (bench/urls.py) asked through the same client and middleware, which runs
exactly that statement and writes its rows as JSON; the same statement run and written as JSON
with no Django at all is given beside it. Each check compares the ids of the page, in order.
"""

import json
from urllib.parse import parse_qs, quote, urlsplit

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.core.pagination import encode_cursor
from apps.members.selectors.people import member_list
from apps.organizations.models import Organization
from bench.accounts import Accounts, token
from bench.timing import Figure, in_turns, ms, ratio_figure, same_answer
from bench.urls import floor_url, serving

MEMBERS = "/api/v1/members/"
PAGE = 50
EPOCH = "2000-01-01T00:00:00Z"
API_LIMIT = 2.0  # the API within 2× its bare floor (at least half its throughput)
LEVEL_LIMIT = 2.0  # the district's page within 2× a village's
DEPTH_LIMIT = 1.5  # a deep sync page about as fast as the first


def api_client(user) -> Client:
    return Client(headers={"authorization": f"Token {token(user)}"})


def get(client: Client, url: str) -> dict:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code} {response.content[:300]!r}")
    return response.json()


def _reads_a_page(sql: str) -> bool:
    return (
        sql.startswith("SELECT")
        and 'FROM "members_member"' in sql
        and " LIMIT " in sql
        and "COUNT(" not in sql
    )


def answered_with(client: Client, url: str) -> tuple[dict, str]:
    """The API's answer to ``url`` and the one statement that read its page of people."""
    with CaptureQueriesContext(connection) as captured:
        body = get(client, url)
    found = [query["sql"] for query in captured.captured_queries if _reads_a_page(query["sql"])]
    if len(found) != 1:
        raise RuntimeError(f"GET {url}: {len(found)} statements read a page of people, not one")
    return body, found[0]


def bare(sql: str, params=None, size: int = PAGE):
    """Run ``sql`` and write its first ``size`` rows as JSON, without Django's request cycle."""

    def answer() -> bytes:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchmany(size)
        return json.dumps(rows, default=str, ensure_ascii=False).encode()

    return answer


def bare_view(sql: str):
    """The floor: a plain Django view answering with ``bare(sql)``."""
    answer = bare(sql)
    return lambda request: HttpResponse(answer(), content_type="application/json")


def outline(sql: str, params=None) -> str:
    """The statement's plan in one line (EXPLAIN, not run): what an index would change."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)

    def node(step: dict) -> str:
        name = step["Node Type"]
        if "Relation Name" in step:
            name += f" on {step['Relation Name']}"
        if "Index Name" in step:
            name += f" using {step['Index Name']}"
        below = [node(child) for child in step.get("Plans", [])]
        if len(below) > 1:
            return f"{name} ({'; '.join(below)})"
        return f"{name} > {below[0]}" if below else name

    return node(plan[0]["Plan"])


# The columns the API's page shows, as plain Django reads them: the organization's name through
# its join, the numbers as stored (the API masks them in Python).
COLUMNS = [
    "id",
    "organization_id",
    "organization__name",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "political_status",
    "education",
    "occupation",
    "address",
    "updated_at",
]


def orm_page(user_id: int, organization: int | None = None):
    """The page's people as plain Django reads them: the API's own selector (the caller's
    subtree, the list's ordering), the filter (an organization's subtree), 50 rows through
    ``values()``."""
    people = member_list(user=User.objects.select_related("organization").get(pk=user_id))
    if organization is not None:
        path = Organization.objects.values_list("path", flat=True).get(pk=organization)
        people = people.filter(organization__path__startswith=path)
    return people.values(*COLUMNS)[:PAGE]


def orm_view(user_id: int, organization: int | None = None):
    """The floor of targets 1 and 25: a bare Django view returning the same rows (docs/quality.md
    25), no DRF: ``orm_page`` as JSON, read anew on each request."""

    def view(request):
        rows = list(orm_page(user_id, organization))
        return JsonResponse(
            {"results": rows}, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False}
        )

    return view


def orm_ids(content: bytes) -> list[int]:
    return [row["id"] for row in json.loads(content)["results"]]


def ids_of(body: dict) -> list[int]:
    return [row["id"] for row in body["results"]]


def bare_ids(content: bytes) -> list[int]:
    return [row[0] for row in json.loads(content)]  # the person's id is the first column


def api_lists(accounts: Accounts, *, reps: int) -> list[Figure]:
    """1: a page of 50 for the district, a street, a village, and the district filtered to the
    street; each against its bare view, and the district's against the village's."""
    street = accounts.street.organization
    cases = [
        ("district admin", accounts.district, MEMBERS, None),
        ("street admin", accounts.street, MEMBERS, None),
        ("village station", accounts.village, MEMBERS, None),
        (
            "district admin, ?organization=street",
            accounts.district,
            f"{MEMBERS}?organization={street.pk}",
            street.pk,
        ),
    ]
    figures, times = [], {}
    for label, user, url, organization in cases:
        found, times[label] = _list_page(
            label, api_client(user), url, orm_view(user.pk, organization), reps=reps
        )
        figures += found
    figures.append(
        ratio_figure(
            "1",
            "API list page: district admin against village station",
            times["district admin"],
            times["village station"],
            "the village's API page",
            limit=LEVEL_LIMIT,
        )
    )
    return figures


def _list_page(
    label: str, client: Client, url: str, plain_view, *, reps: int
) -> tuple[list[Figure], float]:
    """One list page against a bare Django view of the same rows (the target) and a bare view
    of its SQL alone; and the page's time."""
    body, sql = answered_with(client, url)
    with serving(plain=plain_view, page=bare_view(sql)):
        plain, floor = floor_url("plain"), floor_url("page")
        same_answer(f"API list, {label}", ids_of(body), orm_ids(client.get(plain).content))
        same_answer(f"API list SQL, {label}", ids_of(body), bare_ids(client.get(floor).content))
        measured, plain_time, floor_time, alone = in_turns(
            lambda: get(client, url),
            lambda: client.get(plain),
            lambda: client.get(floor),
            bare(sql),
            reps=reps,
        )
    figures = [
        ratio_figure(
            "1",
            f"API list page of {PAGE}, {label}",
            measured,
            plain_time,
            "bare Django view: the same rows by the ORM, as JSON",
            limit=API_LIMIT,
            note=f"its plan: {outline(sql)}",
        ),
        ratio_figure(
            "1",
            f"API list page of {PAGE}, {label}, against its SQL alone",
            measured,
            floor_time,
            "bare Django view, the page's SQL as JSON",
            note=f"the page's SQL as JSON with no request cycle: {ms(alone)}",
        ),
    ]
    return figures, measured


def _cursor_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["cursor"][0]


def sync_pages(accounts: Accounts, *, reps: int, depth: float = 0.9) -> list[Figure]:
    """2: a sync page ``depth`` of the way down the district's list, reached by the keyset cursor,
    against the first page; and OFFSET against the keyset at that depth, in SQL."""
    user = accounts.district
    client = api_client(user)
    first = f"{MEMBERS}?updated_after={EPOCH}"
    synced = member_list(user=user).filter(updated_at__gte=EPOCH).order_by("updated_at", "pk")
    total = synced.count()
    at = max(PAGE, int(total * depth) // PAGE * PAGE)  # rows before the deep page
    body, _ = answered_with(client, first)
    # The cursor the bench builds is the one the API hands out: checked on page 1's next.
    same_answer("sync cursor", _cursor_of(body["next"]), encode_cursor(synced[PAGE - 1]))
    deep = f"{first}&cursor={quote(encode_cursor(synced[at - 1]))}"
    deep_body, keyset_sql = answered_with(client, deep)
    offset_sql, params = synced[at : at + PAGE + 1].query.sql_with_params()
    keyset, offset = bare(keyset_sql), bare(offset_sql, params)
    same_answer("sync page by cursor against OFFSET", ids_of(deep_body), bare_ids(offset()))
    same_answer("sync page, keyset SQL against OFFSET", bare_ids(keyset()), bare_ids(offset()))
    if deep_body["next"]:  # and following next from there goes on where OFFSET does
        after = get(client, deep_body["next"])
        rows = list(synced[at + PAGE : at + 2 * PAGE].values_list("pk", flat=True))
        same_answer("sync page after the deep one", ids_of(after), rows)
    page_one, deep_time, keyset_time, offset_time = in_turns(
        lambda: get(client, first), lambda: get(client, deep), keyset, offset, reps=reps
    )
    pages = -(-total // PAGE)
    return [
        ratio_figure(
            "2",
            f"API sync page at row {at:,} of {total:,} (cursor), district admin",
            deep_time,
            page_one,
            "the first sync page",
            limit=DEPTH_LIMIT,
            note=f"a full sync is {pages:,} pages: about {pages * deep_time:,.0f} s at this pace",
        ),
        ratio_figure(
            "2",
            f"SQL: OFFSET {at:,} against the keyset at the same row",
            offset_time,
            keyset_time,
            "the keyset page SQL",
            note=f"the keyset page's plan: {outline(keyset_sql)}; OFFSET's: "
            f"{outline(offset_sql, params)}",
        ),
    ]
