"""The admin's first page shows the account's unread notices (apps/members/admin/workbench.py);
each is opened here: marked read, then its link (docs/notices.md)."""

from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.notices import services
from apps.notices.selectors import notice_list


@require_POST
def notice_open(request, notice_id: int):
    """Mark the account's own notice read and go to its link; another's is a 404."""
    notice = notice_list(user=request.user).filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    services.notice_read(by=request.user, notice=notice)
    safe = url_has_allowed_host_and_scheme(notice.link, allowed_hosts={request.get_host()})
    return HttpResponseRedirect(notice.link if notice.link and safe else reverse("admin:index"))
