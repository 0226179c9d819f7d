"""The admin's first page: the workbench of the account's subtree above Django's list of apps
(docs/workbench.md). ``federation/urls.py`` routes ``/admin/`` here before the admin's own URLs;
the page is the admin site's own index, given the workbench as extra context.

Also the people's figures on an organization's page, which the organizations app shows without
importing this one (docs/architecture.md, the layers)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.members.models import Appointment, Member
from apps.members.selectors.workbench import workbench
from apps.organizations.admin import Figure, add_organization_figures, subtree_list_url
from apps.organizations.scoping import scoped


def index(request):
    """The admin site's index with the workbench; ``admin.site.admin_view`` checks the account
    first (``federation/urls.py``), as it does for the index it replaces."""
    return admin.site.index(request, extra_context={"workbench": workbench(user=request.user)})


def organization_figures(request, organization) -> list[Figure]:
    """The living people of the organization's subtree, and the appointments running today."""
    below = {"organization__path__startswith": organization.path}
    people = Member.objects.alive().filter(merged_into__isnull=True, **below)
    appointments = Appointment.objects.current().filter(**below)
    return [
        Figure(
            _("people"),
            scoped(people, request.user).count(),
            subtree_list_url(request, organization, "members_member_changelist"),
        ),
        Figure(
            _("current appointments"),
            scoped(appointments, request.user).count(),
            subtree_list_url(
                request, organization, "members_appointment_changelist", "current=yes"
            ),
        ),
    ]


add_organization_figures(organization_figures)
