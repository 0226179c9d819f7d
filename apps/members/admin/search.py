"""The people list's search box, which keeps full numbers out of addresses and logs.

A GET search puts what was typed in the URL, and so in the web server's access
log, the browser's history and the Referer of the next request, whatever the
page answers: refusing the request afterwards is too late. So the box posts to
``search/`` instead (docs/api-machinery.md: look-ups by ID number go in a POST
body). A name or the last digits, which the list shows anyway, come back as
``?q=`` as before; a term with more digits than a tail is looked up there and
then, and the list is sent to an opaque token, ``?q_token=``, whose matches
(ids, never the number) the session keeps for a while.
"""

import secrets
import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

TOKEN_VAR = "q_token"  # noqa: S105 - a parameter's name, not a secret
TOKEN_SECONDS = 30 * 60
TOKENS_KEPT = 20  # a session's latest searches by number; older ones are dropped
MATCHES_KEPT = 1000
SESSION_KEY = "member_number_searches"
TAIL_DIGITS = 6  # the longest tail a search by the last digits takes

SEARCH_AGAIN = _("That search by number has expired: search again.")
NUMBERS_BY_THE_BOX = _(
    "Search for a full number with the search box: a number in the address is not searched, "
    "as it would be kept in logs and browser history."
)


def has_a_number(term: str) -> bool:
    """Whether ``term`` has more digits than a tail: part or all of a phone or ID number."""
    return sum(character.isdigit() for character in term) > TAIL_DIGITS


class TokenSearchChangeList(ChangeList):
    """A changelist that reads ``?q_token=`` as the matches of a search by number."""

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(TOKEN_VAR, None)  # not a lookup; kept in the list's own links
        return lookup_params

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        token = request.GET.get(TOKEN_VAR)
        if token is None:
            return queryset
        return queryset.filter(pk__in=_matches(request, token))


class PostedSearchMixin:
    """For a ModelAdmin: the search box posts; full numbers never reach a URL.

    The admin's ``get_search_results`` finds nothing for a term with a number in
    it (it may come from a URL) and ``search_by_number`` does the look-up.
    """

    def search_by_number(self, request, queryset, term):
        raise NotImplementedError

    def get_changelist(self, request, **kwargs):
        return TokenSearchChangeList

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_search"
        view = self.admin_site.admin_view(self.search_view)
        return [path("search/", view, name=name), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        if has_a_number(request.GET.get(SEARCH_VAR, "")):
            messages.warning(request, NUMBERS_BY_THE_BOX)
            return self._changelist_redirect(request.GET, {})
        return super().changelist_view(request, extra_context)

    def search_view(self, request):
        """The search box's POST: back to the list, by ``?q=`` or by a token."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return self._changelist_redirect({}, {})
        term = request.POST.get(SEARCH_VAR, "").strip()
        if not has_a_number(term):
            return self._changelist_redirect(request.POST, {SEARCH_VAR: term} if term else {})
        found = self.search_by_number(request, self.get_queryset(request), term)
        ids = list(found.values_list("pk", flat=True)[:MATCHES_KEPT])
        return self._changelist_redirect(request.POST, {TOKEN_VAR: _keep(request, ids)})

    def _changelist_redirect(self, params, search: dict):
        """The list with ``params``' filters (the search box carries them), and ``search``."""
        dropped = {SEARCH_VAR, TOKEN_VAR, PAGE_VAR, "csrfmiddlewaretoken"}
        kept = {name: value for name, value in params.items() if name not in dropped}
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        query = urlencode({**kept, **search})
        return redirect(f"{url}?{query}" if query else url)


def _keep(request, ids: list[int]) -> str:
    """Keep a search's matches in the session under a new token; drop expired and old ones."""
    now = time.time()
    searches = {
        token: kept
        for token, kept in request.session.get(SESSION_KEY, {}).items()
        if kept["until"] > now
    }
    token = secrets.token_urlsafe(16)
    searches[token] = {"ids": ids, "until": now + TOKEN_SECONDS}
    request.session[SESSION_KEY] = dict(list(searches.items())[-TOKENS_KEPT:])
    return token


def _matches(request, token: str) -> list[int]:
    """The ids a token stands for; none, with a message (once a request), once it has expired."""
    kept = request.session.get(SESSION_KEY, {}).get(token)
    if kept is not None and kept["until"] > time.time():
        return kept["ids"]
    if not getattr(request, "_told_to_search_again", False):
        messages.warning(request, SEARCH_AGAIN)
        request._told_to_search_again = True
    return []
