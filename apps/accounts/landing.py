"""Where each account's work is, said plainly at sign-in (docs/roles.md, "works in").

Three roles work in the admin. Leadership works in the report pages (/reports/, docs/reports.md)
and station operators in the station app; the right password at the admin's sign-in tells them so
instead of "wrong username or password". The site's home page sends leadership to its reports and
tells a station operator where its work is, in a page of its own that leads to My jobs
(apps/jobs/views.py).
"""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from apps.organizations.roles import Role

ELSEWHERE = {
    Role.LEADERSHIP: _(
        "This is a leadership account: its work is in the report pages (/reports/). Sign in at "
        "the site's front door (/accounts/login/) to reach them."
    ),
    Role.STATION_OPERATOR: _(
        "This is a station operator's account: its work is in the station app on the station's "
        "phone, which is not open yet. Until then the station's software signs in to the API "
        "with it; it has no pages here."
    ),
}
NO_PAGES = _("This account has no pages here.")


def where_their_work_is(user) -> str:
    return ELSEWHERE.get(user.role, NO_PAGES)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in: the right password of an account without admin pages is told where
    its work is (a wrong password still reads as one, whoever's it is)."""

    def confirm_login_allowed(self, user):
        if user.is_active and not user.is_staff:
            raise ValidationError(where_their_work_is(user), code="no_admin_pages")
        super().confirm_login_allowed(user)


@login_required
def home(request):
    """The site's front door: the admin for the roles that work there, the reports for
    leadership, a plain page for others."""
    if request.user.is_staff:
        return redirect("admin:index")
    if request.user.role == Role.LEADERSHIP:
        return redirect("reports:dashboard")
    context = {"message": where_their_work_is(request.user)}
    return render(request, "accounts/home.html", context)
