"""List pagination shared by every resource: {"count", "next", "previous", "results"}.

Following ``next`` reaches every row exactly once (docs/api.md, Lists):

- A page-number list reads one row past its page to decide whether there
  is a ``next``; the count never decides it.
- A sync list (``?updated_after=``, ordered by ``updated_at, id``) pages by
  an opaque cursor in ``next``: the last row's ``(updated_at, id)``, read
  back as a keyset condition that an index answers at any depth, where an
  OFFSET would scan every row before the page.

``count`` is exact up to 10,000 matching rows; ``?count=exact`` asks for it
whatever the size. Above that, counting every row costs more than the page
itself. For an account that sees the whole tree it is then PostgreSQL's
estimate of the filtered query (never below 10,001). For anyone else it is
10,001: the planner estimates a subtree's share from statistics of the
whole table, so its figure would move with the size of other villages.
Either way ``count_is_estimate`` is true.

Counting is the dearest part of a page of a large list, so it is done only
when needed: a first page holding every row counts itself, and a list found
to be above 10,000 rows is remembered as such (its estimate) for a minute in
Django's cache, so the next pages skip the count. The API keys it by who
asks what: the list's path, the account (its organization and role, which
are its scope) and the filters sent, so no statement is compiled just to
look it up. A remembered estimate may be up to a minute old; it says so
already.
"""

import base64
import binascii
import hashlib
import json
from datetime import datetime

from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from apps.core.validators import ascii_digits

EXACT_COUNT_LIMIT = 10_000
LARGE_COUNT_SECONDS = 60
SYNC_ORDER = ("updated_at", "pk")
MAX_PAGE = 10**9  # pages past any list's end; a larger page number is a 404, never a 500


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


def remembered_count(queryset, *, estimate: bool, asked: list | None = None) -> tuple[int, bool]:
    """``capped_count``, with a count above the cap remembered for LARGE_COUNT_SECONDS.

    The key is ``asked`` (plain values that decide the rows: ``RecordPagination.asked``) or else
    the counted statement and its parameters, so two askers share an entry only when they would
    count the very same rows.
    """
    if asked is None:
        sql, params = queryset.order_by().query.sql_with_params()
        asked = [sql, [str(p) for p in params]]
    text = json.dumps([queryset.db, estimate, asked], default=str)
    key = "large-count:" + hashlib.sha256(text.encode()).hexdigest()
    remembered = cache.get(key)
    if remembered is not None:
        return remembered, True
    count, is_estimate = capped_count(queryset, estimate=estimate)
    if is_estimate:
        cache.set(key, count, LARGE_COUNT_SECONDS)
    return count, is_estimate


def encode_cursor(row) -> str:
    text = json.dumps([row.updated_at.isoformat(), row.pk])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[datetime, int]:
    try:
        moment, pk = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return datetime.fromisoformat(moment), int(pk)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationError({"cursor": [_("This cursor is not one this server gave.")]}) from exc


