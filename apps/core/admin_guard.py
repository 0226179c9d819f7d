"""Hostile values in the admin's URLs: a 400 or the list's "?e=1", never a 500
(docs/quality.md, 6).

One middleware for every admin page, Django's own and third-party apps' alike:

- a NUL character anywhere in the query string is a 400 before any view runs: PostgreSQL
  refuses NUL in text, so a NUL in a filter, the search box or an autocomplete term reached the
  database as an error, and no parameter of the admin has a use for one;
- a changelist that fails on a value it could not read (a number too large for Python's dates,
  a digit ``int()`` does not take, a value PostgreSQL refuses) answers as Django answers a
  lookup it cannot use, ``IncorrectLookupParameters``: back to the list with ``?e=1``.

tests/core/test_admin_hostile.py sends hostile values to every parameter the admin offers.
"""

import logging

from django.contrib.admin.views.main import ERROR_FLAG
from django.db import DataError
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.utils.translation import gettext as _

NUL = "\x00"
UNREADABLE_VALUE = (ValueError, OverflowError, DataError)

log = logging.getLogger(__name__)


class AdminGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _is_admin(request) or not has_nul(request.GET):
            return None
        return HttpResponseBadRequest(
            _("The address contains a character that is not allowed."),
            content_type="text/plain; charset=utf-8",
        )

    def process_exception(self, request, exception):
        if not (
            isinstance(exception, UNREADABLE_VALUE)
            and _is_admin(request)
            and request.resolver_match.url_name.endswith("_changelist")
            and request.method == "GET"
        ):
            return None
        log.warning("Changelist parameters it could not read: %r (%s)", request.GET, exception)
        return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")


def _is_admin(request) -> bool:
    match = request.resolver_match
    return match is not None and match.app_name == "admin"


def has_nul(query) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())
