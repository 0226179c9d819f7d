"""List pagination shared by every resource: {"count", "next", "previous", "results"}.

``count`` is exact up to 10,000 matching rows. Above that, counting every row
costs more than the page itself. For an account that sees the whole tree it
is then PostgreSQL's estimate of the filtered query (never below 10,001).
For anyone else it is 10,001: the planner estimates a subtree's share from
statistics of the whole table, so its figure would move with the size of
other villages. Either way ``count_is_estimate`` is true.
"""

import json
from functools import partial

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

EXACT_COUNT_LIMIT = 10_000


def estimated_count(queryset) -> int:
    """The planner's row estimate for the query as filtered (EXPLAIN, without running it)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def capped_count(queryset, limit: int | None = None, *, estimate=True) -> tuple[int, bool]:
    """(count, is_estimate): exact up to ``limit`` rows, counted on at most limit + 1 of them."""
    limit = EXACT_COUNT_LIMIT if limit is None else limit
    exact = queryset.order_by()[: limit + 1].count()
    if exact <= limit:
        return exact, False
    if not estimate:
        return limit + 1, True
    return max(estimated_count(queryset.order_by()), limit + 1), True


class CappedPaginator(Paginator):
    count_is_estimate = False

    def __init__(self, *args, may_estimate=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_estimate = may_estimate

    @cached_property
    def count(self):
        count, self.count_is_estimate = capped_count(self.object_list, estimate=self.may_estimate)
        return count


class CappedPageNumberPagination(PageNumberPagination):
    """Pages of 50 by default; a client may ask for up to 200 with ?page_size=."""

    django_paginator_class = CappedPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        whole_tree = getattr(request.user, "sees_whole_tree", False)
        self.django_paginator_class = partial(CappedPaginator, may_estimate=whole_tree)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        if self.page.paginator.count_is_estimate:
            response.data["count_is_estimate"] = True
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_is_estimate"] = {
            "type": "boolean",
            "description": "Present and true when count is an estimate (above 10,000 rows).",
        }
        return schema
