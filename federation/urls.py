from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.accounts.landing import AdminLoginForm, home
from apps.accounts.views import SetPasswordView
from apps.core.views import healthz
from apps.members.admin import workbench
from apps.notices.views import notice_open
from apps.organizations.admin_filters import organization_autocomplete

admin.site.site_header = admin.site.site_title = _("District Women's Federation")
admin.site.index_title = _("Workbench")
admin.site.login_form = AdminLoginForm  # the right password without admin pages: told where to go
handler500 = "apps.core.views.server_error"  # a database outage is a 503, not a 500
handler404 = "apps.core.views.not_found"  # JSON under /api/

admin.site.site_url = None  # the admin is the site; no "view site" link
# No sidebar of every list on every page: the lists are wide (people have a dozen columns) and
# the workbench leads to them; the sidebar was also a twentieth of a changelist's time
# (docs/workbench.md).
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    # The admin's first page is the workbench (docs/workbench.md): matched before the admin's own.
    path("admin/", admin.site.admin_view(workbench.index)),
    path(  # the admin lists' street and village filters (apps/organizations/admin_filters.py)
        "admin/organizations/autocomplete/",
        admin.site.admin_view(organization_autocomplete),
        name="organization_autocomplete",
    ),
    path(  # a notice on the admin's first page, opened: marked read (docs/notices.md)
        "admin/notices/<int:notice_id>/read/",
        admin.site.admin_view(notice_open),
        name="notice_open",
    ),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/set-password/<uidb64>/<token>/",
        SetPasswordView.as_view(),
        name="set-password",
    ),
    path(
        "accounts/set-password/done/",
        TemplateView.as_view(template_name="registration/set_password_done.html"),
        name="set-password-done",
    ),
    path("jobs/", include("apps.jobs.urls")),  # My jobs outside the admin (docs/jobs.md)
    path("reports/", include("apps.reports.urls")),  # the dashboard (docs/reports.md)
    path("api/v1/", include("apps.accounts.urls")),
    path("api/v1/", include("apps.organizations.api.urls")),
    path("api/v1/", include("apps.members.api.urls")),
    path("api/v1/", include("apps.events.api.urls")),
    path("api/v1/", include("apps.jobs.api.urls")),
    path("api/v1/", include("apps.notices.api.urls")),
    path("api/v1/rights/", include("apps.rights.api.urls")),
    path("api/v1/", include("apps.councils.api.urls")),
    path("api/v1/", include("apps.reports.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="schema")),
        name="swagger-ui",
    ),
]