class RecordPagination(BasePagination):
    """Pages of 50 by default (``?page_size=`` up to 200); a cursor for sync lists."""

    page_size = 50
    max_page_size = 200
    page_query_param = "page"
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    count_query_param = "count"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.size = self.get_page_size(request)
        self.next_link = self.previous_link = None
        if tuple(queryset.query.order_by) == SYNC_ORDER:
            rows, first = self.paginate_by_cursor(queryset, request)
        else:
            rows, first = self.paginate_by_page(queryset, request)
        if first and self.next_link is None:
            self.count, self.count_is_estimate = len(rows), False  # the whole list is this page
        else:
            self.count, self.count_is_estimate = self.get_count(queryset, request)
        return rows

    def get_page_size(self, request) -> int:
        try:
            asked = int(request.query_params[self.page_size_query_param])
        except (KeyError, ValueError):
            return self.page_size
        return min(asked, self.max_page_size) if asked > 0 else self.page_size

    def get_count(self, queryset, request) -> tuple[int, bool]:
        if request.query_params.get(self.count_query_param) == "exact":
            return queryset.order_by().count(), False
        whole_tree = getattr(request.user, "sees_whole_tree", False)
        return remembered_count(queryset, estimate=whole_tree, asked=self.asked(request))

    def asked(self, request) -> list:
        """What decides a list's rows: its path, the account with its scope (organization and
        role: a list's selector reads nothing else of it) and the filters sent, without the
        page's own parameters."""
        paging = {
            self.page_query_param,
            self.page_size_query_param,
            self.cursor_query_param,
            self.count_query_param,
        }
        user = request.user
        sent = sorted((k, v) for k, v in request.query_params.lists() if k not in paging)
        scope = [user.pk, getattr(user, "organization_id", None), getattr(user, "role", None)]
        return [request.path, scope, sent]

    def paginate_by_page(self, queryset, request):
        raw = request.query_params.get(self.page_query_param, "1")
        if not ascii_digits(raw) or not 1 <= int(raw) <= MAX_PAGE:
            raise NotFound(_("Invalid page."))  # past MAX_PAGE an OFFSET leaves bigint
        page = int(raw)
        start = (page - 1) * self.size
        rows = list(queryset[start : start + self.size + 1])
        if page > 1 and not rows:
            raise NotFound(_("Invalid page."))
        url = request.build_absolute_uri()
        if len(rows) > self.size:
            self.next_link = replace_query_param(url, self.page_query_param, page + 1)
        if page == 2:
            self.previous_link = remove_query_param(url, self.page_query_param)
        elif page > 2:
            self.previous_link = replace_query_param(url, self.page_query_param, page - 1)
        return rows[: self.size], page == 1

    def paginate_by_cursor(self, queryset, request):
        token = request.query_params.get(self.cursor_query_param)
        first = not token
        if token:
            moment, pk = decode_cursor(token)
            # A range on the (updated_at, id) index, then the few rows of that instant.
            queryset = queryset.filter(updated_at__gte=moment).exclude(
                updated_at=moment, pk__lte=pk
            )
        rows = list(queryset[: self.size + 1])
        if len(rows) > self.size:
            url = remove_query_param(request.build_absolute_uri(), self.page_query_param)
            token = encode_cursor(rows[self.size - 1])
            self.next_link = replace_query_param(url, self.cursor_query_param, token)
        return rows[: self.size], first

    def get_paginated_response(self, data):
        body = {
            "count": self.count,
            "next": self.next_link,
            "previous": self.previous_link,
            "results": data,
        }
        if self.count_is_estimate:
            body["count_is_estimate"] = True
        return Response(body)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "count_is_estimate": {
                    "type": "boolean",
                    "description": "Present and true when count is an estimate (above 10,000 "
                    "rows); ask ?count=exact for the exact figure.",
                },
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        def parameter(name, description, schema):
            return {
                "name": name,
                "required": False,
                "in": "query",
                "description": str(description),
                "schema": schema,
            }

        return [
            parameter(
                self.page_query_param,
                _("Page number (lists without updated_after)."),
                {"type": "integer", "minimum": 1},
            ),
            parameter(
                self.page_size_query_param,
                _("Rows per page, at most 200 (default 50)."),
                {"type": "integer", "minimum": 1},
            ),
            parameter(
                self.cursor_query_param,
                _("Where a sync list goes on: take it from next."),
                {"type": "string"},
            ),
            parameter(
                self.count_query_param,
                _("exact: count every row, however many."),
                {"type": "string", "enum": ["exact"]},
            ),
        ]


class ChangeListPaginator(Paginator):
    """The admin's pages, counted as the API's lists are (``capped_count``): an exact COUNT of
    the district's people read the whole table on every page of the changelist.

    Past 10,000 rows the count is an estimate (``count_is_estimate``), so every page number is
    a page (one past the last is empty, not an error) and the numbered links reach one page
    past any full page: no row is out of reach however wrong the estimate.
    """

    def __init__(self, *args, whole_tree: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.whole_tree = whole_tree
        self.count_is_estimate = False

    @cached_property
    def count(self):
        count, self.count_is_estimate = capped_count(self.object_list, estimate=self.whole_tree)
        return count

    def count_label(self) -> str:
        """The count as the page shows it: "about 198,080" for the whole tree, "more than
        10,000" for anyone else (docs/api.md, Lists), the exact figure below that."""
        if not self._estimated():
            return f"{self.count:,}"
        if self.whole_tree:
            return _("about %(count)s") % {"count": f"{self.count:,}"}
        return _("more than %(count)s") % {"count": f"{self.count - 1:,}"}

    def _estimated(self) -> bool:
        return self.count is not None and self.count_is_estimate  # counted first

    def validate_number(self, number):
        if not self._estimated():
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number  # past the estimate's last page too: it may be wrong

    def page(self, number):
        if not self._estimated():
            return super().page(number)
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        rows = list(self.object_list[start : start + self.per_page + 1])  # one past the page
        more = len(rows) > self.per_page
        self.num_pages = max(self.num_pages, number + 1) if more else number
        return self._get_page(rows[: self.per_page], number, self)
